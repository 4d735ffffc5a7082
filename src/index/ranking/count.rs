//! Counting matches up to a limit: the exact number of matches is rarely worth scanning every
//! posting of a common word for, so totals are exact up to [`TOTAL_LIMIT`] and a lower bound above.

use crate::index::IndexError;
use serde::Serialize;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocSet, Searcher, TERMINATED, Term};
use utoipa::ToSchema;

/// Totals are exact up to this many matches (as Elasticsearch's `track_total_hits` default).
pub const TOTAL_LIMIT: usize = 10_000;

/// Whether a total is the exact count or a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// `total` is the number of matches.
    Eq,
    /// At least `total` articles match.
    Gte,
}

impl Relation {
    /// A count that was made in full, reported as [`count_up_to`] would with `limit`.
    pub fn bounded(count: usize, limit: Option<usize>) -> (usize, Relation) {
        match limit {
            Some(limit) if count >= limit => (limit, Relation::Gte),
            _ => (count, Relation::Eq),
        }
    }
}

/// The number of live documents matching `query`, counting no further than `limit` (`None`: all).
pub fn count_up_to(
    searcher: &Searcher,
    query: &dyn Query,
    limit: Option<usize>,
) -> Result<(usize, Relation), IndexError> {
    let Some(limit) = limit else {
        return Ok((searcher.search(query, &tantivy::collector::Count)?, Relation::Eq));
    };
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut total = 0usize;
    for segment in searcher.segment_readers() {
        let alive = segment.alive_bitset();
        let mut scorer = weight.scorer(segment, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                total += 1;
                if total >= limit {
                    return Ok((total, Relation::Gte));
                }
            }
            doc = scorer.advance();
        }
    }
    Ok((total, Relation::Eq))
}

/// A lower bound on the live documents containing at least one of `terms`: per segment, the
/// largest document frequency less the segment's deleted documents. Read from the term
/// dictionaries alone, without visiting a posting.
pub fn lower_bound(searcher: &Searcher, terms: &[Term]) -> Result<usize, IndexError> {
    let mut total = 0usize;
    for segment in searcher.segment_readers() {
        let mut most = 0u32;
        for t in terms {
            most = most.max(segment.inverted_index(t.field())?.doc_freq(t)?);
        }
        total += most.saturating_sub(segment.num_deleted_docs()) as usize;
    }
    Ok(total)
}
