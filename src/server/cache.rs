//! A response cache for searches: serialized answers keyed by index generation and the parsed
//! request, bounded in bytes. A commit starts a new generation, so no stale answer is served.

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use std::sync::atomic::{AtomicU64, Ordering};

/// Default size of the cache, in MiB.
pub const DEFAULT_CACHE_MIB: u64 = 64;

/// Index generation and a canonical form of the request.
pub type Key = (u64, String);

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
    /// The newest generation seen: entries of older ones are dropped when it changes.
    generation: AtomicU64,
}

impl ResponseCache {
    /// A cache holding at most `mib` MiB of responses.
    pub fn new(mib: u64) -> ResponseCache {
        let bytes = mib * 1024 * 1024;
        // Search answers are a few KiB each.
        let estimated_items = (bytes / 4096).max(16) as usize;
        let entries = Cache::with_weighter(estimated_items, bytes, BodyBytes);
        ResponseCache { entries, generation: AtomicU64::new(0) }
    }

    /// The stored body for a request in a generation.
    pub fn get(&self, key: &Key) -> Option<Bytes> {
        self.observe(key.0);
        self.entries.get(key)
    }

    /// Stores a body (one larger than the whole cache is not kept).
    pub fn insert(&self, key: Key, body: Bytes) {
        self.observe(key.0);
        self.entries.insert(key, body);
    }

    /// Drops every entry when a newer index generation shows up: no request asks for older ones.
    fn observe(&self, generation: u64) {
        if self.generation.fetch_max(generation, Ordering::AcqRel) < generation {
            self.entries.clear();
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

    #[test]
    fn a_new_generation_misses() {
        let cache = ResponseCache::new(1);
        cache.insert((1, "q".into()), Bytes::from_static(b"{}"));
        assert_eq!(cache.get(&(1, "q".into())).as_deref(), Some(&b"{}"[..]));
        assert!(cache.get(&(2, "q".into())).is_none());
        assert!(cache.get(&(1, "r".into())).is_none());
    }

    #[test]
    fn a_newer_generation_drops_older_entries() {
        let cache = ResponseCache::new(1);
        cache.insert((1, "q".into()), Bytes::from_static(b"{}"));
        cache.insert((1, "r".into()), Bytes::from_static(b"{}"));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&(2, "q".into())).is_none());
        assert!(cache.is_empty());
        // A request still on the older searcher neither finds nor clears anything.
        cache.insert((1, "q".into()), Bytes::from_static(b"{}"));
        cache.insert((2, "r".into()), Bytes::from_static(b"{}"));
        assert!(cache.get(&(2, "r".into())).is_some());
    }

    #[test]
    fn stays_within_its_size() {
        let cache = ResponseCache::new(1);
        for i in 0..2_000 {
            cache.insert((1, format!("q{i}")), Bytes::from(vec![b'x'; 4096]));
        }
        assert!(cache.weight() <= 1024 * 1024, "{}", cache.weight());
    }
}
