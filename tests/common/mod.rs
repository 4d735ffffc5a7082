//! Shared test fixtures: the bundled corpus indexed once per test binary in a temporary directory.

#![allow(dead_code)]

pub mod engines;
pub mod model;
pub mod site;

use healthsearch::index::HealthIndex;
use healthsearch::ingest::{IngestReport, Input, ingest};
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
            let report = ingest(&index, &Input::Mirror(corpus_dir())).expect("ingest corpus");
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

/// The lochia page of the bundled mirror, relative to the mirror's root.
pub const LOCHIA_PAGE: &str = "www.bumptobaby.example/after-the-birth/your-body/lochia.html";

/// The lochia page's HTML with `word` added to its title.
pub fn retitle_lochia(html: &str, word: &str) -> String {
    html.replace("Bleeding after birth (lochia)", &format!("Bleeding after birth (lochia) {word}"))
}

/// A copy of the bundled mirror, free to change, with an empty index beside it, in a temporary
/// directory removed on drop.
pub struct MirrorCopy {
    _work: TempDir,
    pub mirror: PathBuf,
    pub index: Arc<HealthIndex>,
}

impl MirrorCopy {
    pub fn new() -> MirrorCopy {
        let work = tempfile::tempdir().expect("tmp");
        let mirror = work.path().join("mirror");
        copy_dir(&corpus_dir(), &mirror);
        let index = Arc::new(HealthIndex::create(&work.path().join("index")).expect("create"));
        MirrorCopy { _work: work, mirror, index }
    }

    /// Ingests the mirror as it is now.
    /// Ingests the mirror and makes the commit visible at once: a reader reloading on its own
    /// later would change the index generation between two requests of a test.
    pub fn ingest(&self) -> IngestReport {
        let report = ingest(&self.index, &Input::Mirror(self.mirror.clone())).expect("ingest");
        self.index.reload().expect("reload");
        report
    }

    /// Adds `word` to the lochia page's title in the mirror.
    pub fn retitle_lochia(&self, word: &str) {
        let page = self.mirror.join(LOCHIA_PAGE);
        let html = std::fs::read_to_string(&page).expect("read");
        std::fs::write(&page, retitle_lochia(&html, word)).expect("write");
    }
}

/// A file under `../shared/` that a test can do without: `None` (after a note, so the test
/// passes) when it is missing, unless `HEALTHSEARCH_REQUIRE_DATA=1` (as CI sets), where a
/// missing file fails the test instead of letting it pass untested.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared").join(rel);
    if p.exists() {
        return Some(p);
    }
    let required = std::env::var("HEALTHSEARCH_REQUIRE_DATA").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "HEALTHSEARCH_REQUIRE_DATA=1 but {} is missing: ../shared/ should sit beside the repository",
        p.display()
    );
    eprintln!("skipped: {} is not present (set HEALTHSEARCH_REQUIRE_DATA=1 to make this an error)", p.display());
    None
}

/// A file under `../shared/` beside the repository (present on developers' machines and in CI).
pub fn shared_path(rel: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared").join(rel);
    assert!(p.exists(), "{} is missing: ../shared/ should sit beside the repository", p.display());
    p
}
