//! The Tantivy engine, by pipeline stage: [`storage`] (schema, analyzers, writing, opening,
//! reading stored articles), [`ranking`] (two-phase retrieval, filters and counts, feedback,
//! fusion with meaning) and [`present`] (search responses, snippets, passages, suggestions,
//! editors' lists). Query understanding is engine-neutral and lives in [`crate::query`].

pub mod error;
pub mod present;
pub mod ranking;
pub mod storage;

pub use error::IndexError;
pub use storage::open::{HealthIndex, VERSION_FILE};
