//! Why a request to the OpenSearch cluster failed, in words an operator can act on.

/// Why a request to the cluster failed.
#[derive(Debug, thiserror::Error)]
pub enum OsError {
    /// No node answered (each was tried, with retries): the cluster is down or unreachable.
    #[error("no OpenSearch node answered ({nodes}): {last}")]
    Unreachable { nodes: String, last: String },
    /// Part of the index did not answer (a node was lost and its shards are moving), even
    /// after a few tries: no partial answer is given.
    #[error("part of the OpenSearch index did not answer: {0}")]
    Partial(String),
    /// A node answered with an error the request cannot recover from.
    #[error("OpenSearch refused {what} ({status}): {reason}")]
    Refused { what: String, status: u16, reason: String },
    /// A node's answer was not the JSON expected.
    #[error("OpenSearch answered {what} with something unexpected: {reason}")]
    Unexpected { what: String, reason: String },
    /// Bulk writes kept failing for some documents after every retry.
    #[error("OpenSearch did not take {failed} of the documents written: {first}")]
    Bulk { failed: usize, first: String },
    /// The node URLs given are not usable.
    #[error("{0}")]
    Config(String),
}
