//! A query plan in OpenSearch's query DSL, part for part what the Tantivy engine builds
//! ([`crate::index::ranking::query`]): one `dis_max` over the fields per typed word (its weight
//! from [`QueryPlan::clause_weight`]), one per concept with the other names as alternatives,
//! proximity and phrase boosts over the topic fields; what matches is the search box's rule
//! ([`crate::index::ranking::matching::required`]) over the query's important words.

use crate::index::ranking::matching::required;
use crate::index::storage::schema::name;
use crate::query::{Boosts, Clause, QueryPlan, is_stop_term, query_words};
use serde_json::{Value, json};

/// Each searchable field with its weight.
fn field_weights(b: &Boosts) -> [(&'static str, f32); 6] {
    [
        (name::TITLE, b.title),
        (name::ALT_NAMES, b.alt_names),
        (name::HEADINGS, b.headings),
        (name::SUMMARY, b.summary),
        (name::BODY, b.body),
        (name::CITATIONS, b.citations),
    ]
}

/// The fields that name a topic: where proximity and phrases are looked for.
fn topic_fields(b: &Boosts) -> [(&'static str, f32); 4] {
    [(name::TITLE, b.title), (name::ALT_NAMES, b.alt_names), (name::HEADINGS, b.headings), (name::BODY, b.body)]
}

/// An article's own text fields: where a word counts as found.
const TEXTS: [&str; 5] = [name::TITLE, name::ALT_NAMES, name::HEADINGS, name::SUMMARY, name::BODY];

/// `terms` (one term, or a phrase within `slop`) in `field`, weighted `boost`.
fn leaf(field: &str, terms: &[String], slop: u32, boost: f32) -> Value {
    match terms {
        [one] => json!({"term": {field: {"value": one, "boost": boost}}}),
        _ => json!({"match_phrase": {field: {"query": terms.join(" "), "slop": slop, "boost": boost}}}),
    }
}

/// The best field's score plus `tie` times the others'.
fn across(fields: &[(&str, f32)], terms: &[String], slop: u32, tie: f32, weight: f32) -> Value {
    let queries: Vec<Value> = fields.iter().map(|&(f, b)| leaf(f, terms, slop, b)).collect();
    json!({"dis_max": {"queries": queries, "tie_breaker": tie, "boost": weight}})
}

/// The scoring clauses: every document's score is their sum.
pub fn scoring(plan: &QueryPlan, boosts: &Boosts) -> Vec<Value> {
    let fields = field_weights(boosts);
    let tie = boosts.tie_breaker;
    let words = query_words(&plan.parsed);
    let mut parts = Vec::new();
    for e in plan.expansions.iter().filter(|e| e.len > 1) {
        parts.push(across(&fields, &words[e.start..e.start + e.len], 1, tie, 1.0));
    }
    for (i, clause) in plan.parsed.clauses.iter().enumerate() {
        if let Clause::Word(t) | Clause::Phrase(t) = clause {
            parts.push(across(&fields, t, 0, tie, plan.clause_weight(i, boosts)));
        }
    }
    for e in &plan.expansions {
        let names: Vec<Value> = e.alternatives.iter().map(|alt| across(&fields, alt, 1, tie, 1.0)).collect();
        let weight = boosts.expansion_weight(e.len);
        parts.push(json!({"dis_max": {"queries": names, "tie_breaker": 0.0, "boost": weight}}));
    }
    let near = topic_fields(boosts);
    for pair in plan.adjacent_content_terms().windows(2) {
        parts.push(across(&near, pair, 2, tie, boosts.proximity));
    }
    if words.len() >= 2 && words.len() <= 8 {
        parts.push(across(&near, &words, 0, tie, boosts.phrase));
    }
    parts
}

/// `terms` in any of the article's own text fields.
pub fn in_any(terms: &[String]) -> Value {
    json!({"bool": {"should": TEXTS.iter().map(|f| leaf(f, terms, 0, 1.0)).collect::<Vec<_>>()}})
}

/// The query's important clauses ([`QueryPlan::covers`]), each as what an article covering it
/// matches.
pub fn covers(plan: &QueryPlan) -> Vec<Value> {
    let cover = |c: crate::query::Cover| {
        let any: Vec<Value> = std::iter::once(c.terms).chain(c.alternatives).map(in_any).collect();
        json!({"bool": {"should": any}})
    };
    plan.covers().into_iter().map(cover).collect()
}

/// What matches when an article must cover `required` of `covers`; with no important words,
/// any word of the query.
pub fn matching(plan: &QueryPlan, covers: &[Value], required: usize) -> Value {
    if covers.is_empty() {
        let any: Vec<Value> = plan.parsed.positive_terms().iter().map(|t| in_any(&[t.to_string()])).collect();
        return json!({"bool": {"should": any, "minimum_should_match": 1}});
    }
    json!({"bool": {"should": covers, "minimum_should_match": required.max(1)}})
}

/// What matches: `matches`, or one of the articles `ids` (those matching by meaning).
pub fn or_ids(matches: Value, ids: &[&str]) -> Value {
    if ids.is_empty() {
        return matches;
    }
    json!({"bool": {"should": [matches, {"ids": {"values": ids}}], "minimum_should_match": 1}})
}

/// Prefix of the named clauses telling which query terms a hit holds.
const HOLDS: &str = "holds:";

/// Clauses that score nothing and tell, by name, which of the plan's typed terms and their
/// concepts' other names each hit holds in its own text ([`probed_terms`]).
pub fn term_probes(plan: &QueryPlan) -> Vec<Value> {
    let mut terms: Vec<&str> = plan.parsed.positive_terms().into_iter().filter(|t| !is_stop_term(t)).collect();
    terms.extend(plan.expansions.iter().flat_map(|e| e.alternatives.iter().flatten().map(String::as_str)));
    terms.sort_unstable();
    terms.dedup();
    let probe = |t: &str| json!({"constant_score": {"filter": in_any(&[t.to_string()]), "boost": 0.0, "_name": format!("{HOLDS}{t}")}});
    terms.into_iter().map(probe).collect()
}

/// The terms a hit holds, from the names of the [`term_probes`] it matched.
pub fn probed_terms(hit: &Value) -> Vec<String> {
    let names = hit["matched_queries"].as_array().into_iter().flatten().filter_map(Value::as_str);
    names.filter_map(|n| n.strip_prefix(HOLDS)).map(String::from).collect()
}

/// The strict rule's number of words to cover.
pub fn strict(covers: &[Value]) -> usize {
    required(covers.len())
}

/// Articles the query excludes: an excluded word, or all the words of an excluded phrase in one field.
pub fn exclusions(plan: &QueryPlan, boosts: &Boosts) -> Vec<Value> {
    let mut out = Vec::new();
    for clause in &plan.parsed.clauses {
        if let Clause::Exclude(t) = clause {
            for (f, _) in field_weights(boosts) {
                let all: Vec<Value> = t.iter().map(|w| json!({"term": {f: w}})).collect();
                out.push(json!({"bool": {"filter": all}}));
            }
        }
    }
    out
}

/// The full query: what matches (`must_match`), scored by the plan's parts, less exclusions.
pub fn full(plan: &QueryPlan, boosts: &Boosts, must_match: Value) -> Value {
    json!({"bool": {
        "filter": [must_match],
        "should": scoring(plan, boosts),
        "must_not": exclusions(plan, boosts),
    }})
}
