//! State shared by every request: the one open index (with its one reader), the ranking, the
//! suggestion lists of the current index state, and limits.

use super::admin::Admin;
use super::cache::{DEFAULT_CACHE_MIB, ResponseCache};
use super::limits::RateLimit;
use super::metrics::Metrics;
use crate::index::search::Ranker;
use crate::index::suggest::Suggester;
use crate::index::{HealthIndex, IndexError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Longest a search may run before the request is answered with `search_timeout`.
pub const DEFAULT_SEARCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Cloned into every handler; clones share the index.
#[derive(Clone)]
pub struct AppState {
    pub index: Arc<HealthIndex>,
    /// Ranking configuration (weights, vocabulary), built once.
    pub ranker: Arc<Ranker>,
    pub search_timeout: Duration,
    /// Which browser origins may call the API.
    pub cors: Cors,
    pub metrics: Arc<Metrics>,
    /// Cached search responses (`None`: off).
    pub cache: Option<Arc<ResponseCache>>,
    /// State-changing endpoints (`None`: off).
    pub admin: Option<Arc<Admin>>,
    /// Per-client limits on the page and the API (`None`: off).
    pub rate_limit: Option<Arc<RateLimit>>,
    suggestions: Arc<Suggestions>,
}

/// Cross-origin access to the API (for `/widget.js` on other sites).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cors {
    /// Any origin may read the API (it is public and read-only; no credentials are sent).
    #[default]
    Any,
    /// Only these origins (`https://example.org`).
    Origins(Vec<String>),
    /// No cross-origin access.
    Off,
}

/// The suggester built for one index generation; rebuilt in the background after a commit.
#[derive(Default)]
struct Suggestions {
    current: RwLock<Option<(u64, Arc<Suggester>)>>,
    building: AtomicBool,
    first_build: Mutex<()>,
}

impl AppState {
    pub fn new(index: HealthIndex) -> AppState {
        AppState::shared(Arc::new(index))
    }

    /// State over an index the caller also holds.
    pub fn shared(index: Arc<HealthIndex>) -> AppState {
        AppState {
            index,
            ranker: Arc::new(Ranker::default()),
            search_timeout: DEFAULT_SEARCH_TIMEOUT,
            cors: Cors::default(),
            metrics: Arc::default(),
            cache: Some(Arc::new(ResponseCache::new(DEFAULT_CACHE_MIB))),
            admin: None,
            rate_limit: None,
            suggestions: Arc::default(),
        }
    }

    /// The suggester for the index as it is now. Blocking: the first call builds it; after a
    /// commit the previous one keeps answering while a new one is built in the background.
    pub fn suggester(&self) -> Result<Arc<Suggester>, IndexError> {
        let generation = self.index.searcher().generation().generation_id();
        let cached = self.suggestions.current.read().ok().and_then(|c| c.clone());
        match cached {
            Some((g, s)) if g == generation => Ok(s),
            Some((_, stale)) => {
                if !self.suggestions.building.swap(true, Ordering::AcqRel) {
                    let state = self.clone();
                    std::thread::spawn(move || {
                        if let Err(e) = state.rebuild_suggester() {
                            tracing::warn!(error = %e, "suggestions were not rebuilt");
                        }
                        state.suggestions.building.store(false, Ordering::Release);
                    });
                }
                Ok(stale)
            }
            None => {
                let _one_at_a_time = self.suggestions.first_build.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((_, s)) = self.suggestions.current.read().ok().and_then(|c| c.clone()) {
                    return Ok(s);
                }
                self.rebuild_suggester()
            }
        }
    }

    fn rebuild_suggester(&self) -> Result<Arc<Suggester>, IndexError> {
        let generation = self.index.searcher().generation().generation_id();
        let built = Arc::new(Suggester::build(&self.index, &self.ranker.vocab)?);
        if let Ok(mut slot) = self.suggestions.current.write() {
            *slot = Some((generation, built.clone()));
        }
        tracing::info!(entries = built.len(), generation, "suggestions built");
        Ok(built)
    }
}
