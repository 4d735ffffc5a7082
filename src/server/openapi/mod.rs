//! The API's OpenAPI 3.1 description, made from its types and handlers (utoipa's derives and
//! `#[utoipa::path]` on each handler) once per process, and served at `GET /openapi.json`.
//!
//! Two rules are applied to the generated document: every object schema that lists its
//! properties is closed (`additionalProperties: false`, as our serde types are), and the bounds of
//! the `POST /api/retrieve` body come from the constants the handler checks.

pub mod describe;
pub mod responses;

use super::listen::{DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT};
use super::params::MAX_LIST_VALUES;
use super::{MAX_BODY_BYTES, admin, editors, metrics, page, retrieval, routes};
use crate::index::present::passages::{DEFAULT_K, DEFAULT_MAX_CHARS, MAX_K, MAX_MAX_CHARS, MIN_MAX_CHARS};
use crate::index::storage::writer::DAYS;
use crate::query::parse::MAX_QUERY_CHARS;
use axum::http::header;
use axum::response::IntoResponse;
use responses::{
    AdminDisabled, ArticleNotFound, Internal, InvalidToken, MethodNotAllowed, PayloadTooLarge, RateLimited,
    SearchTimeout, error,
};
use serde_json::{Value, json};
use std::sync::OnceLock;
use utoipa::openapi::ContentBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

#[derive(OpenApi)]
#[openapi(
    info(title = "healthsearch"),
    servers((url = "/", description = "The server this document came from")),
    paths(
        page::search_page,
        page::stylesheet,
        page::app_script,
        page::widget_script,
        routes::api_search,
        routes::api_suggest,
        retrieval::api_passages,
        retrieval::api_retrieve,
        editors::api_related,
        editors::api_citations,
        editors::api_stale,
        editors::api_article,
        routes::healthz,
        metrics::render,
        serve,
        admin::reload,
        admin::start_ingest,
        admin::ingest_status,
    ),
    components(responses(
        ArticleNotFound,
        MethodNotAllowed,
        PayloadTooLarge,
        SearchTimeout,
        Internal,
        RateLimited,
        AdminDisabled,
        InvalidToken,
    )),
    tags(
        (name = "search box", description = "The site search box: the page, the widget, search and suggestions."),
        (name = "retrieval", description = "Passages for a chatbot's retrieval-augmented generation."),
        (name = "editors", description = "Tools for the editorial team."),
        (name = "service", description = "Health, metrics and this description."),
        (name = "admin", description = "State-changing endpoints: off without an admin token, then only with it."),
        (name = "mcp", description = "The Model Context Protocol server, for assistants and agents."),
    ),
    modifiers(&Service),
)]
struct ApiDoc;

/// What the derive cannot say: the overview (with the limits' values), the security schemes and
/// the `/mcp` endpoint, which the MCP SDK serves.
struct Service;

impl Modify for Service {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        api.info.description = Some(overview());
        let components = api.components.get_or_insert_with(Default::default);
        let admin = "The admin token given to `serve` (`--admin-token-file` or `HEALTHSEARCH_ADMIN_TOKEN`). \
                     Without one the admin endpoints answer 403 `admin_disabled`.";
        let mcp = "The token `serve --mcp-token` sets, when it does.";
        for (name, description) in [("adminToken", admin), ("mcpToken", mcp)] {
            let mut scheme = Http::new(HttpAuthScheme::Bearer);
            scheme.description = Some(description.into());
            components.add_security_scheme(name, SecurityScheme::Http(scheme));
        }
        api.paths.paths.insert(crate::mcp::http::PATH.to_string(), mcp_path());
    }
}

/// The service as a whole: users, errors, strict parameters and the limits every request meets.
fn overview() -> String {
    let (first, last) = (DAYS.start(), DAYS.end());
    format!(
        "Search over health articles for three kinds of users: a site's **search box** (the page at `/`, the \
         embeddable `/widget.js`, `/api/search` and `/api/suggest`), a chatbot's **retrieval** (`/api/passages` and \
         `POST /api/retrieve`: whole-sentence passages with a section link to cite, the review date and the \
         sources) and **editors** (related articles, articles citing a source, articles due for review, whole \
         stored articles). Lay and clinical names are searched together through a health vocabulary, and misspelt \
         words are corrected.\n\n\
         Every API error is JSON `{{\"code\", \"message\"}}`, each code with one HTTP status (the `ErrorCode` \
         schema lists them). The JSON endpoints read query strings strictly: a parameter the endpoint does not \
         take is 400 `unknown_parameter`, a single-valued one given twice 400 `duplicate_parameter`; the list \
         filters `category`, `site` and `audience` may be repeated or comma-separated, up to {MAX_LIST_VALUES} \
         values each (400 `too_many_values`); days the index cannot hold (before {first} or after {last}) are \
         400 `date_out_of_range`. Paths not listed here are 404 `not_found`; a listed path called with another \
         method is 405 `method_not_allowed`. Requests that cannot be read as HTTP get the same JSON before any \
         route: 400 `malformed_request`, 414 `uri_too_long`, 431 `headers_too_large`. Request bodies may be at \
         most {} KiB. A client has {} s to send a request head and a kept-alive connection may idle {} s (the \
         defaults). The API is read-only (but for the admin endpoints) and by default open to any origin.",
        MAX_BODY_BYTES / 1024,
        DEFAULT_HEADER_TIMEOUT.as_secs(),
        DEFAULT_IDLE_TIMEOUT.as_secs(),
    )
}

/// `POST /mcp`, described minimally: the MCP SDK reads and answers the protocol's messages.
fn mcp_path() -> PathItem {
    let object = || ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::Object))).build();
    let text = || ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::String))).build();
    let body = RequestBodyBuilder::new()
        .description(Some("A JSON-RPC 2.0 message of the Model Context Protocol."))
        .content("application/json", object())
        .required(Some(utoipa::openapi::Required::True))
        .build();
    let ok = ResponseBuilder::new().description("The JSON-RPC answer.").content("application/json", object());
    let refused = ResponseBuilder::new()
        .description(
            "Refused by the MCP SDK: not a JSON-RPC message it takes, an `Accept` header without both \
             `application/json` and `text/event-stream`, another `Content-Type`, or a `Host` not on loopback \
             for a server bound to it.",
        )
        .content("application/json", object())
        .content("text/plain", text());
    let shared = |r: (&str, _)| r.1;
    let operation = OperationBuilder::new()
        .tag("mcp")
        .operation_id(Some("mcp"))
        .summary(Some("The MCP server over streamable HTTP"))
        .description(Some(
            "Stateless streamable HTTP with JSON answers, on `serve --mcp`; without it this path is 404 `not_found`. \
             Its tools search articles, get passages with a cite line each, and find related and citing articles, \
             through the same functions and limits as the API. Behind the rate limit, and the token when \
             `--mcp-token` sets one.",
        ))
        .request_body(Some(body))
        .response("200", ok)
        .response("202", ResponseBuilder::new().description("A notification or answer was accepted."))
        .response("401", shared(InvalidToken::response()))
        .response("404", error("`not_found`: the server runs without `--mcp`."))
        .response("4XX", refused)
        .response("429", shared(RateLimited::response()))
        .securities(Some([SecurityRequirement::default(), SecurityRequirement::new("mcpToken", Vec::<String>::new())]));
    PathItem::new(HttpMethod::Post, operation)
}

/// `GET /openapi.json`: this description.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "service",
    operation_id = "openapi",
    summary = "This OpenAPI description",
    responses(
        (status = 200, description = "This document (OpenAPI 3.1).", body = Object),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

/// The description as served, built on first use.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let (doc, missing) = build();
        for place in missing {
            tracing::warn!(place, "the OpenAPI description has no such place to bound");
        }
        doc.to_string()
    })
}

/// The description as JSON, and the places `bound_requests` did not find (none, as a test
/// checks).
pub fn build() -> (Value, Vec<&'static str>) {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let components = doc.pointer("/components/schemas").cloned().unwrap_or_default();
    merge_flattened(&mut doc, &components);
    close_objects(&mut doc);
    let missing = bound_requests(&mut doc);
    (doc, missing)
}

/// Merges each `allOf` of objects (how utoipa describes a `#[serde(flatten)]` field, such as an
/// answer's `ArticleRef`) into one object, so that closing objects closes the whole answer
/// rather than each part against the other's fields.
fn merge_flattened(v: &mut Value, components: &Value) {
    match v {
        Value::Object(map) => {
            map.values_mut().for_each(|v| merge_flattened(v, components));
            let Some(Value::Array(parts)) = map.get("allOf") else { return };
            let resolve = |part: &Value| match part.get("$ref").and_then(Value::as_str) {
                Some(r) => r.strip_prefix("#/components/schemas/").and_then(|name| components.get(name)).cloned(),
                None => Some(part.clone()),
            };
            let Some(parts) = parts.iter().map(resolve).collect::<Option<Vec<Value>>>() else { return };
            if !parts.iter().all(|p| p.get("properties").is_some_and(Value::is_object)) {
                return;
            }
            let (mut properties, mut required) = (serde_json::Map::new(), Vec::new());
            for part in &parts {
                if let Some(Value::Object(p)) = part.get("properties") {
                    properties.extend(p.clone());
                }
                if let Some(Value::Array(r)) = part.get("required") {
                    required.extend(r.iter().cloned());
                }
            }
            map.remove("allOf");
            map.insert("type".into(), "object".into());
            map.insert("properties".into(), Value::Object(properties));
            map.insert("required".into(), Value::Array(required));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| merge_flattened(v, components)),
        _ => {}
    }
}

/// Closes every object schema that lists its properties: our serde types have no others.
fn close_objects(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("properties").is_some_and(Value::is_object) && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(close_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// The bounds of `POST /api/retrieve`'s body, from the constants the handler checks; the
/// places not found.
fn bound_requests(doc: &mut Value) -> Vec<&'static str> {
    let list = json!({ "maxItems": MAX_LIST_VALUES });
    let bounds = [
        (
            "/components/schemas/RetrieveRequest/properties/query",
            json!({ "minLength": 1, "maxLength": MAX_QUERY_CHARS }),
        ),
        (
            "/components/schemas/RetrieveRequest/properties/k",
            json!({ "minimum": 1, "maximum": MAX_K, "default": DEFAULT_K }),
        ),
        (
            "/components/schemas/RetrieveRequest/properties/max_chars",
            json!({ "minimum": MIN_MAX_CHARS, "maximum": MAX_MAX_CHARS, "default": DEFAULT_MAX_CHARS }),
        ),
        ("/components/schemas/RetrieveRequest/properties/semantic_ratio", json!({ "minimum": 0, "maximum": 1 })),
        ("/components/schemas/Filters/properties/category", list.clone()),
        ("/components/schemas/Filters/properties/site", list.clone()),
        ("/components/schemas/Filters/properties/audience", list),
    ];
    let mut missing = Vec::new();
    for (place, add) in bounds {
        match (doc.pointer_mut(place).and_then(Value::as_object_mut), add) {
            (Some(schema), Value::Object(add)) => schema.extend(add),
            _ => missing.push(place),
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::params::LIST_PARAMS;
    use std::collections::BTreeSet;

    #[test]
    fn every_bound_finds_its_place() {
        assert_eq!(build().1, Vec::<&str>::new());
    }

    #[test]
    fn each_endpoint_documents_the_query_parameters_it_takes() {
        let (doc, _) = build();
        let documented = |path: &str| -> BTreeSet<String> {
            let params = doc["paths"][path]["get"]["parameters"].as_array().cloned().unwrap_or_default();
            params.iter().filter(|p| p["in"] == "query").filter_map(|p| p["name"].as_str().map(String::from)).collect()
        };
        let takes = |single: &[&str], multi: &[&str]| -> BTreeSet<String> {
            single.iter().chain(multi).map(|s| s.to_string()).collect()
        };
        assert_eq!(documented("/api/search"), takes(routes::SEARCH_PARAMS, LIST_PARAMS));
        assert_eq!(documented("/api/suggest"), takes(routes::SUGGEST_PARAMS, &[]));
        assert_eq!(documented("/api/passages"), takes(retrieval::PASSAGE_PARAMS, LIST_PARAMS));
        assert_eq!(documented("/api/related"), takes(editors::RELATED_PARAMS, &[]));
        assert_eq!(documented("/api/citations"), takes(editors::CITATION_PARAMS, &[]));
        assert_eq!(documented("/api/stale"), takes(editors::STALE_PARAMS, &[]));
    }

    #[test]
    fn every_reference_resolves() {
        fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
            match v {
                Value::Object(map) => {
                    out.extend(map.get("$ref").and_then(Value::as_str));
                    map.values().for_each(|v| refs(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let (doc, _) = build();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 50, "{}", found.len());
        for r in found {
            assert!(r.strip_prefix('#').and_then(|p| doc.pointer(p)).is_some(), "{r} does not resolve");
        }
    }

    #[test]
    fn objects_are_closed_and_error_codes_listed() {
        let (doc, _) = build();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["components"]["schemas"]["Hit"]["additionalProperties"], false);
        let codes = doc["components"]["schemas"]["ErrorCode"]["enum"].as_array().map(Vec::len);
        assert_eq!(codes, Some(crate::server::error::ALL.len()));
    }
}
