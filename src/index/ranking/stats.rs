//! BM25 statistics remembered for one request: the candidate phase, the full query and feedback
//! score the same terms in the same fields, and each would otherwise look every term up in every
//! segment's term dictionary again.

use crate::query::TermStats;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// A [`Bm25StatisticsProvider`] over a searcher that computes each statistic once.
pub struct RequestStats<'a> {
    searcher: &'a Searcher,
    docs: Cell<Option<u64>>,
    tokens: RefCell<HashMap<Field, u64>>,
    doc_freqs: RefCell<HashMap<Term, u64>>,
}

impl<'a> RequestStats<'a> {
    pub fn new(searcher: &'a Searcher) -> RequestStats<'a> {
        RequestStats { searcher, docs: Cell::new(None), tokens: RefCell::default(), doc_freqs: RefCell::default() }
    }

    /// The searcher the statistics are read from.
    pub fn searcher(&self) -> &'a Searcher {
        self.searcher
    }

    /// Scoring with these statistics (the same figures as the searcher's own).
    pub fn scoring(&'a self) -> EnableScoring<'a> {
        EnableScoring::enabled_from_statistics_provider(self, self.searcher)
    }

    /// These statistics for the terms of one field, as query understanding reads them.
    pub fn of(&self, field: Field) -> FieldStats<'_, 'a> {
        FieldStats { stats: self, field }
    }
}

/// The request's statistics of one field ([`RequestStats::of`]).
pub struct FieldStats<'r, 'a> {
    stats: &'r RequestStats<'a>,
    field: Field,
}

impl TermStats for FieldStats<'_, '_> {
    fn num_docs(&self) -> u64 {
        self.stats.searcher.num_docs()
    }

    fn doc_freq(&self, term: &str) -> u64 {
        self.stats.doc_freq(&Term::from_field_text(self.field, term)).unwrap_or(0)
    }
}

impl Bm25StatisticsProvider for RequestStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(n) = self.tokens.borrow().get(&field) {
            return Ok(*n);
        }
        let n = self.searcher.total_num_tokens(field)?;
        self.tokens.borrow_mut().insert(field, n);
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        if let Some(n) = self.docs.get() {
            return Ok(n);
        }
        let n = self.searcher.total_num_docs()?;
        self.docs.set(Some(n));
        Ok(n)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(n) = self.doc_freqs.borrow().get(term) {
            return Ok(*n);
        }
        let n = self.searcher.doc_freq(term)?;
        self.doc_freqs.borrow_mut().insert(term.clone(), n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::HealthIndex;

    #[test]
    fn gives_the_searchers_own_figures() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let index = HealthIndex::create(dir.path())?;
        let searcher = index.searcher();
        let stats = RequestStats::new(&searcher);
        let term = Term::from_field_text(index.fields.body, "pain");
        for _ in 0..2 {
            assert_eq!(stats.doc_freq(&term)?, searcher.doc_freq(&term)?);
            assert_eq!(stats.total_num_docs()?, Bm25StatisticsProvider::total_num_docs(&searcher)?);
            assert_eq!(stats.total_num_tokens(index.fields.body)?, searcher.total_num_tokens(index.fields.body)?);
        }
        Ok(())
    }
}
