//! The Tantivy index as an ingest [`Store`]: one writer session, one commit, then a reload so
//! the run is searchable at once and the segments it merged away can be deleted.

use super::stored::stored_text;
use super::writer::{ArticleWriter, collect_garbage};
use crate::article::Article;
use crate::index::{HealthIndex, IndexError};
use crate::ingest::error::IngestError;
use crate::ingest::store::{Committed, Serialized, Store};
use std::collections::HashMap;
use std::path::Path;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

/// A write session on the embedded index.
pub struct TantivyStore<'a> {
    pub index: &'a HealthIndex,
    pub writer: ArticleWriter,
}

impl Store for TantivyStore<'_> {
    fn previous(&self, origin: &str) -> Result<HashMap<String, String>, IngestError> {
        Ok(articles_of_origin(self.index, origin)?)
    }

    fn serialize(&self, a: &Article) -> Result<Serialized, IngestError> {
        Ok(self.writer.serialize(a)?)
    }

    fn upsert(&mut self, a: &Article, stored: Serialized, origin: &str) -> Result<(), IngestError> {
        Ok(self.writer.upsert(a, stored, origin)?)
    }

    fn delete(&mut self, id: &str) -> Result<(), IngestError> {
        self.writer.delete(id);
        Ok(())
    }

    fn commit(self) -> Result<Committed, IngestError> {
        let embedded = self.writer.commit()?.1;
        self.index.reload()?;
        // Segments merged away by the commit were still held by this process's searchers until
        // the reload; their files can go now.
        collect_garbage(&self.index.index);
        Ok(Committed { embedded, total_articles: self.index.num_docs() })
    }

    fn state_dir(&self) -> &Path {
        self.index.dir()
    }
}

/// The articles a source wrote in earlier runs: id to content hash.
fn articles_of_origin(index: &HealthIndex, origin: &str) -> Result<HashMap<String, String>, IndexError> {
    let searcher = index.searcher();
    let q = TermQuery::new(Term::from_field_text(index.fields.origin, origin), IndexRecordOption::Basic);
    let docs = searcher.search(&q, &DocSetCollector)?;
    let mut out = HashMap::with_capacity(docs.len());
    for addr in docs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let id = stored_text(&doc, index.fields.id);
        if !id.is_empty() {
            out.insert(id.to_string(), stored_text(&doc, index.fields.content_hash).to_string());
        }
    }
    Ok(out)
}
