//! A response cache for searches: serialized answers keyed by the engine's content version and
//! the parsed request, bounded in bytes. A commit (or, on a cluster, a new version behind the
//! alias) changes the version, so no stale answer is served; a reload that changed nothing keeps
//! it, so no answer is needlessly recomputed.

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use std::sync::Mutex;

/// Default size of the cache, in MiB.
pub const DEFAULT_CACHE_MIB: u64 = 64;

/// Content version of the index and a canonical form of the request.
pub type Key = (u64, String);

/// Which content a request read (what the engine says of it).
pub use crate::engine::ContentVersion as Seen;

#[derive(Clone)]
struct BodyBytes;

impl Weighter<Key, Bytes> for BodyBytes {
    fn weight(&self, key: &Key, body: &Bytes) -> u64 {
        (key.1.len() + body.len() + 64) as u64
    }
}

/// Cached response bodies, shared by every request.
pub struct ResponseCache {
    entries: Cache<Key, Bytes, BodyBytes>,
    /// The newest generation seen and its content: entries are dropped when a newer generation
    /// brings other content. Content versions are hashes, so only generations order them.
    newest: Mutex<Seen>,
}

impl ResponseCache {
    /// A cache holding at most `mib` MiB of responses.
    pub fn new(mib: u64) -> ResponseCache {
        let bytes = mib * 1024 * 1024;
        // Search answers are a few KiB each.
        let estimated_items = (bytes / 4096).max(16) as usize;
        let entries = Cache::with_weighter(estimated_items, bytes, BodyBytes);
        ResponseCache { entries, newest: Mutex::new(Seen { generation: 0, version: 0 }) }
    }

    /// The stored body for a request on the index it read.
    pub fn get(&self, seen: Seen, request: &str) -> Option<Bytes> {
        self.observe(seen);
        self.entries.get(&(seen.version, request.to_string()))
    }

    /// Stores a body (one larger than the whole cache is not kept).
    pub fn insert(&self, seen: Seen, request: String, body: Bytes) {
        self.observe(seen);
        self.entries.insert((seen.version, request), body);
    }

    /// Drops every entry when a newer generation shows other content: no request asks for it again.
    fn observe(&self, seen: Seen) {
        let Ok(mut newest) = self.newest.lock() else { return };
        if seen.generation > newest.generation {
            if seen.version != newest.version {
                self.entries.clear();
            }
            *newest = seen;
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes held.
    pub fn weight(&self) -> u64 {
        self.entries.weight()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(generation: u64, version: u64) -> Seen {
        Seen { generation, version }
    }

    #[test]
    fn new_content_misses_and_a_reload_without_changes_hits() {
        let cache = ResponseCache::new(1);
        cache.insert(seen(1, 10), "q".into(), Bytes::from_static(b"{}"));
        assert_eq!(cache.get(seen(1, 10), "q").as_deref(), Some(&b"{}"[..]));
        assert_eq!(cache.get(seen(2, 10), "q").as_deref(), Some(&b"{}"[..]));
        assert!(cache.get(seen(3, 11), "q").is_none());
        assert!(cache.get(seen(3, 11), "r").is_none());
    }

    #[test]
    fn newer_content_drops_older_entries() {
        let cache = ResponseCache::new(1);
        cache.insert(seen(1, 10), "q".into(), Bytes::from_static(b"{}"));
        cache.insert(seen(1, 10), "r".into(), Bytes::from_static(b"{}"));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(seen(2, 20), "q").is_none());
        assert!(cache.is_empty());
        // A request still on the older searcher neither finds nor clears anything.
        cache.insert(seen(1, 10), "q".into(), Bytes::from_static(b"{}"));
        cache.insert(seen(2, 20), "r".into(), Bytes::from_static(b"{}"));
        assert!(cache.get(seen(2, 20), "r").is_some());
    }

    #[test]
    fn stays_within_its_size() {
        let cache = ResponseCache::new(1);
        for i in 0..2_000 {
            cache.insert(seen(1, 1), format!("q{i}"), Bytes::from(vec![b'x'; 4096]));
        }
        assert!(cache.weight() <= 1024 * 1024, "{}", cache.weight());
    }
}
