//! Choosing the section that best answers a query and cutting a highlighted, HTML-escaped snippet
//! from it.

use crate::analysis::{LONG_WORD, analyze, for_each_folded_token, stem_prefix};
use crate::article::{Article, Section};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

/// Longest snippet, in characters.
pub const SNIPPET_CHARS: usize = 220;

/// Highlights one query's terms; build once per request and reuse for every hit. Words are
/// folded, and only those that could stem to a query term are stemmed: stemming every word of
/// every section was most of the cost of a page of snippets. Each folded word's stem is
/// remembered for the request: the same few forms ("diabetes", "pain") recur in every hit.
pub struct Highlighter {
    weights: HashMap<String, f32>,
    /// Every term's stem prefix, lower-case, by its first byte: a word of ASCII text is a
    /// candidate when it starts with one, which one pass over the text finds.
    prefixes: Vec<Vec<Box<[u8]>>>,
    /// Folded word -> the query term it stems to, if any.
    stems: RefCell<HashMap<String, Option<String>>>,
}

/// A word of the text that matches a query term: its byte range and the term's weight.
struct Match {
    range: Range<usize>,
    term: String,
    term_weight: f32,
}

impl Highlighter {
    /// `weights` gives each analyzed query term its importance (rarer terms weigh more).
    pub fn new(weights: HashMap<String, f32>) -> Highlighter {
        let mut prefixes: Vec<Vec<Box<[u8]>>> = vec![Vec::new(); 256];
        for p in weights.keys().map(|t| stem_prefix(t).to_ascii_lowercase()).filter(|p| !p.is_empty()) {
            prefixes[usize::from(p.as_bytes()[0])].push(p.into_bytes().into_boxed_slice());
        }
        Highlighter { weights, prefixes, stems: RefCell::default() }
    }

    /// The query term a folded word stems to, if it stems to one.
    fn term_of(&self, word: &str) -> Option<String> {
        if let Some(known) = self.stems.borrow().get(word) {
            return known.clone();
        }
        let term = analyze(word).pop().filter(|t| self.weights.contains_key(t));
        self.stems.borrow_mut().insert(word.to_string(), term.clone());
        term
    }

    /// The words of `text` that match query terms, in order, with the terms they match.
    fn matches(&self, text: &str) -> Vec<Match> {
        if text.is_ascii() { self.ascii_matches(text) } else { self.token_matches(text) }
    }

    /// [`Self::matches`] for ASCII text, without running the tokenizer: folding changes nothing
    /// there, so a word can only stem to a query term if the lower-cased text has the term's
    /// stem prefix at the word's start. Only those words are cut out and stemmed.
    fn ascii_matches(&self, text: &str) -> Vec<Match> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            if !bytes[at].is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
            let start = at;
            let end = bytes[start..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(bytes.len(), |n| start + n);
            at = end;
            let word = &bytes[start..end];
            let candidates = &self.prefixes[usize::from(word[0].to_ascii_lowercase())];
            if end - start >= LONG_WORD
                || !candidates.iter().any(|p| word.get(..p.len()).is_some_and(|w| w.eq_ignore_ascii_case(p)))
            {
                continue;
            }
            if let Some(t) = self.term_of(&text[start..end].to_ascii_lowercase()) {
                out.push(Match { range: start..end, term_weight: self.weight(&t), term: t });
            }
        }
        out
    }

    /// [`Self::matches`] through the analyzer's tokenizer and folding, for any text.
    fn token_matches(&self, text: &str) -> Vec<Match> {
        let mut out = Vec::new();
        for_each_folded_token(text, |word, range| {
            if !self.weights.keys().any(|t| word.starts_with(stem_prefix(t))) {
                return;
            }
            if let Some(t) = self.term_of(word) {
                out.push(Match { range, term_weight: self.weight(&t), term: t });
            }
        });
        out
    }

    /// The section whose heading and text match the query best (if any matches at all), with
    /// its highlighted snippet when its text matches; each section's text is read once.
    pub fn best_section<'a>(&self, article: &'a Article) -> Option<(&'a Section, Option<String>)> {
        let mut best: Option<(f32, &Section, Vec<Match>)> = None;
        for s in &article.sections {
            let matches = self.matches(&s.text);
            let score = self.section_score(s, &matches);
            if score > 0.0 && best.as_ref().is_none_or(|(b, _, _)| score >= *b) {
                best = Some((score, s, matches));
            }
        }
        best.map(|(_, s, matches)| (s, self.cut(&s.text, &matches)))
    }

    fn section_score(&self, s: &Section, matches: &[Match]) -> f32 {
        let mut tf: HashMap<&str, u32> = HashMap::new();
        for m in matches {
            *tf.entry(&m.term).or_default() += 1;
        }
        let body: f32 = tf.iter().map(|(t, n)| self.weight(t) * (1.0 + (*n as f32).ln())).sum();
        let heading: f32 = analyze(&s.heading).iter().map(|t| self.weight(t)).sum();
        body + 2.0 * heading
    }

    fn weight(&self, term: &str) -> f32 {
        self.weights.get(term).copied().unwrap_or(0.0)
    }

    /// A highlighted snippet of `text` (the window of at most [`SNIPPET_CHARS`] with the most
    /// weight of matching words), or `None` when no query term occurs in it.
    pub fn snippet_html(&self, text: &str) -> Option<String> {
        self.cut(text, &self.matches(text))
    }

    fn cut(&self, text: &str, matches: &[Match]) -> Option<String> {
        let window = best_window(matches, text)?;
        Some(render(text, window, matches))
    }
}

/// Byte range of the snippet: starting at the match that begins the heaviest run of matches
/// fitting in [`SNIPPET_CHARS`], moved back to give a little context before it, cut at word
/// boundaries.
fn best_window(matches: &[Match], text: &str) -> Option<Range<usize>> {
    let mut best: Option<(f32, usize, usize)> = None;
    for (i, first) in matches.iter().enumerate() {
        let limit = first.range.start + SNIPPET_CHARS;
        // Each term counts in full once; repeats add a quarter of its weight.
        let (mut score, mut last, mut seen) = (0.0f32, i, Vec::new());
        for (j, m) in matches.iter().enumerate().skip(i) {
            if m.range.end > limit {
                break;
            }
            let repeat = seen.contains(&&m.term);
            score += if repeat { 0.25 * m.term_weight } else { m.term_weight };
            if !repeat {
                seen.push(&m.term);
            }
            last = j;
        }
        if best.is_none_or(|(b, _, _)| score > b) {
            best = Some((score, i, last));
        }
    }
    let (_, first, last) = best?;
    let (start, end) = (matches[first].range.start, matches[last].range.end);
    let spare = SNIPPET_CHARS.saturating_sub(end - start);
    let start = word_start(text, start.saturating_sub(spare / 3));
    let end = word_end(text, (start + SNIPPET_CHARS).min(text.len())).max(end);
    Some(start..end)
}

/// The start of the word at or after byte `at` (or `at` itself at a word start).
fn word_start(text: &str, at: usize) -> usize {
    if at == 0 {
        return 0;
    }
    let at = floor_char(text, at);
    match text[at..].find(char::is_whitespace) {
        Some(i) if text[..at].ends_with(|c: char| !c.is_whitespace()) => {
            let skip = text[at + i..].len() - text[at + i..].trim_start().len();
            at + i + skip
        }
        _ => at,
    }
}

/// The end of the last whole word ending at or before byte `at`.
fn word_end(text: &str, at: usize) -> usize {
    let at = floor_char(text, at);
    if at == text.len() || text[at..].starts_with(char::is_whitespace) {
        return at;
    }
    text[..at].rfind(char::is_whitespace).map_or(at, |i| text[..i].trim_end().len())
}

/// Renders a window of `text` as HTML: text escaped, matches in `<mark>`, an ellipsis where text
/// was cut.
fn render(text: &str, window: Range<usize>, matches: &[Match]) -> String {
    let mut out = String::with_capacity(window.len() + 64);
    if window.start > 0 {
        out.push('…');
    }
    let mut at = window.start;
    for m in matches.iter().filter(|m| m.range.start >= window.start && m.range.end <= window.end) {
        out.push_str(&html_escape::encode_text(&text[at..m.range.start]));
        out.push_str("<mark>");
        out.push_str(&html_escape::encode_text(&text[m.range.clone()]));
        out.push_str("</mark>");
        at = m.range.end;
    }
    out.push_str(&html_escape::encode_text(&text[at..window.end]));
    if window.end < text.len() {
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

/// A snippet's HTML as plain text on one line: each matched word between `open` and `close`
/// (both empty to drop the marks), entities decoded. Snippets are cut at word boundaries, so the
/// text never ends mid-word.
pub fn snippet_text(html: &str, open: &str, close: &str) -> String {
    let marked = html.replace("<mark>", open).replace("</mark>", close);
    crate::text::collapse_whitespace(&html_escape::decode_html_entities(&marked))
}

/// The char boundary at or before byte `at` (`str::floor_char_boundary` is newer than our MSRV).
fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(terms: &[&str]) -> Highlighter {
        Highlighter::new(terms.iter().map(|t| (t.to_string(), 1.0)).collect())
    }

    #[test]
    fn marks_every_form_of_a_term_and_escapes_the_rest() {
        let html = highlighter(&["pain"]).snippet_html("Pains <b>& aches</b>; painful pain.");
        assert_eq!(
            html.as_deref(),
            Some("<mark>Pains</mark> &lt;b&gt;&amp; aches&lt;/b&gt;; <mark>painful</mark> <mark>pain</mark>.")
        );
    }

    #[test]
    fn snippets_read_as_text() {
        let html = "<mark>Back</mark> pain &amp;\n&lt;birth&gt;";
        assert_eq!(snippet_text(html, "[", "]"), "[Back] pain & <birth>");
        assert_eq!(snippet_text(html, "", ""), "Back pain & <birth>");
    }

    #[test]
    fn nothing_matching_gives_none() {
        assert_eq!(highlighter(&["croup"]).snippet_html("Back pain after birth."), None);
    }

    #[test]
    fn long_text_is_cut_at_words_around_the_best_window() {
        let filler = "word ".repeat(100);
        let text = format!("{filler}back pain after birth is common {filler}birth again");
        let html = highlighter(&["back", "pain", "birth"]).snippet_html(&text).unwrap_or_default();
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>back</mark> <mark>pain</mark> after <mark>birth</mark>"), "{html}");
        let visible = html.replace("<mark>", "").replace("</mark>", "");
        assert!(visible.chars().count() <= SNIPPET_CHARS + 2, "{}", visible.chars().count());
        assert!(visible.trim_matches('…').split(' ').all(|w| w == "word" || !w.starts_with("wor")), "{html}");
    }

    #[test]
    fn ascii_text_finds_what_the_tokenizer_finds() {
        let words =
            ["Pain", "painful", "Spain", "back-pain", "B12", "rebirths", "birth.", "x", "(birthing)", "paint", "Xray"];
        let long = format!("pain{}", "a".repeat(60));
        let hl = highlighter(&["pain", "birth", "b12", "x"]);
        let mut found = 0;
        for n in 0..300usize {
            // A deterministic mix of the words above, joined by varied separators.
            let text: String = (0..12)
                .map(|i| {
                    let w = if (n + i) % 13 == 0 { long.as_str() } else { words[(n * 7 + i * 3) % words.len()] };
                    format!("{w}{}", [" ", ", ", "\n", "/", " - "][(n + i) % 5])
                })
                .collect();
            let fast: Vec<(Range<usize>, String)> =
                hl.ascii_matches(&text).into_iter().map(|m| (m.range, m.term)).collect();
            let slow: Vec<(Range<usize>, String)> =
                hl.token_matches(&text).into_iter().map(|m| (m.range, m.term)).collect();
            assert_eq!(fast, slow, "{text}");
            found += fast.len();
        }
        assert!(found > 300, "{found}");
    }

    #[test]
    fn multibyte_text_is_cut_at_character_boundaries() {
        let text = format!("{} fièvre élevée et douleur {}", "é".repeat(300), "ü".repeat(300));
        let html = highlighter(&["douleur"]).snippet_html(&text).unwrap_or_default();
        assert!(html.contains("<mark>douleur</mark>"), "{html}");
    }
}
