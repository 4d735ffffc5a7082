//! Real answers of every endpoint, on the bundled corpus, checked against the OpenAPI description
//! the server serves (see `common/openapi.rs`; objects are closed, so a field the schema does not
//! declare fails as surely as a missing or mistyped one). Valid requests and refused ones (400,
//! 401, 403, 404, 405, 409, 413, 429, 503) alike; every documented operation must have been
//! checked with a success. (`tests/semantic.rs` checks the answers that carry meaning.)

mod common;
#[path = "common/openapi.rs"]
mod openapi;

use axum::http::StatusCode;
use healthsearch::ingest::Input;
use healthsearch::mcp::McpHttp;
use healthsearch::server::admin::Admin;
use healthsearch::server::limits::RateLimit;
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use http_body_util::BodyExt;
use openapi::{Call, Spec, get, post};
use serde_json::{Value, json};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const TOKEN: &str = "openapi-test-token-0123456789";
const POSTPARTUM_BACK_PAIN: &str = "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain";

fn state() -> AppState {
    AppState::shared(common::corpus_index())
}

#[tokio::test]
async fn every_answer_matches_the_openapi_description() {
    let st = state();
    let mut spec = Spec::load(&st).await;

    // The search page and its assets.
    for (path, uri) in [
        ("/", "/"),
        ("/", "/?q=back+pain&sort=reviewed&page=2&category=x&reviewed_after=yesterday"),
        ("/assets/style.css", "/assets/style.css"),
        ("/assets/app.js", "/assets/app.js"),
        ("/widget.js", "/widget.js"),
    ] {
        assert_eq!(spec.check(&st, get(path, uri)).await.0, StatusCode::OK, "{uri}");
    }
    let long = format!("/?q={}", "a".repeat(600));
    assert_eq!(spec.check(&st, get("/", &long)).await.0, StatusCode::BAD_REQUEST);

    // Search: facets, explanations, corrections, filters, sorting, an empty page.
    let p = "/api/search";
    let (_, found) = spec.check(&st, get(p, "/api/search?q=back+pain+after+birth&facets=*&explain=true")).await;
    assert!(found["hits"][0]["scores"].is_object() && found["facets"]["site"].is_array(), "{found}");
    let (_, typo) = spec.check(&st, get(p, "/api/search?q=postpartm+back+pian&explain=1")).await;
    assert!(typo["did_you_mean"].is_string(), "{typo}");
    for uri in [
        "/api/search?q=pregnancy&sort=reviewed&exact_total=true&reviewed_after=2020-01-01&audience=pregnancy",
        "/api/search?q=fever&site=littlesprouts.example&category=Children&limit=0",
        "/api/search?q=qqqzzz+xxyyzz",
        "/api/search?q=%22back+pain%22+-pregnancy&offset=5&limit=5",
    ] {
        assert_eq!(spec.check(&st, get(p, uri)).await.0, StatusCode::OK, "{uri}");
    }
    for uri in [
        "/api/search",
        "/api/search?q=",
        "/api/search?q=a&limit=101",
        "/api/search?q=a&offset=995",
        "/api/search?q=a&explain=maybe",
        "/api/search?q=a&sort=random",
        "/api/search?q=a&facets=colour",
        "/api/search?q=a&audience=martian",
        "/api/search?q=a&reviewed_after=1500-01-01",
        "/api/search?q=a&semantic_ratio=2",
        "/api/search?q=a&colour=red",
        "/api/search?q=a&q=b",
    ] {
        assert_eq!(spec.check(&st, get(p, uri)).await.0, StatusCode::BAD_REQUEST, "{uri}");
    }

    // Suggestions.
    let (_, sugg) = spec.check(&st, get("/api/suggest", "/api/suggest?q=back+pa")).await;
    assert!(sugg["suggestions"].as_array().is_some_and(|s| s.iter().any(|x| x["kind"] == "article")), "{sugg}");
    spec.check(&st, get("/api/suggest", "/api/suggest?q=qqqzzz&limit=20")).await;
    for uri in ["/api/suggest", "/api/suggest?q=a&limit=0", "/api/suggest?q=a&k=3"] {
        assert_eq!(spec.check(&st, get("/api/suggest", uri)).await.0, StatusCode::BAD_REQUEST, "{uri}");
    }

    // Passages, by query string and by JSON body.
    let p = "/api/passages";
    let (_, passages) = spec.check(&st, get(p, "/api/passages?q=how+long+does+postpartum+back+pain+last&k=3")).await;
    assert_eq!(passages["passages"].as_array().map(Vec::len), Some(3));
    spec.check(&st, get(p, "/api/passages?q=fever&max_chars=200&site=littlesprouts.example&semantic_ratio=0")).await;
    for uri in ["/api/passages?q=a&max_chars=10", "/api/passages?q=a&k=0", "/api/passages?k=2"] {
        assert_eq!(spec.check(&st, get(p, uri)).await.0, StatusCode::BAD_REQUEST, "{uri}");
    }
    let p = "/api/retrieve";
    let body = r#"{"query": "morning sickness remedies", "k": 2, "max_chars": 300,
        "filters": {"site": ["www.bumptobaby.example"], "audience": ["pregnancy"], "reviewed_after": "2020-01-01"}}"#;
    assert_eq!(spec.check(&st, post(p, p, body)).await.0, StatusCode::OK);
    assert_eq!(spec.check(&st, post(p, p, r#"{"query": "fever", "k": null}"#)).await.0, StatusCode::OK);
    for bad in ["{", r#"{"q": "fever"}"#, r#"{"query": "fever", "k": 0}"#, r#"{"query": ""}"#] {
        assert_eq!(spec.check(&st, post(p, p, bad)).await.0, StatusCode::BAD_REQUEST, "{bad}");
    }
    let huge = format!(r#"{{"query": "{}"}}"#, "a".repeat(100_000));
    assert_eq!(spec.check(&st, post(p, p, &huge)).await.0, StatusCode::PAYLOAD_TOO_LARGE);

    // The editors' endpoints.
    let id = found["hits"][0]["id"].as_str().unwrap_or_default().to_string();
    let p = "/api/related";
    let (_, related) = spec.check(&st, get(p, &format!("/api/related?url={POSTPARTUM_BACK_PAIN}&limit=5"))).await;
    assert!(related["related"].as_array().is_some_and(|r| !r.is_empty()), "{related}");
    spec.check(&st, get(p, &format!("/api/related?id={id}"))).await;
    assert_eq!(spec.check(&st, get(p, "/api/related")).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(spec.check(&st, get(p, "/api/related?id=nope")).await.0, StatusCode::NOT_FOUND);
    let p = "/api/citations";
    let (_, citing) = spec.check(&st, get(p, "/api/citations?doi=10.1186/1471-2393-8-19")).await;
    assert!(citing["total"].as_u64().is_some_and(|t| t > 0), "{citing}");
    for uri in ["/api/citations", "/api/citations?url=not+a+url", "/api/citations?pmid=1&limit=500"] {
        assert_eq!(spec.check(&st, get(p, uri)).await.0, StatusCode::BAD_REQUEST, "{uri}");
    }
    let p = "/api/stale";
    let (_, stale) = spec.check(&st, get(p, "/api/stale?older_than=P3Y&limit=100")).await;
    assert!(stale["articles"].as_array().is_some_and(|a| !a.is_empty()), "{stale}");
    spec.check(&st, get(p, "/api/stale")).await;
    for uri in ["/api/stale?older_than=three+years", "/api/stale?older_than=P99999Y", "/api/stale?offset=-1"] {
        assert_eq!(spec.check(&st, get(p, uri)).await.0, StatusCode::BAD_REQUEST, "{uri}");
    }
    let p = "/api/articles/{id}";
    assert_eq!(spec.check(&st, get(p, &format!("/api/articles/{id}"))).await.0, StatusCode::OK);
    assert_eq!(spec.check(&st, get(p, "/api/articles/0000000000000000")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(spec.check(&st, get(p, "/api/articles/%ff")).await.0, StatusCode::NOT_FOUND);

    // The service endpoints.
    for path in ["/healthz", "/metrics", "/openapi.json"] {
        assert_eq!(spec.check(&st, get(path, path)).await.0, StatusCode::OK, "{path}");
    }

    // Methods a path does not take.
    // (The answer is checked against the 405 of the operation the path documents.)
    for (method, path) in [("POST", "/api/search"), ("GET", "/api/retrieve"), ("PUT", "/healthz"), ("DELETE", "/")] {
        let call = Call { method, path, uri: path, body: None, headers: Vec::new() };
        let res = router(st.clone()).oneshot(call.request()).await.expect("answer");
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let operations = spec.doc["paths"][path].as_object().cloned().unwrap_or_default();
        let documented = operations.values().next().expect("an operation");
        let response = spec.follow(&documented["responses"]["405"]).clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let body: Value = serde_json::from_slice(&bytes).expect("JSON");
        spec.validate(&format!("{method} {path}"), &response["content"]["application/json"]["schema"], &body);
    }

    // Over the rate limit, and over the time limit.
    let mut limited = state();
    limited.rate_limit = Some(Arc::new(RateLimit::new(NonZeroU32::MIN, NonZeroU32::MIN)));
    spec.check(&limited, get("/api/search", "/api/search?q=croup")).await;
    let (status, _) = spec.check(&limited, get("/api/search", "/api/search?q=croup")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let mut hurried = state();
    (hurried.search_timeout, hurried.cache) = (Duration::ZERO, None);
    let (status, v) = spec.check(&hurried, get("/api/passages", "/api/passages?q=back+pain")).await;
    assert_eq!((status, v["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("search_timeout")));

    admin_answers(&mut spec).await;
    mcp_answers(&mut spec).await;
    spec.assert_every_operation_succeeded();
}

/// A call to an admin endpoint, with `token` if given.
fn admin(method: &'static str, path: &'static str, token: Option<&str>) -> Call<'static> {
    let call = Call { method, path, uri: path, body: None, headers: Vec::new() };
    match token {
        Some(t) => call.header("authorization", format!("Bearer {t}")),
        None => call,
    }
}

/// The admin endpoints: off, without the token, and with it (an ingest of a one-page mirror).
async fn admin_answers(spec: &mut Spec) {
    let st = state();
    for (method, path) in [("POST", "/admin/reload"), ("POST", "/admin/ingest"), ("GET", "/admin/ingest")] {
        assert_eq!(spec.check(&st, admin(method, path, Some(TOKEN))).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    let work = tempfile::tempdir().expect("tmp");
    let page = work.path().join("mirror").join(common::LOCHIA_PAGE);
    std::fs::create_dir_all(page.parent().expect("folder")).expect("mkdir");
    std::fs::copy(common::corpus_dir().join(common::LOCHIA_PAGE), &page).expect("copy");
    let index = healthsearch::index::HealthIndex::create(&work.path().join("index")).expect("index");
    let mut st = AppState::new(index);
    st.admin = Some(Arc::new(Admin::new(TOKEN, Input::Mirror(work.path().join("mirror"))).expect("token")));
    for (method, path) in [("POST", "/admin/reload"), ("POST", "/admin/ingest"), ("GET", "/admin/ingest")] {
        assert_eq!(spec.check(&st, admin(method, path, None)).await.0, StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(spec.check(&st, admin("GET", "/admin/ingest", Some(TOKEN))).await.1["state"], "idle");
    assert_eq!(spec.check(&st, admin("POST", "/admin/reload", Some(TOKEN))).await.0, StatusCode::OK);
    assert_eq!(spec.check(&st, admin("POST", "/admin/ingest", Some(TOKEN))).await.0, StatusCode::ACCEPTED);
    let again = spec.check(&st, admin("POST", "/admin/ingest", Some(TOKEN))).await.0;
    assert!(again == StatusCode::CONFLICT || again == StatusCode::ACCEPTED, "{again}");
    let mut job = json!({});
    for _ in 0..1200 {
        job = spec.check(&st, admin("GET", "/admin/ingest", Some(TOKEN))).await.1;
        if job["state"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(job["state"], "done", "{job}");
}

/// `/mcp`: absent unless asked for, then an MCP server.
async fn mcp_answers(spec: &mut Spec) {
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}});
    let call = || {
        post("/mcp", "/mcp", &initialize.to_string())
            .header("accept", "application/json, text/event-stream")
            .header("host", "127.0.0.1")
    };
    assert_eq!(spec.check(&state(), call()).await.0, StatusCode::NOT_FOUND);
    let mut st = state();
    st.mcp = Some(Arc::new(McpHttp::new(None, false).expect("no token")));
    let (status, v) = spec.check(&st, call()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["result"]["serverInfo"].is_object(), "{v}");
    let plain = post("/mcp", "/mcp", "{}");
    assert!(spec.check(&st, plain).await.0.is_client_error());
}
