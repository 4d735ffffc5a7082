//! What the page offers instead of a dead end when nothing matches: searches related to the
//! words typed (from the suggester) and the topics the index covers most.

use crate::analysis::{analyze, folded_words};
use crate::index::present::suggest::Kind;
use crate::index::ranking::filter::FacetValue;
use crate::query::is_stop_term;
use crate::server::state::AppState;

/// Related searches offered at most.
const RELATED: usize = 6;
/// Topics offered at most.
const TOPICS: usize = 8;

/// Ways on from a search that found nothing.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Help {
    /// Searches that find something and share a word with the query.
    pub related: Vec<String>,
    /// The commonest categories, each a search of its own.
    pub topics: Vec<FacetValue>,
}

/// Builds the help for `q` (blocking: reads the suggester and counts categories).
pub fn help(st: &AppState, q: &str) -> Help {
    let mut related: Vec<String> = Vec::new();
    if let Ok(suggester) = st.suggester() {
        let words = folded_words(q).into_iter().map(|(w, _)| w);
        let important = words.filter(|w| !analyze(w).iter().all(|t| is_stop_term(t)));
        for word in important {
            for s in suggester.suggest(&format!("{word} "), RELATED) {
                if s.kind == Kind::Query && !related.iter().any(|r| r.eq_ignore_ascii_case(&s.text)) {
                    related.push(s.text);
                }
            }
        }
    }
    related.truncate(RELATED);
    let topics = match st.engine.topics(TOPICS) {
        Ok(topics) => topics,
        Err(e) => {
            tracing::warn!(error = %e, "topics not counted");
            Vec::new()
        }
    };
    Help { related, topics }
}
