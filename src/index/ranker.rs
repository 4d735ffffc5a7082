//! Ranking: the configuration every search shares (weights, vocabulary, typo tolerance, recency)
//! and the step from a query string to scored documents.

use super::feedback::{self, Feedback, Scope};
use super::plan::{QueryPlan, plan};
use super::query::{Boosts, ParsedQuery, QueryError, build, build_baseline, parse};
use super::{HealthIndex, IndexError};
use crate::vocab::Vocabulary;
use std::sync::{Arc, LazyLock};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DateTime, DocAddress, Score, Searcher, TantivyDocument};

static BUNDLED: LazyLock<Arc<Vocabulary>> = LazyLock::new(|| Arc::new(Vocabulary::bundled()));

/// Seconds in a year, for the recency boost.
const YEAR_SECS: f32 = 365.25 * 24.0 * 3600.0;

/// The ranking configuration, built once and shared by every request.
#[derive(Debug, Clone)]
pub struct Ranker {
    pub boosts: Boosts,
    pub vocab: Arc<Vocabulary>,
    pub typos: bool,
    /// Pseudo-relevance feedback (on by default; it costs a second, smaller search).
    pub feedback: Option<Feedback>,
}

impl Default for Ranker {
    fn default() -> Self {
        Ranker { boosts: Boosts::default(), vocab: BUNDLED.clone(), typos: true, feedback: Some(Feedback::default()) }
    }
}

/// How results are ranked.
#[derive(Debug, Clone)]
pub enum Ranking {
    /// The production ranking.
    Ours(Ranker),
    /// Plain BM25 over all text, the comparison point for evaluation.
    Baseline,
}

/// One ranked article, identified without reading its stored JSON.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub id: String,
    pub url: String,
    pub score: f32,
}

/// Why a search could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl Ranker {
    /// Plans a parsed query against this index.
    pub fn plan(&self, parsed: ParsedQuery, searcher: &Searcher, index: &HealthIndex) -> QueryPlan {
        plan(parsed, searcher, &index.fields, Some(&self.vocab), self.typos)
    }

    /// The query with pseudo-relevance feedback added, when it is on.
    pub fn with_feedback(
        &self,
        searcher: &Searcher,
        index: &HealthIndex,
        query: Box<dyn Query>,
        query_terms: usize,
        scope: Scope,
    ) -> Result<Box<dyn Query>, IndexError> {
        let Some(fb) = self.feedback else { return Ok(query) };
        let (first, hits) = self.top(searcher, query.as_ref(), fb.docs, 0)?;
        if hits < feedback::MIN_HITS {
            // A query that finds one or two articles is already specific: their words would only
            // bring in articles the user did not ask for.
            return Ok(query);
        }
        feedback::expand(searcher, index, query, &first, query_terms, &fb, scope)
    }

    /// The top `limit` documents after `offset`, with the recency boost, and the match count.
    pub fn top(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<(Score, DocAddress)>, usize), IndexError> {
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);
        let weight = self.boosts.recency;
        if weight <= 0.0 {
            return Ok(searcher.search(query, &(top.order_by_score(), Count))?);
        }
        let now = DateTime::from_timestamp_secs(chrono::Utc::now().timestamp());
        let field = super::schema::name::REVIEWED;
        let collector = top.tweak_score(move |segment: &tantivy::SegmentReader| {
            let column = segment.fast_fields().date(field).ok().map(|c| c.first_or_default_col(DateTime::MIN));
            move |doc: tantivy::DocId, score: Score| {
                let reviewed = column.as_ref().map_or(DateTime::MIN, |c| c.get_val(doc));
                score * (1.0 + weight * freshness(reviewed, now))
            }
        });
        Ok(searcher.search(query, &(collector, Count))?)
    }
}

/// 1 for an article reviewed today, falling by half every two years; 0 for an undated one.
fn freshness(reviewed: DateTime, now: DateTime) -> f32 {
    if reviewed == DateTime::MIN {
        return 0.0;
    }
    let age_years = ((now.into_timestamp_secs() - reviewed.into_timestamp_secs()).max(0) as f32) / YEAR_SECS;
    0.5f32.powf(age_years / 2.0)
}

/// The top `k` articles for a query, ranked as the API ranks them but without snippets.
pub fn rank(index: &HealthIndex, q: &str, k: usize, ranking: &Ranking) -> Result<Vec<Ranked>, SearchError> {
    let parsed = parse(q)?;
    let searcher = index.searcher();
    let top = match ranking {
        Ranking::Ours(ranker) => {
            let plan = ranker.plan(parsed, &searcher, index);
            let query = build(&plan, &index.fields, &ranker.boosts);
            let query =
                ranker.with_feedback(&searcher, index, query, plan.parsed.positive_terms().len(), Scope::Expand)?;
            ranker.top(&searcher, query.as_ref(), k, 0)?.0
        }
        Ranking::Baseline => {
            let query = build_baseline(&parsed, &index.fields);
            searcher.search(&query, &TopDocs::with_limit(k.max(1)).order_by_score()).map_err(IndexError::from)?
        }
    };
    let text = |doc: &TantivyDocument, f| doc.get_first(f).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let mut out = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr).map_err(IndexError::from)?;
        out.push(Ranked { id: text(&doc, index.fields.id), url: text(&doc, index.fields.url), score });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_halves_every_two_years() {
        let now = DateTime::from_timestamp_secs(1_700_000_000);
        let two_years_ago = DateTime::from_timestamp_secs(1_700_000_000 - (2.0 * YEAR_SECS) as i64);
        assert!((freshness(now, now) - 1.0).abs() < 1e-6);
        assert!((freshness(two_years_ago, now) - 0.5).abs() < 1e-3);
        assert_eq!(freshness(DateTime::MIN, now), 0.0);
    }
}
