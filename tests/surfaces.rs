//! The three users' endpoints on the bundled corpus: the search box (suggest, facets, filters,
//! sort, paging), the chatbot retrieval layer (passages, retrieve) and editors' tools (related,
//! citations, stale, articles), plus the service endpoints (openapi, metrics, CORS, headers).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use healthsearch::server::router;
use healthsearch::server::state::{AppState, Cors};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::HashSet;
use tower::ServiceExt;

const POSTPARTUM_BACK_PAIN: &str = "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain";

async fn send(state: AppState, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = router(state).oneshot(req).await.expect("router answers");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn state() -> AppState {
    common::engines::current_state()
}

async fn get(uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(state(), Request::get(uri).body(Body::empty()).expect("request")).await;
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {body}")))
}

async fn ok(uri: &str) -> Value {
    let (status, v) = get(uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {v}");
    v
}

async fn error_code(uri: &str) -> String {
    let (status, v) = get(uri).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {v}");
    v["code"].as_str().unwrap_or_default().to_string()
}

async fn post(uri: &str, body: &str) -> (StatusCode, Value) {
    let req = Request::post(uri).header("content-type", "application/json").body(Body::from(body.to_string()));
    let (status, _, body) = send(state(), req.expect("request")).await;
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {body}")))
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|x| x[key].as_str().map(String::from)).collect()
}

async fn suggestions_complete_titles_and_phrases_as_you_type() {
    let v = ok("/api/suggest?q=back+pa").await;
    let texts = strings(&v["suggestions"], "text");
    assert!(texts.iter().any(|t| t == "back pain"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "Postpartum back pain: How to get relief"), "{texts:?}");
    let article = v["suggestions"].as_array().into_iter().flatten().find(|s| s["kind"] == "article");
    assert!(article.is_some_and(|a| a["url"].as_str().is_some_and(|u| u.starts_with("https://"))));
    assert!(v["suggestions"][0]["html"].as_str().unwrap_or_default().contains("<mark>"));
    assert_eq!(ok("/api/suggest?q=back+pa&limit=2").await["suggestions"].as_array().map(Vec::len), Some(2));
    assert_eq!(ok("/api/suggest?q=qqqzzz").await["suggestions"], json!([]));
    let typo = strings(&ok("/api/suggest?q=postpartm+back+pa").await["suggestions"], "text");
    assert!(typo.iter().any(|t| t == "Postpartum back pain: How to get relief"), "{typo:?}");
    assert_eq!(error_code("/api/suggest").await, "missing_search_q");
    assert_eq!(error_code("/api/suggest?q=a&limit=0").await, "invalid_search_limit");
}

async fn facets_count_every_site_and_filters_narrow_the_results() {
    let all = ok("/api/search?q=back+pain&facets=*").await;
    let total = all["total"].as_u64().unwrap_or(0);
    let sites = all["facets"]["site"].as_array().cloned().unwrap_or_default();
    let counted: u64 = sites.iter().filter_map(|s| s["count"].as_u64()).sum();
    assert_eq!(counted, total, "every article has one site: {sites:?}");
    assert!(all["facets"]["category"].as_array().is_some_and(|c| !c.is_empty()));

    let site = "www.bumptobaby.example";
    let filtered = ok(&format!("/api/search?q=back+pain&facets=site&limit=50&site={site}")).await;
    let expected = sites.iter().find(|s| s["value"] == site).and_then(|s| s["count"].as_u64());
    assert_eq!(filtered["total"].as_u64(), expected);
    assert!(strings(&filtered["hits"], "url").iter().all(|u| u.contains(site)));
    // Disjunctive: the site facet still lists the other sites, with the same counts.
    assert_eq!(filtered["facets"]["site"].as_array().map(Vec::len), Some(sites.len()));
    let selected: Vec<&Value> =
        filtered["facets"]["site"].as_array().into_iter().flatten().filter(|s| s["selected"] == true).collect();
    assert_eq!(selected.len(), 1);

    let two = ok(&format!("/api/search?q=back+pain&site={site}&site=www.harborhealth.example")).await;
    assert!(two["total"].as_u64() > expected, "values of one facet are alternatives");
    let none = ok("/api/search?q=back+pain&category=No+such+category").await;
    assert_eq!(none["total"], 0);
}

async fn review_date_filter_and_sort() {
    let v = ok("/api/search?q=pregnancy&reviewed_after=2024-06-01&limit=50").await;
    let dates = strings(&v["hits"], "reviewed");
    assert!(!dates.is_empty());
    assert!(dates.iter().all(|d| d.as_str() >= "2024-06-01"), "{dates:?}");
    let sorted = ok("/api/search?q=pregnancy&sort=reviewed&limit=20").await;
    let dates = strings(&sorted["hits"], "reviewed");
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");
    assert_eq!(error_code("/api/search?q=a&reviewed_after=yesterday").await, "invalid_search_filter");
    assert_eq!(error_code("/api/search?q=a&sort=random").await, "invalid_search_sort");
    assert_eq!(error_code("/api/search?q=a&facets=colour").await, "invalid_search_facets");
}

async fn pages_do_not_overlap_and_feedback_does_not_inflate_totals() {
    let first = ok("/api/search?q=pain&limit=3").await;
    let second = ok("/api/search?q=pain&limit=3&offset=3").await;
    assert_eq!(first["total"], second["total"]);
    let a: HashSet<String> = strings(&first["hits"], "id").into_iter().collect();
    let b: HashSet<String> = strings(&second["hits"], "id").into_iter().collect();
    assert_eq!(a.len() + b.len(), 6);
    assert!(a.is_disjoint(&b));
    // Only articles with the word (or its vocabulary names) count, not feedback neighbours.
    let croup = ok("/api/search?q=croup").await;
    assert!(croup["total"].as_u64().is_some_and(|t| (1..=4).contains(&t)), "{}", croup["total"]);
}

async fn passages_answer_from_the_matching_section() {
    let v = ok("/api/passages?q=how+long+does+postpartum+back+pain+last&k=5").await;
    let first = &v["passages"][0];
    assert_eq!(first["article"]["url"], POSTPARTUM_BACK_PAIN);
    let url = first["url"].as_str().unwrap_or_default();
    assert_eq!(url, format!("{POSTPARTUM_BACK_PAIN}#outlook-how-long-does-postpartum-back-pain-last"));
    assert!(first["heading"].as_str().is_some_and(|h| h.contains("how long")));
    assert_eq!(first["passage_id"].as_str().map(str::len), Some(16));
    let cites = first["citations"].as_array().cloned().unwrap_or_default();
    assert!(cites.iter().any(|c| c["doi"].is_string() || c["pmid"].is_string()), "{cites:?}");
    assert!(first["reviewed"].is_string());
}

async fn passages_are_whole_sentences_within_max_chars_and_distinct() {
    let v = ok("/api/passages?q=breastfeeding+latch+sore+nipples&k=8&max_chars=200").await;
    let texts = strings(&v["passages"], "text");
    assert_eq!(texts.len(), 8);
    for t in &texts {
        assert!(t.chars().count() <= 200, "{t}");
        // Prose lines are whole sentences; list items (lines without a full stop) are whole lines.
        for line in t.lines().filter(|l| l.contains(". ")) {
            assert!(line.ends_with(['.', '?', '!', '…', ')', '"', ':']), "ends mid-sentence: {line}");
        }
        assert!(t.chars().next().is_some_and(|c| !c.is_lowercase()) || !t.contains(". "), "starts mid-sentence: {t}");
    }
    let ids: HashSet<String> = strings(&v["passages"], "passage_id").into_iter().collect();
    assert_eq!(ids.len(), texts.len());
    let unique: HashSet<&String> = texts.iter().collect();
    assert_eq!(unique.len(), texts.len());
    assert_eq!(error_code("/api/passages?q=a&max_chars=10").await, "invalid_passage_max_chars");
    assert_eq!(error_code("/api/passages?q=a&k=0").await, "invalid_search_limit");
}

#[tokio::test]
async fn passage_ids_survive_a_rebuild_of_the_index() {
    let q = "/api/passages?q=croup+barking+cough&k=5";
    let before = strings(&ok(q).await["passages"], "passage_id");
    let dir = tempfile::tempdir().expect("tmp");
    let fresh = healthsearch::index::HealthIndex::create(dir.path()).expect("create");
    healthsearch::ingest::ingest(&fresh, &healthsearch::ingest::Input::Mirror(common::corpus_dir())).expect("ingest");
    let (_, _, body) = send(AppState::new(fresh), Request::get(q).body(Body::empty()).expect("req")).await;
    let after: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(before, strings(&after["passages"], "passage_id"));
}

async fn retrieve_takes_a_chat_style_body() {
    let get_ids = strings(&ok("/api/passages?q=morning+sickness+remedies&k=4").await["passages"], "passage_id");
    let (status, v) = post("/api/retrieve", r#"{"query": "morning sickness remedies", "k": 4}"#).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(strings(&v["passages"], "passage_id"), get_ids);
    let body = r#"{"query": "fever", "k": 5, "filters": {"site": ["littlesprouts.example"]}}"#;
    let (_, v) = post("/api/retrieve", body).await;
    assert!(!strings(&v["passages"], "url").is_empty());
    assert!(strings(&v["passages"], "url").iter().all(|u| u.starts_with("https://littlesprouts.example/")));
    for (bad, code) in [
        ("{", "invalid_json_body"),
        (r#"{"q": "fever"}"#, "invalid_json_body"),
        (r#"{"query": "fever", "k": 0}"#, "invalid_search_limit"),
        (r#"{"query": "fever", "max_chars": 5}"#, "invalid_passage_max_chars"),
        (r#"{"query": ""}"#, "invalid_search_q"),
    ] {
        let (status, v) = post("/api/retrieve", bad).await;
        assert_eq!((status, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{bad}");
    }
    let huge = format!(r#"{{"query": "{}"}}"#, "a".repeat(100_000));
    let (status, v) = post("/api/retrieve", &huge).await;
    assert_eq!((status, v["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
}

async fn related_articles_share_content_or_sources_and_say_why() {
    let v = ok(&format!("/api/related?url={POSTPARTUM_BACK_PAIN}&limit=8")).await;
    let titles = strings(&v["related"], "title");
    assert!(titles.iter().any(|t| t.contains("Pelvic girdle pain")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("Diastasis recti")), "{titles:?}");
    assert!(!titles.iter().any(|t| t.starts_with("Postpartum back pain")), "not itself");
    let related = v["related"].as_array().cloned().unwrap_or_default();
    assert!(related.iter().all(|r| r["shared_terms"].as_array().is_some_and(|t| !t.is_empty())));
    let pregnancy = related.iter().find(|r| r["title"] == "Back pain during pregnancy").expect("listed");
    assert!(pregnancy["shared_citations"].as_array().is_some_and(|c| !c.is_empty()), "{pregnancy}");
    let (status, v) = get("/api/related?url=https://nowhere.example/x").await;
    assert_eq!((status, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("article_not_found")));
}

async fn citations_list_the_articles_citing_a_source_however_it_is_written() {
    let by_doi = ok("/api/citations?doi=10.1186/1471-2393-8-19").await;
    let titles = strings(&by_doi["articles"], "title");
    assert!(titles.contains(&"Back pain during pregnancy".to_string()), "{titles:?}");
    assert!(titles.contains(&"Postpartum back pain: How to get relief".to_string()), "{titles:?}");
    assert!(by_doi["articles"][0]["citations"].as_array().is_some_and(|c| !c.is_empty()));
    let by_doi_url = ok("/api/citations?doi=https://doi.org/10.1186/1471-2393-8-19").await;
    assert_eq!(by_doi_url["total"], by_doi["total"]);
    assert_eq!(error_code("/api/citations").await, "missing_citation_source");
    assert_eq!(error_code("/api/citations?doi=10.1/x&pmid=1").await, "missing_citation_source");
    assert_eq!(error_code("/api/citations?url=not+a+url").await, "invalid_url");
}

async fn stale_lists_old_reviews_and_old_sources_oldest_first() {
    let v = ok("/api/stale?older_than=P3Y&limit=100").await;
    let articles = v["articles"].as_array().cloned().unwrap_or_default();
    assert!(!articles.is_empty());
    assert_eq!(v["total"].as_u64(), Some(articles.len() as u64));
    let cutoff = v["cutoff"].as_str().unwrap_or_default().to_string();
    for a in &articles {
        let reasons: Vec<String> =
            a["reasons"].as_array().into_iter().flatten().filter_map(|x| x.as_str().map(String::from)).collect();
        assert!(!reasons.is_empty(), "{a}");
        if reasons.contains(&"review_date".to_string()) {
            assert!(a["reviewed"].as_str().is_some_and(|d| d < cutoff.as_str()));
        }
        if reasons.contains(&"citations_accessed".to_string()) {
            assert!(a["stale_citations"].as_array().is_some_and(|c| !c.is_empty()));
        }
    }
    let keys: Vec<String> = articles
        .iter()
        .map(|a| {
            let dates = [a["reviewed"].as_str(), a["oldest_access"].as_str()];
            dates.into_iter().flatten().min().unwrap_or("9999").to_string()
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "oldest first: {keys:?}");
    let fewer = ok("/api/stale?older_than=P10Y").await;
    assert!(fewer["total"].as_u64() < v["total"].as_u64());
    assert_eq!(error_code("/api/stale?older_than=three+years").await, "invalid_stale_older_than");
}

async fn articles_are_returned_whole_by_id() {
    let hit = ok("/api/search?q=croup").await["hits"][0].clone();
    let id = hit["id"].as_str().unwrap_or_default();
    let a = ok(&format!("/api/articles/{id}")).await;
    assert_eq!(a["title"], hit["title"]);
    assert!(a["sections"].as_array().is_some_and(|s| s.len() >= 3 && s.iter().all(|x| x["anchor"].is_string())));
    assert!(a["citations"].as_array().is_some_and(|c| c.len() >= 3));
    let (status, v) = get("/api/articles/0000000000000000").await;
    assert_eq!((status, v["code"].as_str()), (StatusCode::NOT_FOUND, Some("article_not_found")));
}

#[tokio::test]
async fn openapi_describes_every_api_route() {
    let v = ok("/openapi.json").await;
    assert_eq!(v["openapi"], "3.1.0");
    for path in [
        "/api/search",
        "/api/suggest",
        "/api/passages",
        "/api/retrieve",
        "/api/related",
        "/api/citations",
        "/api/stale",
        "/api/articles/{id}",
        "/healthz",
        "/metrics",
        "/admin/reload",
        "/admin/ingest",
    ] {
        assert!(v["paths"][path].is_object(), "{path} is not documented");
    }
    let codes = v.to_string();
    for name in healthsearch::server::error::ALL.map(|c| c.name()) {
        assert!(codes.contains(&format!("\"{name}\"")), "error code {name} is not documented");
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let st = state();
    let req = |uri: &str| Request::get(uri).body(Body::empty()).expect("request");
    send(st.clone(), req("/api/search?q=croup")).await;
    send(st.clone(), req("/no/such/path")).await;
    let (status, headers, body) = send(st, req("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap_or_default().starts_with("text/plain"));
    assert!(
        body.contains(r#"healthsearch_http_requests_total{route="/api/search",method="GET",status="200"} 1"#),
        "{body}"
    );
    assert!(body.contains(r#"route="unmatched""#), "{body}");
    assert!(body.contains("healthsearch_http_request_duration_seconds_bucket"));
    assert!(body.contains("healthsearch_index_documents 60"), "{body}");
    assert!(body.contains("healthsearch_index_last_commit_timestamp_seconds"));
}

#[tokio::test]
async fn cors_and_security_headers() {
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/search?q=x")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .body(Body::empty())
            .expect("request")
    };
    let (_, headers, _) = send(state(), preflight("https://any.example")).await;
    assert_eq!(headers.get("access-control-allow-origin").map(|v| v.as_bytes()), Some(&b"*"[..]));
    let mut only = state();
    only.cors = Cors::Origins(vec!["https://publisher.example".into()]);
    let (_, headers, _) = send(only.clone(), preflight("https://publisher.example")).await;
    assert_eq!(
        headers.get("access-control-allow-origin").map(|v| v.as_bytes()),
        Some(&b"https://publisher.example"[..])
    );
    let (_, headers, _) = send(only, preflight("https://other.example")).await;
    assert!(headers.get("access-control-allow-origin").is_none());
    let (_, headers, _) = send(state(), Request::get("/").body(Body::empty()).expect("request")).await;
    assert_eq!(headers.get("x-content-type-options").map(|v| v.as_bytes()), Some(&b"nosniff"[..]));
    let csp = headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
}

async fn every_article_is_listed_once_in_pages() {
    let engine = state().engine;
    let (first, rest) = tokio::task::spawn_blocking(move || {
        let first = engine.articles(0, 25).expect("a page");
        let rest = engine.articles(25, 1_000).expect("the rest");
        (first, rest)
    })
    .await
    .expect("listing");
    let total = first.1;
    assert_eq!(total, common::corpus_index().num_docs() as usize);
    assert_eq!(rest.1, total);
    let mut ids: Vec<String> = first.0.iter().chain(&rest.0).map(|a| a.id.clone()).collect();
    assert_eq!((first.0.len(), ids.len()), (25, total));
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no article is listed twice");
}

common::engines::on_both_engines!(
    every_article_is_listed_once_in_pages,
    suggestions_complete_titles_and_phrases_as_you_type,
    facets_count_every_site_and_filters_narrow_the_results,
    review_date_filter_and_sort,
    pages_do_not_overlap_and_feedback_does_not_inflate_totals,
    passages_answer_from_the_matching_section,
    passages_are_whole_sentences_within_max_chars_and_distinct,
    retrieve_takes_a_chat_style_body,
    related_articles_share_content_or_sources_and_say_why,
    citations_list_the_articles_citing_a_source_however_it_is_written,
    stale_lists_old_reviews_and_old_sources_oldest_first,
    articles_are_returned_whole_by_id,
);
