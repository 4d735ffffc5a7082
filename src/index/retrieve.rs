//! Two-phase retrieval: a flat disjunction of boosted term queries picks candidates with
//! block-max WAND (it skips what cannot reach the top), then only those candidates are scored with
//! the full query (field disjunction-max, phrase and proximity boosts, feedback) and the recency
//! boost. The full query alone would score every matching document.

use super::feedback::{self, Scope};
use super::filter::Filters;
use super::plan::QueryPlan;
use super::query::{Part, build_candidates, build_parts};
use super::ranker::Ranker;
use super::{HealthIndex, IndexError};
use std::collections::BTreeMap;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Scorer, Weight};
use tantivy::{DateTime, DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult};

/// A leaf's weight and its field boost.
type BoostedWeight = (Box<dyn Weight>, f32);

/// Candidates taken from the first phase (more when a deeper page is asked for).
pub const CANDIDATES: usize = 100;

/// The best `k` documents for a plan, best first, with their full scores.
pub fn retrieve(
    ranker: &Ranker,
    searcher: &Searcher,
    index: &HealthIndex,
    plan: &QueryPlan,
    filters: &Filters,
    scope: Scope,
    k: usize,
) -> Result<Vec<(Score, DocAddress)>, IndexError> {
    let f = &index.fields;
    let flat = build_candidates(plan, f, &ranker.boosts);
    let mut full = build_parts(plan, f, &ranker.boosts);
    let pool = CANDIDATES.max(k + k / 2);
    let candidates = top_flat(searcher, filters, clone_all(&flat), pool, f)?;
    let first = rescore(ranker, searcher, &full, &candidates)?;
    let Some(fb) = ranker.feedback.filter(|_| first.len() >= feedback::MIN_HITS) else {
        return Ok(first.into_iter().take(k).collect());
    };
    let expansion = feedback::clauses(searcher, index, &first, plan.parsed.positive_terms().len(), &fb)?;
    if expansion.is_empty() {
        return Ok(first.into_iter().take(k).collect());
    }
    let candidates = match scope {
        Scope::Rerank => candidates,
        Scope::Expand => {
            let mut all = clone_all(&flat);
            all.extend(clone_all(&expansion));
            top_flat(searcher, filters, all, pool, f)?
        }
    };
    full.extend(expansion.into_iter().map(|(_, q)| Part::leaf(q, 1.0)));
    let mut scored = rescore(ranker, searcher, &full, &candidates)?;
    scored.truncate(k);
    Ok(scored)
}

fn clone_all(clauses: &[(Occur, Box<dyn Query>)]) -> Vec<(Occur, Box<dyn Query>)> {
    clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect()
}

/// The first phase: the top `n` of the flat query (filters as a required clause).
fn top_flat(
    searcher: &Searcher,
    filters: &Filters,
    clauses: Vec<(Occur, Box<dyn Query>)>,
    n: usize,
    f: &super::schema::Fields,
) -> Result<Vec<DocAddress>, IndexError> {
    let query = filters.apply(Box::new(BooleanQuery::new(clauses)), f);
    let top = searcher.search(query.as_ref(), &TopDocs::with_limit(n.max(1)).order_by_score())?;
    Ok(top.into_iter().map(|(_, addr)| addr).collect())
}

/// Scores `candidates` with the full query's parts and the recency boost, best first (documents
/// no `Should` part matches, or a `MustNot` part matches, are dropped). Every leaf (one name in
/// one field) gets its own scorer that seeks straight to each candidate: a `BooleanQuery` would
/// advance its union through whole blocks of documents, and a phrase scorer would look for its
/// first match from the start of the segment.
pub fn rescore(
    ranker: &Ranker,
    searcher: &Searcher,
    parts: &[Part],
    candidates: &[DocAddress],
) -> Result<Vec<(Score, DocAddress)>, IndexError> {
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let mut weights: Vec<Vec<Vec<BoostedWeight>>> = Vec::with_capacity(parts.len());
    for part in parts {
        let mut groups = Vec::with_capacity(part.groups.len());
        for group in &part.groups {
            let leaves =
                group.iter().map(|(q, b)| q.weight(scoring).map(|w| (w, *b))).collect::<Result<Vec<_>, _>>()?;
            groups.push(leaves);
        }
        weights.push(groups);
    }
    let mut by_segment: BTreeMap<u32, Vec<DocId>> = BTreeMap::new();
    for a in candidates {
        by_segment.entry(a.segment_ord).or_default().push(a.doc_id);
    }
    let now = DateTime::from_timestamp_secs(chrono::Utc::now().timestamp());
    let mut out = Vec::with_capacity(candidates.len());
    for (ord, mut docs) in by_segment {
        docs.sort_unstable();
        docs.dedup();
        let segment = searcher.segment_reader(ord);
        let mut leaves: Vec<Vec<Vec<Leaf>>> = Vec::with_capacity(weights.len());
        for groups in &weights {
            let mut g = Vec::with_capacity(groups.len());
            for group in groups {
                g.push(
                    group
                        .iter()
                        .map(|(w, boost)| Leaf { weight: w.as_ref(), boost: *boost, scorer: None, bound: 0 })
                        .collect(),
                );
            }
            leaves.push(g);
        }
        let reviewed = (ranker.boosts.recency > 0.0)
            .then(|| segment.fast_fields().date(super::schema::name::REVIEWED).ok())
            .flatten()
            .map(|c| c.first_or_default_col(DateTime::MIN));
        'docs: for doc in docs {
            let mut score = 0.0;
            let mut matched = false;
            for (part, groups) in parts.iter().zip(leaves.iter_mut()) {
                let mut best_group: Option<f32> = None;
                for group in groups.iter_mut() {
                    let (mut max, mut sum, mut any) = (0.0f32, 0.0f32, false);
                    for leaf in group.iter_mut() {
                        if let Some(s) = leaf.score_at(segment, doc)? {
                            max = max.max(s);
                            sum += s;
                            any = true;
                        }
                    }
                    if any {
                        let g = max + part.tie * (sum - max);
                        best_group = Some(best_group.map_or(g, |b: f32| b.max(g)));
                    }
                }
                match (part.occur, best_group) {
                    (Occur::MustNot, Some(_)) => continue 'docs,
                    (Occur::Must, None) => continue 'docs,
                    (Occur::Should | Occur::Must, Some(g)) => {
                        score += part.weight * g;
                        matched = true;
                    }
                    _ => {}
                }
            }
            if !matched {
                continue;
            }
            if let Some(col) = &reviewed {
                score *= 1.0 + ranker.boosts.recency * super::ranker::freshness(col.get_val(doc), now);
            }
            out.push((score, DocAddress::new(ord, doc)));
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(out)
}

/// One leaf's scorer in one segment, created at the first candidate it is asked about and then
/// only moved forward with `seek_danger`, never to a document below the bound it last reported.
struct Leaf<'a> {
    weight: &'a dyn Weight,
    boost: f32,
    scorer: Option<Box<dyn Scorer>>,
    /// No document below this can match.
    bound: DocId,
}

impl Leaf<'_> {
    /// The leaf's boosted score at `doc`, if it matches. Candidates come in increasing order.
    fn score_at(&mut self, segment: &tantivy::SegmentReader, doc: DocId) -> Result<Option<f32>, IndexError> {
        if doc < self.bound {
            return Ok(None);
        }
        let result = match &mut self.scorer {
            None => {
                let (result, scorer) = self.weight.scorer_danger(segment, doc, 1.0)?;
                self.scorer = Some(scorer);
                result
            }
            // A scorer already past `doc` (exhausted, or moved beyond the bound it reported) does
            // not match it, and must not be sought backwards.
            Some(scorer) if scorer.doc() > doc => SeekDangerResult::SeekLowerBound(scorer.doc()),
            Some(scorer) => scorer.seek_danger(doc),
        };
        self.bound = match result {
            SeekDangerResult::Found => doc + 1,
            SeekDangerResult::SeekLowerBound(b) => b,
        };
        Ok(match (&mut self.scorer, result) {
            (Some(scorer), SeekDangerResult::Found) => Some(scorer.score() * self.boost),
            _ => None,
        })
    }
}
