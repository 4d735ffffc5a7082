//! Health vocabulary: concepts that tie lay and clinical names ("after birth" and postpartum,
//! "heart attack" and myocardial infarction), matched phrase by phrase against a query's analyzed
//! terms so a query can also search for a concept's other names.

pub mod load;

use crate::analysis::analyze;
use std::collections::{HashMap, HashSet};

/// The vocabulary bundled with the binary.
pub const BUNDLED: &str = include_str!("health_concepts.tsv");

/// Longest name, in terms, that a query is matched against.
const MAX_NAME_TERMS: usize = 6;

/// One concept: an id and every name it goes by.
#[derive(Debug, Clone)]
pub struct Concept {
    pub id: String,
    pub names: Vec<String>,
    /// Each name as analyzed terms, in the same order as `names`.
    terms: Vec<Vec<String>>,
}

/// A stretch of the query that names a concept, and the concept's other names to search for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Expansion {
    /// Index of the first matched term in the query's term sequence.
    #[serde(skip)]
    pub start: usize,
    /// Number of query terms matched.
    #[serde(skip)]
    pub len: usize,
    /// The matched name, as analyzed terms joined by spaces.
    pub from: String,
    /// The concept's id in the vocabulary.
    pub concept: String,
    /// The other names, each as analyzed terms.
    #[serde(skip)]
    pub alternatives: Vec<Vec<String>>,
    /// The concept's other names as written, searched for too (weighted lower).
    pub to: Vec<String>,
}

/// Every concept, and an index from analyzed name to the concepts that use it.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    concepts: Vec<Concept>,
    by_name: HashMap<Vec<String>, Vec<usize>>,
    /// The one-word names as written (lower-cased, folded): words spelling correction knows.
    single_words: HashSet<String>,
}

impl Vocabulary {
    /// Every name of every concept, as written and as analyzed terms.
    pub fn names(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.concepts.iter().flat_map(|c| c.names.iter().map(String::as_str).zip(c.terms.iter().map(Vec::as_slice)))
    }

    /// The bundled vocabulary.
    pub fn bundled() -> Vocabulary {
        let mut v = Vocabulary::default();
        load::add_concept_tsv(&mut v, BUNDLED);
        v
    }

    /// Adds a concept. Names that analyze to nothing are dropped; a concept left with fewer than
    /// two distinct names is ignored.
    pub fn add(&mut self, id: &str, names: impl IntoIterator<Item = String>) {
        let mut kept: Vec<String> = Vec::new();
        let mut terms: Vec<Vec<String>> = Vec::new();
        for name in names {
            let t = analyze(&name);
            if !t.is_empty() && t.len() <= MAX_NAME_TERMS && !terms.contains(&t) {
                kept.push(name.trim().to_string());
                terms.push(t);
            }
        }
        if terms.len() < 2 {
            return;
        }
        let idx = self.concepts.len();
        for t in &terms {
            self.by_name.entry(t.clone()).or_default().push(idx);
        }
        for name in &kept {
            if let [(word, _)] = crate::analysis::folded_words(name).as_slice() {
                self.single_words.insert(word.clone());
            }
        }
        self.concepts.push(Concept { id: id.to_string(), names: kept, terms });
    }

    /// Every one-word name as written, lower-cased and folded (known to spelling correction).
    pub fn single_words(&self) -> &HashSet<String> {
        &self.single_words
    }

    /// Number of concepts.
    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    /// Whether there are no concepts.
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    /// Concepts named in `terms`, longest names first, never overlapping. A name that belongs
    /// to more than one concept is ambiguous and expands to nothing, so senses never cross.
    pub fn expansions(&self, terms: &[String], max_alternatives: usize) -> Vec<Expansion> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < terms.len() {
            let longest = (1..=MAX_NAME_TERMS.min(terms.len() - i))
                .rev()
                .find_map(|len| self.by_name.get(&terms[i..i + len]).map(|c| (len, c)));
            match longest {
                Some((len, concepts)) if concepts.len() == 1 => {
                    let c = &self.concepts[concepts[0]];
                    let matched = &terms[i..i + len];
                    let (alternatives, to): (Vec<_>, Vec<_>) = c
                        .terms
                        .iter()
                        .zip(&c.names)
                        .filter(|(t, _)| t.as_slice() != matched)
                        .take(max_alternatives)
                        .map(|(t, n)| (t.clone(), n.clone()))
                        .unzip();
                    out.push(Expansion {
                        start: i,
                        len,
                        from: matched.join(" "),
                        concept: c.id.clone(),
                        alternatives,
                        to,
                    });
                    i += len;
                }
                Some((len, _)) => i += len,
                None => i += 1,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        let mut v = Vocabulary::default();
        v.add("postpartum", ["postpartum", "after birth", "after giving birth"].map(String::from));
        v.add("placenta", ["placenta", "afterbirth"].map(String::from));
        v.add("mi", ["myocardial infarction", "heart attack"].map(String::from));
        v
    }

    #[test]
    fn matches_longest_phrases_and_lists_the_other_names() {
        let v = vocab();
        let e = v.expansions(&analyze("back pain after giving birth"), 10);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].concept, "postpartum");
        assert_eq!((e[0].start, e[0].len), (2, 3));
        assert_eq!(e[0].to, vec!["postpartum", "after birth"]);
        let e = v.expansions(&analyze("heart attack signs"), 10);
        assert_eq!(e[0].alternatives, vec![analyze("myocardial infarction")]);
    }

    #[test]
    fn never_crosses_senses() {
        let v = vocab();
        let e = v.expansions(&analyze("afterbirth"), 10);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].concept, "placenta");
        let mut ambiguous = vocab();
        ambiguous.add("other", ["heart attack", "cardiac arrest"].map(String::from));
        assert!(ambiguous.expansions(&analyze("heart attack"), 10).is_empty());
    }
}
