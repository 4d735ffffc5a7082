//! The chatbot retrieval layer: `GET /api/passages` and `POST /api/retrieve`, the same passages
//! behind a query string or a chat-style JSON body.

use super::error::{ApiError, ErrorBody, ErrorCode};
use super::openapi::describe;
use super::openapi::responses::{Internal, MethodNotAllowed, PayloadTooLarge, RateLimited, SearchTimeout};
use super::params::{
    LIST_PARAMS, bounded, check_ratio, checked_filters, filters, parse_query, required_q, semantic_ratio, within,
};
use super::routes::blocking;
use super::state::AppState;
use crate::index::present::passages::{
    DEFAULT_K, DEFAULT_MAX_CHARS, MAX_K, MAX_MAX_CHARS, MIN_MAX_CHARS, Passage, PassageParams,
};
use crate::index::ranking::filter::Filters;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{RawQuery, State};
use serde::{Deserialize, Serialize};
use std::time::Instant;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::{IntoParams, ToSchema};

/// Passages and how long they took.
#[derive(Debug, Serialize, ToSchema)]
pub struct PassagesResponse {
    /// The query as given.
    pub query: String,
    /// Time spent, in milliseconds.
    pub took_ms: f64,
    /// At most `k` passages, best first, from the best-matching articles, near-duplicates
    /// dropped.
    pub passages: Vec<Passage>,
}

/// The single-valued parameters of `/api/passages` (the filters' lists besides).
pub const PASSAGE_PARAMS: &[&str] = &["q", "k", "max_chars", "reviewed_after", "semantic_ratio"];

/// The query parameters of `/api/passages`, as documented.
pub struct PassagesQuery;

impl IntoParams for PassagesQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let k = format!("Passages to return, 1 to {MAX_K}; else 400 `invalid_search_limit`.");
        let max_chars = format!(
            "Longest passage, in characters, {MIN_MAX_CHARS} to {MAX_MAX_CHARS}; else 400 `invalid_passage_max_chars`."
        );
        let mut params = vec![
            describe::search_q("The question or query"),
            describe::query("k", false, k, describe::whole(1, MAX_K, DEFAULT_K)),
            describe::query(
                "max_chars",
                false,
                max_chars,
                describe::whole(MIN_MAX_CHARS, MAX_MAX_CHARS, DEFAULT_MAX_CHARS),
            ),
        ];
        params.extend(describe::filters());
        params.push(describe::semantic_ratio());
        params
    }
}

/// `GET /api/passages?q=&k=&max_chars=&category=&site=&reviewed_after=`
#[utoipa::path(
    get,
    path = "/api/passages",
    tag = "retrieval",
    operation_id = "passages",
    summary = "Passages for a question (query string)",
    description = "Passages for retrieval-augmented generation: the best articles' sections cut into \
        whole-sentence passages of at most `max_chars` characters, scored against the query (its words, \
        corrections, vocabulary names and meaning) with their article's score, near-duplicates dropped. Each \
        carries its article, a section link to cite, the review date and the article's sources. The same as \
        `POST /api/retrieve`.",
    params(PassagesQuery),
    responses(
        (status = 200, description = "Passages, best first.", body = PassagesResponse),
        (status = 400, body = ErrorBody, description = "`missing_search_q`, `invalid_search_q`, \
            `invalid_search_limit`, `invalid_passage_max_chars`, `invalid_search_filter`, `invalid_semantic_ratio`, \
            `too_many_values`, `date_out_of_range`, `unknown_parameter` or `duplicate_parameter`."),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = SearchTimeout),
    )
)]
pub async fn api_passages(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PassagesResponse>, ApiError> {
    let p = parse_query(raw.as_deref(), PASSAGE_PARAMS, LIST_PARAMS)?;
    let q = required_q(&p)?;
    let k = bounded(&p, "k", DEFAULT_K, 1, MAX_K, ErrorCode::InvalidSearchLimit)?;
    let max_chars =
        bounded(&p, "max_chars", DEFAULT_MAX_CHARS, MIN_MAX_CHARS, MAX_MAX_CHARS, ErrorCode::InvalidMaxChars)?;
    let semantic_ratio = semantic_ratio(&p)?;
    run(&st, PassageParams { q, k, max_chars, filters: filters(&p)?, semantic_ratio }).await
}

/// The body of `POST /api/retrieve`; unknown fields are refused (`invalid_json_body`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetrieveRequest {
    /// The question or query, written as `q` on /api/search (not empty).
    pub query: String,
    /// How many passages to return (null or absent: the default).
    pub k: Option<usize>,
    /// Longest passage, in characters (null or absent: the default).
    pub max_chars: Option<usize>,
    /// Which articles passages may come from (absent: any; null is refused).
    #[serde(default)]
    pub filters: Filters,
    /// Weight of meaning against words, from 0 (words alone) to 1 (meaning alone); absent or
    /// null: the server's default. Ranks by words without the embedding model.
    pub semantic_ratio: Option<f32>,
}

/// `POST /api/retrieve` with `{"query", "k", "max_chars", "filters": {"category", "site", "audience", "reviewed_after"}}`.
#[utoipa::path(
    post,
    path = "/api/retrieve",
    tag = "retrieval",
    operation_id = "retrieve",
    summary = "Passages for a question (JSON body)",
    description = "The passages of `GET /api/passages`, asked for with a chat-style JSON body (sent as \
        `Content-Type: application/json`), for LangChain- or LlamaIndex-style retrievers.",
    request_body = RetrieveRequest,
    responses(
        (status = 200, description = "Passages, best first.", body = PassagesResponse),
        (status = 400, body = ErrorBody, description = "`invalid_json_body`, `invalid_search_q`, \
            `invalid_search_limit`, `invalid_passage_max_chars`, `invalid_search_filter`, `invalid_semantic_ratio`, \
            `too_many_values` or `date_out_of_range`."),
        (status = 405, response = MethodNotAllowed),
        (status = 413, response = PayloadTooLarge),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = SearchTimeout),
    )
)]
pub async fn api_retrieve(
    State(st): State<AppState>,
    body: Result<Json<RetrieveRequest>, JsonRejection>,
) -> Result<Json<PassagesResponse>, ApiError> {
    let Json(req) = body.map_err(json_error)?;
    let semantic_ratio = match req.semantic_ratio {
        Some(r) => check_ratio(Some(r), &r.to_string())?,
        None => None,
    };
    let params = passage_params(req.query, req.k, req.max_chars, req.filters)?;
    Ok(Json(find_passages(&st, PassageParams { semantic_ratio, ..params }).await?))
}

/// Passage parameters from a JSON request (`POST /api/retrieve`, the MCP `get_passages` tool):
/// the defaults and limits of `k` and `max_chars`, and checked filters. Ranks with the service's
/// default semantic ratio.
pub fn passage_params(
    q: String,
    k: Option<usize>,
    max_chars: Option<usize>,
    filters: Filters,
) -> Result<PassageParams, ApiError> {
    let k = within("k", k.unwrap_or(DEFAULT_K), 1, MAX_K, ErrorCode::InvalidSearchLimit)?;
    let max_chars = max_chars.unwrap_or(DEFAULT_MAX_CHARS);
    let max_chars = within("max_chars", max_chars, MIN_MAX_CHARS, MAX_MAX_CHARS, ErrorCode::InvalidMaxChars)?;
    Ok(PassageParams { q, k, max_chars, filters: checked_filters(filters)?, semantic_ratio: None })
}

async fn run(st: &AppState, params: PassageParams) -> Result<Json<PassagesResponse>, ApiError> {
    Ok(Json(find_passages(st, params).await?))
}

/// The passages for `params`, best first, found on the blocking pool within the state's timeout.
pub async fn find_passages(st: &AppState, params: PassageParams) -> Result<PassagesResponse, ApiError> {
    let started = Instant::now();
    let query = params.q.clone();
    let found = blocking(st, move |st| Ok(st.engine.passages(&params, &st.ranker)?)).await?;
    let took_ms = crate::index::present::search::elapsed_ms(started);
    Ok(PassagesResponse { query, took_ms, passages: found })
}

/// A JSON body that could not be read, as `invalid_json_body` (or `payload_too_large`).
pub fn json_error(e: JsonRejection) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large");
    }
    ApiError::new(ErrorCode::InvalidJsonBody, format!("the body is not a valid request: {}", e.body_text()))
}
