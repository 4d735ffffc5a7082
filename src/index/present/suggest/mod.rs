//! Suggestions as you type: article titles, section headings and health-vocabulary names that
//! occur in the index, matched word by word from any word on, the last word as a prefix.

mod build;

pub use build::Gather;

use crate::analysis::folded_words;
use crate::query::spell;
use build::Builder;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;

/// Words of an entry a match may start at (later words are not completed from).
const MAX_START_WORDS: usize = 8;
/// Most candidate positions looked at per request.
const SCAN_CAP: usize = 4_000;
/// Fewer suggestions than this for the text as typed trigger typo correction.
const FEW: usize = 3;
/// Longest heading taken as a suggestion, in words.
const MAX_PHRASE_WORDS: usize = 10;

/// What a suggestion completes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SuggestionKind)]
pub enum Kind {
    /// A query to run (a vocabulary name or a section heading).
    Query,
    /// An article, opened directly.
    Article,
}

/// An entry's index and its score for what was typed.
type Scored = (u32, f32);

/// A run of bytes in the suggester's text arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// The span's text in `arena`.
    fn of(self, arena: &str) -> &str {
        arena.get(self.start as usize..(self.start + self.len) as usize).unwrap_or("")
    }
}

/// What choosing an entry does: search a query, or open an article (its shown text and link).
#[derive(Debug, Clone, Copy)]
enum Target {
    /// A query suggestion; its text in the arena.
    Query(Span),
    /// An article: its title and URL in the arena. (Reading them from the stored document when
    /// shown saved about 110 bytes an article but made suggestions 1.5-3x slower and put disk
    /// reads on the typing path of a server short of page cache.)
    Article { title: Span, url: Span },
}

/// One entry: 32 bytes plus its texts in the arena (about 350 bytes with owned strings before).
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Folded words joined by single spaces.
    key: Span,
    target: Target,
    weight: f32,
}

impl Entry {
    fn kind(&self) -> Kind {
        match self.target {
            Target::Query(_) => Kind::Query,
            Target::Article { .. } => Kind::Article,
        }
    }
}

/// One suggestion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestion {
    /// What to show, and to search for when it is a query.
    pub text: String,
    /// The text with the typed words in `<mark>`, everything else escaped.
    pub html: String,
    pub kind: Kind,
    /// The article's URL (articles only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The suggestion entries of one index state, with a sorted list of match start positions.
#[derive(Default)]
pub struct Suggester {
    /// Keys and texts, one after the other; entries hold spans of it.
    arena: String,
    entries: Vec<Entry>,
    starts: Vec<(u32, u32)>,
    /// Every distinct folded word of the entries, sorted, for spelling correction.
    words: Vec<String>,
    /// How many entries each word of `words` is in.
    word_counts: Vec<u32>,
    /// The index content version the entries come from (0 without an index).
    generation: u64,
}

impl Suggester {
    /// Sorts the entries (queries first, then by key), drops repeated queries, and lays the
    /// arena out again in that order with equal keys and titles stored once.
    fn from_builder(b: Builder) -> Suggester {
        let Builder { arena: old, mut entries } = b;
        let text = |s: Span| s.of(&old);
        entries.sort_by(|x, y| (x.kind(), text(x.key)).cmp(&(y.kind(), text(y.key))));
        entries.dedup_by(|x, y| x.kind() == Kind::Query && y.kind() == Kind::Query && text(x.key) == text(y.key));
        let mut fresh = Builder::default();
        // Sorted by key, repeated keys and titles are neighbours: each is stored once.
        let once = |previous: &mut Option<(Span, Span)>, was: Span, fresh: &mut Builder| {
            let now = match *previous {
                Some((p, now)) if text(p) == text(was) => now,
                _ => fresh.push(text(was)),
            };
            *previous = Some((was, now));
            now
        };
        let (mut last_key, mut last_title) = (None, None); // (span in the old arena, in the new)
        for e in &mut entries {
            e.key = once(&mut last_key, e.key, &mut fresh);
            e.target = match e.target {
                Target::Query(t) => Target::Query(fresh.push(text(t))),
                Target::Article { title, url } => {
                    Target::Article { title: once(&mut last_title, title, &mut fresh), url: fresh.push(text(url)) }
                }
            };
        }
        let mut s = Suggester { arena: fresh.arena, entries, ..Suggester::default() };
        s.index_starts();
        s
    }

    /// The sorted match start positions and the word list, from the entries' keys.
    fn index_starts(&mut self) {
        let mut starts = Vec::new();
        let mut words: BTreeMap<&str, u32> = BTreeMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            let key = self.text(e.key);
            let at = std::iter::once(0).chain(key.match_indices(' ').map(|(at, _)| at + 1));
            starts.extend(at.take(MAX_START_WORDS).map(|at| (i as u32, at as u32)));
            for w in key.split(' ') {
                *words.entry(w).or_default() += 1;
            }
        }
        starts.sort_unstable_by(|a, b| self.suffix(*a).cmp(self.suffix(*b)));
        let (words, counts): (Vec<String>, Vec<u32>) = words.into_iter().map(|(w, n)| (w.to_string(), n)).unzip();
        self.starts = starts;
        self.words = words;
        self.word_counts = counts;
    }

    fn text(&self, s: Span) -> &str {
        s.of(&self.arena)
    }

    /// An entry's key from the word starting at byte `at`.
    fn suffix(&self, (e, at): (u32, u32)) -> &str {
        self.entries.get(e as usize).map_or("", |x| self.text(x.key).get(at as usize..).unwrap_or(""))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The index content version the suggester was built from (0 without an index).
    pub fn generation(&self) -> u64 {
        self.generation
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

    /// `typed` with each word read as the search box reads it ([`spell::respell`] against the
    /// entries' words; the last word, still being typed, as the closest start of a known word);
    /// `None` when nothing changes.
    fn corrected(&self, typed: &str) -> Option<String> {
        let words: Vec<String> = folded_words(typed).into_iter().map(|(w, _)| w).collect();
        let last_is_prefix = !typed.ends_with(char::is_whitespace);
        let mut changed = false;
        let mut out = Vec::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            let read = if last_is_prefix && i + 1 == words.len() {
                self.closest_start(w)
            } else {
                spell::respell(w, self, &HashSet::new()).map(|c| key_of(&c.to))
            };
            match read {
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

    /// The closest start of a known word to `prefix`, within the edits [`spell::max_distance`]
    /// allows a word of its length.
    fn closest_start(&self, prefix: &str) -> Option<String> {
        let n = prefix.chars().count();
        let max = spell::max_distance(prefix);
        let from = self.words.partition_point(|w| w.as_str() < prefix);
        let known = self.words.get(from).is_some_and(|w| w.starts_with(prefix));
        if known || max == 0 || prefix.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut best: Option<(usize, String)> = None;
        for w in &self.words[self.first_letter_range(prefix)] {
            let start: String = w.chars().take(n).collect();
            let d = strsim::damerau_levenshtein(prefix, &start);
            if d <= usize::from(max) && best.as_ref().is_none_or(|(bd, _)| d < *bd) {
                best = Some((d, start));
            }
        }
        best.map(|(_, w)| w)
    }

    /// Where the known words sharing `word`'s first letter lie in `words`: the suggester looks
    /// for slips only there, where nearly all of them lie, to keep each keystroke to one slice.
    fn first_letter_range(&self, word: &str) -> std::ops::Range<usize> {
        let first = word.chars().next();
        let start = self.words.partition_point(|w| w.chars().next() < first);
        let end = self.words.partition_point(|w| w.chars().next() <= first);
        start..end
    }

    fn suggest_exact(&self, typed: &str, limit: usize) -> Vec<Suggestion> {
        let prefix = key_of(typed);
        if prefix.is_empty() || limit == 0 {
            return Vec::new();
        }
        let whole_last_word = typed.ends_with(char::is_whitespace);
        let from = self.starts.partition_point(|s| self.suffix(*s) < prefix.as_str());
        let mut best: HashMap<u32, f32> = HashMap::with_capacity(SCAN_CAP.min(self.starts.len() - from));
        for &(e, at) in self.starts[from..].iter().take(SCAN_CAP) {
            let rest = self.suffix((e, at));
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
        let (queries, articles): (Vec<Scored>, Vec<Scored>) =
            best.into_iter().partition(|(e, _)| self.entries[*e as usize].kind() == Kind::Query);
        let queries = self.best_of(queries, limit);
        let articles = self.best_of(articles, limit);
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

    /// The `n` best of the matched entries, best first: higher score, then shorter key, then key
    /// order, then entry order. Only the `n` kept are sorted.
    fn best_of(&self, mut matched: Vec<Scored>, n: usize) -> Vec<u32> {
        let key = |e: u32| self.text(self.entries[e as usize].key);
        let order = |a: &Scored, b: &Scored| {
            let (ka, kb) = (key(a.0), key(b.0));
            b.1.total_cmp(&a.1).then_with(|| ka.len().cmp(&kb.len())).then_with(|| ka.cmp(kb)).then(a.0.cmp(&b.0))
        };
        if matched.len() > n && n > 0 {
            matched.select_nth_unstable_by(n - 1, order);
        }
        matched.truncate(n);
        matched.sort_unstable_by(order);
        matched.into_iter().map(|(e, _)| e).collect()
    }

    fn render(&self, e: &Entry, prefix: &str, typed_words: usize) -> Suggestion {
        let (text, url) = match e.target {
            Target::Query(t) => (self.text(t), None),
            Target::Article { title, url } => (self.text(title), Some(self.text(url).to_string())),
        };
        Suggestion { html: highlight(text, prefix, typed_words), text: text.to_string(), kind: e.kind(), url }
    }
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

impl spell::Lexicon for Suggester {
    fn knows(&self, word: &str) -> bool {
        self.words.binary_search_by(|w| w.as_str().cmp(word)).is_ok()
    }

    fn near(&self, word: &str, max: u8) -> Vec<spell::Near> {
        let n = word.chars().count();
        let mut out = Vec::new();
        for i in self.first_letter_range(word) {
            let w = &self.words[i];
            if w.chars().count().abs_diff(n) > usize::from(max) {
                continue;
            }
            let d = strsim::damerau_levenshtein(word, w);
            if d <= usize::from(max) {
                let count = self.word_counts.get(i).copied().unwrap_or(1);
                out.push(spell::Near { word: w.clone(), count: u64::from(count), distance: d as u8 });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggester() -> Suggester {
        let mut b = Builder::default();
        for (title, url) in [
            ("Postpartum back pain: How to get relief", "u1"),
            ("Back pain during pregnancy", "u2"),
            ("Café culture <b>now</b>", "u3"),
        ] {
            b.add(title, |b| Target::Article { title: b.push(title), url: b.push(url) }, 1.0);
        }
        b.query("back pain", 2.0);
        b.query("backache", 1.0);
        b.query("Back  pain", 0.5);
        Suggester::from_builder(b)
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
    fn keeps_each_key_once() {
        let mut b = Builder::default();
        for url in ["u1", "u2"] {
            b.add(
                "Sleep and your baby",
                |b| Target::Article { title: b.push("Sleep and your baby"), url: b.push(url) },
                1.0,
            );
        }
        b.query("back pain", 2.0);
        b.query("Back  pain", 0.5);
        let s = Suggester::from_builder(b);
        assert_eq!(s.len(), 3, "the repeated query is dropped, both articles stay");
        assert_eq!(s.entries[1].key, s.entries[2].key, "the two articles share one key in the arena");
        let title = |e: &Entry| match e.target {
            Target::Article { title, .. } => Some(title),
            Target::Query(_) => None,
        };
        assert_eq!(title(&s.entries[1]), title(&s.entries[2]), "and one title");
        let urls: Vec<Option<String>> = s.suggest("sleep", 5).into_iter().map(|x| x.url).collect();
        assert_eq!(urls, vec![Some("u1".to_string()), Some("u2".to_string())]);
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
