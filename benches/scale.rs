//! Query latency at scale, side by side with the alternatives, on one generated corpus
//! (`HS_BENCH_DOCS` articles, default 100,000; built once under `target/bench-data/`):
//! our search path by query kind (with snippets, its ranking alone, and the retrieval path of
//! passages and evaluation), raw Tantivy (a bare `TopDocs`
//! over the same index: the floor), SQLite FTS5 (porter tokenizer, bm25) over the same texts,
//! snippets for a page of hits, suggestions, passages, and indexing throughput. Run with `cargo bench --bench scale`.

#[path = "common/fts5.rs"]
mod fts5;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use healthsearch::analysis::analyze;
use healthsearch::article::Article;
use healthsearch::index::HealthIndex;
use healthsearch::index::present::passages::{PassageParams, passages};
use healthsearch::index::present::search::{Ranker, Ranking, SearchParams, rank, search_with};
use healthsearch::index::present::snippet::Highlighter;
use healthsearch::index::present::suggest::Suggester;
use healthsearch::index::ranking::feedback::Scope;
use healthsearch::index::ranking::filter::Filters;
use healthsearch::index::ranking::matching::Within;
use healthsearch::index::ranking::stats::RequestStats;
use healthsearch::index::storage::stored::stored_article;
use healthsearch::ingest::{Input, ingest};
use healthsearch::query::parse;
use healthsearch::synth::{generate, to_jsonl};
use rusqlite::Connection;
use std::collections::HashMap;
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, QueryParser};

/// The query kinds measured, with a query each.
const QUERIES: &[(&str, &str)] = &[
    ("single_term", "anaemia"),
    ("several_terms", "back pain after birth"),
    ("phrase", "\"gestational diabetes\""),
    ("lay_expansion", "tummy gap after pregnancy"),
    ("typo", "postpartm back pian"),
];

fn docs() -> usize {
    std::env::var("HS_BENCH_DOCS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

fn data_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench data dir");
    dir
}

/// The generated corpus as JSON Lines, written once.
fn corpus(n: usize) -> PathBuf {
    let path = data_dir().join(format!("gen-{n}.jsonl"));
    if !path.exists() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create corpus"));
        generate(n, 42, |d| writeln!(out, "{}", to_jsonl(&d)).expect("write"));
        out.flush().expect("flush");
    }
    path
}

/// The index of the generated corpus, built once per schema version.
fn index(n: usize) -> HealthIndex {
    let dir = data_dir().join(format!("index-{n}-v{}", healthsearch::index::storage::schema::SCHEMA_VERSION));
    if let Ok(idx) = HealthIndex::open(&dir)
        && idx.num_docs() == n as u64
    {
        return idx;
    }
    let idx = HealthIndex::create(&dir).expect("create index");
    let started = Instant::now();
    ingest(&idx, &Input::Jsonl(corpus(n))).expect("ingest");
    eprintln!("indexed {n} documents in {:.1} s", started.elapsed().as_secs_f64());
    idx
}

/// The first `k` distinct titles of the generated corpus, lower-cased, as `scripts/load.sh`
/// makes its query log.
fn query_log(n: usize, k: usize) -> Vec<String> {
    let text = std::fs::read_to_string(corpus(n)).expect("read corpus");
    let mut titles: Vec<String> = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let t = v["title"].as_str().unwrap_or_default().to_lowercase().replace(':', "");
        if !titles.contains(&t) {
            titles.push(t);
        }
        if titles.len() == k {
            break;
        }
    }
    titles
}

/// SQLite FTS5 over the same titles and texts, built once.
fn fts(n: usize) -> Connection {
    fts5::open_or_build(&data_dir().join(format!("fts5-{n}.sqlite")), &corpus(n)).expect("sqlite")
}

fn bench_scale(c: &mut Criterion) {
    let n = docs();
    let idx = index(n);
    let ranker = Ranker::default();
    let raw_parser = QueryParser::for_index(&idx.index, vec![idx.fields.title, idx.fields.body]);
    let conn = fts(n);
    let mut stmt = conn.prepare(fts5::SEARCH).expect("prepare");
    let mut group = c.benchmark_group(format!("scale_{n}"));
    for (kind, q) in QUERIES {
        let params = SearchParams::new(*q, 10);
        group.bench_function(format!("{kind}/ours_with_snippets"), |b| {
            b.iter(|| black_box(search_with(&idx, &params, &ranker).expect("search")))
        });
        // The search box's ranking alone: plan (expansion, typos), candidates, full scoring and
        // feedback reordering, without totals, facets, stored articles or snippets.
        group.bench_function(format!("{kind}/ours_ranking_only"), |b| {
            b.iter(|| {
                let searcher = idx.searcher();
                let plan = ranker.plan(parse(q).expect("parse"), &searcher, &idx);
                let stats = RequestStats::new(&searcher);
                let within = Within { query: Arc::new(AllQuery), meaning_floor: f32::INFINITY };
                let scope = Scope::Rerank(within);
                black_box(ranker.retrieve(&stats, &idx, &plan, &Filters::default(), scope, 10, None).expect("rank"))
            })
        });
        // The chatbot's and evaluation's retrieval, where feedback may add articles (a second
        // candidate search), ids and URLs read from the store.
        let ranking = Ranking::Ours(ranker.clone());
        group.bench_function(format!("{kind}/ours_retrieval"), |b| {
            b.iter(|| black_box(rank(&idx, q, 10, &ranking).expect("rank")))
        });
        let raw = raw_parser.parse_query_lenient(q).0;
        group.bench_function(format!("{kind}/raw_tantivy"), |b| {
            b.iter(|| black_box(idx.searcher().search(&raw, &TopDocs::with_limit(10).order_by_score()).expect("raw")))
        });
        let fq = fts5::query(q).unwrap_or_default();
        group.bench_function(format!("{kind}/sqlite_fts5_with_snippets"), |b| {
            b.iter(|| {
                let rows: Vec<(String, String)> = stmt
                    .query_map([&fq], |r| Ok((r.get(0)?, r.get(2)?)))
                    .expect("query")
                    .filter_map(Result::ok)
                    .collect();
                black_box(rows)
            })
        });
    }
    // The load script's query log in miniature: 100 distinct article titles, each searched once
    // with snippets, as the search box sends them (a mix of common and rare words).
    let titles = query_log(n, 100);
    group.bench_function("query_log/100_titles", |b| {
        b.iter(|| {
            for t in &titles {
                black_box(search_with(&idx, &SearchParams::new(t.as_str(), 10), &ranker).expect("search"));
            }
        })
    });
    // Snippets for a page of 10 hits (best section, then the highlighted cut), apart from
    // reading the stored articles, which any result display needs.
    let q = "back pain after birth";
    let top = idx.searcher().search(&raw_parser.parse_query_lenient(q).0, &TopDocs::with_limit(10).order_by_score());
    let addrs: Vec<_> = top.expect("top 10").into_iter().map(|(_, a)| a).collect();
    let load = || -> Vec<Article> {
        let searcher = idx.searcher();
        addrs.iter().map(|a| stored_article(&idx, &searcher.doc(*a).expect("doc")).expect("article")).collect()
    };
    let articles = load();
    group.bench_function("snippets/10_hits", |b| {
        b.iter(|| {
            let weights: HashMap<String, f32> = analyze(q).into_iter().map(|t| (t, 1.0)).collect();
            let hl = Highlighter::new(weights);
            let out: Vec<Option<String>> =
                articles.iter().map(|a| hl.best_section(a).and_then(|(_, snippet)| snippet)).collect();
            black_box(out)
        })
    });
    group.bench_function("stored_articles/10_hits", |b| b.iter(|| black_box(load())));
    let suggester = Suggester::build(&idx, &ranker.vocab).expect("suggester");
    for typed in ["back pa", "gestational d", "postpartm"] {
        group.bench_function(format!("suggest/{typed}"), |b| b.iter(|| black_box(suggester.suggest(typed, 8))));
    }
    let p = PassageParams {
        q: "how long does postpartum back pain last".into(),
        k: 5,
        max_chars: 800,
        filters: Default::default(),
        semantic_ratio: None,
    };
    group.bench_function("passages/question", |b| b.iter(|| black_box(passages(&idx, &p, &ranker).expect("passages"))));
    group.finish();
}

fn bench_indexing(c: &mut Criterion) {
    let n = 10_000;
    let path = corpus(n);
    let mut group = c.benchmark_group("indexing");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("jsonl_{n}_docs"), |b| {
        b.iter(|| {
            let dir = tempfile::tempdir().expect("tmp");
            let idx = HealthIndex::create(dir.path()).expect("create");
            black_box(ingest(&idx, &Input::Jsonl(path.clone())).expect("ingest"))
        })
    });
    group.finish();
}

/// Not a benchmark: the size of the index on disk, printed for the notes.
fn report_size(_: &mut Criterion) {
    let n = docs();
    let dir = data_dir().join(format!("index-{n}-v{}", healthsearch::index::storage::schema::SCHEMA_VERSION));
    eprintln!("index of {n} documents: {:.0} MiB on disk", dir_size(&dir) as f64 / 1048576.0);
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map_or(0, |rd| rd.filter_map(Result::ok).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = bench_scale, bench_indexing, report_size
}
criterion_main!(benches);
