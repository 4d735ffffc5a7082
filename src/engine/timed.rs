//! An engine whose every call is timed and counted by outcome: what `/metrics` reports as the
//! engine's latency (for a cluster, the time its round trips take; for the embedded index, the
//! time it ranks).

use super::{ArticleKey, ContentVersion, Engine, EngineHealth};
use crate::article::Article;
use crate::index::present::editorial::{Citing, Related, Stale};
use crate::index::present::passages::{Passage, PassageParams};
use crate::index::present::search::{Ranker, SearchError, SearchParams, SearchResponse};
use crate::index::present::suggest::Suggester;
use crate::index::ranking::filter::FacetValue;
use crate::vocab::Vocabulary;
use chrono::NaiveDate;
use std::sync::Arc;
use std::time::Instant;

/// Where the timings go.
pub trait Timings: Send + Sync {
    /// One call of `operation` on `engine`, whether it answered, and how long it took.
    fn engine_call(&self, engine: &'static str, operation: &'static str, ok: bool, seconds: f64);
}

/// An engine reporting each call's time to [`Timings`].
pub struct Timed {
    inner: Arc<dyn Engine>,
    timings: Arc<dyn Timings>,
}

impl Timed {
    pub fn new(inner: Arc<dyn Engine>, timings: Arc<dyn Timings>) -> Timed {
        Timed { inner, timings }
    }

    fn time<T>(
        &self,
        operation: &'static str,
        call: impl FnOnce() -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let started = Instant::now();
        let out = call();
        self.timings.engine_call(self.inner.name(), operation, out.is_ok(), started.elapsed().as_secs_f64());
        out
    }
}

impl Engine for Timed {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn search(&self, p: &SearchParams, ranker: &Ranker) -> Result<SearchResponse, SearchError> {
        self.time("search", || self.inner.search(p, ranker))
    }

    fn passages(&self, p: &PassageParams, ranker: &Ranker) -> Result<Vec<Passage>, SearchError> {
        self.time("passages", || self.inner.passages(p, ranker))
    }

    fn article(&self, key: &ArticleKey) -> Result<Option<Article>, SearchError> {
        self.time("article", || self.inner.article(key))
    }

    fn articles(&self, offset: usize, limit: usize) -> Result<(Vec<Article>, usize), SearchError> {
        self.time("articles", || self.inner.articles(offset, limit))
    }

    fn related(&self, key: &ArticleKey, limit: usize) -> Result<Option<(Article, Vec<Related>)>, SearchError> {
        self.time("related", || self.inner.related(key, limit))
    }

    fn citing(&self, key: &str, limit: usize) -> Result<(Vec<Citing>, usize), SearchError> {
        self.time("citing", || self.inner.citing(key, limit))
    }

    fn stale(&self, cutoff: NaiveDate, limit: usize, offset: usize) -> Result<(Vec<Stale>, usize), SearchError> {
        self.time("stale", || self.inner.stale(cutoff, limit, offset))
    }

    fn topics(&self, limit: usize) -> Result<Vec<FacetValue>, SearchError> {
        self.time("topics", || self.inner.topics(limit))
    }

    fn health(&self) -> Result<EngineHealth, SearchError> {
        self.time("health", || self.inner.health())
    }

    fn content_version(&self) -> Result<ContentVersion, SearchError> {
        self.time("content_version", || self.inner.content_version())
    }

    fn suggester(&self, vocab: &Vocabulary) -> Result<Suggester, SearchError> {
        self.time("suggester", || self.inner.suggester(vocab))
    }
}
