//! Ranking: the configuration every search shares (weights, vocabulary, typo tolerance, recency)
//! and the step from a query string to scored documents.

use super::feedback::{Feedback, Scope};
use super::filter::Filters;
use super::fusion::{QueryMeaning, Semantic};
use super::query::build_baseline;
use super::stats::RequestStats;
use super::typo::IndexLexicon;
use crate::index::storage::stored::stored_text;
use crate::index::{HealthIndex, IndexError};
use crate::query::Boosts;
use crate::query::{ParsedQuery, QueryError, QueryPlan, parse, plan};
use crate::vocab::Vocabulary;
use std::sync::{Arc, LazyLock};
use tantivy::collector::TopDocs;
use tantivy::{DateTime, Searcher, TantivyDocument};

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
    /// Ranking by meaning too (when the model is loaded).
    pub semantic: Option<Semantic>,
}

impl Default for Ranker {
    fn default() -> Self {
        Ranker {
            boosts: Boosts::default(),
            vocab: BUNDLED.clone(),
            typos: true,
            feedback: Some(Feedback::default()),
            semantic: None,
        }
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
    #[error(transparent)]
    Engine(#[from] crate::engine::opensearch::OsError),
}

impl Ranker {
    /// Plans a parsed query against this index.
    pub fn plan(&self, parsed: ParsedQuery, searcher: &Searcher, index: &HealthIndex) -> QueryPlan {
        let model = self.semantic.as_ref().map(|s| s.embedder.model());
        let knows = |w: &str| model.is_some_and(|m| m.knows_word(w));
        let f = &index.fields;
        let stemmed = f.texts();
        let lexicon = IndexLexicon { searcher, surface: f.words, stemmed: &stemmed, language: Some(&knows) };
        plan(parsed, self.typos.then_some(&lexicon as &dyn crate::query::Lexicon), Some(&self.vocab))
    }

    /// The meaning of a query, when this ranking uses it; `ratio` overrides the default
    /// semantic ratio (0 turns meaning off for the request). The model reads the query as typed,
    /// followed by the names of the concepts the vocabulary found in it: the model may not know
    /// that a "noggin" is a head, or "hemroids" piles, and the vocabulary does.
    pub fn meaning(
        &self,
        q: &str,
        plan: &QueryPlan,
        ratio: Option<f32>,
        index: &HealthIndex,
        searcher: &Searcher,
    ) -> Result<Option<QueryMeaning>, IndexError> {
        let Some(s) = &self.semantic else { return Ok(None) };
        QueryMeaning::new(s, ratio, &meaning_text(q, plan), index, searcher)
    }
}

/// The text the model reads for a query: the query as typed, then the concepts the vocabulary
/// found in it that the query does not already name.
pub fn meaning_text(q: &str, plan: &QueryPlan) -> String {
    let typed = q.to_lowercase();
    let mut concepts: Vec<String> = Vec::new();
    for e in &plan.expansions {
        let name = e.concept.replace('-', " ");
        if !concepts.contains(&name) && !typed.contains(&name) {
            concepts.push(name);
        }
    }
    if concepts.is_empty() { q.to_string() } else { format!("{q} ({})", concepts.join(", ")) }
}

/// 1 for an article reviewed today, falling by half every two years; 0 for an undated one.
pub fn freshness(reviewed: DateTime, now: DateTime) -> f32 {
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
            let meaning = ranker.meaning(q, &plan, None, index, &searcher)?;
            let stats = RequestStats::new(&searcher);
            let top = ranker.retrieve(&stats, index, &plan, &Filters::default(), Scope::Expand, k, meaning.as_ref())?;
            top.into_iter().map(|(s, a)| (s.fused, a)).collect()
        }
        Ranking::Baseline => {
            let query = build_baseline(&parsed, &index.fields);
            searcher.search(&query, &TopDocs::with_limit(k.max(1)).order_by_score()).map_err(IndexError::from)?
        }
    };
    let text = |doc: &TantivyDocument, f| stored_text(doc, f).to_string();
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
