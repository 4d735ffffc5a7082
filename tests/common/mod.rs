//! Shared test fixtures: the bundled corpus indexed once per test binary in a temporary directory.

#![allow(dead_code)]

pub mod site;

use healthsearch::index::HealthIndex;
use healthsearch::ingest::{Source, ingest};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tempfile::TempDir;

/// The repository's bundled site mirror.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

struct Fixture {
    _dir: TempDir,
    index: Arc<HealthIndex>,
}

static CORPUS_INDEX: OnceLock<Fixture> = OnceLock::new();

/// The bundled corpus, indexed once for the whole test binary.
pub fn corpus_index() -> Arc<HealthIndex> {
    CORPUS_INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let index = HealthIndex::create(dir.path()).expect("create index");
            let report = ingest(&index, &Source::Mirror(corpus_dir())).expect("ingest corpus");
            assert!(report.failed.is_empty(), "corpus pages failed: {:?}", report.failed);
            Fixture { _dir: dir, index: Arc::new(index) }
        })
        .index
        .clone()
}

/// Copies a directory tree (a mirror to modify in a test).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}
