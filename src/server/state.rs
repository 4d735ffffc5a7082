//! State shared by every request: the one open index (with its one reader), the ranking, the
//! suggestion lists of the current index state, and limits.

use super::admin_job::Admin;
use super::cache::{DEFAULT_CACHE_MIB, ResponseCache};
use super::error::{ApiError, ErrorCode};
use super::limits::{Limiting, RateLimit};
use super::metrics::{Metrics, Tracking};
use super::page::notice::Notice;
use super::workers::Workers;
use crate::engine::{Engine, Timed};
use crate::index::HealthIndex;
use crate::index::present::search::Ranker;
use crate::index::present::suggest::Suggester;
use crate::mcp::McpHttp;
use axum::extract::FromRef;
use axum::http::{HeaderValue, header};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, TryLockError};
use std::time::{Duration, Instant};

/// Longest a suggestion request waits for the first suggester build (seconds for a million
/// articles) before it is answered with `suggestions_not_ready`.
pub const FIRST_BUILD_WAIT: Duration = Duration::from_secs(1);

/// Requests slower than this are logged at WARN by default (`serve --slow-ms`).
pub const DEFAULT_SLOW_REQUEST: Duration = Duration::from_millis(500);

/// Longest a search may run before the request is answered with `search_timeout`.
pub const DEFAULT_SEARCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Cloned into every handler; clones share the index.
#[derive(Clone)]
pub struct AppState {
    /// What searches and editors' lists read.
    pub engine: Arc<dyn Engine>,
    /// The embedded index, when the engine is it: suggestions, reloads, ingests through the
    /// API and MCP's article listing read it (`None` on a cluster).
    pub index: Option<Arc<HealthIndex>>,
    /// Ranking configuration (weights, vocabulary), built once.
    pub ranker: Arc<Ranker>,
    pub search_timeout: Duration,
    /// Where searches run, so many at once.
    pub workers: Workers,
    /// Which browser origins may call the API.
    pub cors: Cors,
    pub metrics: Arc<Metrics>,
    /// Cached search responses (`None`: off).
    pub cache: Option<Arc<ResponseCache>>,
    /// State-changing endpoints (`None`: off).
    pub admin: Option<Arc<Admin>>,
    /// Per-client limits on the page and the API (`None`: off).
    pub rate_limit: Option<Arc<RateLimit>>,
    /// Requests taking at least this long are logged at WARN (every request is logged at DEBUG).
    pub slow_request: Duration,
    /// What the search page says about medical advice and urgent symptoms.
    pub notice: Arc<Notice>,
    /// The MCP endpoint `/mcp` (`None`: off).
    pub mcp: Option<Arc<McpHttp>>,
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
    current: RwLock<Option<Arc<Suggester>>>,
    building: AtomicBool,
    first_build: Mutex<()>,
}

impl AppState {
    pub fn new(index: HealthIndex) -> AppState {
        AppState::shared(Arc::new(index))
    }

    /// State over an index the caller also holds.
    pub fn shared(index: Arc<HealthIndex>) -> AppState {
        let engine: Arc<dyn Engine> = index.clone();
        let on = AppState::on(engine);
        AppState { index: Some(index), workers: Workers::embedded().observed(on.metrics.pool()), ..on }
    }

    /// State over an engine reached over the network (its searches get the wider pool);
    /// reloads and ingests through the API need the embedded index ([`AppState::shared`]).
    pub fn on(engine: Arc<dyn Engine>) -> AppState {
        let metrics: Arc<Metrics> = Arc::default();
        AppState {
            engine: Arc::new(Timed::new(engine, metrics.clone())),
            index: None,
            ranker: Arc::new(Ranker::default()),
            search_timeout: DEFAULT_SEARCH_TIMEOUT,
            workers: Workers::cluster().observed(metrics.pool()),
            cors: Cors::default(),
            metrics,
            cache: Some(Arc::new(ResponseCache::new(DEFAULT_CACHE_MIB))),
            admin: None,
            rate_limit: None,
            slow_request: DEFAULT_SLOW_REQUEST,
            notice: Arc::default(),
            mcp: None,
            suggestions: Arc::default(),
        }
    }

    /// The suggester for the index as it is now. Blocking: the first call builds it (or waits up
    /// to [`FIRST_BUILD_WAIT`] for the build the server started, then answers
    /// `suggestions_not_ready`); after a commit the previous one keeps answering while a new one
    /// is built in the background.
    pub fn suggester(&self) -> Result<Arc<Suggester>, ApiError> {
        let generation = self.engine.content_version()?.version;
        match self.current_suggester() {
            Some(s) if s.generation() == generation => Ok(s),
            Some(stale) => {
                if !self.suggestions.building.swap(true, Ordering::AcqRel) {
                    let state = self.clone();
                    std::thread::spawn(move || {
                        if let Err(e) = state.rebuild_suggester() {
                            tracing::warn!(error = ?e, "suggestions were not rebuilt");
                        }
                        state.suggestions.building.store(false, Ordering::Release);
                    });
                }
                Ok(stale)
            }
            None => self.first_suggester(),
        }
    }

    fn current_suggester(&self) -> Option<Arc<Suggester>> {
        self.suggestions.current.read().ok().and_then(|c| c.clone())
    }

    /// Builds the first suggester, or waits a moment for the build already running.
    fn first_suggester(&self) -> Result<Arc<Suggester>, ApiError> {
        let deadline = Instant::now() + FIRST_BUILD_WAIT;
        loop {
            let turn = match self.suggestions.first_build.try_lock() {
                Ok(guard) => Some(guard),
                Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            };
            if let Some(s) = self.current_suggester() {
                return Ok(s);
            }
            if let Some(_one_at_a_time) = turn {
                return self.rebuild_suggester();
            }
            if Instant::now() >= deadline {
                return Err(ApiError::new(
                    ErrorCode::SuggestionsNotReady,
                    "suggestions are still being built; retry shortly",
                )
                .with_header(header::RETRY_AFTER, HeaderValue::from(1)));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The embedded index, or `not_supported_by_engine` for what only it can do.
    pub fn embedded(&self) -> Result<&Arc<HealthIndex>, ApiError> {
        self.index.as_ref().ok_or_else(|| {
            ApiError::new(ErrorCode::NotSupportedByEngine, "the search engine this service runs on does not offer this")
        })
    }

    fn rebuild_suggester(&self) -> Result<Arc<Suggester>, ApiError> {
        let built = Arc::new(self.engine.suggester(&self.ranker.vocab)?);
        if let Ok(mut slot) = self.suggestions.current.write() {
            *slot = Some(built.clone());
        }
        tracing::info!(entries = built.len(), generation = built.generation(), "suggestions built");
        Ok(built)
    }
}

impl FromRef<AppState> for Limiting {
    fn from_ref(st: &AppState) -> Limiting {
        Limiting { rate_limit: st.rate_limit.clone(), metrics: st.metrics.clone() }
    }
}

impl FromRef<AppState> for Tracking {
    fn from_ref(st: &AppState) -> Tracking {
        Tracking {
            metrics: st.metrics.clone(),
            engine: st.engine.clone(),
            index: st.index.clone(),
            slow_request: st.slow_request,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexError;

    #[test]
    fn a_request_during_the_first_suggester_build_is_told_when_to_retry() -> Result<(), IndexError> {
        let dir = tempfile::tempdir()?;
        let st = AppState::new(HealthIndex::create(dir.path())?);
        let building = st.suggestions.first_build.lock().unwrap_or_else(|p| p.into_inner());
        let err = st.suggester().err().map(|e| (e.code, e.headers));
        assert_eq!(err, Some((ErrorCode::SuggestionsNotReady, vec![(header::RETRY_AFTER, HeaderValue::from(1))])));
        drop(building);
        assert!(st.suggester().is_ok(), "once nobody is building, the request builds it");
        Ok(())
    }
}
