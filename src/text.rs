//! Text normalization shared by extraction and indexing: Unicode NFC, whitespace, page artifacts.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Screen-reader and link-decoration phrases that pages put inside visible text.
/// Matched case-insensitively and removed wherever they occur.
pub const ARTIFACT_PHRASES: &[&str] = &[
    "opens a new window",
    "opens in a new window",
    "opens in new window",
    "(opens in a new tab)",
    "opens in a new tab",
    "opens in new tab",
    "link is external",
    "external link",
];

/// Normalizes a run of text: NFC, every kind of whitespace folded to one space, trimmed.
pub fn normalize(text: &str) -> String {
    // Most page text is ASCII or already NFC: the quick check spares composing it again.
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return collapse_whitespace(text);
    }
    let nfc: String = text.nfc().collect();
    collapse_whitespace(&nfc)
}

/// Folds runs of whitespace (including no-break and zero-width spaces) into one space and trims.
pub fn collapse_whitespace(text: &str) -> String {
    if text.is_ascii() {
        return collapse_ascii(text.as_bytes());
    }
    let mut out = String::with_capacity(text.len());
    // Whole words at a time: copying slices is several times faster than pushing characters.
    for word in text.split(is_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// [`collapse_whitespace`] of ASCII text, a byte at a time.
fn collapse_ascii(text: &[u8]) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut pending_space = false;
    for &b in text {
        // The ASCII characters `char::is_whitespace` holds to be space.
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(b);
        }
    }
    // Only ASCII bytes went in, so this cannot fail.
    String::from_utf8(out).unwrap_or_default()
}

/// Whitespace as [`collapse_whitespace`] folds it: Unicode's, plus zero-width space and BOM.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}'
}

/// What extraction does to every run of page text: [`normalize`], then [`strip_artifacts`] only
/// where an artifact or the space before a stop could be left.
pub fn clean(text: &str) -> String {
    let normal = normalize(text);
    if ARTIFACTS.is_match(&normal) || needs_tidy(&normal) { strip_artifacts(&normal) } else { normal }
}

/// Whether [`clean`] keeps at least `n` words of `text`, judged without cleaning it, so a long
/// paragraph is known to be long after reading its first `n` words. `false` means "not surely".
///
/// It counts solid words: those with no stop, comma or bracket and that no artifact phrase
/// has. Each stays a word of its own through cleaning: normalizing neither joins nor splits words,
/// an artifact empties only its own phrase's words, and tidying (`" ."`, `" ,"`, `"( )"`) joins
/// only a word beginning with a stop or a comma, or words around brackets.
pub fn keeps_at_least(text: &str, n: usize) -> bool {
    let mut solid = 0;
    // Split on ASCII space, a byte at a time; a piece holding other bytes may hold other spaces,
    // and is split again the way `normalize` splits.
    for piece in text.split_ascii_whitespace() {
        solid += if piece.bytes().all(|b| b.is_ascii() && b != 0x0b) {
            usize::from(is_solid(piece))
        } else {
            piece.split(is_space).filter(|w| is_solid(w)).count()
        };
        if solid >= n {
            return true;
        }
    }
    n == 0
}

/// A word cleaning leaves a word of its own (see [`keeps_at_least`]).
fn is_solid(word: &str) -> bool {
    !word.is_empty() && !word.bytes().any(|b| matches!(b, b'.' | b',' | b'(' | b')')) && !is_artifact_word(word)
}

/// Whether `word` is a word of an [`ARTIFACT_PHRASES`] phrase, brackets included: the only words
/// removing an artifact can empty.
fn is_artifact_word(word: &str) -> bool {
    ARTIFACT_WORDS.iter().any(|a| a.len() == word.len() && a.eq_ignore_ascii_case(word))
}

/// The distinct words of [`ARTIFACT_PHRASES`].
static ARTIFACT_WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut words: Vec<&str> = ARTIFACT_PHRASES.iter().flat_map(|p| p.split(' ')).collect();
    words.sort_unstable();
    words.dedup();
    words
});

/// One automaton for all [`ARTIFACT_PHRASES`], ASCII case ignored, the longest phrase winning where
/// two start at one place (so "(opens in a new tab)" takes its brackets with it).
static ARTIFACTS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        // A full DFA: a few KiB for eight phrases, and the fastest scan of every text run.
        .kind(Some(AhoCorasickKind::DFA))
        .build(ARTIFACT_PHRASES)
        .unwrap_or_else(|e| unreachable!("the artifact phrases are a fixed, valid list: {e}"))
});

/// Removes [`ARTIFACT_PHRASES`] (case-insensitive) and tidies the space they leave.
pub fn strip_artifacts(text: &str) -> String {
    let out = if ARTIFACTS.is_match(text) {
        Cow::Owned(ARTIFACTS.replace_all(text, &[" "; ARTIFACT_PHRASES.len()]))
    } else {
        Cow::Borrowed(text)
    };
    let out = collapse_whitespace(&out);
    if needs_tidy(&out) { out.replace(" .", ".").replace(" ,", ",").replace("( )", "") } else { out }
}

/// Whether [`strip_artifacts`] would tidy a space before a stop or an emptied bracket.
fn needs_tidy(text: &str) -> bool {
    text.contains(" .") || text.contains(" ,") || text.contains("( )")
}

/// Lower-case slug of a heading for use as an anchor: letters and digits joined by hyphens.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let composed: Cow<str> = if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.into()
    } else {
        text.nfc().collect()
    };
    for c in composed.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() { "section".to_string() } else { slug }
}

/// The noun for `n` things: `singular` for exactly one, else `plural`.
pub fn plural<'a, N: PartialEq + From<u8>>(n: N, singular: &'a str, many: &'a str) -> &'a str {
    if n == N::from(1) { singular } else { many }
}

/// `n` and its noun in the right number: "1 page", "2 pages", "0 queries".
pub fn count<N: std::fmt::Display + PartialEq + From<u8> + Copy>(n: N, singular: &str, many: &str) -> String {
    format!("{n} {}", plural(n, singular, many))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_right_noun() {
        assert_eq!(count(0u32, "page", "pages"), "0 pages");
        assert_eq!(count(1u32, "page", "pages"), "1 page");
        assert_eq!(count(2usize, "query", "queries"), "2 queries");
        assert_eq!(count(1u64, "article", "articles"), "1 article");
    }

    #[test]
    fn folds_whitespace_and_nbsp() {
        assert_eq!(normalize("  back\u{a0}pain \n\t after  "), "back pain after");
    }

    #[test]
    fn folds_ascii_and_unicode_space_alike() {
        for text in ["  a\tb\x0b\x0cc\r\n d  ", "  a\tb\x0b\x0cc\r\n d \u{a0}", "\u{200b}x  y\u{feff}"] {
            let by_char: Vec<&str> = text.split(is_space).filter(|w| !w.is_empty()).collect();
            assert_eq!(collapse_whitespace(text), by_char.join(" "), "{text:?}");
        }
        assert_eq!(collapse_whitespace(" a\x1fb "), "a\x1fb", "unit separators are not space");
    }

    #[test]
    fn composes_unicode() {
        assert_eq!(normalize("cafe\u{301}"), "caf\u{e9}");
    }

    #[test]
    fn strips_new_window_labels() {
        let s = "https://example.org/a Opens a new window [Accessed February 2022]";
        assert_eq!(strip_artifacts(s), "https://example.org/a [Accessed February 2022]");
        assert_eq!(strip_artifacts("See NICE (opens in a new tab)."), "See NICE.");
    }

    #[test]
    fn the_word_bound_never_exceeds_what_cleaning_keeps() {
        let texts = [
            "Back pain after birth is common, and it usually eases within weeks.",
            "Home (opens in a new tab) About (opens in a new tab) Contact (opens in a new tab)",
            "a( )b c .d e ,f Opens In A New Window g\u{200b}h tab) (opens",
            "x(opens in a new tab).y -opens in new tab link is external external link",
            "opens\u{a0}in\u{2003}a new\u{b}tab opens\u{200b}in\u{feff}a\u{85}new tab\u{3000}external link",
            "caf\u{e9} Cafe\u{301} \u{2003}  word\u{a0}word ( ) . , .. ,,",
            "",
        ];
        for text in texts {
            let kept = clean(text).split_whitespace().count();
            for n in 0..=kept + 3 {
                assert!(!keeps_at_least(text, n) || kept >= n, "{text:?}: bound {n}, cleaning keeps {kept}");
            }
        }
        let long = "Most back pain after birth eases within weeks. ".repeat(20);
        assert!(keeps_at_least(&long, 80), "a long paragraph is known to be long");
    }

    #[test]
    fn slugs_are_plain() {
        assert_eq!(slugify("What causes back pain?"), "what-causes-back-pain");
        assert_eq!(slugify("!!!"), "section");
    }
}
