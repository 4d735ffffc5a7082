//! What a search-box query matches, the way a person reads a match: an article covers enough of
//! the query's important words (each word, or a vocabulary name of the concept it is part of),
//! or it is close enough in meaning. Totals, facets and pages count exactly this set; when
//! nothing matches strictly, fewer words are required, step by step, and the search says so.

use super::address::AddressQuery;
use crate::index::storage::schema::Fields;
use crate::query::QueryPlan;
use serde::Serialize;
use std::sync::Arc;
use tantivy::query::{BooleanQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Term};

/// The search box's match set, as candidates are drawn from it.
#[derive(Debug, Clone)]
pub struct Within {
    /// The articles that match.
    pub query: Arc<dyn Query>,
    /// The lowest cosine at which an article matches by meaning.
    pub meaning_floor: f32,
}

/// How many of a query's `words` important words an article must cover to match: every one of
/// up to three, all but one of four to six, two in three of longer queries (people describing
/// a symptom at length rarely use every word an article does).
pub fn required(words: usize) -> usize {
    match words {
        0..=3 => words,
        4..=6 => words - 1,
        _ => (2 * words).div_ceil(3),
    }
}

/// How a search decided what matches (in responses and `explain`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MatchRule {
    /// Important (non-stop) words and phrases in the query.
    pub words: usize,
    /// How many of them a matching article covers.
    pub required: usize,
    /// Whether fewer words than the rule asks for were required, because nothing matched
    /// strictly.
    pub relaxed: bool,
    /// Articles matching by meaning (their best passage close enough to the query).
    pub by_meaning: usize,
    /// The cosine from which an article matches by meaning (absent without the model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning_from: Option<f32>,
}

/// The query's important clauses ([`QueryPlan::covers`]), each as the query matching an article
/// that covers it.
pub fn covers(plan: &QueryPlan, f: &Fields) -> Vec<Box<dyn Query>> {
    let fields = f.texts();
    let cover = |c: crate::query::Cover| {
        let any = std::iter::once(c.terms).chain(c.alternatives).map(|t| in_any(&fields, t)).collect();
        Box::new(BooleanQuery::union(any)) as Box<dyn Query>
    };
    plan.covers().into_iter().map(cover).collect()
}

/// Articles covering at least `required` of `covers`, or listed in `by_meaning`.
pub fn matching(covers: &[Box<dyn Query>], required: usize, by_meaning: &Arc<Vec<DocAddress>>) -> Box<dyn Query> {
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(2);
    if required > 0 && !covers.is_empty() {
        let words = covers.iter().map(|q| (Occur::Should, q.box_clone())).collect();
        any.push((Occur::Should, Box::new(BooleanQuery::with_minimum_required_clauses(words, required))));
    }
    if !by_meaning.is_empty() {
        any.push((Occur::Should, Box::new(AddressQuery::new(by_meaning.clone()))));
    }
    Box::new(BooleanQuery::new(any))
}

/// `terms` (one word, or a phrase) in any of `fields`.
pub fn in_any(fields: &[Field], terms: &[String]) -> Box<dyn Query> {
    let per_field: Vec<Box<dyn Query>> = fields
        .iter()
        .map(|&field| match terms {
            [] => Box::new(EmptyQuery) as Box<dyn Query>,
            [one] => {
                Box::new(TermQuery::new(Term::from_field_text(field, one), IndexRecordOption::Basic)) as Box<dyn Query>
            }
            _ => {
                let words = terms.iter().map(|t| Term::from_field_text(field, t)).collect();
                Box::new(PhraseQuery::new(words)) as Box<dyn Query>
            }
        })
        .collect();
    Box::new(BooleanQuery::union(per_field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_queries_need_every_word_and_long_ones_most() {
        let r: Vec<usize> = (0..=9).map(required).collect();
        assert_eq!(r, [0, 1, 2, 3, 3, 4, 5, 5, 6, 6]);
    }
}
