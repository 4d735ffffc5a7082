//! Why an ingest run stopped without committing.

use super::crawl;
use crate::engine::opensearch::OsError;
use crate::index::IndexError;
use std::path::PathBuf;

/// Why an ingest run stopped without committing.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    // The I/O error is in the message and not a `source` as well, so that it is printed once
    // both by callers that show only the message and by those that follow the chain.
    #[error("cannot read source {path}: {error}")]
    Input { path: PathBuf, error: std::io::Error },
    #[error("{path} is not JSON Lines: line {line} {reason}")]
    NotJsonLines { path: PathBuf, line: usize, reason: String },
    /// Nothing in the source became an article; nothing was written.
    #[error("no articles in {source_name}: {why}")]
    NoArticles { source_name: String, why: String },
    #[error("cannot save the crawl state in {path}: {error}")]
    State { path: PathBuf, error: std::io::Error },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Crawl(#[from] crawl::CrawlError),
    #[error(transparent)]
    OpenSearch(#[from] OsError),
}
