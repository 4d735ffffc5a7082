//! healthsearch: ingest consumer health articles, index them with Tantivy and serve ranked search.
//!
//! The crate is split by concern: [`ingest`] turns pages into [`article::Article`]s, [`index`] owns the
//! Tantivy schema, analyzer, writer and search path, [`server`] exposes them over HTTP, and [`mcp`] to
//! assistants over the Model Context Protocol.

pub mod article;
pub mod chunk;
pub mod eval;
pub mod fuzzing;
pub mod index;
pub mod ingest;
pub mod mcp;
pub mod semantic;
pub mod server;
pub mod sources;
pub mod synth;
pub mod text;
pub mod vocab;
