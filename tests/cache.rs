//! The search response cache (hits for repeated requests, never a stale answer after a commit)
//! and totals (exact on request, a lower bound past the counting limit).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use healthsearch::index::ranking::count::{Relation, count_up_to, lower_bound};
use healthsearch::query::parse;
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

async fn search(state: &AppState, query: &str) -> (String, Value) {
    let req = Request::get(format!("/api/search?{query}")).body(Body::empty()).expect("request");
    let res = router(state.clone()).oneshot(req).await.expect("router answers");
    assert_eq!(res.status(), StatusCode::OK);
    let cache = res.headers().get("x-cache").and_then(|v| v.to_str().ok()).unwrap_or("none").to_string();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (cache, serde_json::from_slice(&bytes).expect("JSON"))
}

#[tokio::test]
async fn repeated_searches_are_cached_until_the_index_changes() {
    let copy = common::MirrorCopy::new();
    copy.ingest();
    let state = AppState::shared(copy.index.clone());

    let (first, before) = search(&state, "q=lochia+zebracorn").await;
    assert_eq!(first, "miss");
    // The same request with its parameters in another order is the same entry.
    let (second, again) = search(&state, "limit=10&q=lochia+zebracorn").await;
    assert_eq!(second, "hit");
    assert_eq!(before, again);
    assert!(
        before["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|h| !h["title"].as_str().unwrap_or("").contains("zebracorn"))
    );

    // A reload that finds nothing new keeps the entries.
    copy.index.reload().expect("reload");
    let (fourth, _) = search(&state, "q=lochia+zebracorn").await;
    assert_eq!(fourth, "hit", "a reload without a commit is the same content");

    copy.retitle_lochia("zebracorn");
    copy.ingest();

    let (third, after) = search(&state, "q=lochia+zebracorn").await;
    assert_eq!(third, "miss", "a commit must not serve the old answer");
    assert_eq!(after["hits"][0]["title"], "Bleeding after birth (lochia) zebracorn");
}

#[tokio::test]
async fn a_service_without_cache_answers_the_same() {
    let mut state = AppState::shared(common::corpus_index());
    let (_, cached) = search(&state, "q=back+pain+after+birth").await;
    state.cache = None;
    let (header, uncached) = search(&state, "q=back+pain+after+birth").await;
    assert_eq!(header, "none");
    assert_eq!(cached["hits"], uncached["hits"]);
    assert_eq!(uncached["total_relation"], "eq");
}

#[tokio::test]
async fn totals_are_exact_by_default_on_small_indexes_and_checked() {
    let state = AppState::shared(common::corpus_index());
    let (_, v) = search(&state, "q=pregnancy").await;
    let (_, exact) = search(&state, "q=pregnancy&exact_total=true").await;
    assert_eq!(v["total"], exact["total"]);
    assert_eq!(v["total_relation"], "eq");
    let req = Request::get("/api/search?q=a&exact_total=maybe").body(Body::empty()).expect("request");
    let res = router(state).oneshot(req).await.expect("router answers");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&res.into_body().collect().await.expect("body").to_bytes()).expect("JSON");
    assert_eq!(body["code"], "invalid_search_exact_total");
}

#[test]
fn counting_stops_at_the_limit_and_says_so() {
    let index = common::corpus_index();
    let searcher = index.searcher();
    let parsed = parse("baby").expect("parse");
    let query = healthsearch::index::ranking::query::build_baseline(&parsed, &index.fields);
    let (all, relation) = count_up_to(&searcher, &query, None).expect("count");
    assert_eq!(relation, Relation::Eq);
    assert!(all > 5, "{all}");
    assert_eq!(count_up_to(&searcher, &query, Some(5)).expect("count"), (5, Relation::Gte));
    assert_eq!(count_up_to(&searcher, &query, Some(all + 1)).expect("count"), (all, Relation::Eq));
}

#[test]
fn the_dictionary_lower_bound_never_exceeds_the_count() {
    let index = common::corpus_index();
    let searcher = index.searcher();
    let body = |t: &str| tantivy::Term::from_field_text(index.fields.body, t);
    let query =
        healthsearch::index::ranking::query::build_baseline(&parse("baby sleep").expect("parse"), &index.fields);
    let (exact, _) = count_up_to(&searcher, &query, None).expect("count");
    let bound = lower_bound(&searcher, &[body("babi"), body("sleep")]).expect("bound");
    assert!(bound > 0 && bound <= exact, "bound {bound}, exact {exact}");
    assert_eq!(lower_bound(&searcher, &[body("zebracorn")]).expect("bound"), 0);
}
