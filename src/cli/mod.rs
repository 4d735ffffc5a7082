//! The commands of the `healthsearch` binary, one module each, and what they share: site rules,
//! the ranking with extra vocabularies, and where output goes.

pub mod engine;
pub mod eval;
pub mod extract;
pub mod gen_corpus;
pub mod ingest;
pub mod mcp;
pub mod model;
pub mod output;
pub mod search;
pub mod serve;

use healthsearch::index::present::search::Ranker;
use healthsearch::ingest::site_rules::SiteRules;
use healthsearch::text::count;
use healthsearch::vocab::load::add_file;
use output::note;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Runs candle's element-wise kernels on the calling thread unless `CANDLE_NUM_THREADS` says
/// otherwise. Passages are embedded a batch per core on rayon; candle's own spinning helper pool
/// under each batch would fight those batches for the same cores (one thread each embedded 17-19
/// passages/s on two cores, against 14.5 with the helpers), and a search embeds its query beside
/// other searches. Matrix products still split across cores. Call before any thread starts.
pub fn one_kernel_thread_per_task() {
    if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
        // SAFETY: called first in `main`, before the process has any other thread that could
        // read the environment at the same time.
        unsafe { std::env::set_var("CANDLE_NUM_THREADS", "1") };
    }
}

/// The default ranking with the bundled vocabulary plus any given files.
pub fn ranker_with(vocab: &[PathBuf]) -> anyhow::Result<Ranker> {
    let mut ranker = Ranker::default();
    if !vocab.is_empty() {
        let mut v = (*ranker.vocab).clone();
        for path in vocab {
            let added = add_file(&mut v, path)?;
            note!("vocabulary {}: {}", path.display(), count(added, "concept", "concepts"));
        }
        ranker.vocab = Arc::new(v);
    }
    Ok(ranker)
}

/// Site rules from a TOML file, or none.
pub fn load_sites(path: Option<&Path>) -> anyhow::Result<SiteRules> {
    Ok(match path {
        Some(p) => SiteRules::load(p)?,
        None => SiteRules::default(),
    })
}
