//! Ingestion: turning a site mirror or a JSON Lines file into normalized articles.

pub mod citation;
pub mod dates;
pub mod extract;
pub mod meta;
pub mod rules;
pub mod walk;

pub use extract::{ExtractError, extract};
