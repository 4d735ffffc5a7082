//! The cluster as a spelling lexicon and as term statistics, fetched for one query in one
//! request before it is planned: which typed words the articles have (as written, or stemmed),
//! the written words within two edits of those they lack (OpenSearch's term suggester, with
//! document counts), and how many articles hold each term.

use super::cluster::OpenSearch;
use super::dsl::in_any;
use super::error::OsError;
use crate::analysis::{analyze, folded_words};
use crate::index::storage::schema::name;
use crate::query::spell::lookups;
use crate::query::{Clause, Lexicon, Near, ParsedQuery, TermStats, is_stop_term};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

/// Suggestions asked per unknown word.
const SUGGESTIONS: usize = 10;

/// Whether a word is a word of the language (the model's vocabulary).
pub type Knows = Box<dyn Fn(&str) -> bool + Send + Sync>;

/// What one query needs to know of the cluster's words.
#[derive(Default)]
pub struct Prefetched {
    /// Typed words some article has (as written, or stemmed to a term it has).
    known: HashSet<String>,
    /// For each typed word no article has: written words within two edits, with their counts.
    near: HashMap<String, Vec<Near>>,
    /// Articles holding each term in the body.
    doc_freq: HashMap<String, u64>,
    num_docs: u64,
    /// Words of the language known beyond the articles (the model's vocabulary).
    language: Option<Knows>,
}

/// The words a plan asks the lexicon about: every word of every word clause, folded, and the
/// other forms the speller checks ([`lookups`]).
fn typed_words(parsed: &ParsedQuery) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, clause) in parsed.clauses.iter().enumerate() {
        if !matches!(clause, Clause::Word(_)) {
            continue;
        }
        for (typed, _) in parsed.typed.get(i).map(|t| folded_words(t)).unwrap_or_default() {
            for w in lookups(&typed) {
                if !out.contains(&w) {
                    out.push(w);
                }
            }
        }
    }
    out
}

impl Prefetched {
    /// Fetches what planning `parsed` needs, plus the body counts of `terms`.
    pub fn fetch(os: &OpenSearch, parsed: &ParsedQuery, terms: &[String]) -> Result<Prefetched, OsError> {
        let words = typed_words(parsed);
        let mut filters = Map::new();
        for (i, w) in words.iter().enumerate() {
            filters.insert(format!("w{i}"), json!({"term": {name::WORDS: w}}));
            let stems = analyze(w);
            if !stems.is_empty() {
                let all: Vec<Value> = stems.iter().map(|s| in_any(std::slice::from_ref(s))).collect();
                filters.insert(format!("s{i}"), json!({"bool": {"filter": all}}));
            }
        }
        for (i, t) in terms.iter().enumerate() {
            filters.insert(format!("t{i}"), json!({"term": {name::BODY: t}}));
        }
        let mut suggest = Map::new();
        for (i, w) in words.iter().enumerate() {
            let field = json!({"field": name::WORDS, "size": SUGGESTIONS, "max_edits": 2, "prefix_length": 0,
                "min_word_length": 4, "suggest_mode": "missing", "sort": "frequency"});
            suggest.insert(format!("w{i}"), json!({"text": w, "term": field}));
        }
        let mut body = json!({"size": 0, "track_total_hits": true});
        if !filters.is_empty() {
            body["aggs"] = json!({"f": {"filters": {"filters": filters}}});
        }
        if !suggest.is_empty() {
            body["suggest"] = Value::Object(suggest);
        }
        let answer = os.read("_search", &body)?;
        let count = |key: &str| answer["aggregations"]["f"]["buckets"][key]["doc_count"].as_u64().unwrap_or(0);
        let mut p =
            Prefetched { num_docs: answer["hits"]["total"]["value"].as_u64().unwrap_or(0), ..Default::default() };
        for (i, w) in words.iter().enumerate() {
            if count(&format!("w{i}")) > 0 || count(&format!("s{i}")) > 0 {
                p.known.insert(w.clone());
            }
            let options = answer["suggest"][format!("w{i}")][0]["options"].as_array().cloned().unwrap_or_default();
            let near = options
                .iter()
                .filter_map(|o| {
                    let word = o["text"].as_str()?.to_string();
                    let distance = strsim::damerau_levenshtein(w, &word).min(u8::MAX as usize) as u8;
                    Some(Near { count: o["freq"].as_u64().unwrap_or(0), word, distance })
                })
                .collect();
            p.near.insert(w.clone(), near);
        }
        for (i, t) in terms.iter().enumerate() {
            p.doc_freq.insert(t.clone(), count(&format!("t{i}")));
        }
        Ok(p)
    }

    /// Adds the body counts of `terms` not fetched yet (one more request, when any are missing).
    pub fn add_doc_freqs(&mut self, os: &OpenSearch, terms: &[String]) -> Result<(), OsError> {
        let missing: Vec<String> = terms.iter().filter(|t| !self.doc_freq.contains_key(*t)).cloned().collect();
        if missing.is_empty() {
            return Ok(());
        }
        let more = Prefetched::fetch(os, &ParsedQuery::default(), &missing)?;
        self.doc_freq.extend(more.doc_freq);
        self.num_docs = self.num_docs.max(more.num_docs);
        Ok(())
    }

    /// Also knows the words `knows` knows (the model's vocabulary).
    pub fn with_language(mut self, knows: Option<Knows>) -> Prefetched {
        self.language = knows;
        self
    }
}

impl Lexicon for Prefetched {
    fn knows(&self, word: &str) -> bool {
        if self.known.contains(word) || self.language.as_ref().is_some_and(|k| k(word)) {
            return true;
        }
        // Stop words are words, whether or not the articles have them.
        let stems = analyze(word);
        !stems.is_empty() && stems.iter().all(|s| is_stop_term(s))
    }

    fn near(&self, word: &str, max: u8) -> Vec<Near> {
        let found = self.near.get(word).map(Vec::as_slice).unwrap_or_default();
        found.iter().filter(|n| n.distance <= max && n.distance > 0).cloned().collect()
    }
}

impl TermStats for Prefetched {
    fn num_docs(&self) -> u64 {
        self.num_docs
    }

    fn doc_freq(&self, term: &str) -> u64 {
        self.doc_freq.get(term).copied().unwrap_or(0)
    }
}
