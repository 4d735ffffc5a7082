//! The version of an index's content as a searcher sees it: the same after a reload that changed
//! nothing, different after any commit that added, replaced or deleted documents. Caches key on
//! it, so a no-op reload (the reader's own watcher, `POST /admin/reload`) costs no misses.

use std::hash::{DefaultHasher, Hash, Hasher};
use tantivy::Searcher;

/// The segments a searcher reads and the deletes applied to each, hashed.
pub fn content_version(searcher: &Searcher) -> u64 {
    let mut hasher = DefaultHasher::new();
    searcher.generation().segments().hash(&mut hasher);
    hasher.finish()
}
