//! Why the index could not be opened, written or searched, with plain reasons for the I/O
//! failures that mean a directory cannot take writes.

use std::path::PathBuf;

/// Why the index could not be opened, written or searched.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {0}")]
    Missing(PathBuf),
    #[error("index was built with another schema ({0}); rebuild it")]
    SchemaMismatch(String),
    #[error("index I/O error: {0}")]
    Io(std::io::Error),
    #[error("tantivy: {0}")]
    Tantivy(tantivy::TantivyError),
    /// The index directory cannot take writes (read-only, full, not ours); nothing was changed.
    #[error("cannot write the index: {0}")]
    Unwritable(String),
    #[error("another process is writing the index (is an ingest running?)")]
    Locked,
    #[error("cannot open index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("stored article is not valid: {0}")]
    Corrupt(String),
    #[error("cannot embed articles: {0}")]
    Embedding(String),
}

impl From<std::io::Error> for IndexError {
    fn from(e: std::io::Error) -> Self {
        unwritable(&e).map_or(IndexError::Io(e), IndexError::Unwritable)
    }
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> Self {
        use tantivy::TantivyError as T;
        use tantivy::directory::error::{LockError, OpenWriteError};
        let io = match &e {
            T::LockFailure(LockError::LockBusy, _) => return IndexError::Locked,
            T::IoError(io) | T::LockFailure(LockError::IoError(io), _) => Some(io.as_ref()),
            T::OpenWriteError(OpenWriteError::IoError { io_error, .. }) => Some(io_error.as_ref()),
            _ => None,
        };
        io.and_then(unwritable).map_or(IndexError::Tantivy(e), IndexError::Unwritable)
    }
}

/// A plain reason for the I/O errors that mean the directory cannot take writes.
fn unwritable(e: &std::io::Error) -> Option<String> {
    use std::io::ErrorKind as K;
    let reason = match e.kind() {
        K::ReadOnlyFilesystem => "the file system is read-only",
        K::PermissionDenied => "permission denied",
        K::StorageFull => "the disk is full",
        K::QuotaExceeded => "the disk quota is exceeded",
        K::FileTooLarge => "a file would exceed the size limit",
        _ => return None,
    };
    Some(format!("{reason} ({e})"))
}
