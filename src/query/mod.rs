//! Query understanding, apart from any engine: a query string is parsed into clauses
//! ([`parse`]), its misspelt words respelled against the engine's words through a [`Lexicon`]
//! ([`spell`]), the health concepts and the people it names found ([`plan`], [`audience`]).
//! The resulting [`QueryPlan`] is what every engine ranks and what `explain=true` reports.
//!
//! Nothing here knows Tantivy: an engine takes part only by implementing [`Lexicon`] (the words
//! it holds, as written, and how many articles have each).

pub mod audience;
pub mod parse;
pub mod plan;
pub mod spell;

pub use parse::{
    Clause, MAX_CLAUSES, MAX_QUERY_CHARS, ParsedQuery, QueryError, contraction_head, is_stop_term, parse, query_words,
};
pub use plan::{MAX_ALTERNATIVES, QueryPlan, plan};
pub use spell::{Correction, Kind, Lexicon, Near, respell};
