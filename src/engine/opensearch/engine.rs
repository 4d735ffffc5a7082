//! The cluster as an [`Engine`].

use super::cluster::OpenSearch;
use super::{editorial, passages, search, suggest};
use crate::article::Article;
use crate::engine::{ArticleKey, ContentVersion, Engine, EngineHealth};
use crate::index::present::editorial::{Citing, Related, Stale};
use crate::index::present::passages::{Passage, PassageParams};
use crate::index::present::search::{Ranker, SearchError, SearchParams, SearchResponse};
use crate::index::present::suggest::Suggester;
use crate::index::ranking::filter::FacetValue;
use crate::vocab::Vocabulary;
use chrono::NaiveDate;

impl Engine for OpenSearch {
    fn name(&self) -> &'static str {
        "opensearch"
    }

    fn search(&self, p: &SearchParams, ranker: &Ranker) -> Result<SearchResponse, SearchError> {
        search::search(self, p, ranker)
    }

    fn passages(&self, p: &PassageParams, ranker: &Ranker) -> Result<Vec<Passage>, SearchError> {
        passages::passages(self, p, ranker)
    }

    fn article(&self, key: &ArticleKey) -> Result<Option<Article>, SearchError> {
        Ok(editorial::article(self, key)?)
    }

    fn articles(&self, offset: usize, limit: usize) -> Result<(Vec<Article>, usize), SearchError> {
        Ok(editorial::page(self, offset, limit)?)
    }

    fn related(&self, key: &ArticleKey, limit: usize) -> Result<Option<(Article, Vec<Related>)>, SearchError> {
        Ok(editorial::related(self, key, limit)?)
    }

    fn citing(&self, key: &str, limit: usize) -> Result<(Vec<Citing>, usize), SearchError> {
        Ok(editorial::citing(self, key, limit)?)
    }

    fn stale(&self, cutoff: NaiveDate, limit: usize, offset: usize) -> Result<(Vec<Stale>, usize), SearchError> {
        Ok(editorial::stale(self, cutoff, limit, offset)?)
    }

    fn topics(&self, limit: usize) -> Result<Vec<FacetValue>, SearchError> {
        Ok(editorial::topics(self, limit)?)
    }

    fn health(&self) -> Result<EngineHealth, SearchError> {
        let h = OpenSearch::health(self)?;
        Ok(EngineHealth {
            engine: Engine::name(self),
            articles: self.count()?,
            cluster: Some(h.status),
            nodes: Some(h.number_of_nodes),
        })
    }

    fn content_version(&self) -> Result<ContentVersion, SearchError> {
        Ok(suggest::content_version(self)?)
    }

    fn suggester(&self, vocab: &Vocabulary) -> Result<Suggester, SearchError> {
        Ok(suggest::suggester(self, vocab)?)
    }
}
