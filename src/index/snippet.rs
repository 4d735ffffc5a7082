//! Choosing the section that best answers a query and cutting a highlighted, HTML-escaped snippet
//! from it.

use super::analyzer::{analyze, analyzer, for_each_folded_word, stem_prefix};
use super::query::is_stop_term;
use crate::article::{Article, Section};
use std::collections::{BTreeMap, HashMap};
use tantivy::schema::Field;
use tantivy::snippet::{Snippet, SnippetGenerator};

/// Longest snippet, in characters.
pub const SNIPPET_CHARS: usize = 220;

/// Highlights one query's terms; build once per request and reuse for every hit.
pub struct Highlighter {
    generator: SnippetGenerator,
    weights: HashMap<String, f32>,
}

impl Highlighter {
    /// `weights` gives each analyzed query term its importance (rarer terms weigh more).
    pub fn new(weights: HashMap<String, f32>, field: Field) -> Highlighter {
        let terms: BTreeMap<String, f32> = weights.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let generator = SnippetGenerator::new(terms, analyzer(), field, SNIPPET_CHARS);
        Highlighter { generator, weights }
    }

    /// The section whose heading and text match the query best, if any matches at all.
    pub fn best_section<'a>(&self, article: &'a Article) -> Option<&'a Section> {
        article
            .sections
            .iter()
            .map(|s| (self.section_score(s), s))
            .filter(|(score, _)| *score > 0.0)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, s)| s)
    }

    fn section_score(&self, s: &Section) -> f32 {
        let mut tf: HashMap<String, u32> = HashMap::new();
        for_each_folded_word(&s.text, |w| {
            if !self.weights.keys().any(|t| w.starts_with(stem_prefix(t))) {
                return;
            }
            if let Some(t) = analyze(w).pop().filter(|t| self.weights.contains_key(t)) {
                *tf.entry(t).or_default() += 1;
            }
        });
        let body: f32 = tf.iter().map(|(t, n)| self.weight(t) * (1.0 + (*n as f32).ln())).sum();
        let heading: f32 = analyze(&s.heading).iter().map(|t| self.weight(t)).sum();
        body + 2.0 * heading
    }

    fn weight(&self, term: &str) -> f32 {
        let w = self.weights.get(term).copied().unwrap_or(0.0);
        if is_stop_term(term) { w * 0.2 } else { w }
    }

    /// A highlighted snippet of `text`, or `None` when no query term occurs in it.
    pub fn snippet_html(&self, text: &str) -> Option<String> {
        let snippet = self.generator.snippet(text);
        if snippet.is_empty() || snippet.highlighted().is_empty() {
            return None;
        }
        Some(render(&snippet, text))
    }
}

/// Renders a snippet as HTML: text escaped, matches in `<mark>`, an ellipsis where text was cut.
pub fn render(snippet: &Snippet, full_text: &str) -> String {
    let fragment = snippet.fragment();
    let range = snippet.fragment_range();
    let mut out = String::with_capacity(fragment.len() + 64);
    if range.start > 0 {
        out.push('…');
    }
    let mut at = 0;
    for h in snippet.highlighted() {
        if h.start < at || h.end > fragment.len() {
            continue;
        }
        out.push_str(&html_escape::encode_text(&fragment[at..h.start]));
        out.push_str("<mark>");
        out.push_str(&html_escape::encode_text(&fragment[h.start..h.end]));
        out.push_str("</mark>");
        at = h.end;
    }
    out.push_str(&html_escape::encode_text(&fragment[at..]));
    if range.end < full_text.len() {
        out.push('…');
    }
    out
}

/// Escapes plain text for HTML and cuts it at a word boundary near `max` characters.
pub fn plain_html(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return html_escape::encode_text(text).into_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", html_escape::encode_text(cut))
}
