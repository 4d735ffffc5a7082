//! How a query is read before it is built: typos corrected against the index's own words, and
//! the health concepts it names found in the vocabulary. The plan doubles as the explanation
//! returned with `explain=true`.

use super::query::{Clause, ParsedQuery, is_stop_term, query_words};
use super::schema::Fields;
use super::typo::{Correction, correct, doc_freq};
use crate::vocab::{Expansion, Vocabulary};
use std::collections::HashSet;
use tantivy::Searcher;

/// Most other names searched for one matched concept.
pub const MAX_ALTERNATIVES: usize = 12;

/// A parsed query with its corrections and expansions.
#[derive(Debug, Clone)]
pub struct QueryPlan {
    /// The query, with corrected words replaced.
    pub parsed: ParsedQuery,
    /// Per clause: whether it was corrected.
    pub corrected: Vec<bool>,
    pub corrections: Vec<Correction>,
    pub expansions: Vec<Expansion>,
}

impl QueryPlan {
    /// A plan that searches exactly what was typed.
    pub fn literal(parsed: ParsedQuery) -> QueryPlan {
        let n = parsed.clauses.len();
        QueryPlan { parsed, corrected: vec![false; n], corrections: Vec::new(), expansions: Vec::new() }
    }
}

/// Reads a parsed query against the index (for typos) and the vocabulary (for concepts).
pub fn plan(
    parsed: ParsedQuery,
    searcher: &Searcher,
    f: &Fields,
    vocab: Option<&Vocabulary>,
    typos: bool,
) -> QueryPlan {
    let mut plan = QueryPlan::literal(parsed);
    if typos {
        let known_fields = [f.title, f.alt_names, f.headings, f.summary, f.body];
        let lookup_fields = [f.title, f.body];
        let none = HashSet::new();
        let domain = vocab.map_or(&none, Vocabulary::single_terms);
        for (i, clause) in plan.parsed.clauses.iter_mut().enumerate() {
            let Clause::Word(terms) = clause else { continue };
            let [term] = terms.as_mut_slice() else { continue };
            if is_stop_term(term) || domain.contains(term) || doc_freq(searcher, &known_fields, term) > 0 {
                continue;
            }
            if let Some(c) = correct(searcher, &lookup_fields, term, domain) {
                *term = c.to.clone();
                plan.corrected[i] = true;
                plan.corrections.push(c);
            }
        }
    }
    if let Some(v) = vocab {
        plan.expansions = v.expansions(&query_words(&plan.parsed), MAX_ALTERNATIVES);
    }
    plan
}
