//! The first phase's query: a flat disjunction of boosted term queries that picks candidates
//! for the full query to score (see [`super::retrieve`]).

use super::query::{BoolClause, excluded, topic_fields};
use crate::index::storage::schema::Fields;
use crate::query::Boosts;
use crate::query::QueryPlan;
use crate::query::{Clause, is_stop_term};
use tantivy::Term;
use tantivy::query::{BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

/// The candidate query for a plan: every term of the typed (and corrected) words and of the
/// concepts' other names, in every field, as one flat disjunction of boosted term queries, so
/// Tantivy can skip blocks that cannot reach the top (block-max WAND). Exclusions stay. Its
/// best documents are then scored with [`super::query::build_parts`]' full query.
pub fn build_candidates(
    plan: &QueryPlan,
    f: &Fields,
    boosts: &Boosts,
    doc_freq: impl Fn(&str) -> u64,
) -> Vec<BoolClause> {
    // Exclusions are checked field by field, as the full query checks them.
    let fields = topic_fields(boosts, f);
    let all_stop = plan.parsed.positive_terms().iter().all(|t| is_stop_term(t));
    // Each term once, at its highest weight.
    let mut weights: Vec<(String, f32)> = Vec::new();
    let mut add = |t: &str, w: f32| match weights.iter_mut().find(|(x, _)| x == t) {
        Some(e) => e.1 = e.1.max(w),
        None => weights.push((t.to_string(), w)),
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (i, clause) in plan.parsed.clauses.iter().enumerate() {
        match clause {
            Clause::Word(terms) | Clause::Phrase(terms) => {
                for t in terms.iter().filter(|t| all_stop || !is_stop_term(t)) {
                    add(t, boosts.typed(is_stop_term(t), plan.corrected.get(i).copied().unwrap_or(false)));
                }
            }
            Clause::Exclude(t) => clauses.push((Occur::MustNot, excluded(&fields, t))),
        }
    }
    for e in &plan.expansions {
        let w = boosts.expansion_weight(e.len);
        // A name of several words brings in only its rarest word: its common words ("after
        // having a baby") would make the first phase visit most of the index for little.
        for alt in &e.alternatives {
            if let Some(t) = alt.iter().min_by_key(|t| doc_freq(t)) {
                add(t, w);
            }
        }
    }
    // One posting list per term (the combined text field) rather than one per field: block-max
    // WAND's cost grows with the number of lists it keeps sorted.
    for (t, w) in weights {
        let q = TermQuery::new(Term::from_field_text(f.any_text, &t), IndexRecordOption::WithFreqs);
        clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), w))));
    }
    clauses
}
