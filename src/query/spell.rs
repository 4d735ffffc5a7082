//! Spelling correction, one model for the search box and the suggester: a word is corrected as
//! typed (folded, not stemmed) against words as written, so a real word is never turned into
//! another. Everyday spellings ("cant", "nite", "thru", "throwin") are read as meant; a word
//! nothing knows is corrected to the likeliest known word within a few edits.

use serde::Serialize;
use std::collections::HashSet;

/// How a word was corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CorrectionKind)]
pub enum Kind {
    /// An everyday spelling of a word (a contraction without its apostrophe, "nite", a dropped
    /// g): searched as meant, never offered as "did you mean".
    Everyday,
    /// A misspelling, corrected to a known word.
    Typo,
}

/// A word as typed and what it was read as.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Correction {
    /// The word as typed (lower-cased and folded).
    pub from: String,
    /// The word it was read as, as written.
    pub to: String,
    /// Edits between the two (0 for an everyday spelling).
    pub distance: u8,
    pub kind: Kind,
}

/// A known word near a typed one.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    pub word: String,
    /// How many documents (or entries) contain it; more is likelier.
    pub count: u64,
    pub distance: u8,
}

/// Where words are looked up: the index's words as written, or the suggester's entries.
pub trait Lexicon {
    /// Whether `word` (folded, as typed) is a word of this lexicon, or of its language as the
    /// lexicon reads it (an inflection the index stems to a known word counts).
    fn knows(&self, word: &str) -> bool;
    /// The known words within `max` edits of `word` (a transposition counts as one).
    fn near(&self, word: &str, max: u8) -> Vec<Near>;
}

/// Edits allowed for a word of this many characters as typed: none up to 3, one for 4 or 5,
/// two beyond.
pub fn max_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

/// Everyday spellings and what they mean. Only spellings that are not themselves words people
/// would search for: "ill", "its", "were", "well" and "id" are words, so they are left alone.
const EVERYDAY: &[(&str, &str)] = &[
    ("cant", "can't"),
    ("dont", "don't"),
    ("wont", "won't"),
    ("isnt", "isn't"),
    ("arent", "aren't"),
    ("wasnt", "wasn't"),
    ("werent", "weren't"),
    ("doesnt", "doesn't"),
    ("didnt", "didn't"),
    ("hasnt", "hasn't"),
    ("havent", "haven't"),
    ("hadnt", "hadn't"),
    ("couldnt", "couldn't"),
    ("shouldnt", "shouldn't"),
    ("wouldnt", "wouldn't"),
    ("aint", "ain't"),
    ("im", "i'm"),
    ("ive", "i've"),
    ("youre", "you're"),
    ("theyre", "they're"),
    ("shes", "she's"),
    ("thats", "that's"),
    ("whats", "what's"),
    ("wheres", "where's"),
    ("hows", "how's"),
    ("nite", "night"),
    ("nites", "nights"),
    ("tonite", "tonight"),
    ("thru", "through"),
    ("tho", "though"),
    ("altho", "although"),
    ("u", "you"),
    ("ur", "your"),
    ("pls", "please"),
    ("plz", "please"),
    ("cuz", "because"),
    ("coz", "because"),
    ("bcos", "because"),
    ("abt", "about"),
    ("wk", "week"),
    ("wks", "weeks"),
    ("yr", "year"),
    ("yrs", "years"),
    ("mths", "months"),
    ("mnths", "months"),
    ("hrs", "hours"),
    ("mins", "minutes"),
    ("gonna", "going to"),
    ("wanna", "want to"),
    ("gotta", "got to"),
    ("lil", "little"),
    ("tummys", "tummies"),
];

/// Common English words that are never misspellings, whatever the index holds (some corpora
/// strip them): a guard for when no larger word list (the model's vocabulary) is loaded.
const COMMON: &[&str] = &[
    "about",
    "above",
    "across",
    "actually",
    "after",
    "again",
    "against",
    "almost",
    "alone",
    "along",
    "already",
    "also",
    "although",
    "always",
    "among",
    "another",
    "anyone",
    "anything",
    "around",
    "away",
    "back",
    "because",
    "become",
    "been",
    "before",
    "behind",
    "being",
    "below",
    "beside",
    "best",
    "better",
    "between",
    "beyond",
    "both",
    "bring",
    "came",
    "cannot",
    "come",
    "could",
    "daily",
    "does",
    "done",
    "down",
    "during",
    "each",
    "early",
    "either",
    "else",
    "enough",
    "even",
    "ever",
    "every",
    "everyone",
    "fine",
    "first",
    "found",
    "from",
    "give",
    "given",
    "going",
    "gone",
    "good",
    "great",
    "half",
    "hard",
    "have",
    "having",
    "help",
    "here",
    "high",
    "into",
    "just",
    "keep",
    "kept",
    "know",
    "known",
    "last",
    "late",
    "later",
    "least",
    "less",
    "like",
    "likely",
    "little",
    "long",
    "look",
    "lost",
    "made",
    "make",
    "many",
    "maybe",
    "might",
    "more",
    "most",
    "much",
    "must",
    "near",
    "need",
    "never",
    "next",
    "often",
    "once",
    "only",
    "other",
    "over",
    "perhaps",
    "plus",
    "quite",
    "rather",
    "really",
    "right",
    "said",
    "same",
    "seen",
    "several",
    "should",
    "since",
    "some",
    "something",
    "sometimes",
    "soon",
    "still",
    "such",
    "sure",
    "take",
    "taken",
    "than",
    "that",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "think",
    "this",
    "those",
    "though",
    "through",
    "today",
    "together",
    "took",
    "toward",
    "towards",
    "under",
    "unless",
    "until",
    "upon",
    "used",
    "using",
    "usually",
    "very",
    "want",
    "well",
    "were",
    "what",
    "whatever",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "whole",
    "whose",
    "will",
    "with",
    "within",
    "without",
    "would",
    "year",
    "years",
    "young",
    "your",
    "yours",
];

/// What an everyday spelling means, when `word` is one.
pub fn everyday(word: &str) -> Option<&'static str> {
    EVERYDAY.iter().find(|(w, _)| *w == word).map(|(_, meant)| *meant)
}

/// The -ing word a word with a dropped g ("throwin") stands for.
fn dropped_g(word: &str) -> Option<String> {
    let stem = word.strip_suffix("in")?;
    (stem.chars().count() >= 2).then(|| format!("{word}g"))
}

/// Every word [`respell`] may ask a lexicon whether it knows, for `word` as typed: an engine that
/// answers from a batch fetched beforehand fetches these.
pub fn lookups(word: &str) -> Vec<String> {
    std::iter::once(word.to_string()).chain(dropped_g(word)).collect()
}

/// How `word` (folded, as typed) should be read, or `None` when it stands as typed. `domain`
/// holds the health vocabulary's one-word names as written: preferred among equally close words.
pub fn respell(word: &str, lexicon: &dyn Lexicon, domain: &HashSet<String>) -> Option<Correction> {
    if let Some(meant) = everyday(word) {
        return Some(Correction { from: word.into(), to: meant.into(), distance: 0, kind: Kind::Everyday });
    }
    if word.bytes().any(|b| b.is_ascii_digit())
        || COMMON.contains(&word)
        || domain.contains(word)
        || lexicon.knows(word)
    {
        return None;
    }
    // A dropped g ("throwin", "feedin'"): read as the -ing word when that one is known.
    if let Some(full) = dropped_g(word)
        && lexicon.knows(&full)
    {
        return Some(Correction { from: word.into(), to: full, distance: 0, kind: Kind::Everyday });
    }
    let max = max_distance(word);
    if max == 0 {
        return None;
    }
    let first = word.chars().next();
    lexicon
        .near(word, max)
        .into_iter()
        .filter(|n| n.word != word && !n.word.bytes().any(|b| b.is_ascii_digit()))
        .map(|n| {
            let p = plausibility(word, &n, domain.contains(&n.word));
            (n, p)
        })
        // Fewest edits first; then, like most spelling correctors, a word keeping the first letter.
        .min_by(|(a, pa), (b, pb)| {
            let key = |n: &Near| (n.distance, n.word.chars().next() != first);
            key(a).cmp(&key(b)).then(pb.total_cmp(pa)).then(a.word.cmp(&b.word))
        })
        .map(|(n, _)| Correction { from: word.into(), to: n.word, distance: n.distance, kind: Kind::Typo })
}

/// Among corrections with as few edits: common words, words sharing a longer beginning, words
/// of the typed length (a slip rather than a lost letter), and health vocabulary.
fn plausibility(typed: &str, near: &Near, in_domain: bool) -> f64 {
    let prefix = typed.chars().zip(near.word.chars()).take_while(|(a, b)| a == b).count() as f64;
    let same_length = typed.chars().count() == near.word.chars().count();
    (near.count as f64 + 1.0).ln()
        + 0.5 * prefix.min(3.0)
        + if same_length { 1.0 } else { 0.0 }
        + if in_domain { 1.5 } else { 0.0 }
}

/// `text` with each word a correction was made `from` replaced by what it was read as; the
/// rest (other words, spaces, quotes, `-`) kept as typed.
pub fn apply(text: &str, corrections: &[Correction]) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut last = 0;
    for (word, range) in crate::analysis::folded_words(text) {
        if let Some(c) = corrections.iter().find(|c| c.from == word) {
            out.push_str(&text[last..range.start]);
            out.push_str(&c.to);
            last = range.end;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lexicon of a few words with counts; inflections are not known unless listed.
    struct Words(Vec<(&'static str, u64)>);

    impl Lexicon for Words {
        fn knows(&self, word: &str) -> bool {
            self.0.iter().any(|(w, _)| *w == word)
        }
        fn near(&self, word: &str, max: u8) -> Vec<Near> {
            self.0
                .iter()
                .filter_map(|(w, c)| {
                    let d = strsim::damerau_levenshtein(word, w);
                    (d <= usize::from(max)).then(|| Near { word: w.to_string(), count: *c, distance: d as u8 })
                })
                .collect()
        }
    }

    fn words() -> Words {
        Words(vec![
            ("can", 40),
            ("don", 1),
            ("poo", 5),
            ("bruised", 4),
            ("brushed", 1),
            ("brush", 5),
            ("night", 20),
            ("nit", 2),
            ("throw", 3),
            ("throwing", 2),
            ("nipples", 9),
            ("cramps", 8),
        ])
    }

    fn read(word: &str) -> Option<(String, Kind)> {
        respell(word, &words(), &HashSet::new()).map(|c| (c.to, c.kind))
    }

    #[test]
    fn everyday_spellings_are_read_as_meant() {
        assert_eq!(read("cant"), Some(("can't".into(), Kind::Everyday)));
        assert_eq!(read("dont"), Some(("don't".into(), Kind::Everyday)));
        assert_eq!(read("nite"), Some(("night".into(), Kind::Everyday)));
        assert_eq!(read("throwin"), Some(("throwing".into(), Kind::Everyday)));
    }

    #[test]
    fn typos_go_to_the_likeliest_whole_word_and_known_words_stay() {
        assert_eq!(read("brused"), Some(("bruised".into(), Kind::Typo)));
        assert_eq!(read("nipples"), None);
        assert_eq!(read("poo"), None);
        assert_eq!(read("crmps"), Some(("cramps".into(), Kind::Typo)));
        assert_eq!(read("zzzzzzzz"), None);
    }

    #[test]
    fn rewrites_text_between_words_as_typed() {
        let typed = "Cant  \"brused nipples\" -nite";
        let made: Vec<Correction> = crate::analysis::folded_words(typed)
            .into_iter()
            .filter_map(|(w, _)| respell(&w, &words(), &HashSet::new()))
            .collect();
        assert_eq!(apply(typed, &made), "can't  \"bruised nipples\" -night");
        assert_eq!(made.len(), 3);
    }
}
