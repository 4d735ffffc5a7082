//! Hostile input: thousands of generated requests (random Unicode, control characters, huge
//! values, operator soup, odd parameters, wrong methods, bad bodies) against every endpoint, each
//! answered with 200 or a 4xx JSON error carrying a `code`, never a 5xx; random method names
//! that must not grow the metrics; and property tests that the query and citation parsers never
//! panic.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use http_body_util::BodyExt;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tower::ServiceExt;

const PATHS: &[&str] = &[
    "/api/search",
    "/api/suggest",
    "/api/passages",
    "/api/related",
    "/api/citations",
    "/api/stale",
    "/api/articles/x",
    "/",
];
const PARAMS: &[&str] = &[
    "q",
    "limit",
    "offset",
    "k",
    "max_chars",
    "sort",
    "facets",
    "category",
    "site",
    "reviewed_after",
    "explain",
    "url",
    "doi",
    "pmid",
    "older_than",
    "page",
    "id",
    "zzz",
];
const NASTY: &[&str] = &[
    "((( \"a\" AND -",
    "\"",
    "-",
    "--",
    "\"\"\"",
    "*",
    "a:b",
    "title:(x OR",
    "\u{0}\u{1}\u{7f}",
    "\u{202e}evil",
    "😀👍🏽",
    "ﷺ",
    "-1",
    "18446744073709551616",
    "NaN",
    "1e309",
    "P-1Y",
    "P9999999999Y",
    "9999-99-99",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "%zz",
    "",
    " ",
];

fn random_value(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..6) {
        0 => NASTY[rng.random_range(0..NASTY.len())].to_string(),
        1 => (0..rng.random_range(0..40)).map(|_| char::from_u32(rng.random_range(0..0x3000)).unwrap_or('x')).collect(),
        2 => "a ".repeat(rng.random_range(1..60_000)),
        3 => rng.random_range(-5i64..2_000_000).to_string(),
        4 => "back pain after birth".to_string(),
        _ => format!("\"{}", "(".repeat(rng.random_range(0..500))),
    }
}

fn random_request(rng: &mut ChaCha8Rng) -> Request<Body> {
    let path = PATHS[rng.random_range(0..PATHS.len())];
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for _ in 0..rng.random_range(0..5) {
        query.append_pair(PARAMS[rng.random_range(0..PARAMS.len())], &random_value(rng));
    }
    let mut uri = format!("{path}?{}", query.finish());
    if rng.random_range(0..20) == 0 {
        uri.push_str("&%ff%fe=%c3%28");
    }
    let method = match rng.random_range(0..12) {
        0 => Method::POST,
        1 => Method::DELETE,
        2 => Method::PUT,
        _ => Method::GET,
    };
    Request::builder().method(method).uri(uri).body(Body::empty()).unwrap_or_default()
}

fn random_retrieve_body(rng: &mut ChaCha8Rng) -> Request<Body> {
    let body = match rng.random_range(0..6) {
        0 => random_value(rng),
        1 => format!(r#"{{"query": {:?}}}"#, random_value(rng)),
        2 => format!(r#"{{"query": "fever", "k": {}}}"#, rng.random_range(-3i64..100)),
        3 => {
            format!(r#"{{"query": "fever", "filters": {{"site": [{:?}], "reviewed_after": "x"}}}}"#, random_value(rng))
        }
        4 => "[1,2,3]".to_string(),
        _ => format!(r#"{{"query": "fever", "max_chars": {}}}"#, rng.random_range(-3i64..10_000)),
    };
    Request::post("/api/retrieve").header("content-type", "application/json").body(Body::from(body)).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn thousands_of_hostile_requests_never_get_a_server_error() {
    let state = AppState::shared(common::corpus_index());
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut by_status = std::collections::BTreeMap::new();
    for i in 0..2_000 {
        let req = if i % 5 == 0 { random_retrieve_body(&mut rng) } else { random_request(&mut rng) };
        let uri: String = req.uri().to_string().chars().take(120).collect();
        let page = req.uri().path() == "/";
        let res = router(state.clone()).oneshot(req).await.expect("router answers");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        *by_status.entry(status.as_u16()).or_insert(0) += 1;
        let text: String = String::from_utf8_lossy(&bytes).chars().take(300).collect();
        assert!(!status.is_server_error(), "{status} for {uri}: {text}");
        // The page answers in HTML; every API error is JSON with a code.
        if status.is_client_error() && !page {
            let v: serde_json::Value =
                serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("{status} not JSON for {uri}: {text}"));
            assert!(v["code"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
        }
    }
    assert!(by_status.get(&200).copied().unwrap_or(0) > 100, "{by_status:?}");
    assert!(by_status.get(&400).copied().unwrap_or(0) > 100, "{by_status:?}");
    let alive = router(state).oneshot(Request::get("/healthz").body(Body::empty()).unwrap_or_default()).await;
    assert_eq!(alive.map(|r| r.status()).ok(), Some(StatusCode::OK));
}

#[tokio::test]
async fn any_method_name_is_counted_under_one_label() {
    const TCHAR: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~";
    let state = AppState::shared(common::corpus_index());
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    for i in 0..500 {
        let method: String = (0..1_000).map(|_| char::from(TCHAR[rng.random_range(0..TCHAR.len())])).collect();
        let path = if i % 2 == 0 { "/healthz".to_string() } else { format!("/no/such/{i}") };
        let req = Request::builder().method(method.as_str()).uri(path).body(Body::empty()).expect("request");
        let status = router(state.clone()).oneshot(req).await.expect("router answers").status();
        assert!(status == StatusCode::METHOD_NOT_ALLOWED || status == StatusCode::NOT_FOUND, "{status}");
    }
    let res = router(state).oneshot(Request::get("/metrics").body(Body::empty()).unwrap_or_default()).await;
    let bytes = res.expect("metrics").into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    let series: Vec<&str> = text.lines().filter(|l| l.starts_with("healthsearch_http_requests_total{")).collect();
    assert_eq!(series.len(), 2, "{series:?}");
    assert!(series.iter().all(|l| l.contains(r#"method="other""#) && l.ends_with(" 250")), "{series:?}");
    assert!(text.contains(r#"route="/healthz""#) && text.contains(r#"route="unmatched""#));
    assert!(bytes.len() < 20_000, "{} bytes of metrics", bytes.len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_query_parser_never_panics(q in "\\PC{0,200}") {
        let _ = healthsearch::query::parse(&q);
    }

    #[test]
    fn searching_any_text_never_panics(q in "[a-z \"()\\-:*]{0,60}") {
        let index = common::corpus_index();
        let _ = healthsearch::index::present::search::search(&index, &healthsearch::index::present::search::SearchParams::new(q, 5));
    }

    #[test]
    fn the_citation_parser_never_panics(raw in "\\PC{0,400}") {
        let _ = healthsearch::ingest::citation::parse_citation(&raw, std::slice::from_ref(&raw));
    }

    #[test]
    fn suggestions_never_panic(q in "\\PC{0,40}") {
        let state = AppState::shared(common::corpus_index());
        let suggester = state.suggester().expect("suggester");
        let _ = suggester.suggest(&q, 8);
    }
}
