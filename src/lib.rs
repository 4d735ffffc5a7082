//! healthsearch: ingest consumer health articles, index them with Tantivy and serve ranked search.
//!
//! The crate is split by concern: [`ingest`] turns pages into [`article::Article`]s, [`query`]
//! reads what a person typed (engine-neutral), [`index`] owns the Tantivy schema, writer and
//! ranking, [`server`] exposes them over HTTP, and [`mcp`] to assistants over the Model Context
//! Protocol.

pub mod analysis;
pub mod article;
pub mod chunk;
pub mod cite_keys;
pub mod engine;
pub mod eval;
pub mod fuzzing;
pub mod index;
pub mod ingest;
pub mod mcp;
pub mod query;
pub mod semantic;
pub mod server;
pub mod synth;
pub mod text;
pub mod vocab;
