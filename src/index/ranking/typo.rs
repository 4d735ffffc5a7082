//! The index as a spelling lexicon ([`crate::query::spell`]): which words it knows, and its words as
//! written within a few edits of a typed one, found by walking the term dictionary with a
//! Levenshtein automaton.

use crate::analysis::analyze;
use crate::query::is_stop_term;
use crate::query::{Lexicon, Near};
use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use std::collections::HashMap;
use std::sync::LazyLock;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};
use tantivy_fst::Automaton;

/// Automaton builders for distance 1 and 2 (a transposition counts as one edit); building them is
/// the expensive part, so it happens once per process.
static BUILDERS: LazyLock<[LevenshteinAutomatonBuilder; 2]> =
    LazyLock::new(|| [LevenshteinAutomatonBuilder::new(1, true), LevenshteinAutomatonBuilder::new(2, true)]);

/// How many documents contain `term` in any of `fields`.
fn doc_freq(searcher: &Searcher, fields: &[Field], term: &str) -> u64 {
    fields.iter().map(|f| searcher.doc_freq(&Term::from_field_text(*f, term)).unwrap_or(0)).sum()
}

/// The index's words as a spelling lexicon: a word is known when some article has it as
/// written, or when it stems to a word some article has (so "screams" stands when only
/// "screaming" was written); corrections are drawn from the words as written.
pub struct IndexLexicon<'a> {
    pub searcher: &'a Searcher,
    /// The words as written (folded, unstemmed).
    pub surface: Field,
    /// Stemmed text fields.
    pub stemmed: &'a [Field],
    /// Words of the language known beyond the index (the model's vocabulary, when it is loaded).
    pub language: Option<&'a dyn Fn(&str) -> bool>,
}

impl Lexicon for IndexLexicon<'_> {
    fn knows(&self, word: &str) -> bool {
        if doc_freq(self.searcher, &[self.surface], word) > 0 || self.language.is_some_and(|knows| knows(word)) {
            return true;
        }
        let stems = analyze(word);
        // Stop words are words, whether or not the index keeps them.
        if !stems.is_empty() && stems.iter().all(|s| is_stop_term(s)) {
            return true;
        }
        !stems.is_empty() && stems.iter().all(|s| doc_freq(self.searcher, self.stemmed, s) > 0)
    }

    fn near(&self, word: &str, max: u8) -> Vec<Near> {
        let Some(builder) = BUILDERS.get(usize::from(max.clamp(1, 2)) - 1) else { return Vec::new() };
        let dfa = builder.build_dfa(word);
        let mut found: HashMap<String, Near> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.surface) else { continue };
            let Ok(mut stream) = inverted.terms().search(DfaAutomaton(&dfa)).into_stream() else { continue };
            while stream.advance() {
                let Ok(w) = std::str::from_utf8(stream.key()) else { continue };
                if let Distance::Exact(distance) = dfa.eval(w) {
                    let n = found.entry(w.to_string()).or_insert(Near { word: w.to_string(), count: 0, distance });
                    n.count += u64::from(stream.value().doc_freq);
                }
            }
        }
        found.into_values().collect()
    }
}

/// A Levenshtein DFA as an FST automaton, to stream only the dictionary terms within reach.
struct DfaAutomaton<'a>(&'a DFA);

impl Automaton for DfaAutomaton<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}
