//! How a query is read before any engine sees it: words respelled as meant against the engine's
//! words as written ([`super::spell`], through its [`Lexicon`]), the health concepts it names
//! found in the vocabulary, and the people it is about. The plan doubles as the explanation
//! returned with `explain=true`.

use super::boosts::Boosts;
use super::parse::{Clause, ParsedQuery, contraction_head, query_words};
use super::spell::{Correction, Kind, Lexicon, respell};
use crate::analysis::{analyze, folded_words};
use crate::article::Audience;
use crate::vocab::{Expansion, Vocabulary};
use std::collections::HashSet;

/// Most other names searched for one matched concept.
pub const MAX_ALTERNATIVES: usize = 12;

/// A parsed query with its corrections and expansions.
#[derive(Debug, Clone)]
pub struct QueryPlan {
    /// The query, with corrected words replaced.
    pub parsed: ParsedQuery,
    /// Per clause: whether it was a typo, corrected (everyday spellings are not: they are read
    /// as meant, at full weight).
    pub corrected: Vec<bool>,
    pub corrections: Vec<Correction>,
    pub expansions: Vec<Expansion>,
    /// The people the query names ([`super::audience`]); their articles are preferred.
    pub audience: Vec<Audience>,
}

/// An important (non-stop) clause of a query, as an article may cover it: with its own words
/// (one word, or a phrase), or with another name of a concept they are part of.
pub struct Cover<'a> {
    pub terms: &'a [String],
    pub alternatives: Vec<&'a [String]>,
}

/// Weight of a word on its own when it is part of a matched concept phrase.
const LOOSE_PHRASE_WORD: f32 = 0.5;

impl QueryPlan {
    /// What clause `i` (a word or a phrase) weighs in the full query: [`Boosts::typed`], halved
    /// for a word inside a multi-word concept name the query matched (the name counts as a
    /// phrase; its words alone count less).
    pub fn clause_weight(&self, i: usize, boosts: &Boosts) -> f32 {
        let Some(Clause::Word(t) | Clause::Phrase(t)) = self.parsed.clauses.get(i) else { return 0.0 };
        let stop = t.len() == 1 && super::is_stop_term(&t[0]);
        let weight = boosts.typed(stop, self.corrected.get(i).copied().unwrap_or(false));
        if self.in_concept_phrase(i) { weight * LOOSE_PHRASE_WORD } else { weight }
    }

    /// Whether clause `i` is a word lying inside a multi-word concept name the query matched.
    fn in_concept_phrase(&self, i: usize) -> bool {
        let mut pos = 0;
        for (j, clause) in self.parsed.clauses.iter().enumerate() {
            if let Clause::Word(t) = clause {
                let (start, end) = (pos, pos + t.len());
                if j == i {
                    return self.expansions.iter().any(|e| e.len > 1 && e.start <= start && end <= e.start + e.len);
                }
                pos = end;
            }
        }
        false
    }

    /// The query's important clauses, in order: what the search box's match rule counts.
    pub fn covers(&self) -> Vec<Cover<'_>> {
        let mut out = Vec::new();
        // Expansions locate their words in the sequence of Word clauses' terms.
        let mut at = 0usize;
        for clause in &self.parsed.clauses {
            let (terms, is_word) = match clause {
                Clause::Word(t) => (t, true),
                Clause::Phrase(t) => (t, false),
                Clause::Exclude(_) => continue,
            };
            let span = at..at + if is_word { terms.len() } else { 0 };
            if is_word {
                at += terms.len();
            }
            if terms.iter().all(|t| super::is_stop_term(t)) {
                continue;
            }
            let alternatives = self
                .expansions
                .iter()
                .filter(|e| e.start < span.end && span.start < e.start + e.len)
                .flat_map(|e| e.alternatives.iter().map(Vec::as_slice))
                .collect();
            out.push(Cover { terms, alternatives });
        }
        out
    }

    /// Consecutive single-word, non-stop terms of the query, for the proximity boost.
    pub fn adjacent_content_terms(&self) -> Vec<String> {
        self.parsed
            .clauses
            .iter()
            .filter_map(|c| match c {
                Clause::Word(t) if t.len() == 1 && !super::is_stop_term(&t[0]) => Some(t[0].clone()),
                _ => None,
            })
            .collect()
    }

    /// A plan that searches exactly what was typed.
    pub fn literal(parsed: ParsedQuery) -> QueryPlan {
        let n = parsed.clauses.len();
        let audience = super::audience::of_query(&parsed.typed.join(" "));
        QueryPlan { parsed, corrected: vec![false; n], corrections: Vec::new(), expansions: Vec::new(), audience }
    }
}

/// Reads a parsed query against the engine's words (for typos, when a lexicon is given) and the
/// vocabulary (for concepts).
pub fn plan(parsed: ParsedQuery, lexicon: Option<&dyn Lexicon>, vocab: Option<&Vocabulary>) -> QueryPlan {
    let mut plan = QueryPlan::literal(parsed);
    if let Some(lexicon) = lexicon {
        let none = HashSet::new();
        let domain = vocab.map_or(&none, Vocabulary::single_words);
        for (i, clause) in plan.parsed.clauses.iter_mut().enumerate() {
            let Clause::Word(terms) = clause else { continue };
            let typed = plan.parsed.typed.get(i).map(|t| folded_words(t)).unwrap_or_default();
            let [(word, _)] = typed.as_slice() else { continue };
            let Some(c) = respell(word, lexicon, domain) else { continue };
            let read = contraction_head(analyze(&c.to));
            if read.is_empty() {
                continue;
            }
            *terms = read;
            plan.corrected[i] = c.kind == Kind::Typo;
            plan.corrections.push(c);
        }
    }
    if let Some(v) = vocab {
        plan.expansions = v.expansions(&query_words(&plan.parsed), MAX_ALTERNATIVES);
    }
    plan
}
