//! Fuzz target: any text as a search, suggestion and passage query on the bundled corpus.
#![no_main]

use healthsearch::index::HealthIndex;
use healthsearch::index::present::suggest::Suggester;
use std::sync::LazyLock;

static INDEX: LazyLock<(tempfile::TempDir, HealthIndex, Suggester)> = LazyLock::new(|| {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (index, suggester) = healthsearch::fuzzing::corpus_index(dir.path(), &corpus).expect("the corpus indexes");
    (dir, index, suggester)
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (_, index, suggester) = &*INDEX;
    healthsearch::fuzzing::query(index, suggester, data)
});
