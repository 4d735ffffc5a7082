//! One test suite, two engines: tests listed in `on_both_engines!` run once on the embedded
//! index and once on an OpenSearch cluster (the one `HEALTHSEARCH_OPENSEARCH` names, with the
//! bundled corpus ingested into its own alias). Their helpers read the engine of the test
//! running from [`ENGINE`]. Without a cluster the OpenSearch runs are skipped, unless
//! `HEALTHSEARCH_REQUIRE_OPENSEARCH=1` (CI) makes that a failure.

use healthsearch::engine::opensearch::{OpenSearch, OsStore};
use healthsearch::ingest::{Extractor, Input};
use healthsearch::server::state::AppState;
use std::sync::{Arc, OnceLock};

/// The alias the tests' articles live under on the cluster.
pub const TEST_ALIAS: &str = "healthsearch_test";

tokio::task_local! {
    /// The state of the engine the running test is on.
    pub static ENGINE: AppState;
}

/// The state of the engine the running test is on (the embedded index outside `on_both_engines!`).
pub fn current_state() -> AppState {
    ENGINE.try_with(AppState::clone).unwrap_or_else(|_| embedded_state())
}

/// The embedded index of the bundled corpus.
pub fn embedded_state() -> AppState {
    AppState::shared(super::corpus_index())
}

/// The cluster's node URLs, if tests may use one.
pub fn opensearch_urls() -> Option<String> {
    let urls = std::env::var("HEALTHSEARCH_OPENSEARCH").ok().filter(|u| !u.trim().is_empty());
    if urls.is_none() && std::env::var("HEALTHSEARCH_REQUIRE_OPENSEARCH").is_ok_and(|v| v == "1") {
        panic!("HEALTHSEARCH_REQUIRE_OPENSEARCH=1 but HEALTHSEARCH_OPENSEARCH names no cluster");
    }
    urls
}

static CLUSTER: OnceLock<Option<AppState>> = OnceLock::new();

/// The bundled corpus on the cluster (ingested once per test binary), or `None` without one.
pub fn opensearch_state() -> Option<AppState> {
    CLUSTER
        .get_or_init(|| {
            let urls = opensearch_urls()?;
            // The blocking client may not run on the test's async thread.
            let os = std::thread::spawn(move || {
                let os = OpenSearch::connect(&[urls], TEST_ALIAS).expect("node URLs");
                let dir = tempfile::tempdir().expect("temp dir");
                let store = OsStore::begin(&os, dir.path()).expect("a new version on the cluster");
                let report =
                    healthsearch::ingest::run(store, &Input::Mirror(super::corpus_dir()), &Extractor::default())
                        .expect("the corpus ingests into the cluster");
                assert!(report.failed.is_empty(), "corpus pages failed: {:?}", report.failed);
                os
            })
            .join()
            .expect("cluster setup");
            Some(AppState::on(Arc::new(os)))
        })
        .clone()
}

/// Runs each listed `async fn()` test on both engines: `on_tantivy::NAME` and `on_opensearch::NAME`.
#[allow(unused_macros)]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod on_tantivy {
            $(
                #[tokio::test]
                async fn $name() {
                    let state = super::common::engines::embedded_state();
                    super::common::engines::ENGINE.scope(state, super::$name()).await
                }
            )*
        }
        mod on_opensearch {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(state) = super::common::engines::opensearch_state() else {
                        eprintln!("skipped: no OpenSearch cluster (HEALTHSEARCH_OPENSEARCH)");
                        return;
                    };
                    super::common::engines::ENGINE.scope(state, super::$name()).await
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use on_both_engines;
