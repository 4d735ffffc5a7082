//! Ranking: the shared configuration ([`ranker`]), two-phase retrieval ([`retrieve`]: a flat
//! candidate query, then the full query scored leaf by leaf), filters, facets and counts,
//! pseudo-relevance feedback, who an article is for, and fusion with meaning.

pub mod address;
pub mod audience;
pub mod candidates;
pub mod count;
pub mod coverage;
pub mod feedback;
pub mod filter;
pub mod fusion;
pub mod matching;
pub mod query;
pub mod ranker;
mod rescore;
pub mod retrieve;
pub mod stats;
pub mod typo;
