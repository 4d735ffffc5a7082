//! Command implementations too long for `main.rs`.

pub mod ingest;
