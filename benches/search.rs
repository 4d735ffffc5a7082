//! Benchmarks on the bundled corpus: query latency by kind, snippet-bearing search, and
//! extraction throughput. Run with `cargo bench`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use healthsearch::index::HealthIndex;
use healthsearch::index::present::search::{SearchParams, search};
use healthsearch::ingest::decode::decode;
use healthsearch::ingest::files::mirror_pages;
use healthsearch::ingest::{Input, extract, ingest};
use std::hint::black_box;
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn bench_search(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let index = HealthIndex::create(dir.path()).expect("create");
    ingest(&index, &Input::Mirror(corpus())).expect("ingest");
    let mut group = c.benchmark_group("search");
    for (kind, q) in [
        ("single_term", "jaundice"),
        ("several_terms", "back pain after birth"),
        ("phrase", "\"pelvic girdle pain\""),
        ("lay_query", "tummy gap after pregnancy"),
    ] {
        let params = SearchParams::new(q, 10);
        group.bench_function(kind, |b| b.iter(|| black_box(search(&index, &params).expect("search"))));
    }
    group.finish();
}

fn bench_extract(c: &mut Criterion) {
    let pages: Vec<(String, String)> = mirror_pages(&corpus())
        .expect("pages")
        .into_iter()
        .map(|p| (decode(&std::fs::read(&p.path).expect("read"), None).0, p.url))
        .collect();
    let bytes: usize = pages.iter().map(|(h, _)| h.len()).sum();
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("bundled_mirror", |b| {
        b.iter(|| {
            for (html, url) in &pages {
                let _ = black_box(extract(html, url));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_search, bench_extract);
criterion_main!(benches);
