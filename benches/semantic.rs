//! The semantic path's costs: embedding a query (uncached; through the query path and through the
//! f32 model), embedding passages in batches, and the exact int8 scan over stored vectors. Needs the installed model
//! (`healthsearch model install`); without it the benchmarks say so and do nothing.
//! Run with `cargo bench --bench semantic`; `RAYON_NUM_THREADS=1` for one core.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use healthsearch::semantic::vectors::{Code, dot_i8};
use healthsearch::semantic::{DIM, Embedder, default_models_dir, installed};
use std::hint::black_box;

fn embedder() -> Option<Embedder> {
    let Some(dir) = installed(&default_models_dir()) else {
        eprintln!("no model installed: run healthsearch model install");
        return None;
    };
    Embedder::load(&dir).ok()
}

fn bench_model(c: &mut Criterion) {
    let Some(e) = embedder() else { return };
    let mut group = c.benchmark_group("embed");
    for (kind, q) in [
        ("query_short", "sore noggin while expecting"),
        ("query_long", "baby screams after feeds and pulls his legs up to his tummy every evening"),
    ] {
        // The path a search takes (int8 where the CPU has VNNI), then the f32 batch model's.
        group.bench_function(kind, |b| b.iter(|| black_box(e.model().embed_one(q).expect("embed"))));
        group.bench_function(format!("{kind}_f32"), |b| b.iter(|| black_box(e.model().embed(&[q]).expect("embed"))));
    }
    let passage = "Back pain after birth. Most back pain after giving birth eases within a few months as \
        the muscles and ligaments that softened in pregnancy recover. Gentle exercise, good posture when \
        feeding and lifting, and support for the lower back all help. See a doctor or midwife if the pain \
        is severe, comes with fever, or spreads down a leg with numbness.";
    let batch: Vec<&str> = vec![passage; 16];
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.sample_size(10);
    group.bench_function("passages_16", |b| b.iter(|| black_box(e.model().embed(&batch).expect("embed"))));
    group.finish();
}

fn bench_scan(c: &mut Criterion) {
    let vectors = 100_000usize;
    let codes: Vec<i8> = (0..vectors * DIM).map(|i| ((i * 7919) % 255) as i8).collect();
    let q = Code { section: 0, scale: 1.0, code: (0..DIM).map(|i| ((i * 31) % 255) as i8).collect() };
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Elements(vectors as u64));
    group.bench_function("int8_100k_vectors", |b| {
        b.iter_batched(
            || (),
            |_| {
                let mut best = i32::MIN;
                for v in codes.chunks_exact(DIM) {
                    best = best.max(dot_i8(v, &q.code));
                }
                black_box(best)
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_model, bench_scan);
criterion_main!(benches);
