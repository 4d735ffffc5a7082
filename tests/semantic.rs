//! Meaning with the real model (all-MiniLM-L6-v2): agreement with reference outputs, paraphrases
//! above unrelated pairs, hybrid answers with no shared words, re-ingest that embeds nothing,
//! and an index killed mid-ingest whose vectors still match its articles; the API's answers that
//! carry meaning match the OpenAPI description.
//!
//! The model is installed by `healthsearch model install` (CI does it first). Without it these
//! tests print a note and pass, unless `HEALTHSEARCH_REQUIRE_MODEL=1`, as in CI.

mod common;
#[path = "common/openapi.rs"]
mod openapi;

use healthsearch::index::HealthIndex;
use healthsearch::index::present::search::{Ranker, SearchParams, search_with};
use healthsearch::index::ranking::fusion::{DEFAULT_RATIO, MATCH_COSINE, Semantic};
use healthsearch::ingest::{Input, ingest};
use healthsearch::semantic::vectors::decode;
use healthsearch::semantic::{Embedder, article_texts};
use std::sync::{Arc, OnceLock};
use tantivy::TantivyDocument;
use tantivy::schema::Value;

use common::model::model;

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
        // The query path (int8 where the CPU has VNNI) points the same way within quantization.
        let one = m.model().embed_one(sentence).expect("embed one");
        let agreement = cos(&one, &want);
        assert!(agreement > 0.995, "{sentence:?}: query vector at cosine {agreement} from the reference");
        assert!(!m.model().has_int8() || agreement < 0.99999, "{sentence:?}: the int8 path gave f32's exact vector");
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
    index: Arc<HealthIndex>,
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
            let report = ingest(&index, &Input::Mirror(common::corpus_dir())).expect("ingest");
            Some(Embedded { _dir: dir, index: Arc::new(index), embedded: report.embedded })
        })
        .as_ref()
}

fn hybrid() -> Option<Ranker> {
    Some(Ranker { semantic: Some(Semantic { embedder: model()?, ratio: DEFAULT_RATIO }), ..Ranker::default() })
}

#[tokio::test]
async fn answers_with_meaning_match_the_openapi_description() {
    let (Some(c), Some(ranker)) = (embedded_corpus(), hybrid()) else { return };
    let mut state = healthsearch::server::state::AppState::shared(c.index.clone());
    state.ranker = Arc::new(ranker);
    let mut spec = openapi::Spec::load(&state).await;
    let (_, found) = spec.check(&state, openapi::get("/api/search", "/api/search?q=sore+noggin&explain=true")).await;
    assert!(found["explain"]["meaning"].is_object(), "{found}");
    assert!(found["hits"][0]["scores"]["semantic"].is_number(), "{found}");
    let passages = "/api/passages?q=sore+noggin+while+expecting&semantic_ratio=0.8";
    spec.check(&state, openapi::get("/api/passages", passages)).await;
    let related = "/api/related?url=https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain";
    let (_, related) = spec.check(&state, openapi::get("/api/related", related)).await;
    let related = related["related"].as_array().cloned().unwrap_or_default();
    assert!(related.iter().any(|r| r["meaning"].is_number()), "{related:?}");
}

#[test]
fn meaning_finds_an_article_sharing_no_word_with_the_query() {
    let (Some(c), Some(ranker)) = (embedded_corpus(), hybrid()) else { return };
    let params = SearchParams { explain: true, ..SearchParams::new("sore noggin while expecting", 3) };
    let res = search_with(&c.index, &params, &ranker).expect("search");
    let hit = res.hits.iter().find(|h| h.article.url.contains("headaches-in-pregnancy"));
    let hit = hit.unwrap_or_else(|| {
        panic!("not in the top 3: {:?}", res.hits.iter().map(|h| &h.article.url).collect::<Vec<_>>())
    });
    let scores = hit.scores.expect("explain shows the scores");
    assert!(scores.semantic.is_some_and(|s| s > 0.3), "{scores:?}");
    let meaning = res.explain.as_ref().and_then(|e| e.meaning.clone()).expect("explain says how meaning took part");
    assert_eq!(meaning.text, "sore noggin while expecting (head)", "the model reads the vocabulary's names too");
    assert!(res.total >= res.hits.len());
    // Its words match almost nothing, so meaning matches from a lower cosine than usual.
    let rule = res.explain.as_ref().and_then(|e| e.matching).expect("explain says what matches");
    assert!(rule.meaning_from.is_some_and(|c| c < MATCH_COSINE), "{rule:?}");
    let common = SearchParams { explain: true, ..SearchParams::new("back pain after birth", 3) };
    let res = search_with(&c.index, &common, &ranker).expect("search");
    let rule = res.explain.as_ref().and_then(|e| e.matching).expect("explain says what matches");
    assert!(rule.meaning_from.is_some_and(|c| c >= MATCH_COSINE), "words match plenty here: {rule:?}");
    // By meaning alone it is the first answer; lexically the query finds nothing about it.
    let by_meaning = SearchParams { semantic_ratio: Some(1.0), ..params.clone() };
    let res = search_with(&c.index, &by_meaning, &ranker).expect("search");
    assert!(res.hits[0].article.url.contains("headaches-in-pregnancy"), "{}", res.hits[0].article.url);
    let lexical = SearchParams { semantic_ratio: Some(0.0), ..params };
    let res = search_with(&c.index, &lexical, &ranker).expect("search");
    // Words alone (a relaxed match on "expecting") do not put it first.
    assert!(!res.hits.first().is_some_and(|h| h.article.url.contains("headaches-in-pregnancy")), "words alone miss it");
}

#[test]
fn hybrid_ranking_reads_everyday_phrasing() {
    let (Some(c), Some(ranker)) = (embedded_corpus(), hybrid()) else { return };
    for (q, want, within) in [
        ("baby screams after feeds and pulls legs up", "colic", 1),
        ("cant stop scratching pregnant", "itching-and-cholestasis", 1),
        // The model itself puts postpartum back pain first here (cosine 0.59 against 0.56).
        ("painful bottom after birth", "perineal-tears", 3),
    ] {
        let res = search_with(&c.index, &SearchParams::new(q, within), &ranker).expect("search");
        let urls: Vec<&str> = res.hits.iter().map(|h| h.article.url.as_str()).collect();
        assert!(urls.iter().any(|u| u.contains(want)), "{q:?}: {urls:?}");
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
            let article = healthsearch::index::storage::stored::stored_article(&c.index, &d).expect("article");
            let bytes = d.get_first(c.index.fields.vectors).and_then(|v| v.as_bytes()).expect("vectors");
            let codes = decode(bytes).expect("whole records");
            assert_eq!(codes.len(), article_texts(&article).len(), "{}", article.url);
            vectors += codes.len();
        }
    }
    assert_eq!(vectors, c.embedded);
    let again = ingest(&c.index, &Input::Mirror(common::corpus_dir())).expect("ingest again");
    assert_eq!((again.embedded, again.indexed), (0, 0), "an unchanged mirror is not embedded again");
}

#[test]
fn related_articles_include_those_near_in_meaning() {
    let Some(c) = embedded_corpus() else { return };
    let searcher = c.index.searcher();
    let url = "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain";
    let doc = healthsearch::index::storage::lookup::doc_with(&searcher, c.index.fields.url, url)
        .expect("lookup")
        .expect("article");
    let (_, related) = healthsearch::index::present::editorial::related(&c.index, &searcher, &doc, 5).expect("related");
    assert!(related.iter().any(|r| r.meaning.is_some_and(|m| m > 0.4)), "{related:?}");
    assert!(related.iter().any(|r| r.article.url.contains("back-pain-during-pregnancy")), "{related:?}");
}

/// Every stored article's vectors are whole and belong to its own texts.
fn assert_vectors_match_articles(index: &HealthIndex, m: &Embedder) -> usize {
    let searcher = index.searcher();
    let mut articles = 0;
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(1).expect("store");
        for doc in 0..segment.max_doc() {
            if segment.alive_bitset().is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let d: TantivyDocument = store.get(doc).expect("doc");
            let article = healthsearch::index::storage::stored::stored_article(index, &d).expect("article");
            let bytes = d.get_first(index.fields.vectors).and_then(|v| v.as_bytes()).expect("vectors");
            let codes = decode(bytes).expect("whole records");
            let texts = article_texts(&article);
            assert_eq!(codes.len(), texts.len(), "{}", article.url);
            let fresh = m.model().embed(&[texts[0].1.as_str()]).expect("embed").remove(0);
            let stored: Vec<f32> = codes[0].code.iter().map(|&x| f32::from(x) * codes[0].scale).collect();
            assert!(cos(&fresh, &stored) > 0.99, "{}: the lead vector is another text's", article.url);
            articles += 1;
        }
    }
    articles
}

#[test]
fn sigkill_during_an_embedding_ingest_leaves_vectors_that_match_their_articles() {
    let Some(m) = model() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let small = dir.path().join("small.jsonl");
    let records = [
        r#"{"_id":"a1","title":"Zebrafever basics","text":"Zebrafever is a made-up illness used in tests. It causes stripes."}"#,
        r#"{"_id":"a2","title":"Sleep for new parents","text":"Short naps help. Share night feeds when you can."}"#,
    ];
    std::fs::write(&small, records.join("\n")).expect("write");
    let index = dir.path().join("ix");
    let bin = env!("CARGO_BIN_EXE_healthsearch");
    let ingest_cmd = |source: &[&str]| {
        let mut cmd = std::process::Command::new(bin);
        cmd.arg("ingest").args(source).arg("--index").arg(&index);
        cmd.env_remove("HEALTHSEARCH_NO_SEMANTIC")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    };
    let small_arg = small.to_str().expect("utf-8");
    assert!(ingest_cmd(&["--jsonl", small_arg]).status().expect("ingest").success());
    let corpus = common::corpus_dir();
    for after in [std::time::Duration::from_millis(1500), std::time::Duration::from_secs(6)] {
        let mut child = ingest_cmd(&["--corpus", corpus.to_str().expect("utf-8")]).spawn().expect("spawn");
        std::thread::sleep(after);
        let _ = child.kill();
        let _ = child.wait();
        let opened = HealthIndex::open(&index).expect("the index opens after SIGKILL");
        let articles = assert_vectors_match_articles(&opened, &m);
        assert!(articles >= 2, "the last commit's articles are all there");
    }
}

/// nDCG@10 of a ranking over one split of the people-style set, on the embedded corpus.
fn people_ndcg(c: &Embedded, ranker: &Ranker, split: &str) -> f64 {
    use healthsearch::eval::ranking::{load_qrels, load_queries, ndcg_at};
    use healthsearch::index::present::search::{Ranking, rank};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/people");
    let queries = load_queries(&dir.join("queries.jsonl")).expect("queries");
    let qrels = load_qrels(&dir.join("qrels").join(format!("{split}.tsv"))).expect("qrels");
    let ranking = Ranking::Ours(ranker.clone());
    let mut sum = 0.0;
    let mut n = 0;
    for (id, text) in &queries {
        let Some(rels) = qrels.get(id) else { continue };
        let urls: Vec<String> = rank(&c.index, text, 10, &ranking).expect("rank").into_iter().map(|r| r.url).collect();
        sum += ndcg_at(&urls, rels, 10);
        n += 1;
    }
    sum / n as f64
}

#[test]
fn meaning_lifts_queries_typed_the_way_people_type() {
    let (Some(c), Some(hybrid)) = (embedded_corpus(), hybrid()) else { return };
    let words = Ranker::default();
    for split in ["test", "heldout"] {
        let (h, w) = (people_ndcg(c, &hybrid, split), people_ndcg(c, &words, split));
        eprintln!("people {split}: hybrid nDCG@10 {h:.4}, words alone {w:.4}");
        assert!(h >= 0.92 && h > w + 0.03, "{split}: hybrid {h:.4} against words {w:.4}");
    }
}
