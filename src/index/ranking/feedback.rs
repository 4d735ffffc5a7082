//! Pseudo-relevance feedback (RM3-style): words that weigh most in the first results are added to
//! the query at a fraction of its weight, so a lay query also finds articles that use the
//! vocabulary of its best matches.

use super::matching::Within;
use super::query::BoolClause;
use crate::analysis::{for_each_folded_token, stem};
use crate::index::storage::schema::Fields;
use crate::index::storage::stored::stored_text;
use crate::index::{HealthIndex, IndexError};
use crate::query::is_stop_term;
use foldhash::fast::RandomState;
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use tantivy::query::{BoostQuery, Occur, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

/// How much feedback to take: from how many first results, how many words, at what weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feedback {
    pub docs: usize,
    pub terms: usize,
    pub weight: f32,
}

impl Default for Feedback {
    fn default() -> Self {
        // Tuned on NFCorpus dev (0.307 without feedback, 0.326 with), checked on the bundled and
        // MedlinePlus query sets (within 0.01 of their scores without it).
        Feedback { docs: 10, terms: 20, weight: 1.0 }
    }
}

/// Feedback is taken only when the query finds at least this many articles.
pub const MIN_HITS: usize = 2;

/// Words of an article kept for feedback.
const STORED_TERMS: usize = 64;

/// The most frequent words of an article's title and body (no stop words, numbers or words under
/// three letters) with their share of that analyzed text, as stored in the index: `term share`
/// pairs joined by `;`.
pub fn document_terms(title: &str, body: &str) -> String {
    // Words are counted as folded and each distinct word stemmed once: the analyzer's terms, at
    // a lookup a word instead of two. Page words, so a per-process seeded hasher.
    let mut len = 0usize;
    let mut words: HashMap<String, u32, RandomState> = HashMap::default();
    let mut count = |w: &str, _| {
        len += 1;
        match words.get_mut(w) {
            Some(n) => *n += 1,
            None => {
                words.insert(w.to_string(), 1);
            }
        }
    };
    // Title and body apart give the terms of the two joined by a line break.
    for_each_folded_token(title, &mut count);
    for_each_folded_token(body, &mut count);
    let len = len.max(1) as f32;
    let mut stems: HashMap<String, u32, RandomState> = HashMap::default();
    for (word, n) in words {
        *stems.entry(stem(&word)).or_default() += n;
    }
    let keep = |t: &str| t.len() > 2 && !t.bytes().all(|b| b.is_ascii_digit()) && !is_stop_term(t);
    let mut top: Vec<(String, u32)> = stems.into_iter().filter(|(t, _)| keep(t)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(STORED_TERMS);
    top.iter().map(|(t, n)| format!("{t} {:.6}", *n as f32 / len)).collect::<Vec<_>>().join(";")
}

/// A document's stored feedback words with their shares, heaviest first.
pub fn stored_terms<'a>(doc: &'a TantivyDocument, fields: &Fields) -> impl Iterator<Item = (&'a str, f32)> {
    parse_terms(stored_text(doc, fields.feedback))
}

/// The `term share` pairs of a stored feedback-terms value.
pub fn parse_terms(stored: &str) -> impl Iterator<Item = (&str, f32)> {
    stored.split(';').filter_map(|pair| {
        let (t, share) = pair.split_once(' ')?;
        Some((t, share.parse().ok()?))
    })
}

/// What feedback may change.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Feedback words only reorder the articles the query matches: totals, facets and paging
    /// stay those of the query as typed (the search box). Candidates come only from the match set.
    Rerank(Within),
    /// Feedback words may also bring in articles that share none of the query's words (retrieval
    /// for a chatbot, and evaluation, where recall counts).
    Expand,
}

/// The feedback words of the first results with their weights (empty when there is nothing to
/// add); [`body_term`] makes each a query.
pub fn words(
    searcher: &Searcher,
    index: &HealthIndex,
    first: &[(Score, DocAddress)],
    query_terms: usize,
    fb: &Feedback,
) -> Result<Vec<(String, f32)>, IndexError> {
    let top: Vec<&(Score, DocAddress)> = first.iter().take(fb.docs).collect();
    let total: f32 = top.iter().map(|(s, _)| *s).sum();
    if top.is_empty() || total <= 0.0 {
        return Ok(Vec::new());
    }
    let docs = top.iter().map(|(_, addr)| searcher.doc(*addr)).collect::<Result<Vec<TantivyDocument>, _>>()?;
    let stored = top.iter().zip(&docs).map(|((score, _), doc)| (*score, stored_text(doc, index.fields.feedback)));
    Ok(weigh(stored, query_terms, fb))
}

/// The feedback words of first results given as (score, stored feedback words), best first, with
/// their weights: each word's share of each article, weighted by the article's share of the
/// scores, the heaviest `fb.terms` scaled to `fb.weight` times the query's terms. Every engine
/// takes feedback by this rule.
pub fn weigh<'a>(top: impl Iterator<Item = (f32, &'a str)>, query_terms: usize, fb: &Feedback) -> Vec<(String, f32)> {
    let top: Vec<(f32, &str)> = top.take(fb.docs).collect();
    let total: f32 = top.iter().map(|(s, _)| *s).sum();
    if top.is_empty() || total <= 0.0 {
        return Vec::new();
    }
    // Keyed by the stored text itself: 640 words a query, so no allocation per word.
    let mut weights: FxHashMap<&str, f32> = FxHashMap::default();
    weights.reserve(top.len() * STORED_TERMS);
    for (score, stored) in &top {
        for (term, share) in parse_terms(stored) {
            *weights.entry(term).or_default() += (score / total) * share;
        }
    }
    let mut best: Vec<(&str, f32)> = weights.into_iter().collect();
    // The heaviest words, ties by word: a total order, so the same words whatever the hash order.
    let order = |a: &(&str, f32), b: &(&str, f32)| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0));
    if best.len() > fb.terms && fb.terms > 0 {
        best.select_nth_unstable_by(fb.terms - 1, order);
    }
    best.truncate(fb.terms);
    best.sort_by(order);
    let norm: f32 = best.iter().map(|(_, w)| w).sum();
    if norm <= 0.0 {
        return Vec::new();
    }
    let scale = fb.weight * query_terms.max(1) as f32 / norm;
    best.into_iter().map(|(t, w)| (t.to_string(), w * scale)).collect()
}

/// An optional clause for `term` in the body, at `weight`.
pub fn body_term(index: &HealthIndex, term: &str, weight: f32) -> BoolClause {
    let q = TermQuery::new(Term::from_field_text(index.fields.body, term), IndexRecordOption::WithFreqs);
    (Occur::Should, Box::new(BoostQuery::new(Box::new(q), weight)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;

    /// What [`document_terms`] computes, the plain way: analyze the joined text, count, rank.
    fn plainly(title: &str, body: &str) -> String {
        let terms = analyze(&format!("{title}\n{body}"));
        let len = terms.len().max(1) as f32;
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for t in terms.iter().filter(|t| t.len() > 2 && !t.bytes().all(|b| b.is_ascii_digit()) && !is_stop_term(t)) {
            *counts.entry(t).or_default() += 1;
        }
        let mut top: Vec<(&str, u32)> = counts.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        top.truncate(STORED_TERMS);
        top.iter().map(|(t, n)| format!("{t} {:.6}", *n as f32 / len)).collect::<Vec<_>>().join(";")
    }

    #[test]
    fn document_terms_are_the_shares_of_the_analyzed_title_and_body() {
        let (title, body) =
            ("Back pain after birth", "Back pain after the birth of a baby: 12 tips. Backs ache; rest helps the back.");
        let stored = document_terms(title, body);
        assert_eq!(stored, plainly(title, body));
        assert!(stored.starts_with("back "), "{stored}");
        assert!(!stored.contains("the ") && !stored.contains("12 "), "{stored}");
        let pages = walkdir::WalkDir::new("corpus")
            .into_iter()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "html"));
        let mut compared = 0;
        for page in pages.step_by(7) {
            let Ok(html) = std::fs::read_to_string(page.path()) else { continue };
            let Ok(article) = crate::ingest::extract(&html, "https://example.org/a") else { continue };
            let body = article.body();
            assert_eq!(
                document_terms(&article.title, &body),
                plainly(&article.title, &body),
                "{}",
                page.path().display()
            );
            compared += 1;
        }
        assert!(compared > 3, "only {compared} corpus articles compared");
    }
}
