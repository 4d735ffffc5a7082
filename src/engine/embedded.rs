//! The embedded Tantivy index as an [`Engine`].

use super::{ArticleKey, ContentVersion, Engine, EngineHealth};
use crate::article::Article;
use crate::index::present::editorial::{Citing, Related, Stale, citing, doc_by_url, related, stale};
use crate::index::present::passages::{Passage, PassageParams, passages};
use crate::index::present::search::{Ranker, SearchError, SearchParams, SearchResponse, search_with};
use crate::index::present::suggest::Suggester;
use crate::index::ranking::filter::{FacetCounter, FacetValue, facet_values};
use crate::index::storage::lookup::{article_page, doc_with};
use crate::index::storage::schema::name::CATEGORY;
use crate::index::storage::stored::stored_article;
use crate::index::{HealthIndex, IndexError};
use crate::vocab::Vocabulary;
use chrono::NaiveDate;
use tantivy::query::AllQuery;
use tantivy::{Searcher, TantivyDocument};

/// The stored document an article key names.
fn doc(index: &HealthIndex, searcher: &Searcher, key: &ArticleKey) -> Result<Option<TantivyDocument>, SearchError> {
    Ok(match key {
        ArticleKey::Url(url) => doc_by_url(index, searcher, url.trim())?,
        ArticleKey::Id(id) => doc_with(searcher, index.fields.id, id.trim())?,
    })
}

impl Engine for HealthIndex {
    fn name(&self) -> &'static str {
        "tantivy"
    }

    fn search(&self, p: &SearchParams, ranker: &Ranker) -> Result<SearchResponse, SearchError> {
        search_with(self, p, ranker)
    }

    fn passages(&self, p: &PassageParams, ranker: &Ranker) -> Result<Vec<Passage>, SearchError> {
        passages(self, p, ranker)
    }

    fn article(&self, key: &ArticleKey) -> Result<Option<Article>, SearchError> {
        match doc(self, &self.searcher(), key)? {
            Some(d) => Ok(Some(stored_article(self, &d)?)),
            None => Ok(None),
        }
    }

    fn articles(&self, offset: usize, limit: usize) -> Result<(Vec<Article>, usize), SearchError> {
        Ok(article_page(self, offset, limit)?)
    }

    fn related(&self, key: &ArticleKey, limit: usize) -> Result<Option<(Article, Vec<Related>)>, SearchError> {
        let searcher = self.searcher();
        match doc(self, &searcher, key)? {
            Some(d) => Ok(Some(related(self, &searcher, &d, limit)?)),
            None => Ok(None),
        }
    }

    fn citing(&self, key: &str, limit: usize) -> Result<(Vec<Citing>, usize), SearchError> {
        Ok(citing(self, key, limit)?)
    }

    fn stale(&self, cutoff: NaiveDate, limit: usize, offset: usize) -> Result<(Vec<Stale>, usize), SearchError> {
        Ok(stale(self, cutoff, limit, offset)?)
    }

    fn topics(&self, limit: usize) -> Result<Vec<FacetValue>, SearchError> {
        let counts = self.searcher().search(&AllQuery, &FacetCounter::new(CATEGORY)).map_err(IndexError::from)?;
        Ok(facet_values(counts, &[], limit))
    }

    fn health(&self) -> Result<EngineHealth, SearchError> {
        Ok(EngineHealth { engine: self.name(), articles: self.num_docs(), cluster: None, nodes: None })
    }

    fn content_version(&self) -> Result<ContentVersion, SearchError> {
        let searcher = self.searcher();
        let generation = searcher.generation().generation_id();
        Ok(ContentVersion { generation, version: crate::index::storage::content_version(&searcher) })
    }

    fn suggester(&self, vocab: &Vocabulary) -> Result<Suggester, SearchError> {
        Ok(Suggester::build(self, vocab)?)
    }
}
