//! The installed sentence-embedding model, loaded once per test binary.

use healthsearch::semantic::{Embedder, default_models_dir, installed};
use std::sync::{Arc, OnceLock};

static MODEL: OnceLock<Option<Arc<Embedder>>> = OnceLock::new();

/// The installed model, or `None` (with a note) when it is missing and not required
/// (`HEALTHSEARCH_REQUIRE_MODEL=1` makes that a failure).
pub fn model() -> Option<Arc<Embedder>> {
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
