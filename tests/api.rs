//! API tests: the router driven with `oneshot`, and one real socket on a loopback port.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use healthsearch::server::router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

async fn get(uri: &str) -> (StatusCode, String) {
    request(Request::get(uri).body(Body::empty()).expect("request")).await
}

async fn request(req: Request<Body>) -> (StatusCode, String) {
    let app = router(common::engines::current_state());
    let res = app.oneshot(req).await.expect("router answers");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn get_json(uri: &str) -> (StatusCode, Value) {
    let (status, body) = get(uri).await;
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {body}"));
    (status, json)
}

async fn top_title(q: &str) -> String {
    let (status, v) = get_json(&format!("/api/search?q={}", q.replace(' ', "+"))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["hits"][0]["title"].as_str().unwrap_or_default().to_string()
}

async fn back_pain_after_birth_finds_the_postpartum_article_first() {
    let (status, v) = get_json("/api/search?q=back+pain+after+birth").await;
    assert_eq!(status, StatusCode::OK);
    let hit = &v["hits"][0];
    assert_eq!(hit["title"], "Postpartum back pain: How to get relief");
    assert_eq!(hit["url"], "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain");
    let snippet = hit["snippet_html"].as_str().unwrap_or_default();
    assert!(snippet.contains("<mark>"), "{snippet}");
    let cites = hit["citations"].as_array().cloned().unwrap_or_default();
    assert!(cites.len() >= 3);
    assert!(cites.iter().any(|c| c["url"].as_str().is_some_and(|u| u.contains("1471-2393-8-19"))));
    let section_url = hit["section"]["url"].as_str().unwrap_or_default();
    assert!(section_url.starts_with("https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain#"));
    assert_eq!(hit["reviewed"], "2024-02-20");
    assert!(v["total"].as_u64().unwrap_or(0) >= 1);
}

async fn back_pain_while_pregnant_finds_the_pregnancy_article_first() {
    assert_eq!(top_title("back pain while pregnant").await, "Back pain during pregnancy");
}

async fn near_neighbours_win_their_own_queries() {
    for (q, title) in [
        ("pelvic girdle pain", "Pelvic girdle pain (PGP) in pregnancy"),
        ("sciatica pregnant leg pain", "Sciatica during pregnancy"),
        ("tummy gap diastasis recti", "Diastasis recti: the tummy gap after pregnancy"),
        ("postpartum depression", "Postpartum depression"),
        ("yellow newborn bilirubin", "Newborn jaundice"),
    ] {
        assert_eq!(top_title(q).await, title, "query {q:?}");
    }
}

async fn snippets_and_hits_carry_no_boilerplate() {
    for q in ["helpful", "editorial policy", "opens a new window", "newsletter", "cookies", "back pain", "baby"] {
        let (_, v) = get_json(&format!("/api/search?q={}&limit=50", q.replace(' ', "+"))).await;
        for hit in v["hits"].as_array().cloned().unwrap_or_default() {
            let snippet = hit["snippet_html"].as_str().unwrap_or_default().to_lowercase();
            for junk in
                ["was this article helpful", "editorial policy", "opens a new window", "sign up", "we use cookies"]
            {
                assert!(!snippet.contains(junk), "{q:?}: {junk:?} in {snippet}");
            }
        }
    }
}

async fn snippets_escape_html() {
    let (_, v) = get_json("/api/search?q=back+pain&limit=20").await;
    for hit in v["hits"].as_array().cloned().unwrap_or_default() {
        let s = hit["snippet_html"].as_str().unwrap_or_default().replace("<mark>", "").replace("</mark>", "");
        assert!(!s.contains('<') && !s.contains('>'), "unescaped markup in {s}");
    }
}

async fn paging_moves_through_the_results() {
    let (_, first) = get_json("/api/search?q=pregnancy&limit=2").await;
    let (_, second) = get_json("/api/search?q=pregnancy&limit=2&offset=2").await;
    assert_eq!(first["hits"].as_array().map(Vec::len), Some(2));
    assert_ne!(first["hits"][0]["id"], second["hits"][0]["id"]);
    assert_eq!(first["total"], second["total"]);
}

async fn bad_requests_get_json_errors_with_codes() {
    let long = "a".repeat(10_000);
    let cases = [
        ("/api/search?q=".to_string(), StatusCode::BAD_REQUEST, "invalid_search_q"),
        ("/api/search".to_string(), StatusCode::BAD_REQUEST, "missing_search_q"),
        (format!("/api/search?q={long}"), StatusCode::BAD_REQUEST, "invalid_search_q"),
        ("/api/search?q=%22back+pain".to_string(), StatusCode::BAD_REQUEST, "invalid_search_q"),
        ("/api/search?q=back&limit=-1".to_string(), StatusCode::BAD_REQUEST, "invalid_search_limit"),
        ("/api/search?q=back&limit=abc".to_string(), StatusCode::BAD_REQUEST, "invalid_search_limit"),
        ("/api/search?q=back&limit=100000".to_string(), StatusCode::BAD_REQUEST, "invalid_search_limit"),
        ("/api/search?q=back&semantic_ratio=1.5".to_string(), StatusCode::BAD_REQUEST, "invalid_semantic_ratio"),
        ("/api/search?q=back&semantic_ratio=half".to_string(), StatusCode::BAD_REQUEST, "invalid_semantic_ratio"),
        ("/api/passages?q=back&semantic_ratio=-0.1".to_string(), StatusCode::BAD_REQUEST, "invalid_semantic_ratio"),
        ("/api/search?q=back&offset=-5".to_string(), StatusCode::BAD_REQUEST, "invalid_search_offset"),
        (
            "/api/search?q=back&offset=99999999999999999999".to_string(),
            StatusCode::BAD_REQUEST,
            "invalid_search_offset",
        ),
        ("/api/search?q=back&colour=red".to_string(), StatusCode::BAD_REQUEST, "unknown_parameter"),
        ("/api/search?q=back&q=pain".to_string(), StatusCode::BAD_REQUEST, "duplicate_parameter"),
        ("/api/search?q=-back".to_string(), StatusCode::BAD_REQUEST, "invalid_search_q"),
        ("/api/nothing".to_string(), StatusCode::NOT_FOUND, "not_found"),
    ];
    for (uri, status, code) in cases {
        let (got, v) = get_json(&uri).await;
        assert_eq!(got, status, "{uri}: {v}");
        assert_eq!(v["code"], code, "{uri}: {v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, body) = request(Request::post("/api/search?q=x").body(Body::from("{}")).expect("req")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(body.contains("method_not_allowed"));
}

async fn odd_but_valid_queries_are_answered() {
    for q in ["%28%28%28a+AND+-", "back%00pain", "%F0%9F%A4%B0+pain", "c-section", "%22%22+pain", "100%25"] {
        let (status, body) = get(&format!("/api/search?q={q}")).await;
        assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST, "{q}: {status} {body}");
    }
}

async fn healthz_reports_the_article_count() {
    let (status, v) = get_json("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["articles"].as_u64(), Some(common::corpus_index().num_docs()));
    assert!(v["articles"].as_u64().unwrap_or(0) >= 25);
}

async fn metrics_time_each_engine_call() {
    let engine = common::engines::current_state().engine.name();
    let (status, _) = get("/api/search?q=croup").await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = get("/metrics").await;
    let series =
        format!(r#"healthsearch_engine_duration_seconds_count{{engine="{engine}",operation="search",outcome="ok"}} "#);
    let calls = body.lines().find_map(|l| l.strip_prefix(series.as_str())).and_then(|n| n.trim().parse::<u64>().ok());
    assert!(calls.is_some_and(|n| n >= 1), "no timed search on {engine}: {body}");
}

async fn metrics_show_the_search_pool() {
    let (status, _) = get("/api/search?q=colic").await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = get("/metrics").await;
    let value =
        |name: &str| body.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse::<f64>().ok());
    assert!(value("healthsearch_search_pool_size").is_some_and(|n| n >= 1.0), "{body}");
    assert!(value("healthsearch_search_pool_wait_seconds_count").is_some_and(|n| n >= 1.0), "{body}");
    // Other tests search beside this one, so only the series' presence is certain.
    for gauge in ["healthsearch_search_pool_waiting", "healthsearch_search_pool_running"] {
        assert!(value(gauge).is_some_and(|n| n >= 0.0), "{gauge}: {body}");
    }
    assert!(value("healthsearch_search_pool_timed_out_total").is_some(), "{body}");
}

async fn the_page_searches_without_javascript() {
    let (status, home) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(r#"<form class="search" method="get" action="/""#));
    // No inline script: the only one is the external enhancement (suggestions as you type).
    assert_eq!(home.matches("<script").count(), home.matches(r#"<script src="/assets/app.js" defer>"#).count());
    let (status, page) = get("/?q=back+pain+after+birth").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Postpartum back pain: How to get relief"));
    assert!(page.contains("<mark>"));
    assert!(
        page.contains(r#"href="https://bmcpregnancychildbirth.biomedcentral.com/articles/10.1186/1471-2393-8-19""#)
    );
    let (_, css) = get("/assets/style.css").await;
    assert!(css.contains("mark"));
}

async fn the_page_escapes_the_query_and_shows_errors() {
    let (status, page) = get("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%22").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;"));
    assert!(page.contains("unbalanced"));
}

async fn a_real_socket_serves_search() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = router(common::engines::current_state());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}/api/search?q=back+pain+while+pregnant");
    let res = reqwest::get(&url).await.expect("request over the socket");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().is_ok_and(|c| c.starts_with("application/json")));
    let v: Value = res.json().await.expect("json");
    assert_eq!(v["hits"][0]["title"], "Back pain during pregnancy");
    server.abort();
}

async fn explain_shows_how_the_query_was_read() {
    let (status, v) = get_json("/api/search?q=heart+attack+signs&explain=true").await;
    assert_eq!(status, StatusCode::OK);
    let explain = &v["explain"];
    let expansions = explain["expansions"].as_array().cloned().unwrap_or_default();
    assert!(
        expansions.iter().any(|e| e["to"].as_array().is_some_and(|t| t.iter().any(|n| n == "myocardial infarction"))),
        "{explain}"
    );
    assert!(explain["fields"]["title"].as_f64().is_some());
    let (_, typo) = get_json("/api/search?q=postpartm+back+pian&explain=true").await;
    assert_eq!(typo["did_you_mean"], "postpartum back pain");
    assert_eq!(typo["explain"]["corrections"][0]["to"], "postpartum");
    let (status, bad) = get_json("/api/search?q=x&explain=maybe").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["code"], "invalid_search_explain");
    let (_, plain) = get_json("/api/search?q=heart+attack").await;
    assert!(plain.get("explain").is_none());
}

async fn related_finds_the_article_however_its_link_is_written() {
    let url = |u: &str| {
        format!("/api/related?limit=1&url={}", url::form_urlencoded::byte_serialize(u.as_bytes()).collect::<String>())
    };
    for (link, stored) in [
        (
            "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain/",
            "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain",
        ),
        (
            "http://bumptobaby.example/after-the-birth/your-body/postpartum-back-pain?utm_source=news&fbclid=x#relief",
            "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain",
        ),
        (
            "https://harborhealth.example/pregnancy/your-body/back-pain-during-pregnancy",
            "https://www.harborhealth.example/pregnancy/your-body/back-pain-during-pregnancy/",
        ),
        (
            "https://WWW.littlesprouts.example/baby/crying-and-sleep/colic.html?gclid=1&utm_medium=email",
            "https://littlesprouts.example/baby/crying-and-sleep/colic.html",
        ),
    ] {
        let (status, v) = get_json(&url(link)).await;
        assert_eq!(status, StatusCode::OK, "{link}: {v}");
        assert_eq!(v["article"]["url"], stored, "{link}");
    }
    // A parameter that may change the page is not tracking: no guessing which article was meant.
    for other in [
        "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain?print=1",
        "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back",
        "https://bumptobaby.example.org/after-the-birth/your-body/postpartum-back-pain",
    ] {
        let (status, v) = get_json(&url(other)).await;
        assert_eq!((status, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("article_not_found")), "{other}");
    }
}

async fn errors_keep_their_shape_for_options_and_undecodable_ids() {
    let options = |uri: &str, preflight: bool| {
        let mut req = Request::builder().method("OPTIONS").uri(uri);
        if preflight {
            req = req.header("origin", "https://any.example").header("access-control-request-method", "GET");
        }
        req.body(Body::empty()).expect("request")
    };
    let (status, body) = request(options("/no/such/path", false)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains(r#""code":"not_found""#), "{body}");
    let (status, body) = request(options("/api/search", false)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert!(body.contains(r#""code":"method_not_allowed""#), "{body}");
    // A real preflight is still answered by CORS, wherever it goes.
    assert_eq!(request(options("/api/search", true)).await.0, StatusCode::OK);
    assert_eq!(request(options("/no/such/path", true)).await.0, StatusCode::OK);
    // Not UTF-8: no article has that id; the 404 the schema lists, as JSON.
    let (status, v) = get_json("/api/articles/%ff").await;
    assert_eq!((status, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("article_not_found")), "{v}");
}

async fn list_filters_are_counted_after_splitting_and_dates_must_fit_the_index() {
    let sites = |n: usize| (0..n).map(|i| format!("s{i}")).collect::<Vec<_>>();
    let code = |v: &Value| v["code"].as_str().unwrap_or_default().to_string();
    // The issue's probe: 30,000 comma-separated values in one parameter (60 KB, under hyper's URI cap).
    let (status, v) = get_json(&format!("/api/search?q=back&site={}", vec!["a"; 30_000].join(","))).await;
    assert_eq!((status, code(&v)), (StatusCode::BAD_REQUEST, "too_many_values".to_string()), "{v}");
    let (status, v) = get_json(&format!("/api/passages?q=back&site={}&site=x", sites(20).join(","))).await;
    assert_eq!((status, code(&v)), (StatusCode::BAD_REQUEST, "too_many_values".to_string()), "{v}");
    let repeated: Vec<String> = sites(21).iter().map(|s| format!("category={s}")).collect();
    let (status, v) = get_json(&format!("/api/search?q=back&{}", repeated.join("&"))).await;
    assert_eq!((status, code(&v)), (StatusCode::BAD_REQUEST, "too_many_values".to_string()), "{v}");
    let (status, v) = get_json(&format!("/api/search?q=back&site={}", sites(20).join(","))).await;
    assert_eq!(status, StatusCode::OK, "twenty values are fine: {v}");

    let retrieve = |filters: Value| {
        let body = serde_json::json!({ "query": "back pain", "filters": filters }).to_string();
        let req = Request::post("/api/retrieve").header("content-type", "application/json").body(Body::from(body));
        request(req.expect("request"))
    };
    let (status, body) = retrieve(serde_json::json!({ "site": sites(5_000) })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains(r#""code":"too_many_values""#), "{body}");
    assert_eq!(retrieve(serde_json::json!({ "site": sites(20) })).await.0, StatusCode::OK);
    let (status, body) = retrieve(serde_json::json!({ "reviewed_after": "3000-01-01" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains(r#""code":"date_out_of_range""#), "{body}");

    for uri in [
        "/api/search?q=back&reviewed_after=1600-01-01",
        "/api/search?q=back&reviewed_after=2262-04-12",
        "/api/passages?q=back&reviewed_after=9999-12-31",
        "/api/stale?older_than=P400Y",
    ] {
        let (status, v) = get_json(uri).await;
        assert_eq!((status, code(&v)), (StatusCode::BAD_REQUEST, "date_out_of_range".to_string()), "{uri}: {v}");
    }
    for uri in ["/api/search?q=back&reviewed_after=1677-09-22", "/api/search?q=back&reviewed_after=2262-04-11"] {
        assert_eq!(get_json(uri).await.0, StatusCode::OK, "{uri}");
    }
}

common::engines::on_both_engines!(
    back_pain_after_birth_finds_the_postpartum_article_first,
    back_pain_while_pregnant_finds_the_pregnancy_article_first,
    near_neighbours_win_their_own_queries,
    snippets_and_hits_carry_no_boilerplate,
    snippets_escape_html,
    paging_moves_through_the_results,
    bad_requests_get_json_errors_with_codes,
    odd_but_valid_queries_are_answered,
    healthz_reports_the_article_count,
    metrics_time_each_engine_call,
    metrics_show_the_search_pool,
    the_page_searches_without_javascript,
    the_page_escapes_the_query_and_shows_errors,
    a_real_socket_serves_search,
    explain_shows_how_the_query_was_read,
    related_finds_the_article_however_its_link_is_written,
    errors_keep_their_shape_for_options_and_undecodable_ids,
    list_filters_are_counted_after_splitting_and_dates_must_fit_the_index,
);
