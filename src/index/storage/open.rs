//! Opening an index: creating or versioning its directory, registering the analyzers, the
//! process's one reader, and the memory-mapped directory it is served from.

use super::schema::{self, Fields, SCHEMA_VERSION};
use super::{analyzer, readonly, site_names};
use crate::index::IndexError;
use crate::semantic::table::SegmentVectors;
use crate::semantic::{Embedder, VectorTables};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::directory::{Advice, MmapDirectory};
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

/// Name of the file beside Tantivy's own that records which schema version built the index.
pub const VERSION_FILE: &str = "healthsearch.json";

#[derive(Serialize, Deserialize)]
struct VersionStamp {
    schema_version: u32,
}

/// An open index with its field handles and the process's one reader.
pub struct HealthIndex {
    pub index: Index,
    pub fields: Fields,
    reader: IndexReader,
    dir: PathBuf,
    /// The embedding model, when articles written through this handle carry passage vectors
    /// and searches rank by meaning too.
    embedder: Option<Arc<Embedder>>,
    /// Each segment's passage vectors, read when first searched.
    vectors: VectorTables,
    /// Each site's own name, read when first asked for.
    pub site_names: site_names::SiteNames,
}

impl HealthIndex {
    /// Opens the index in `dir`, refusing one built with another schema version.
    pub fn open(dir: &Path) -> Result<HealthIndex, IndexError> {
        let stamp =
            std::fs::read_to_string(dir.join(VERSION_FILE)).map_err(|_| IndexError::Missing(dir.to_path_buf()))?;
        let stamp: VersionStamp =
            serde_json::from_str(&stamp).map_err(|e| IndexError::SchemaMismatch(e.to_string()))?;
        if stamp.schema_version != SCHEMA_VERSION {
            return Err(IndexError::SchemaMismatch(format!(
                "version {} where this build reads {SCHEMA_VERSION}",
                stamp.schema_version
            )));
        }
        let opened = mapped(dir).map_err(tantivy::TantivyError::from).and_then(Index::open);
        let index = opened.map_err(|e| match e {
            tantivy::TantivyError::OpenDirectoryError(_) | tantivy::TantivyError::OpenReadError(_) => {
                IndexError::Missing(dir.to_path_buf())
            }
            other => IndexError::Tantivy(other),
        })?;
        if index.schema() != schema::schema() {
            return Err(IndexError::SchemaMismatch("field definitions differ".into()));
        }
        match Self::wrap(index, dir) {
            // A read-only file system: serve it read-only (writes then fail with a clear error).
            Err(IndexError::Unwritable(_)) => {
                let read_only = readonly::ReadOnlyDirectory::open(dir)?;
                Self::wrap(Index::open(read_only)?, dir)
            }
            other => other,
        }
    }

    /// Creates an empty index in `dir`, removing an index of ours (or of another version) found there.
    pub fn create(dir: &Path) -> Result<HealthIndex, IndexError> {
        std::fs::create_dir_all(dir)?;
        clear_index_files(dir)?;
        let index = Index::create_in_dir(dir, schema::schema())?;
        let stamp = serde_json::to_string(&VersionStamp { schema_version: SCHEMA_VERSION })
            .map_err(|e| IndexError::Corrupt(e.to_string()))?;
        std::fs::write(dir.join(VERSION_FILE), stamp)?;
        Self::wrap(index, dir)
    }

    /// Opens the index in `dir`, or creates it if there is none or it has another schema.
    /// Returns the index and whether it was (re)created.
    pub fn open_or_create(dir: &Path) -> Result<(HealthIndex, bool), IndexError> {
        match Self::open(dir) {
            Ok(i) => Ok((i, false)),
            Err(IndexError::Missing(_) | IndexError::SchemaMismatch(_)) => Ok((Self::create(dir)?, true)),
            Err(e) => Err(e),
        }
    }

    fn wrap(index: Index, dir: &Path) -> Result<HealthIndex, IndexError> {
        analyzer::register(&index);
        let fields = Fields::new(&index.schema())?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(HealthIndex {
            index,
            fields,
            reader,
            dir: dir.to_path_buf(),
            embedder: None,
            vectors: VectorTables::default(),
            site_names: site_names::SiteNames::default(),
        })
    }

    /// This handle with the embedding model (or without, for `None`).
    pub fn with_embedder(mut self, embedder: Option<Arc<Embedder>>) -> HealthIndex {
        self.embedder = embedder;
        self
    }

    /// The embedding model, if semantic ranking is on.
    pub fn embedder(&self) -> Option<&Arc<Embedder>> {
        self.embedder.as_ref()
    }

    /// The passage vectors of a searcher's segments, in segment order.
    pub fn vector_tables(&self, searcher: &Searcher) -> Result<Vec<Arc<SegmentVectors>>, IndexError> {
        Ok(self.vectors.of(searcher, self.fields.vectors)?)
    }

    /// A searcher on the latest committed state; take a fresh one per request.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Makes the last commit visible to new searchers now rather than after the reload delay.
    pub fn reload(&self) -> Result<(), IndexError> {
        Ok(self.reader.reload()?)
    }

    /// The directory the index lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of articles visible to searchers.
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }
}

/// Removes Tantivy's files and our version stamp from `dir`, and nothing else.
fn clear_index_files(dir: &Path) -> Result<(), IndexError> {
    const EXTENSIONS: &[&str] = &["idx", "pos", "term", "store", "fast", "fieldnorm", "del"];
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let ours = matches!(name, "meta.json" | ".managed.json" | VERSION_FILE)
            || name.starts_with(".tantivy-")
            || EXTENSIONS.contains(&ext);
        if ours && path.is_file() {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// The index directory memory-mapped for serving, with random-access advice: no readahead around
/// each page fault. A search touches scattered blocks of postings, positions and stored
/// articles; readahead filled the page cache with neighbours nobody asked for, and a 1M-article
/// index short of memory thrashed (see the README's 1 GiB figures).
pub(crate) fn mapped(dir: &Path) -> Result<MmapDirectory, tantivy::directory::error::OpenDirectoryError> {
    MmapDirectory::open_with_madvice(dir, Advice::Random)
}
