//! The user's query read leniently: words, "phrases" and -exclusions as analyzed terms, and the
//! stop words that weigh less. Nothing here depends on the search engine.

use crate::analysis::analyze;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most words and phrases read from one query; the rest are ignored.
pub const MAX_CLAUSES: usize = 32;

/// Why a query cannot be run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum QueryError {
    #[error("the query is empty")]
    Empty,
    #[error("the query is {0} characters long; the limit is {MAX_QUERY_CHARS}")]
    TooLong(usize),
    #[error("the query has an unbalanced double quote")]
    UnbalancedQuote,
    #[error("the query has no words to search for")]
    NoTerms,
}

/// One part of a query, as analyzed terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// A word (or a hyphenated word, which becomes a phrase of its parts).
    Word(Vec<String>),
    /// A quoted phrase.
    Phrase(Vec<String>),
    /// A word or phrase after `-`: articles containing it are left out.
    Exclude(Vec<String>),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
    /// Each clause's text as typed (without quotes or `-`), for spelling and suggestions.
    pub typed: Vec<String>,
}

/// Words that carry little meaning; they still match, at a fraction of the weight.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "get", "got", "had", "has", "have",
    "having", "just", "much", "since", "some", "very", "while", "be", "but", "by", "can", "do", "does", "for", "from",
    "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "should", "so",
    "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "what", "when", "which", "who",
    "why", "will", "with", "you", "your", "don", "doesn", "didn", "won", "isn", "aren", "wasn", "weren", "couldn",
    "shouldn", "wouldn", "haven", "hasn", "hadn", "ain",
];

/// Reads a contraction's analyzed parts as its head word: "don't" is searched as "don" (a stop
/// word), not as the phrase "don t".
pub fn contraction_head(terms: Vec<String>) -> Vec<String> {
    match terms.as_slice() {
        [head, t] if t == "t" => vec![head.clone()],
        _ => terms,
    }
}

static STOP_TERMS: LazyLock<HashSet<String>> = LazyLock::new(|| STOP_WORDS.iter().flat_map(|w| analyze(w)).collect());

/// Whether an analyzed term is a stop word.
pub fn is_stop_term(term: &str) -> bool {
    STOP_TERMS.contains(term)
}

/// Parses a user query. Never panics; control characters count as spaces.
pub fn parse(q: &str) -> Result<ParsedQuery, QueryError> {
    let len = q.chars().count();
    if len > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong(len));
    }
    if q.trim().is_empty() {
        return Err(QueryError::Empty);
    }
    let mut lexed: Vec<(bool, bool, String)> = Vec::new(); // (negated, quoted, text)
    let (mut cur, mut negate, mut quoted) = (String::new(), false, false);
    for c in q.chars() {
        if c == '"' {
            if quoted {
                lexed.push((negate, true, std::mem::take(&mut cur)));
                negate = false;
            } else if !cur.is_empty() {
                lexed.push((negate, false, std::mem::take(&mut cur)));
                negate = false;
            }
            quoted = !quoted;
        } else if !quoted && (c.is_whitespace() || c.is_control()) {
            if !cur.is_empty() {
                lexed.push((negate, false, std::mem::take(&mut cur)));
            }
            negate = false;
        } else if !quoted && c == '-' && cur.is_empty() {
            negate = true;
        } else {
            cur.push(if c.is_control() { ' ' } else { c });
        }
    }
    if quoted {
        return Err(QueryError::UnbalancedQuote);
    }
    if !cur.is_empty() {
        lexed.push((negate, false, cur));
    }
    let (clauses, typed): (Vec<Clause>, Vec<String>) = lexed
        .into_iter()
        .filter_map(|(neg, quoted, text)| {
            let terms = if quoted { analyze(&text) } else { contraction_head(analyze(&text)) };
            let clause = match (terms.len(), neg, quoted) {
                (0, _, _) => return None,
                (_, true, _) => Clause::Exclude(terms),
                (1, false, _) => Clause::Word(terms),
                (_, false, true) => Clause::Phrase(terms),
                (_, false, false) => Clause::Word(terms),
            };
            Some((clause, text))
        })
        .take(MAX_CLAUSES)
        .unzip();
    if !clauses.iter().any(|c| !matches!(c, Clause::Exclude(_))) {
        return Err(QueryError::NoTerms);
    }
    Ok(ParsedQuery { clauses, typed })
}

impl ParsedQuery {
    /// Every term the query searches for (not the excluded ones), in order, with repeats.
    /// The clauses that search (not exclusions), with their positions, as terms.
    pub fn positive_clauses(&self) -> impl Iterator<Item = (usize, &Vec<String>)> {
        self.clauses.iter().enumerate().filter_map(|(i, c)| match c {
            Clause::Word(t) | Clause::Phrase(t) => Some((i, t)),
            Clause::Exclude(_) => None,
        })
    }

    pub fn positive_terms(&self) -> Vec<&str> {
        self.clauses
            .iter()
            .filter_map(|c| match c {
                Clause::Word(t) | Clause::Phrase(t) => Some(t),
                Clause::Exclude(_) => None,
            })
            .flatten()
            .map(String::as_str)
            .collect()
    }
}

/// The terms of the query's unquoted words, in order: what the vocabulary is matched against and
/// what the whole-query phrase boost looks for.
pub fn query_words(parsed: &ParsedQuery) -> Vec<String> {
    parsed
        .clauses
        .iter()
        .filter_map(|c| match c {
            Clause::Word(t) => Some(t.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<Clause> {
        parse(q).map(|p| p.clauses).unwrap_or_default()
    }

    #[test]
    fn reads_words_phrases_and_exclusions() {
        assert_eq!(
            words(r#"back "pelvic pain" -sciatica c-section"#),
            vec![
                Clause::Word(vec!["back".into()]),
                Clause::Phrase(vec!["pelvic".into(), "pain".into()]),
                Clause::Exclude(vec!["sciatica".into()]),
                Clause::Word(vec!["c".into(), "section".into()]),
            ]
        );
    }

    #[test]
    fn refuses_bad_queries() {
        assert_eq!(parse(""), Err(QueryError::Empty));
        assert_eq!(parse("   \t"), Err(QueryError::Empty));
        assert_eq!(parse("\"back pain"), Err(QueryError::UnbalancedQuote));
        assert_eq!(parse(&"a".repeat(10_000)), Err(QueryError::TooLong(10_000)));
        assert_eq!(parse("-sciatica"), Err(QueryError::NoTerms));
        assert_eq!(parse("!!! ???"), Err(QueryError::NoTerms));
    }

    #[test]
    fn survives_operator_soup_and_control_characters() {
        assert!(parse("((( a AND -").is_ok());
        assert!(parse("back\u{0}pain\u{7}").is_ok());
        assert_eq!(
            parse("\"\"  pain"),
            Ok(ParsedQuery { clauses: vec![Clause::Word(vec!["pain".into()])], typed: vec!["pain".into()] })
        );
    }
}
