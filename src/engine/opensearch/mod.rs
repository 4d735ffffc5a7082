//! healthsearch on an OpenSearch cluster: a client spreading requests over the nodes, index
//! templates generated from our schema, ingest through versioned indexes and an alias swap, and
//! searches translated from the engine-neutral query plan.

pub mod client;
pub mod cluster;
pub mod document;
pub mod dsl;
pub mod editorial;
pub mod engine;
pub mod error;
pub mod lexicon;
pub mod mapping;
pub mod meaning;
pub mod passages;
pub mod rank;
pub mod search;
pub mod store;
pub mod suggest;

pub use client::Client;
pub use cluster::{ClusterHealth, DEFAULT_PREFIX, OpenSearch};
pub use error::OsError;
pub use store::OsStore;
