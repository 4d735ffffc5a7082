//! Where an ingest run writes: an engine's write session. The run decides what is added,
//! replaced, kept and removed; the store only writes, and makes the run visible at once.

use super::error::IngestError;
use crate::article::Article;
use crate::semantic::{Code, Embedder, MODEL_KEY, SemanticError};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// One run's write session on an engine. Nothing written is visible to searches before
/// [`Store::commit`]; a session dropped without committing leaves the engine as it was.
pub trait Store {
    /// The articles `origin` wrote in earlier runs: id to content hash.
    fn previous(&self, origin: &str) -> Result<HashMap<String, String>, IngestError>;
    /// An article in its stored form, with the hash a re-ingest compares.
    fn serialize(&self, a: &Article) -> Result<Serialized, IngestError>;
    /// Adds an article, replacing any stored under the same id.
    fn upsert(&mut self, a: &Article, stored: Serialized, origin: &str) -> Result<(), IngestError>;
    /// Removes the article with this id, if there is one.
    fn delete(&mut self, id: &str) -> Result<(), IngestError>;
    /// Makes everything written visible at once.
    fn commit(self) -> Result<Committed, IngestError>;
    /// Where a crawl keeps its validators and body hashes between runs.
    fn state_dir(&self) -> &Path;
}

/// What a commit made.
pub struct Committed {
    /// Texts embedded in the run.
    pub embedded: usize,
    /// Articles searchable after it.
    pub total_articles: u64,
}

/// An article as stored (JSON) and the hash of that form (16 hex digits of its XXH3), which
/// tells a re-ingest whether the article changed. Serialized once per article and ingest.
pub struct Serialized {
    pub json: String,
    pub hash: String,
}

impl Serialized {
    /// Serializes an article; `model` names the embedding its stored vectors come from.
    pub fn of(a: &Article, model: Option<&str>) -> Result<Serialized, serde_json::Error> {
        let json = serde_json::to_string(a)?;
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(json.as_bytes());
        if let Some(m) = model {
            h.update(b"\0");
            h.update(m.as_bytes());
        }
        let hash = format!("{:016x}", h.digest());
        Ok(Serialized { json, hash })
    }
}

/// Articles whose passages are embedded together (enough texts to keep both cores busy).
pub const EMBED_ARTICLES: usize = 32;

/// An article a write session holds until its batch is embedded.
pub struct Waiting {
    pub article: Article,
    pub stored: Serialized,
    pub origin: String,
}

/// A write session's articles waiting for the model, embedded [`EMBED_ARTICLES`] at a time and
/// then written in the order they came; without a model nothing waits ([`EmbedBatches::embeds`]).
pub struct EmbedBatches {
    embedder: Option<Arc<Embedder>>,
    waiting: Vec<Waiting>,
    /// Texts embedded so far.
    pub embedded: usize,
}

impl EmbedBatches {
    pub fn new(embedder: Option<Arc<Embedder>>) -> EmbedBatches {
        EmbedBatches { embedder, waiting: Vec::new(), embedded: 0 }
    }

    /// What the stored hash names: the model, when articles are embedded (so turning it on or off
    /// rewrites every article).
    pub fn model(&self) -> Option<&'static str> {
        self.embedder.as_ref().map(|_| MODEL_KEY)
    }

    /// Whether articles are embedded (else they are written at once, without vectors).
    pub fn embeds(&self) -> bool {
        self.embedder.is_some()
    }

    /// Holds an article for its batch; `true` when the batch is full.
    pub fn hold(&mut self, w: Waiting) -> bool {
        self.waiting.push(w);
        self.waiting.len() >= EMBED_ARTICLES
    }

    /// Embeds the articles held, giving each back with its vectors, in order.
    pub fn take(&mut self) -> Result<Vec<(Waiting, Vec<Code>)>, SemanticError> {
        let (Some(embedder), false) = (&self.embedder, self.waiting.is_empty()) else { return Ok(Vec::new()) };
        let articles: Vec<&Article> = self.waiting.iter().map(|w| &w.article).collect();
        let codes = embedder.embed_articles(&articles)?;
        self.embedded += codes.iter().map(Vec::len).sum::<usize>();
        Ok(std::mem::take(&mut self.waiting).into_iter().zip(codes).collect())
    }
}
