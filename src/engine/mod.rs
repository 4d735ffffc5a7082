//! What the service asks of an engine, and the engines that answer: the embedded Tantivy index
//! ([`crate::index`], nothing to install) and an OpenSearch cluster ([`opensearch`]), for users
//! who outgrow one machine. Query understanding ([`crate::query`]), extraction, snippets and
//! passages stay ours, so both answer with the same JSON.

pub mod embedded;
pub mod opensearch;
pub mod timed;

pub use timed::{Timed, Timings};

use crate::article::Article;
use crate::index::present::editorial::{Citing, Related, Stale};
use crate::index::present::passages::{Passage, PassageParams};
use crate::index::present::search::{Ranker, SearchError, SearchParams, SearchResponse};
use crate::index::present::suggest::Suggester;
use crate::index::ranking::filter::FacetValue;
use crate::vocab::Vocabulary;
use chrono::NaiveDate;

/// An article named by its URL (however written) or by its id.
#[derive(Debug, Clone)]
pub enum ArticleKey {
    Url(String),
    Id(String),
}

/// The engine's state, for `/healthz`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EngineHealth {
    /// `tantivy` or `opensearch`.
    pub engine: &'static str,
    /// Articles searchable.
    pub articles: u64,
    /// The cluster's health (`green`, `yellow`, `red`), for OpenSearch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Nodes in the cluster, for OpenSearch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<u32>,
}

/// Which articles a search reads: `version` changes whenever they do (a hash, or a version's
/// number); `generation` orders the states an engine went through (newer ones come later).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentVersion {
    pub generation: u64,
    pub version: u64,
}

/// Everything the API reads from an engine. Blocking: handlers call it on the blocking pool.
pub trait Engine: Send + Sync {
    /// `tantivy` or `opensearch`.
    fn name(&self) -> &'static str;
    /// A page of ranked results with facets, totals and snippets.
    fn search(&self, p: &SearchParams, ranker: &Ranker) -> Result<SearchResponse, SearchError>;
    /// The best passages for a question.
    fn passages(&self, p: &PassageParams, ranker: &Ranker) -> Result<Vec<Passage>, SearchError>;
    /// The stored article, if there is one.
    fn article(&self, key: &ArticleKey) -> Result<Option<Article>, SearchError>;
    /// A page of every stored article, in an order that holds while the articles do not change,
    /// and how many there are.
    fn articles(&self, offset: usize, limit: usize) -> Result<(Vec<Article>, usize), SearchError>;
    /// The article and those related to it, best first; `None` when there is no such article.
    fn related(&self, key: &ArticleKey, limit: usize) -> Result<Option<(Article, Vec<Related>)>, SearchError>;
    /// Articles citing the source with this key, up to `limit`, and how many there are.
    fn citing(&self, key: &str, limit: usize) -> Result<(Vec<Citing>, usize), SearchError>;
    /// Articles due for review at `cutoff`, oldest first: a page and the total.
    fn stale(&self, cutoff: NaiveDate, limit: usize, offset: usize) -> Result<(Vec<Stale>, usize), SearchError>;
    /// The categories with the most articles, at most `limit`, most first.
    fn topics(&self, limit: usize) -> Result<Vec<FacetValue>, SearchError>;
    /// The engine's state (an error when it cannot be reached).
    fn health(&self) -> Result<EngineHealth, SearchError>;
    /// Which articles a search reads now: responses are cached and suggestions built per version.
    fn content_version(&self) -> Result<ContentVersion, SearchError>;
    /// Completions for the search box, from every article's title and headings and the
    /// vocabulary's names that occur in the articles.
    fn suggester(&self, vocab: &Vocabulary) -> Result<Suggester, SearchError>;
}
