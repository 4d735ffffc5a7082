//! Text normalization shared by extraction and indexing: Unicode NFC, whitespace, page artifacts.

use unicode_normalization::UnicodeNormalization;

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
    let nfc: String = text.nfc().collect();
    collapse_whitespace(&nfc)
}

/// Folds runs of whitespace (including no-break and zero-width spaces) into one space and trims.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Removes [`ARTIFACT_PHRASES`] (case-insensitive) and tidies the space they leave.
pub fn strip_artifacts(text: &str) -> String {
    let mut out = text.to_string();
    for phrase in ARTIFACT_PHRASES {
        while let Some(pos) = find_ci(&out, phrase) {
            out.replace_range(pos..pos + phrase.len(), " ");
        }
    }
    collapse_whitespace(&out).replace(" .", ".").replace(" ,", ",").replace("( )", "")
}

/// Byte offset of `needle` (ASCII, lower-case) in `haystack`, ignoring ASCII case.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| haystack.is_char_boundary(i) && h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Lower-case slug of a heading for use as an anchor: letters and digits joined by hyphens.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.nfc().flat_map(char::to_lowercase) {
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
    fn slugs_are_plain() {
        assert_eq!(slugify("What causes back pain?"), "what-causes-back-pain");
        assert_eq!(slugify("!!!"), "section");
    }
}
