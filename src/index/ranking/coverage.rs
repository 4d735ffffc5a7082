//! How much of a query the best lexical match covers: the share of its words' weight (their
//! rarity) that the article contains, a word counting as found when one of its vocabulary names
//! is. Fusion trusts the lexical side by this much: a best match that only has "sore" of "sore
//! noggin while expecting" should not outrank what the query means.

use super::stats::RequestStats;
use crate::index::HealthIndex;
use crate::query::{QueryPlan, TermStats, is_stop_term, rarity};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Term};

/// The weighted share (0..1) of the plan's typed words that the article at `addr` contains;
/// 1 for a query without words.
pub fn coverage(stats: &RequestStats, index: &HealthIndex, plan: &QueryPlan, addr: DocAddress) -> f32 {
    let field = index.fields.any_text;
    let searcher = stats.searcher();
    let segment = searcher.segment_reader(addr.segment_ord);
    let Ok(inverted) = segment.inverted_index(field) else { return 1.0 };
    let has = |t: &str| -> bool {
        let term = Term::from_field_text(field, t);
        match inverted.read_postings(&term, IndexRecordOption::Basic) {
            // A fresh posting list stands on its first document: seek only forward.
            Ok(Some(mut p)) => p.doc() == addr.doc_id || (p.doc() < addr.doc_id && p.seek(addr.doc_id) == addr.doc_id),
            _ => false,
        }
    };
    coverage_by(plan, &stats.of(field), has)
}

/// The weighted share (0..1) of the plan's typed words found by `has` (whether the article holds
/// an analyzed term), each weighed by its rarity in `stats`; 1 for a query without words.
pub fn coverage_by(plan: &QueryPlan, stats: &dyn TermStats, has: impl Fn(&str) -> bool) -> f32 {
    let (mut found, mut total) = (0.0f32, 0.0f32);
    for (i, t) in plan.parsed.positive_terms().into_iter().enumerate() {
        if is_stop_term(t) {
            continue;
        }
        let weight = rarity(stats, t);
        total += weight;
        let named = || {
            plan.expansions
                .iter()
                .filter(|e| (e.start..e.start + e.len).contains(&i))
                .flat_map(|e| e.alternatives.iter())
                .any(|alt| alt.iter().all(|w| has(w)))
        };
        if has(t) || named() {
            found += weight;
        }
    }
    if total > 0.0 { found / total } else { 1.0 }
}
