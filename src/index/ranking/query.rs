//! A parsed query built into Tantivy queries with per-field boosts ([`Boosts`]) and a boost when
//! query words appear close together.

use crate::index::storage::schema::Fields;
use crate::query::{Boosts, QueryPlan};
use crate::query::{Clause, ParsedQuery, query_words};
use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

/// Each searchable field with its weight.
fn field_weights(b: &Boosts, f: &Fields) -> [(Field, f32); 6] {
    [
        (f.title, b.title),
        (f.alt_names, b.alt_names),
        (f.headings, b.headings),
        (f.summary, b.summary),
        (f.body, b.body),
        (f.citations, b.citations),
    ]
}

/// The fields that name a topic (not the summary or citations): where proximity and phrases
/// are looked for, and where the candidate phase checks exclusions.
pub(super) fn topic_fields(b: &Boosts, f: &Fields) -> [(Field, f32); 4] {
    [(f.title, b.title), (f.alt_names, b.alt_names), (f.headings, b.headings), (f.body, b.body)]
}

/// One clause of a `BooleanQuery`.
pub type BoolClause = (Occur, Box<dyn Query>);

/// One top-level part of the full query: a document's score is the sum over the `Should` parts
/// it matches of `weight × max over groups of (best leaf + tie × the other leaves)`, where a
/// group is one name searched across fields (each leaf one field, with its boost). This is what
/// a `BooleanQuery` of boosted `DisjunctionMaxQuery`s scores, kept apart so that candidates can
/// be scored leaf by leaf (see [`super::retrieve`]).
pub struct Part {
    pub occur: Occur,
    pub weight: f32,
    pub tie: f32,
    pub groups: Vec<Vec<(Box<dyn Query>, f32)>>,
}

impl Part {
    fn across(occur: Occur, weight: f32, fields: &[(Field, f32)], terms: &[String], slop: u32, tie: f32) -> Part {
        let leaves = fields.iter().map(|&(field, boost)| (field_query(field, terms, slop), boost)).collect();
        Part { occur, weight, tie, groups: vec![leaves] }
    }

    /// A part of one leaf (a feedback word).
    pub fn leaf(query: Box<dyn Query>, weight: f32) -> Part {
        Part { occur: Occur::Should, weight, tie: 0.0, groups: vec![vec![(query, 1.0)]] }
    }

    fn leaf_of(occur: Occur, query: Box<dyn Query>) -> Part {
        Part { occur, weight: 1.0, tie: 0.0, groups: vec![vec![(query, 1.0)]] }
    }
}

/// The full query for a plan, as parts: the typed words (corrected where they were typos), the
/// other names of the concepts they name, and proximity and phrase boosts.
pub fn build_parts(plan: &QueryPlan, f: &Fields, boosts: &Boosts) -> Vec<Part> {
    let parsed = &plan.parsed;
    let fields = field_weights(boosts, f);
    let tie = boosts.tie_breaker;
    let mut parts: Vec<Part> = Vec::new();
    let words = query_words(parsed);
    for e in plan.expansions.iter().filter(|e| e.len > 1) {
        // A lay phrase ("throw up", "after birth") counts as a phrase, not as loose words.
        parts.push(Part::across(Occur::Should, 1.0, &fields, &words[e.start..e.start + e.len], 1, tie));
    }
    for (i, clause) in parsed.clauses.iter().enumerate() {
        match clause {
            Clause::Word(t) | Clause::Phrase(t) => {
                parts.push(Part::across(Occur::Should, plan.clause_weight(i, boosts), &fields, t, 0, tie));
            }
            Clause::Exclude(t) => parts.push(Part::leaf_of(Occur::MustNot, excluded(&fields, t))),
        }
    }
    for e in &plan.expansions {
        // A lay phrase of several words stands for the clinical name as a whole, so its
        // expansion weighs more than a one-word synonym's (still below the typed words).
        let weight = boosts.expansion_weight(e.len);
        let groups = e
            .alternatives
            .iter()
            .map(|alt| fields.iter().map(|&(field, boost)| (field_query(field, alt, 1), boost)).collect())
            .collect();
        parts.push(Part { occur: Occur::Should, weight, tie, groups });
    }
    let near_fields = topic_fields(boosts, f);
    for pair in plan.adjacent_content_terms().windows(2) {
        parts.push(Part::across(Occur::Should, boosts.proximity, &near_fields, pair, 2, tie));
    }
    if words.len() >= 2 && words.len() <= 8 {
        parts.push(Part::across(Occur::Should, boosts.phrase, &near_fields, &words, 0, tie));
    }
    parts
}

/// What the full query matches, without its scoring: any typed word or phrase in any field, or
/// any other name of a matched concept, less exclusions. It counts totals and
/// facets and feeds sorting by date.
pub fn build_match(plan: &QueryPlan, f: &Fields, boosts: &Boosts) -> Box<dyn Query> {
    let fields = field_weights(boosts, f);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for clause in &plan.parsed.clauses {
        match clause {
            Clause::Word(t) | Clause::Phrase(t) => {
                for &(field, _) in &fields {
                    clauses.push((Occur::Should, field_query(field, t, 0)));
                }
            }
            Clause::Exclude(t) => clauses.push((Occur::MustNot, excluded(&fields, t))),
        }
    }
    // Another name of several words counts when all its words are in one field: checking it
    // as a phrase in every matching article would cost more than the rest of the search.
    for alt in plan.expansions.iter().flat_map(|e| &e.alternatives) {
        for &(field, _) in &fields {
            clauses.push((Occur::Should, all_terms(field, alt)));
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Plain BM25 over all text, for comparison: every term of the query summed over every text
/// field at weight 1, with no phrase or proximity boosts and no stop-word handling.
pub fn build_baseline(parsed: &ParsedQuery, f: &Fields) -> Box<dyn Query> {
    let fields = [f.title, f.alt_names, f.headings, f.summary, f.body, f.citations];
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for clause in &parsed.clauses {
        let (occur, terms) = match clause {
            Clause::Word(t) | Clause::Phrase(t) => (Occur::Should, t),
            Clause::Exclude(t) => (Occur::MustNot, t),
        };
        for field in fields {
            clauses.push((occur, field_query(field, terms, 0)));
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// An excluded word, or all the words of an excluded phrase, in any one field. (An excluded
/// phrase leaves out articles that have its words anywhere in one field: Tantivy's exclusion
/// seeks a phrase scorer in a way it asserts against in debug builds.)
pub(super) fn excluded(fields: &[(Field, f32)], terms: &[String]) -> Box<dyn Query> {
    let any = fields.iter().map(|&(field, _)| (Occur::Should, all_terms(field, terms))).collect();
    Box::new(BooleanQuery::new(any))
}

/// Documents with every one of `terms` in `field`, in any order.
fn all_terms(field: Field, terms: &[String]) -> Box<dyn Query> {
    let all = terms
        .iter()
        .map(|t| {
            let q = TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::Basic);
            (Occur::Must, Box::new(q) as Box<dyn Query>)
        })
        .collect();
    Box::new(BooleanQuery::new(all))
}

fn field_query(field: Field, terms: &[String], slop: u32) -> Box<dyn Query> {
    if let [one] = terms {
        return Box::new(TermQuery::new(Term::from_field_text(field, one), IndexRecordOption::WithFreqs));
    }
    let terms: Vec<(usize, Term)> =
        terms.iter().enumerate().map(|(i, t)| (i, Term::from_field_text(field, t))).collect();
    Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boosts_are_set_by_their_field_names_and_unknown_names_are_refused() {
        let mut b = Boosts::default();
        b.apply("title=4, recency=0,tie_breaker=0.35").expect("known names");
        assert_eq!((b.title, b.recency, b.tie_breaker), (4.0, 0.0, 0.35));
        assert_eq!(b.body, Boosts::default().body);
        assert!(b.apply("titel=4").expect_err("unknown").contains("titel"));
        assert!(b.apply("title=x").is_err());
        assert!(b.apply("title=inf").is_err());
        assert_eq!(b.title, 4.0, "a refused spec changes nothing");
    }
}
