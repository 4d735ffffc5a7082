//! Meaning on an OpenSearch cluster (the one `HEALTHSEARCH_OPENSEARCH` names) with the real
//! model: passage vectors written at ingest and kept in step, everyday phrasing ranked by
//! meaning, search-box matches by meaning counted and explained, passages and related articles
//! by meaning.

mod common;

use common::model::model;
use healthsearch::engine::opensearch::{OpenSearch, OsStore};
use healthsearch::engine::{ArticleKey, Engine};
use healthsearch::index::present::passages::{DEFAULT_MAX_CHARS, PassageParams};
use healthsearch::index::present::search::{Ranker, SearchParams};
use healthsearch::index::ranking::filter::Filters;
use healthsearch::index::ranking::fusion::{DEFAULT_RATIO, MATCH_COSINE, Semantic};
use healthsearch::ingest::{Extractor, IngestReport, Input};
use std::sync::OnceLock;

const ALIAS: &str = "healthsearch_semantic_test";

static CLUSTER: OnceLock<Option<OpenSearch>> = OnceLock::new();

fn ingest(os: &OpenSearch, rebuild: bool) -> IngestReport {
    let state = tempfile::tempdir().expect("temp dir");
    let store = if rebuild { OsStore::rebuild(os, state.path()) } else { OsStore::begin(os, state.path()) };
    let store = store.expect("a run").with_embedder(model());
    healthsearch::ingest::run(store, &Input::Mirror(common::corpus_dir()), &Extractor::default()).expect("ingest")
}

/// The bundled corpus embedded into the cluster, once per test binary (skipped without a
/// cluster or the model).
fn cluster() -> Option<&'static OpenSearch> {
    CLUSTER
        .get_or_init(|| {
            let urls = common::engines::opensearch_urls()?;
            model()?;
            let os = OpenSearch::connect(&[urls], ALIAS).expect("node URLs");
            let report = ingest(&os, true);
            assert!(report.embedded > report.added, "passages are embedded: {report:?}");
            Some(os)
        })
        .as_ref()
}

fn hybrid() -> Ranker {
    let embedder = model().expect("the model");
    Ranker { semantic: Some(Semantic { embedder, ratio: DEFAULT_RATIO }), ..Ranker::default() }
}

#[test]
fn everyday_phrasing_finds_the_right_article_by_meaning() {
    let Some(os) = cluster() else { return };
    let ranker = hybrid();
    for (q, want) in [
        ("baby screams after feeds and pulls legs up", "colic"),
        ("cant stop scratching pregnant", "itching-and-cholestasis"),
    ] {
        let res = os.search(&SearchParams::new(q, 3), &ranker).expect("search");
        let urls: Vec<&str> = res.hits.iter().map(|h| h.article.url.as_str()).collect();
        assert!(urls.first().is_some_and(|u| u.contains(want)), "{q:?}: {urls:?}");
        let words = SearchParams { semantic_ratio: Some(0.0), ..SearchParams::new(q, 1) };
        let res = os.search(&words, &ranker).expect("search");
        assert!(!res.hits[0].article.url.contains(want), "{q:?}: words alone get it wrong, so meaning did this");
    }
}

#[test]
fn an_article_sharing_no_word_matches_by_meaning_and_is_counted() {
    let Some(os) = cluster() else { return };
    let params = SearchParams { explain: true, ..SearchParams::new("sore noggin while expecting", 3) };
    let res = os.search(&params, &hybrid()).expect("search");
    let hit = res.hits.iter().find(|h| h.article.url.contains("headaches-in-pregnancy"));
    let hit = hit.unwrap_or_else(|| panic!("not in the top 3: {:?}", res.hits));
    let scores = hit.scores.expect("explain shows the scores");
    assert!(scores.semantic.is_some_and(|s| s > 0.3), "{scores:?}");
    let explain = res.explain.expect("explain");
    let meaning = explain.meaning.expect("explain says how meaning took part");
    assert_eq!(meaning.text, "sore noggin while expecting (head)");
    let rule = explain.matching.expect("explain says what matches");
    assert!(rule.meaning_from.is_some_and(|c| c < MATCH_COSINE), "few word matches lower the floor: {rule:?}");
    assert!(
        rule.by_meaning >= 1 && res.total >= rule.by_meaning,
        "meaning matches are counted: {rule:?}, {}",
        res.total
    );
    let words = SearchParams { semantic_ratio: Some(0.0), ..params };
    let res = os.search(&words, &hybrid()).expect("search");
    assert!(res.explain.and_then(|e| e.meaning).is_none(), "ratio 0 ranks by words alone");
}

#[test]
fn passages_weigh_each_passages_meaning() {
    let Some(os) = cluster() else { return };
    let p = PassageParams {
        q: "sore noggin while expecting".into(),
        k: 3,
        max_chars: DEFAULT_MAX_CHARS,
        filters: Filters::default(),
        semantic_ratio: Some(0.8),
    };
    let passages = os.passages(&p, &hybrid()).expect("passages");
    assert!(passages.first().is_some_and(|p| p.url.contains("headaches-in-pregnancy")), "{passages:?}");
}

#[test]
fn related_articles_include_those_near_in_meaning() {
    let Some(os) = cluster() else { return };
    let url = "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain";
    let (_, related) = os.related(&ArticleKey::Url(url.into()), 5).expect("related").expect("the article");
    assert!(related.iter().any(|r| r.meaning.is_some_and(|m| m > 0.4)), "{related:?}");
    assert!(related.iter().any(|r| r.article.url.contains("back-pain-during-pregnancy")), "{related:?}");
}

#[test]
fn an_unchanged_run_embeds_nothing() {
    let Some(os) = cluster() else { return };
    let again = ingest(os, false);
    assert_eq!((again.embedded, again.added, again.updated), (0, 0, 0), "{again:?}");
}
