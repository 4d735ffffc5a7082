//! Suggestions as you type: article titles, section headings and health-vocabulary names that
//! occur in the index, matched word by word from any word on, the last word as a prefix.

use super::analyzer::folded_words;
use super::search::stored_text;
use super::{HealthIndex, IndexError};
use crate::vocab::Vocabulary;
use serde::Serialize;
use std::collections::HashMap;
use tantivy::{DocAddress, TantivyDocument, Term};

/// Words of an entry a match may start at (later words are not completed from).
const MAX_START_WORDS: usize = 8;
/// Most candidate positions looked at per request.
const SCAN_CAP: usize = 4_000;
/// Fewer suggestions than this for the text as typed trigger typo correction.
const FEW: usize = 3;
/// Longest heading taken as a suggestion, in words.
const MAX_PHRASE_WORDS: usize = 10;

/// What a suggestion completes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A query to run (a vocabulary name or a section heading).
    Query,
    /// An article, opened directly.
    Article,
}

struct Entry {
    text: String,
    /// Folded words joined by single spaces.
    key: String,
    kind: Kind,
    url: Option<String>,
    weight: f32,
}

/// One suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub text: String,
    /// The text with the typed words in `<mark>`, everything else escaped.
    pub html: String,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The suggestion entries of one index state, with a sorted list of match start positions.
#[derive(Default)]
pub struct Suggester {
    entries: Vec<Entry>,
    starts: Vec<(u32, u32)>,
    /// Every distinct folded word of the entries, sorted, for typo correction.
    words: Vec<String>,
}

impl Suggester {
    /// Builds the suggester from the index's titles and headings and the vocabulary's names.
    pub fn build(index: &HealthIndex, vocab: &Vocabulary) -> Result<Suggester, IndexError> {
        let searcher = index.searcher();
        let mut entries = Vec::new();
        let mut headings: HashMap<String, (String, u32)> = HashMap::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..segment.max_doc() {
                if segment.is_deleted(doc) {
                    continue;
                }
                let d: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc))?;
                let text = |f| stored_text(&d, f).to_string();
                let outline = text(index.fields.outline);
                let mut lines = outline.lines();
                let title = lines.next().unwrap_or_default().trim().to_string();
                entries.push(entry(title, Kind::Article, Some(text(index.fields.url)), 1.0));
                for h in lines.map(str::trim).filter(|h| !h.is_empty()) {
                    let key = key_of(h);
                    if key.split(' ').count() <= MAX_PHRASE_WORDS {
                        headings.entry(key).or_insert_with(|| (h.to_string(), 0)).1 += 1;
                    }
                }
            }
        }
        for (_, (text, count)) in headings {
            entries.push(entry(text, Kind::Query, None, 0.5 * (1.0 + count as f32).ln() + 0.3));
        }
        for (name, terms) in vocab.names() {
            let df = terms
                .iter()
                .map(|t| searcher.doc_freq(&Term::from_field_text(index.fields.body, t)).unwrap_or(0))
                .min()
                .unwrap_or(0);
            if df > 0 && !name.is_empty() {
                entries.push(entry(name.to_string(), Kind::Query, None, (1.0 + df as f32).ln()));
            }
        }
        Ok(Suggester::from_entries(entries))
    }

    fn from_entries(mut entries: Vec<Entry>) -> Suggester {
        entries.retain(|e| !e.key.is_empty());
        entries.sort_by(|a, b| (a.kind == Kind::Article, &a.key).cmp(&(b.kind == Kind::Article, &b.key)));
        entries.dedup_by(|a, b| a.kind == b.kind && a.key == b.key && a.kind == Kind::Query);
        let mut starts = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let words = std::iter::once(0).chain(e.key.match_indices(' ').map(|(at, _)| at + 1));
            starts.extend(words.take(MAX_START_WORDS).map(|at| (i as u32, at as u32)));
        }
        starts.sort_unstable_by(|a, b| suffix(&entries, *a).cmp(suffix(&entries, *b)));
        let mut words: Vec<String> = entries.iter().flat_map(|e| e.key.split(' ').map(String::from)).collect();
        words.sort_unstable();
        words.dedup();
        Suggester { entries, starts, words }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is nothing to suggest from.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Up to `limit` suggestions for what has been typed so far: queries first, then articles,
    /// each kind taking at least half the places when it has enough. When the words as typed
    /// find too few, misspelt words are corrected (one edit for 4-5 letters, two beyond) and
    /// the corrected text's suggestions fill the list (the first letter is trusted).
    pub fn suggest(&self, typed: &str, limit: usize) -> Vec<Suggestion> {
        let mut found = self.suggest_exact(typed, limit);
        if found.len() < FEW.min(limit)
            && let Some(corrected) = self.corrected(typed)
        {
            for s in self.suggest_exact(&corrected, limit) {
                if found.len() < limit && !found.iter().any(|f| f.text == s.text && f.kind == s.kind) {
                    found.push(s);
                }
            }
        }
        found
    }

    /// `typed` with each unknown word replaced by the closest known one (the last word, still
    /// being typed, as a prefix of a known word); `None` when nothing changes.
    fn corrected(&self, typed: &str) -> Option<String> {
        let words: Vec<String> = folded_words(typed).into_iter().map(|(w, _)| w).collect();
        let last_is_prefix = !typed.ends_with(char::is_whitespace);
        let mut changed = false;
        let mut out = Vec::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            let prefix = last_is_prefix && i + 1 == words.len();
            match self.closest(w, prefix) {
                Some(c) if c != *w => {
                    changed = true;
                    out.push(c);
                }
                _ => out.push(w.clone()),
            }
        }
        let trailing = if last_is_prefix { "" } else { " " };
        changed.then(|| format!("{}{trailing}", out.join(" ")))
    }

    /// The known word closest to `word` (or, for a prefix, the closest start of a known word).
    fn closest(&self, word: &str, prefix: bool) -> Option<String> {
        let n = word.chars().count();
        let max = match n {
            0..=3 => 0,
            4..=5 => 1,
            _ => 2,
        };
        let from = self.words.partition_point(|w| w.as_str() < word);
        let known = self.words.get(from).is_some_and(|w| if prefix { w.starts_with(word) } else { w == word });
        if known || max == 0 || word.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        // Like most spelling correctors, trust the first letter: it keeps the scan to one slice.
        let first = word.chars().next()?;
        let start = self.words.partition_point(|w| w.chars().next() < Some(first));
        let end = self.words.partition_point(|w| w.chars().next() <= Some(first));
        let mut best: Option<(usize, &String)> = None;
        for w in &self.words[start..end] {
            let candidate: String = if prefix { w.chars().take(n).collect() } else { w.clone() };
            if candidate.chars().count().abs_diff(n) > max {
                continue;
            }
            let d = strsim::damerau_levenshtein(word, &candidate);
            if d <= max && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, w));
            }
        }
        best.map(|(_, w)| if prefix { w.chars().take(n).collect() } else { w.clone() })
    }

    fn suggest_exact(&self, typed: &str, limit: usize) -> Vec<Suggestion> {
        let prefix = key_of(typed);
        if prefix.is_empty() || limit == 0 {
            return Vec::new();
        }
        let whole_last_word = typed.ends_with(char::is_whitespace);
        let from = self.starts.partition_point(|s| suffix(&self.entries, *s) < prefix.as_str());
        let mut best: HashMap<u32, f32> = HashMap::new();
        for &(e, at) in self.starts[from..].iter().take(SCAN_CAP) {
            let rest = suffix(&self.entries, (e, at));
            if !rest.starts_with(&prefix) {
                break;
            }
            if whole_last_word && !matches!(rest.as_bytes().get(prefix.len()), None | Some(b' ')) {
                continue;
            }
            let score = self.entries[e as usize].weight + if at == 0 { 1.0 } else { 0.0 };
            let s = best.entry(e).or_insert(score);
            *s = s.max(score);
        }
        let mut ranked: Vec<(u32, f32)> = best.into_iter().collect();
        ranked.sort_by(|a, b| {
            let (ea, eb) = (&self.entries[a.0 as usize], &self.entries[b.0 as usize]);
            b.1.total_cmp(&a.1).then_with(|| ea.text.len().cmp(&eb.text.len())).then_with(|| ea.text.cmp(&eb.text))
        });
        let pick = |kind: Kind| ranked.iter().filter(move |(e, _)| self.entries[*e as usize].kind == kind);
        let queries: Vec<u32> = pick(Kind::Query).map(|(e, _)| *e).collect();
        let articles: Vec<u32> = pick(Kind::Article).map(|(e, _)| *e).collect();
        let half = limit.div_ceil(2);
        let n_queries = queries.len().min(half.max(limit.saturating_sub(articles.len())));
        let n_articles = articles.len().min(limit - n_queries);
        let typed_words = prefix.split(' ').count();
        queries[..n_queries]
            .iter()
            .chain(&articles[..n_articles])
            .map(|&e| self.render(&self.entries[e as usize], &prefix, typed_words))
            .collect()
    }

    fn render(&self, e: &Entry, prefix: &str, typed_words: usize) -> Suggestion {
        Suggestion {
            html: highlight(&e.text, prefix, typed_words),
            text: e.text.clone(),
            kind: e.kind,
            url: e.url.clone(),
        }
    }
}

fn entry(text: String, kind: Kind, url: Option<String>, weight: f32) -> Entry {
    Entry { key: key_of(&text), text, kind, url, weight }
}

fn suffix(entries: &[Entry], (e, at): (u32, u32)) -> &str {
    entries.get(e as usize).and_then(|x| x.key.get(at as usize..)).unwrap_or("")
}

/// Folded words joined by single spaces.
fn key_of(text: &str) -> String {
    folded_words(text).into_iter().map(|(w, _)| w).collect::<Vec<_>>().join(" ")
}

/// `text` escaped, with the run of words matching the typed words in `<mark>` (the last typed
/// word marks only as many letters as were typed).
fn highlight(text: &str, prefix: &str, typed_words: usize) -> String {
    let words = folded_words(text);
    let typed: Vec<&str> = prefix.split(' ').collect();
    let start = (0..words.len()).find(|&i| {
        typed.iter().enumerate().all(|(j, t)| {
            words.get(i + j).is_some_and(|(w, _)| if j + 1 == typed.len() { w.starts_with(t) } else { w == t })
        })
    });
    let Some(start) = start else { return html_escape::encode_text(text).into_owned() };
    let mut out = String::new();
    let mut at = 0;
    for (j, (_, range)) in words[start..start + typed_words.min(typed.len())].iter().enumerate() {
        let mut end = range.end;
        if j + 1 == typed.len() {
            let letters = typed[j].chars().count();
            end = text[range.clone()].char_indices().nth(letters).map_or(range.end, |(i, _)| range.start + i);
        }
        out.push_str(&html_escape::encode_text(&text[at..range.start]));
        out.push_str("<mark>");
        out.push_str(&html_escape::encode_text(&text[range.start..end]));
        out.push_str("</mark>");
        at = end;
    }
    out.push_str(&html_escape::encode_text(&text[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggester() -> Suggester {
        Suggester::from_entries(vec![
            entry("Postpartum back pain: How to get relief".into(), Kind::Article, Some("u1".into()), 1.0),
            entry("Back pain during pregnancy".into(), Kind::Article, Some("u2".into()), 1.0),
            entry("back pain".into(), Kind::Query, None, 2.0),
            entry("backache".into(), Kind::Query, None, 1.0),
            entry("Café culture <b>now</b>".into(), Kind::Article, Some("u3".into()), 1.0),
        ])
    }

    #[test]
    fn completes_the_last_word_from_any_word_on() {
        let s = suggester();
        let got: Vec<String> = s.suggest("back pa", 10).into_iter().map(|x| x.text).collect();
        assert_eq!(got, vec!["back pain", "Back pain during pregnancy", "Postpartum back pain: How to get relief"]);
        assert_eq!(s.suggest("back ", 10).len(), 3, "a finished word does not complete to backache");
        assert!(s.suggest("zzz", 10).is_empty());
        let fixed: Vec<String> = s.suggest("bakc pa", 10).into_iter().map(|x| x.text).collect();
        assert_eq!(fixed.first().map(String::as_str), Some("back pain"), "a misspelt word is corrected");
        let fixed: Vec<String> = s.suggest("postaprt", 10).into_iter().map(|x| x.text).collect();
        assert_eq!(fixed, vec!["Postpartum back pain: How to get relief"], "a misspelt prefix is corrected");
        assert!(s.suggest("  ", 10).is_empty());
    }

    #[test]
    fn marks_what_was_typed_and_escapes_the_rest() {
        let s = suggester();
        let hit = &s.suggest("cafe cul", 1)[0];
        assert_eq!(hit.html, "<mark>Café</mark> <mark>cul</mark>ture &lt;b&gt;now&lt;/b&gt;");
        let hit = &s.suggest("back pa", 1)[0];
        assert_eq!(hit.html, "<mark>back</mark> <mark>pa</mark>in");
    }
}
