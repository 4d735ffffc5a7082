//! English stemming with a memo per thread: the same few thousand words come back in every
//! article and query, and looking a word up costs a fraction of stemming it again.

use frostem::{Algorithm, Stemmer};
use std::cell::RefCell;
use std::collections::HashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words a thread remembers before it forgets them all and starts again: a few MiB at most,
/// and far more than the distinct words of a large health library.
const MEMO_WORDS: usize = 200_000;

thread_local! {
    /// Folded word to its stem, for this thread.
    /// Words come from pages, so the hasher is seeded per process; it is several times faster
    /// than the standard one on short words, and a lookup runs for every word indexed.
    static MEMO: RefCell<HashMap<String, String, foldhash::fast::RandomState>> = RefCell::new(HashMap::default());
}

/// Writes the stem of `word` into `out` (cleared first).
fn stem_into(stemmer: &Stemmer, word: &str, out: &mut String) {
    out.clear();
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(stem) = memo.get(word) {
            out.push_str(stem);
            return;
        }
        let stem = stemmer.stem(word);
        out.push_str(&stem);
        if memo.len() >= MEMO_WORDS {
            memo.clear();
        }
        memo.insert(word.to_string(), stem.into_owned());
    });
}

/// The stem of one lower-cased, folded word, as [`MemoStemmer`] gives it.
pub fn stem(word: &str) -> String {
    let mut out = String::new();
    stem_into(&Stemmer::new(Algorithm::English), word, &mut out);
    out
}

/// The token filter: Tantivy's English stemmer, memoized. Tokens must be lower-cased first.
#[derive(Clone, Copy, Default)]
pub struct MemoStemmer;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter { inner }
    }
}

/// A tokenizer with its tokens stemmed.
#[derive(Clone)]
pub struct MemoStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: Stemmer::new(Algorithm::English),
            buffer: String::new(),
        }
    }
}

/// The tokens of the inner stream, stemmed.
pub struct MemoStemmerStream<T> {
    tail: T,
    stemmer: Stemmer,
    buffer: String,
}

impl<T: TokenStream> TokenStream for MemoStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        stem_into(&self.stemmer, &token.text, &mut self.buffer);
        std::mem::swap(&mut token.text, &mut self.buffer);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, TextAnalyzer};

    fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn stems_as_tantivys_stemmer_does_seen_or_not() {
        let text = "Running runners ran; pregnancies and pregnancy, babies' feeding feeds running";
        let ours = TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(MemoStemmer).build();
        let theirs = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(tantivy::tokenizer::Stemmer::new(Language::English))
            .build();
        let expected = tokens(theirs, text);
        assert_eq!(tokens(ours.clone(), text), expected);
        assert_eq!(tokens(ours, text), expected, "the second time, from the memo");
    }
}
