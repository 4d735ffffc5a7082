//! How a query is read before it is built: words respelled as meant against the index's words
//! as written ([`super::spell`]), and the health concepts it names found in the vocabulary. The
//! plan doubles as the explanation returned with `explain=true`.

use super::analyzer::{analyze, folded_words};
use super::parse::{Clause, ParsedQuery, contraction_head, query_words};
use super::schema::Fields;
use super::spell::{Correction, Kind, respell};
use super::typo::IndexLexicon;
use crate::article::Audience;
use crate::vocab::{Expansion, Vocabulary};
use std::collections::HashSet;
use std::sync::Arc;
use tantivy::Searcher;
use tantivy::query::Query;

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
    /// What the search box counts as a match ([`super::matching`]): when set, candidates come
    /// only from it. `None` ranks whatever the query's words find (the chatbot and evaluation).
    pub within: Option<Within>,
    /// The people the query names ([`super::audience`]); their articles are preferred.
    pub audience: Vec<Audience>,
}

/// The search box's match set, as candidates are drawn from it.
#[derive(Debug, Clone)]
pub struct Within {
    /// The articles that match.
    pub query: Arc<dyn Query>,
    /// The lowest cosine at which an article matches by meaning.
    pub meaning_floor: f32,
}

impl QueryPlan {
    /// A plan that searches exactly what was typed.
    pub fn literal(parsed: ParsedQuery) -> QueryPlan {
        let n = parsed.clauses.len();
        let audience = super::audience::of_query(&parsed.typed.join(" "));
        QueryPlan {
            parsed,
            corrected: vec![false; n],
            corrections: Vec::new(),
            expansions: Vec::new(),
            within: None,
            audience,
        }
    }
}

/// Reads a parsed query against the index (for typos) and the vocabulary (for concepts).
pub fn plan(
    parsed: ParsedQuery,
    searcher: &Searcher,
    f: &Fields,
    vocab: Option<&Vocabulary>,
    typos: bool,
    language: Option<&dyn Fn(&str) -> bool>,
) -> QueryPlan {
    let mut plan = QueryPlan::literal(parsed);
    if typos {
        let stemmed = f.texts();
        let lexicon = IndexLexicon { searcher, surface: f.words, stemmed: &stemmed, language };
        let none = HashSet::new();
        let domain = vocab.map_or(&none, Vocabulary::single_words);
        for (i, clause) in plan.parsed.clauses.iter_mut().enumerate() {
            let Clause::Word(terms) = clause else { continue };
            let typed = plan.parsed.typed.get(i).map(|t| folded_words(t)).unwrap_or_default();
            let [(word, _)] = typed.as_slice() else { continue };
            let Some(c) = respell(word, &lexicon, domain) else { continue };
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
