//! State shared by every request: the one open index (with its one reader) and limits.

use crate::index::HealthIndex;
use crate::index::search::Ranker;
use std::sync::Arc;
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
}

impl AppState {
    pub fn new(index: HealthIndex) -> AppState {
        AppState::shared(Arc::new(index))
    }

    /// State over an index the caller also holds.
    pub fn shared(index: Arc<HealthIndex>) -> AppState {
        AppState { index, ranker: Arc::new(Ranker::default()), search_timeout: DEFAULT_SEARCH_TIMEOUT }
    }
}
