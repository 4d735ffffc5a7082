//! Typo tolerance: a query word the index does not know is corrected to the most frequent indexed
//! word within an edit distance that grows with the word's length. Words with digits never are.

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

/// Edits allowed for an analyzed word of this many characters: none up to 3, one for 4 or 5,
/// two beyond (stems are shorter than what was typed).
pub fn max_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

/// A word and what it was corrected to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Correction {
    pub from: String,
    pub to: String,
    pub distance: u8,
}

/// How many documents contain `term` in any of `fields`.
pub fn doc_freq(searcher: &Searcher, fields: &[Field], term: &str) -> u64 {
    fields.iter().map(|f| searcher.doc_freq(&Term::from_field_text(*f, term)).unwrap_or(0)).sum()
}

/// The correction for an analyzed term the index does not contain, if a close enough one exists.
pub fn correct(searcher: &Searcher, fields: &[Field], term: &str) -> Option<Correction> {
    let d = max_distance(term);
    if d == 0 || term.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let dfa = BUILDERS[usize::from(d) - 1].build_dfa(term);
    let mut candidates: HashMap<String, (u64, u8)> = HashMap::new();
    for segment in searcher.segment_readers() {
        for field in fields {
            let Ok(inverted) = segment.inverted_index(*field) else { continue };
            let Ok(mut stream) = inverted.terms().search(DfaAutomaton(&dfa)).into_stream() else { continue };
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else { continue };
                let distance = match dfa.eval(word) {
                    Distance::Exact(n) => n,
                    Distance::AtLeast(_) => continue,
                };
                let entry = candidates.entry(word.to_string()).or_insert((0, distance));
                entry.0 += u64::from(stream.value().doc_freq);
            }
        }
    }
    // Fewest edits first; then a word with the same first letter (typos rarely hit it); then the
    // most documents; then alphabetical, so the choice is deterministic.
    let first = term.chars().next();
    candidates
        .into_iter()
        .filter(|(w, _)| w != term)
        .min_by_key(|(w, (df, d))| (*d, w.chars().next() != first, std::cmp::Reverse(*df), w.clone()))
        .map(|(to, (_, distance))| Correction { from: term.to_string(), to, distance })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_grows_with_length() {
        assert_eq!(max_distance("pia"), 0);
        assert_eq!(max_distance("pian"), 1);
        assert_eq!(max_distance("brest"), 1);
        assert_eq!(max_distance("hemroid"), 2);
    }
}
