//! Two-phase retrieval: a flat disjunction of boosted term queries picks candidates with
//! block-max WAND (it skips what cannot reach the top), then only those candidates are scored with
//! the full query (field disjunction-max, phrase and proximity boosts, feedback) and the recency
//! boost. The full query alone would score every matching document.

use super::audience;
use super::candidates::build_candidates;
use super::coverage::coverage;
use super::feedback::{self, Scope};
use super::filter::Filters;
use super::fusion::{QueryMeaning, Scores};
use super::matching::Within;
use super::query::{BoolClause, Part, build_parts};
use super::ranker::Ranker;
use super::rescore::{Sum, Sums};
use super::stats::RequestStats;
use crate::index::{HealthIndex, IndexError};
use crate::query::QueryPlan;
use std::collections::BTreeMap;
use tantivy::collector::TopDocs;
use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, ConstScoreQuery, Occur};
use tantivy::{DateTime, DocAddress, Score, Searcher, Term};

/// Candidates taken from the first phase (more when a deeper page is asked for).
pub const CANDIDATES: usize = 100;
/// Share of the articles above which a feedback word does not look for new candidates.
const COMMON_FEEDBACK_WORD: f32 = 0.1;

/// Candidates for the search box, whose feedback only reorders them.
pub const SEARCH_BOX_CANDIDATES: usize = 50;

impl Ranker {
    /// The best `k` documents for a plan, best first, with their scores: lexical alone, or fused
    /// with the query's meaning when `meaning` is given (articles found by meaning alone join the
    /// candidates).
    #[allow(clippy::too_many_arguments)]
    pub fn retrieve(
        &self,
        stats: &RequestStats,
        index: &HealthIndex,
        plan: &QueryPlan,
        filters: &Filters,
        scope: Scope,
        k: usize,
        meaning: Option<&QueryMeaning>,
    ) -> Result<Vec<(Scores, DocAddress)>, IndexError> {
        let lexical = self.retrieve_lexical(stats, index, plan, filters, &scope, k, meaning)?;
        let searcher = stats.searcher();
        let Some(m) = meaning else {
            let only = |(s, a): (Score, DocAddress)| (Scores { lexical: Some(s), semantic: None, fused: s }, a);
            let mut hits: Vec<(Scores, DocAddress)> = lexical.ranked.into_iter().map(only).collect();
            audience::prefer(searcher, &plan.audience, &mut hits);
            hits.truncate(k);
            return Ok(hits);
        };
        let trust = lexical.ranked.first().map_or(0.0, |(_, a)| coverage(stats, index, plan, *a));
        let mut fused = m.fuse(&lexical.ranked, &lexical.by_meaning, &lexical.dropped, trust);
        audience::prefer(searcher, &plan.audience, &mut fused);
        fused.truncate(k);
        Ok(fused)
    }

    /// The lexical ranking of the candidates (those found by meaning included).
    #[allow(clippy::too_many_arguments)]
    fn retrieve_lexical(
        &self,
        stats: &RequestStats,
        index: &HealthIndex,
        plan: &QueryPlan,
        filters: &Filters,
        scope: &Scope,
        k: usize,
        meaning: Option<&QueryMeaning>,
    ) -> Result<Lexical, IndexError> {
        let f = &index.fields;
        let searcher = stats.searcher();
        let body_df = |t: &str| stats.doc_freq(&Term::from_field_text(f.body, t)).unwrap_or(0);
        let flat = build_candidates(plan, f, &self.boosts, body_df);
        let full = build_parts(plan, f, &self.boosts);
        let pool = match scope {
            // Reranking what the query matches: 50 candidates rank the first page as well as 100 do
            // (NFCorpus dev nDCG@10 0.3176 both, through this path), 10-25% faster.
            Scope::Rerank(_) => SEARCH_BOX_CANDIDATES.max(k + k / 2),
            Scope::Expand => CANDIDATES.max(k + k / 2),
        };
        let within = match scope {
            Scope::Rerank(within) => Some(within),
            Scope::Expand => None,
        };
        let by_meaning = match (meaning, within) {
            // In the search box, an article joins by meaning only when it matches by meaning.
            (Some(m), Some(within)) => {
                let mut near = m.nearest(searcher, filters, f, pool)?;
                near.retain(|(c, _)| *c >= within.meaning_floor);
                near
            }
            (Some(m), None) => m.nearest(searcher, filters, f, pool)?,
            (None, _) => Vec::new(),
        };
        let mut candidates = top_flat(stats, searcher, filters, within, clone_all(&flat), pool, f)?;
        with_meaning(&mut candidates, &by_meaning);
        let mut sums = Sums::default();
        sums.add(stats, searcher, &full, &candidates)?;
        let first = self.ranked(searcher, &sums);
        let done = |sums: &Sums, ranked| Lexical { ranked, dropped: sums.dropped(), by_meaning: by_meaning.clone() };
        let Some(fb) = self.feedback.filter(|_| first.len() >= feedback::MIN_HITS) else {
            return Ok(done(&sums, first));
        };
        let words = feedback::words(searcher, index, &first, plan.parsed.positive_terms().len(), &fb)?;
        if words.is_empty() {
            return Ok(done(&sums, first));
        }
        let candidates = match scope {
            Scope::Rerank(_) => candidates,
            Scope::Expand => {
                // Feedback words found in most articles bring in nothing a query word did not and
                // slow block-max WAND down: only the rarer ones look for new candidates (every
                // word still scores them below).
                let common = (searcher.num_docs() as f32 * COMMON_FEEDBACK_WORD) as u64;
                let mut all = clone_all(&flat);
                all.extend(
                    words.iter().filter(|(t, _)| body_df(t) <= common).map(|(t, w)| feedback::body_term(index, t, *w)),
                );
                let mut more = top_flat(stats, searcher, filters, within, all, pool, f)?;
                with_meaning(&mut more, &by_meaning);
                // Only candidates new to this pass need the full query; the others keep their sums.
                let new: Vec<DocAddress> = more.iter().filter(|a| !sums.seen(a)).copied().collect();
                sums.add(stats, searcher, &full, &new)?;
                sums.keep_only(&more);
                more
            }
        };
        let feedback_parts: Vec<Part> =
            words.iter().map(|(t, w)| Part::leaf(feedback::body_term(index, t, *w).1, 1.0)).collect();
        sums.add(stats, searcher, &feedback_parts, &candidates)?;
        let scored = self.ranked(searcher, &sums);
        Ok(done(&sums, scored))
    }

    /// The matched documents of `sums` with the recency boost, best first.
    fn ranked(&self, searcher: &Searcher, sums: &Sums) -> Vec<(Score, DocAddress)> {
        let now = DateTime::from_timestamp_secs(chrono::Utc::now().timestamp());
        let mut columns = BTreeMap::new();
        let mut out: Vec<(Score, DocAddress)> = Vec::with_capacity(sums.docs.len());
        for (addr, sum) in &sums.docs {
            let Sum::Matched(mut score) = *sum else { continue };
            if self.boosts.recency > 0.0 {
                let column = columns.entry(addr.segment_ord).or_insert_with(|| {
                    let segment = searcher.segment_reader(addr.segment_ord);
                    segment
                        .fast_fields()
                        .date(crate::index::storage::schema::name::REVIEWED)
                        .ok()
                        .map(|c| c.first_or_default_col(DateTime::MIN))
                });
                if let Some(col) = column {
                    score *= 1.0 + self.boosts.recency * super::ranker::freshness(col.get_val(addr.doc_id), now);
                }
            }
            out.push((score, *addr));
        }
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        out
    }
}

/// The lexical side of a retrieval: matched candidates with their scores, best first; the
/// candidates the query excludes; and the articles found by meaning.
struct Lexical {
    ranked: Vec<(Score, DocAddress)>,
    dropped: std::collections::HashSet<DocAddress>,
    by_meaning: Vec<(f32, DocAddress)>,
}

/// Adds the articles found by meaning to the lexical candidates.
fn with_meaning(candidates: &mut Vec<DocAddress>, by_meaning: &[(f32, DocAddress)]) {
    for (_, a) in by_meaning {
        if !candidates.contains(a) {
            candidates.push(*a);
        }
    }
}

fn clone_all(clauses: &[BoolClause]) -> Vec<BoolClause> {
    clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect()
}

/// The first phase: the top `n` of the flat query (filters, and the plan's match set when it has
/// one, as required clauses).
fn top_flat(
    stats: &RequestStats,
    searcher: &Searcher,
    filters: &Filters,
    within: Option<&Within>,
    mut clauses: Vec<BoolClause>,
    n: usize,
    f: &crate::index::storage::schema::Fields,
) -> Result<Vec<DocAddress>, IndexError> {
    if let Some(within) = within {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(within.query.box_clone(), 0.0))));
    }
    let query = filters.apply(Box::new(BooleanQuery::new(clauses)), f);
    let top = searcher.search_with_statistics_provider(
        query.as_ref(),
        &TopDocs::with_limit(n.max(1)).order_by_score(),
        stats,
    )?;
    Ok(top.into_iter().map(|(_, addr)| addr).collect())
}
