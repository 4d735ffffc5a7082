//! The English analyzer every text field uses: split on non-alphanumerics, lower-case, fold
//! accents to ASCII, stem. Registered on every index open.

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};

/// The name the analyzer is registered under.
pub const ANALYZER: &str = "hs_english";

/// Builds the analyzer.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Registers the analyzer on an index; must run before any read or write.
pub fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// The terms `text` is indexed as, in order.
pub fn analyze(text: &str) -> Vec<String> {
    let mut a = analyzer();
    let mut stream = a.token_stream(text);
    let mut out = Vec::new();
    while let Some(tok) = stream.next() {
        out.push(tok.text.clone());
    }
    out
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
