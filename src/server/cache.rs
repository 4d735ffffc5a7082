//! A response cache for searches: serialized answers keyed by index generation and the parsed
//! request, bounded in bytes. A commit starts a new generation, so no stale answer is served.

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// Default size of the cache, in MiB.
pub const DEFAULT_CACHE_MIB: u64 = 64;

/// Index generation and a canonical form of the request.
type Key = (u64, String);

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
}

impl ResponseCache {
    /// A cache holding at most `mib` MiB of responses.
    pub fn new(mib: u64) -> ResponseCache {
        let bytes = mib * 1024 * 1024;
        // Search answers are a few KiB each.
        let estimated_items = (bytes / 4096).max(16) as usize;
        ResponseCache { entries: Cache::with_weighter(estimated_items, bytes, BodyBytes) }
    }

    /// The stored body for `request` in `generation`.
    pub fn get(&self, generation: u64, request: &str) -> Option<Bytes> {
        self.entries.get(&(generation, request.to_string()))
    }

    /// Stores a body (one larger than the whole cache is not kept).
    pub fn insert(&self, generation: u64, request: String, body: Bytes) {
        self.entries.insert((generation, request), body);
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
        cache.insert(1, "q".into(), Bytes::from_static(b"{}"));
        assert_eq!(cache.get(1, "q").as_deref(), Some(&b"{}"[..]));
        assert!(cache.get(2, "q").is_none());
        assert!(cache.get(1, "r").is_none());
    }

    #[test]
    fn stays_within_its_size() {
        let cache = ResponseCache::new(1);
        for i in 0..2_000 {
            cache.insert(1, format!("q{i}"), Bytes::from(vec![b'x'; 4096]));
        }
        assert!(cache.weight() <= 1024 * 1024, "{}", cache.weight());
    }
}
