//! Access control: state-changing endpoints are off without a token and need it with one; the
//! per-client rate limit answers 429 over a real socket while other clients and health checks
//! pass.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use healthsearch::ingest::Input;
use healthsearch::server::admin::Admin;
use healthsearch::server::limits::RateLimit;
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use http_body_util::BodyExt;
use serde_json::Value;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use tower::ServiceExt;

const TOKEN: &str = "s3cret-token-for-tests-0123456789";

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let res = router(state.clone()).oneshot(req).await.expect("router answers");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn admin_request(method: &str, path: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    req.body(Body::empty()).expect("request")
}

#[tokio::test]
async fn state_changing_endpoints_are_off_without_a_token() {
    let state = AppState::shared(common::corpus_index());
    for (method, path) in [("POST", "/admin/reload"), ("POST", "/admin/ingest"), ("GET", "/admin/ingest")] {
        let (status, _, v) = call(&state, admin_request(method, path, Some(TOKEN))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(v["code"], "admin_disabled");
    }
}

#[test]
fn short_or_spaced_tokens_are_refused() {
    assert!(Admin::new("short", Input::Mirror(common::corpus_dir())).is_err());
    assert!(Admin::new("a token with spaces in it", Input::Mirror(common::corpus_dir())).is_err());
    assert!(Admin::new(&format!("{TOKEN}\n"), Input::Mirror(common::corpus_dir())).is_ok());
}

#[tokio::test]
async fn a_token_is_required_and_ingest_runs_one_at_a_time() {
    let copy = common::MirrorCopy::new();
    copy.ingest();
    let mut state = AppState::shared(copy.index.clone());
    state.admin = Some(Arc::new(Admin::new(TOKEN, Input::Mirror(copy.mirror.clone())).expect("token")));

    for token in [None, Some("wrong-token-of-the-same-length-000"), Some(&TOKEN[..TOKEN.len() - 1])] {
        let (status, headers, v) = call(&state, admin_request("POST", "/admin/ingest", token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(v["code"], "invalid_token");
        assert_eq!(headers["www-authenticate"], "Bearer");
    }
    let (status, _, v) = call(&state, admin_request("POST", "/admin/reload", Some(TOKEN))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["articles"], 60);

    copy.retitle_lochia("zebracorn");
    let (status, _, v) = call(&state, admin_request("POST", "/admin/ingest", Some(TOKEN))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["state"], "running");
    let (status, _, v) = call(&state, admin_request("POST", "/admin/ingest", Some(TOKEN))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "ingest_in_progress");

    let mut job = Value::Null;
    for _ in 0..600 {
        job = call(&state, admin_request("GET", "/admin/ingest", Some(TOKEN))).await.2;
        if job["state"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["report"]["updated"], 1, "{job}");
    assert_eq!(job["report"]["unchanged"], 59, "{job}");
    copy.index.reload().expect("reload");
    let search = Request::get("/api/search?q=zebracorn").body(Body::empty()).expect("request");
    let (_, _, v) = call(&state, search).await;
    assert_eq!(v["hits"][0]["title"], "Bleeding after birth (lochia) zebracorn");
}

fn limited_state(per_second: u32, burst: u32) -> AppState {
    let mut state = AppState::shared(common::corpus_index());
    let nz = |n| NonZeroU32::new(n).expect("non-zero");
    state.rate_limit = Some(Arc::new(RateLimit::new(nz(per_second), nz(burst))));
    state
}

#[tokio::test]
async fn each_client_address_has_its_own_limit() {
    let state = limited_state(1, 2);
    let from = |ip: &str, path: &str| {
        let mut req = Request::get(path).body(Body::empty()).expect("request");
        let addr: SocketAddr = format!("{ip}:40000").parse().expect("addr");
        req.extensions_mut().insert(ConnectInfo(addr));
        req
    };
    assert_eq!(call(&state, from("192.0.2.1", "/api/search?q=back")).await.0, StatusCode::OK);
    assert_eq!(call(&state, from("192.0.2.1", "/api/search?q=back")).await.0, StatusCode::OK);
    let (status, headers, v) = call(&state, from("192.0.2.1", "/api/search?q=back")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v["code"], "rate_limited");
    assert!(headers["retry-after"].to_str().is_ok_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1)));
    // Another client, and health checks from the limited one, still pass.
    assert_eq!(call(&state, from("192.0.2.2", "/api/search?q=back")).await.0, StatusCode::OK);
    assert_eq!(call(&state, from("192.0.2.1", "/healthz")).await.0, StatusCode::OK);
    let metrics = router(state.clone()).oneshot(from("192.0.2.1", "/metrics")).await.expect("metrics");
    let text = metrics.into_body().collect().await.expect("body").to_bytes();
    assert!(String::from_utf8_lossy(&text).contains("healthsearch_rate_limited_requests_total 1"));
}

#[tokio::test]
async fn a_real_socket_is_limited_by_its_peer_address() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = router(limited_state(1, 3)).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    // Cheap requests (a 400), so the bucket cannot refill between them on a slow machine.
    for _ in 0..5 {
        let res = client.get(format!("http://{addr}/api/search?q=")).send().await.expect("request");
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [400, 400, 400, 429, 429]);
    let health = client.get(format!("http://{addr}/healthz")).send().await.expect("request");
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    server.abort();
}

#[tokio::test]
async fn admin_endpoints_are_rate_limited_like_the_api() {
    let state = limited_state(1, 2);
    let from_one_client = || {
        let mut req = admin_request("POST", "/admin/reload", Some(TOKEN));
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 9], 40000))));
        req
    };
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(call(&state, from_one_client()).await.0.as_u16());
    }
    assert_eq!(statuses, [403, 403, 429], "token guessing is not free");
}
