//! Typo tolerance: a query word the index does not know is corrected to the most frequent indexed
//! word within an edit distance that grows with the word's length. Words with digits never are.

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use std::collections::{HashMap, HashSet};
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

/// The correction for an analyzed term the index does not contain, if a close enough one
/// exists among the index's words and `domain` words (the vocabulary's one-word names).
pub fn correct(searcher: &Searcher, fields: &[Field], term: &str, domain: &HashSet<String>) -> Option<Correction> {
    let d = max_distance(term);
    if d == 0 || term.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let dfa = BUILDERS[usize::from(d) - 1].build_dfa(term);
    let mut candidates: HashMap<String, Candidate> = HashMap::new();
    for segment in searcher.segment_readers() {
        for field in fields {
            let Ok(inverted) = segment.inverted_index(*field) else { continue };
            let Ok(mut stream) = inverted.terms().search(DfaAutomaton(&dfa)).into_stream() else { continue };
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else { continue };
                if let Distance::Exact(distance) = dfa.eval(word) {
                    let c = candidates.entry(word.to_string()).or_insert(Candidate { df: 0, distance });
                    c.df += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    for word in domain {
        if let Distance::Exact(distance) = dfa.eval(word) {
            candidates.entry(word.to_string()).or_insert(Candidate { df: 0, distance });
        }
    }
    let first = term.chars().next();
    candidates
        .into_iter()
        .filter(|(w, _)| w != term)
        .map(|(w, c)| {
            let plausibility = plausibility(term, &w, c.df, domain.contains(&w));
            (w, c, plausibility)
        })
        .min_by(|a, b| {
            let key = |(w, c, _): &(String, Candidate, f64)| (c.distance, w.chars().next() != first);
            key(a).cmp(&key(b)).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0))
        })
        .map(|(to, c, _)| Correction { from: term.to_string(), to, distance: c.distance })
}

struct Candidate {
    df: u64,
    distance: u8,
}

/// Among corrections with as few edits: common words, words of the typed length (a slip or a
/// swap rather than a lost letter), words sharing a longer beginning, and health vocabulary.
fn plausibility(typed: &str, word: &str, df: u64, in_domain: bool) -> f64 {
    let prefix = typed.chars().zip(word.chars()).take_while(|(a, b)| a == b).count() as f64;
    let same_length = typed.chars().count() == word.chars().count();
    (df as f64 + 1.0).ln() + 0.5 * prefix + if same_length { 1.0 } else { 0.0 } + if in_domain { 1.5 } else { 0.0 }
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
