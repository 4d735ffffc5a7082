//! What the last crawl of a start URL learned about each page (validators, content hash, the
//! article it became), kept as JSON in the index directory and replaced atomically after commit.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One page as last seen.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PageState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Hash of the body, to tell an unchanged page served without validators.
    pub body_hash: Option<String>,
    /// The article the page became, if it was one.
    pub article_id: Option<String>,
    /// `lastmod` from the sitemap.
    pub lastmod: Option<String>,
}

/// Every page of one crawl source, by URL.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CrawlState {
    pub origin: String,
    pub pages: HashMap<String, PageState>,
}

impl CrawlState {
    /// The state file for `origin` in the index directory.
    pub fn path(index_dir: &Path, origin: &str) -> PathBuf {
        index_dir.join(format!("crawl-{:016x}.json", xxhash_rust::xxh3::xxh3_64(origin.as_bytes())))
    }

    /// Reads the state, or starts empty when there is none or it cannot be read (the crawl then
    /// simply fetches everything again).
    pub fn load(index_dir: &Path, origin: &str) -> CrawlState {
        std::fs::read(Self::path(index_dir, origin))
            .ok()
            .and_then(|b| serde_json::from_slice::<CrawlState>(&b).ok())
            .filter(|s| s.origin == origin)
            .unwrap_or_else(|| CrawlState { origin: origin.to_string(), pages: HashMap::new() })
    }

    /// Writes the state next to the index through a temporary file and a rename, so a crash
    /// leaves either the old state or the new one.
    pub fn save(&self, index_dir: &Path) -> std::io::Result<()> {
        let path = Self::path(index_dir, &self.origin);
        let mut tmp = tempfile::NamedTempFile::new_in(index_dir)?;
        tmp.write_all(&serde_json::to_vec(self).map_err(std::io::Error::other)?)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}
