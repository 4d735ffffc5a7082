//! What each query term weighs in one request, one model for every phase that weighs terms
//! itself (passages, snippets, how much of a query a match covers): a term's weight from
//! [`Boosts`] (typed, stop word, corrected, another name of a concept) times its rarity, BM25's
//! inverse document frequency read through the engine's [`TermStats`]. The candidate and full
//! scoring phases take the same [`Boosts`] weights and leave rarity to the engine's BM25.

use super::boosts::Boosts;
use super::parse::is_stop_term;
use super::plan::QueryPlan;
use std::collections::HashMap;

/// How many articles an engine holds, and how many have a term.
pub trait TermStats {
    /// Articles searched.
    fn num_docs(&self) -> u64;
    /// Articles whose text has `term` (an analyzed term).
    fn doc_freq(&self, term: &str) -> u64;
}

/// How much finding `term` tells: BM25's inverse document frequency.
pub fn rarity(stats: &dyn TermStats, term: &str) -> f32 {
    let n = stats.num_docs().max(1) as f32;
    let df = stats.doc_freq(term) as f32;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The typed (and corrected) terms with their weight times rarity: what snippets mark.
pub fn typed_weights(plan: &QueryPlan, boosts: &Boosts, stats: &dyn TermStats) -> HashMap<String, f32> {
    let mut typed: HashMap<String, f32> = HashMap::new();
    for (i, terms) in plan.parsed.positive_clauses() {
        let corrected = plan.corrected.get(i).copied().unwrap_or(false);
        for t in terms {
            let w = boosts.typed(is_stop_term(t), corrected) * rarity(stats, t);
            let entry = typed.entry(t.clone()).or_insert(0.0);
            *entry = entry.max(w);
        }
    }
    typed
}

/// Every term the query searches with its weight times rarity: what passages are scored by. A
/// concept's other name weighs [`Boosts::expansion`] of the most its typed name weighs, however
/// rare it is: the typed name's own weight already counts its words, so the share is not raised
/// for a name of several words as the engine's scoring raises it ([`Boosts::expansion_weight`]).
pub fn term_weights(plan: &QueryPlan, boosts: &Boosts, stats: &dyn TermStats) -> HashMap<String, f32> {
    let typed = typed_weights(plan, boosts, stats);
    let mut all = typed.clone();
    for e in &plan.expansions {
        let named = e.from.split(' ').filter_map(|t| typed.get(t)).fold(0.0f32, |a, b| a.max(*b));
        for alt in e.alternatives.iter().flatten() {
            let w = boosts.expansion * named.min(rarity(stats, alt));
            let entry = all.entry(alt.clone()).or_insert(0.0);
            *entry = entry.max(w);
        }
    }
    all
}
