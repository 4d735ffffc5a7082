//! Query understanding, apart from any engine: a query string is parsed into clauses
//! ([`mod@parse`]), its misspelt words respelled against the engine's words through a [`Lexicon`]
//! ([`spell`]), the health concepts and the people it names found ([`mod@plan`], [`audience`]).
//! The resulting [`QueryPlan`] is what every engine ranks and what `explain=true` reports;
//! [`Boosts`] and [`weights`] say what each of its terms weighs, once for every phase.
//!
//! Nothing here knows Tantivy: an engine takes part only by implementing [`Lexicon`] (the words
//! it holds, as written) and [`TermStats`] (how many articles have a term).

pub mod audience;
pub mod boosts;
pub mod parse;
pub mod plan;
pub mod spell;
pub mod weights;

pub use boosts::Boosts;
pub use parse::{
    Clause, MAX_CLAUSES, MAX_QUERY_CHARS, ParsedQuery, QueryError, contraction_head, is_stop_term, parse, query_words,
};
pub use plan::{Cover, MAX_ALTERNATIVES, QueryPlan, plan};
pub use spell::{Correction, Kind, Lexicon, Near, respell};
pub use weights::{TermStats, rarity, term_weights, typed_weights};
