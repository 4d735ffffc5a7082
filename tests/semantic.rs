//! Meaning with the real model (all-MiniLM-L6-v2): agreement with reference outputs, paraphrases
//! above unrelated pairs, hybrid answers with no shared words, re-ingest that embeds nothing,
//! and an index killed mid-ingest whose vectors still match its articles.
//!
//! The model is installed by `healthsearch model install` (CI does it first). Without it these
//! tests print a note and pass, unless `HEALTHSEARCH_REQUIRE_MODEL=1`, as in CI.

mod common;

use healthsearch::index::HealthIndex;
use healthsearch::index::fusion::{DEFAULT_RATIO, Semantic};
use healthsearch::index::search::{Ranker, SearchParams, search_with};
use healthsearch::ingest::{Source, ingest};
use healthsearch::semantic::vectors::decode;
use healthsearch::semantic::{Embedder, article_texts, default_models_dir, installed};
use std::sync::{Arc, OnceLock};
use tantivy::TantivyDocument;
use tantivy::schema::Value;

static MODEL: OnceLock<Option<Arc<Embedder>>> = OnceLock::new();

/// The installed model, or `None` (with a note) when it is missing and not required.
fn model() -> Option<Arc<Embedder>> {
    MODEL
        .get_or_init(|| {
            let dir = default_models_dir();
            match installed(&dir) {
                Some(folder) => Some(Arc::new(Embedder::load(&folder).expect("the installed model loads"))),
                None if std::env::var("HEALTHSEARCH_REQUIRE_MODEL").is_ok_and(|v| v == "1") => {
                    panic!("no model under {} (run healthsearch model install)", dir.display())
                }
                None => {
                    eprintln!("note: no model under {}; semantic tests skipped", dir.display());
                    None
                }
            }
        })
        .clone()
}

fn cos(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn embeddings_match_the_reference_outputs() {
    let Some(m) = model() else { return };
    let path = common::shared_path("data/semantic/minilm-reference.jsonl");
    let text = std::fs::read_to_string(&path).expect("reference file");
    let mut checked = 0;
    for line in text.lines() {
        let r: serde_json::Value = serde_json::from_str(line).expect("json");
        let sentence = r["text"].as_str().expect("text");
        let ids: Vec<u32> =
            r["token_ids"].as_array().expect("ids").iter().map(|v| v.as_u64().unwrap() as u32).collect();
        assert_eq!(m.model().token_ids(sentence).expect("tokens"), ids, "tokens of {sentence:?}");
        let want: Vec<f32> =
            r["embedding"].as_array().expect("vec").iter().map(|v| v.as_f64().unwrap() as f32).collect();
        let got = m.model().embed(&[sentence]).expect("embed").remove(0);
        let worst = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 2e-4, "{sentence:?}: largest difference {worst}");
        checked += 1;
    }
    assert!(checked >= 10);
    // Batched texts of other lengths give the same vectors as one at a time (padding is masked).
    let pair = ["short one", "a much longer sentence that needs padding in its batch partner"];
    let batch = m.model().embed(&pair).expect("embed");
    let alone = m.model().embed(&pair[..1]).expect("embed");
    assert!(cos(&batch[0], &alone[0]) > 0.9999);
}

#[test]
fn paraphrases_score_above_unrelated_pairs() {
    let Some(m) = model() else { return };
    let e = |s: &str| m.model().embed(&[s]).expect("embed").remove(0);
    let pairs = [
        ("my baby cries for hours every evening", "inconsolable crying in an infant in the evenings"),
        ("sore head while pregnant", "headaches during pregnancy"),
        ("itchy skin when expecting", "itching in pregnancy"),
    ];
    for (a, b) in pairs {
        let same = cos(&e(a), &e(b));
        for (_, other) in pairs.iter().filter(|(x, _)| *x != a) {
            let unrelated = cos(&e(a), &e(other));
            assert!(same > unrelated + 0.1, "{a:?}~{b:?} {same} vs {a:?}~{other:?} {unrelated}");
        }
    }
}

struct Embedded {
    _dir: tempfile::TempDir,
    index: HealthIndex,
    embedded: usize,
}

static CORPUS: OnceLock<Option<Embedded>> = OnceLock::new();

/// The bundled corpus ingested with the model, once per test binary.
fn embedded_corpus() -> Option<&'static Embedded> {
    CORPUS
        .get_or_init(|| {
            let m = model()?;
            let dir = tempfile::tempdir().expect("temp dir");
            let index = HealthIndex::create(dir.path()).expect("create").with_embedder(Some(m));
            let report = ingest(&index, &Source::Mirror(common::corpus_dir())).expect("ingest");
            Some(Embedded { _dir: dir, index, embedded: report.embedded })
        })
        .as_ref()
}

fn hybrid() -> Option<Ranker> {
    Some(Ranker { semantic: Some(Semantic { embedder: model()?, ratio: DEFAULT_RATIO }), ..Ranker::default() })
}

#[test]
fn meaning_finds_an_article_sharing_no_word_with_the_query() {
    let (Some(c), Some(ranker)) = (embedded_corpus(), hybrid()) else { return };
    let params = SearchParams { explain: true, ..SearchParams::new("sore noggin while expecting", 5) };
    let res = search_with(&c.index, &params, &ranker).expect("search");
    let first = res.hits.first().expect("an answer");
    assert!(first.url.contains("headaches-in-pregnancy"), "first: {}", first.url);
    let scores = first.scores.expect("explain shows the scores");
    assert!(scores.semantic.is_some_and(|s| s > 0.3), "{scores:?}");
}

#[test]
fn hybrid_ranking_reads_everyday_phrasing() {
    let (Some(c), Some(ranker)) = (embedded_corpus(), hybrid()) else { return };
    for (q, want) in [
        ("baby screams after feeds and pulls legs up", "colic"),
        ("cant stop scratching pregnant", "itching-and-cholestasis"),
        ("painful bottom after birth", "perineal-tears"),
    ] {
        let res = search_with(&c.index, &SearchParams::new(q, 3), &ranker).expect("search");
        let first = res.hits.first().map_or("", |h| h.url.as_str());
        assert!(first.contains(want), "{q:?}: first {first}");
    }
}

#[test]
fn every_article_carries_the_vectors_of_its_texts_and_reingest_embeds_nothing() {
    let Some(c) = embedded_corpus() else { return };
    let searcher = c.index.searcher();
    let mut vectors = 0;
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(1).expect("store");
        for doc in 0..segment.max_doc() {
            let d: TantivyDocument = store.get(doc).expect("doc");
            let article = healthsearch::index::search::stored_article(&c.index, &d).expect("article");
            let bytes = d.get_first(c.index.fields.vectors).and_then(|v| v.as_bytes()).expect("vectors");
            let codes = decode(bytes).expect("whole records");
            assert_eq!(codes.len(), article_texts(&article).len(), "{}", article.url);
            vectors += codes.len();
        }
    }
    assert_eq!(vectors, c.embedded);
    let again = ingest(&c.index, &Source::Mirror(common::corpus_dir())).expect("ingest again");
    assert_eq!((again.embedded, again.indexed), (0, 0), "an unchanged mirror is not embedded again");
}
