//! The search box as people meet it: what counts as a match (totals, facets and pages agree),
//! relaxed matching, corrections that respect words, who an article is for, and the page's
//! paging past the end. Driven through the router with `oneshot`, words-only ranking.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use healthsearch::server::router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

async fn get(uri: &str) -> (StatusCode, String) {
    let app = router(common::engines::current_state());
    let req = Request::get(uri).body(Body::empty()).expect("request");
    let res = app.oneshot(req).await.expect("router answers");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn search(query: &str) -> Value {
    let uri = format!("/api/search?explain=true&limit=100&facets=category,site,audience&q={}", query.replace(' ', "+"));
    let (status, body) = get(&uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {body}"))
}

fn titles(v: &Value) -> Vec<String> {
    v["hits"].as_array().into_iter().flatten().filter_map(|h| h["title"].as_str().map(String::from)).collect()
}

async fn a_match_covers_the_important_words_and_the_total_counts_exactly_those() {
    let v = search("back pain after birth").await;
    let total = v["total"].as_u64().unwrap_or(0) as usize;
    let hits = titles(&v);
    // Every word optional matched all 60 articles; a match now covers back, pain and birth.
    assert!((1..60).contains(&total), "total {total}");
    assert_eq!(hits.len(), total, "a page of 100 holds every match, so hits and total agree");
    assert_eq!(hits[0], "Postpartum back pain: How to get relief");
    assert_eq!(v["relaxed"], false);
    assert_eq!(v["explain"]["matching"]["words"], 3);
    assert_eq!(v["explain"]["matching"]["required"], 3);
    for facet in ["category", "site", "audience"] {
        for value in v["facets"][facet].as_array().into_iter().flatten() {
            assert!(value["count"].as_u64().unwrap_or(0) as usize <= total, "{facet}: {value}");
        }
    }
    let by_site: u64 = v["facets"]["site"].as_array().into_iter().flatten().filter_map(|x| x["count"].as_u64()).sum();
    assert_eq!(by_site as usize, total, "each match has one site, so the site counts add up to the total");
    // A site is shown by the name its pages give it, not its host name.
    let labels: Vec<&str> =
        v["facets"]["site"].as_array().into_iter().flatten().filter_map(|x| x["label"].as_str()).collect();
    assert!(labels.contains(&"BumpToBaby") && labels.contains(&"Harbor Health Library"), "{labels:?}");
}

async fn when_nothing_has_every_word_fewer_are_required_and_the_response_says_so() {
    let v = search("placenta eczema toddler").await;
    assert_eq!(v["relaxed"], true, "{v}");
    assert!(v["total"].as_u64().unwrap_or(0) > 0);
    assert!(v["explain"]["matching"]["required"].as_u64() < v["explain"]["matching"]["words"].as_u64());
    let none = search("zzqxv wqpzk").await;
    assert_eq!(none["total"], 0);
    assert_eq!(none["relaxed"], false, "nothing found is not a relaxed match");
}

async fn everyday_spellings_are_read_as_meant_and_never_offered_as_corrections() {
    for (typed, meant) in [("cant poo", "can't"), ("dont feel baby move", "don't"), ("throwin up", "throwing")] {
        let v = search(typed).await;
        assert!(v.get("did_you_mean").is_none(), "{typed}: {v}");
        let c = &v["explain"]["corrections"][0];
        assert_eq!((c["to"].as_str(), c["kind"].as_str()), (Some(meant), Some("everyday")), "{typed}");
    }
    let v = search("cramps legs nite").await;
    assert_eq!(v["explain"]["corrections"][0]["to"], "night", "nite is night, never nit: {v}");
    assert_eq!(titles(&v)[0], "Leg cramps in pregnancy");
    assert!(v["explain"]["expansions"].as_array().into_iter().flatten().all(|e| e["concept"] != "head-lice"));
}

async fn typos_are_corrected_to_whole_words_and_real_words_stand() {
    let v = search("brused nipples").await;
    assert_eq!(v["explain"]["corrections"][0]["to"], "bruised", "{v}");
    let v = search("mastitus breastfeeding").await;
    assert_eq!(v["did_you_mean"], "mastitis breastfeeding", "{v}");
    let v = search("excema toddler").await;
    assert_eq!(v["did_you_mean"], "eczema toddler");
    for real in ["screams after feeds", "pulls legs up", "poo", "nipples"] {
        let v = search(real).await;
        assert!(v["explain"]["corrections"].as_array().is_none_or(|c| c.is_empty()), "{real}: {v}");
    }
}

async fn the_suggester_reads_words_as_the_search_box_does() {
    let (_, body) = get("/api/suggest?q=dont+feel+baby+mo").await;
    let v: Value = serde_json::from_str(&body).expect("json");
    let texts: Vec<&str> =
        v["suggestions"].as_array().into_iter().flatten().filter_map(|s| s["text"].as_str()).collect();
    assert!(texts.iter().all(|t| !t.to_lowercase().starts_with("don ")), "{texts:?}");
    let (_, body) = get("/api/suggest?q=brused+nip").await;
    assert!(!body.contains("brush"), "{body}");
}

async fn a_person_named_in_the_query_gets_their_article() {
    let v = search("back pain pregnant").await;
    assert_eq!(titles(&v)[0], "Back pain during pregnancy", "{:?}", titles(&v));
    let v = search("back pain after birth").await;
    assert_eq!(v["facets"]["audience"].as_array().map(|a| a.is_empty()), Some(false), "{v}");
}

async fn the_audience_filter_is_checked_and_applied() {
    let (status, body) = get("/api/search?q=pain&audience=grandparents").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("invalid_search_filter"), "{body}");
    let (status, body) = get("/api/search?q=pain&audience=pregnancy&facets=audience").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_page_past_the_last_shows_the_last_page_and_no_next_link() {
    let (status, html) = get("/?q=back+pain+after+birth&page=50").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("There is no page 50 of these results"), "{html}");
    assert!(!html.contains(r#"rel="next""#), "no Next on the last page");
    assert!(html.contains("<ol class=\"results\""), "the last page's results are shown");
    let (_, html) = get("/?q=placenta+eczema+toddler").await;
    assert!(html.contains("articles matching some of them are shown"), "{html}");
    let (_, html) = get("/?q=zzqxv+wqpzk").await;
    assert!(html.contains("Popular topics"), "{html}");
    assert!(html.contains("not medical advice"), "every page carries the notice");
}

common::engines::on_both_engines!(
    a_match_covers_the_important_words_and_the_total_counts_exactly_those,
    when_nothing_has_every_word_fewer_are_required_and_the_response_says_so,
    everyday_spellings_are_read_as_meant_and_never_offered_as_corrections,
    typos_are_corrected_to_whole_words_and_real_words_stand,
    a_person_named_in_the_query_gets_their_article,
    the_audience_filter_is_checked_and_applied,
    a_page_past_the_last_shows_the_last_page_and_no_next_link,
    the_suggester_reads_words_as_the_search_box_does,
);
