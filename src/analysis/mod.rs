//! The English analysis shared by ingest, the vocabulary, query understanding and every engine:
//! split on non-alphanumerics, lower-case, fold accents to ASCII, stem. Tantivy's tokenizer
//! filters do the work, as a library; the Tantivy engine registers the same analyzers on its
//! index ([`crate::index::storage::analyzer`]), so query terms and indexed terms agree by construction.

mod stemmer;

use std::cell::RefCell;
pub use stemmer::{MemoStemmer, stem};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer};

/// Words of this many bytes or more are not indexed.
pub const LONG_WORD: usize = 48;

/// Builds the analyzer.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONG_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(MemoStemmer)
        .build()
}

/// The analyzer without its stemmer: the words as folded, before stemming.
pub fn folder() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONG_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

thread_local! {
    /// One analyzer per thread, built on first use: building one (stemmer included) costs more
    /// than analyzing a paragraph.
    static ANALYZER_CACHE: RefCell<TextAnalyzer> = RefCell::new(analyzer());
    static FOLDER_CACHE: RefCell<TextAnalyzer> = RefCell::new(folder());
}

/// Every word of `text`, lower-cased and folded but not stemmed, with its byte range in `text`.
pub fn folded_words(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    for_each_folded_token(text, |word, range| out.push((word.to_string(), range)));
    out
}

/// Calls `f` with every word of `text`, folded but not stemmed, and its byte range in `text`.
pub fn for_each_folded_token(text: &str, mut f: impl FnMut(&str, std::ops::Range<usize>)) {
    FOLDER_CACHE.with(|a| {
        let mut a = a.borrow_mut();
        let mut stream = a.token_stream(text);
        while let Some(tok) = stream.next() {
            f(&tok.text, tok.offset_from..tok.offset_to);
        }
    })
}

/// The prefix every word stemming to `stem` begins with (the stemmer changes at most the last
/// letter of what it keeps), used to skip stemming words that cannot match.
pub fn stem_prefix(stem: &str) -> &str {
    match stem.char_indices().last() {
        Some((i, _)) if stem.len() > 3 => &stem[..i],
        _ => stem,
    }
}

/// The terms `text` is indexed as, in order.
pub fn analyze(text: &str) -> Vec<String> {
    ANALYZER_CACHE.with(|a| {
        let mut a = a.borrow_mut();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(tok) = stream.next() {
            out.push(tok.text.clone());
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_folds() {
        assert_eq!(analyze("Backaches after Births"), vec!["backach", "after", "birth"]);
        assert_eq!(analyze("Café C-section"), vec!["cafe", "c", "section"]);
    }
}
