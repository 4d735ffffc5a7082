//! Ingestion: turning a site mirror or a JSON Lines file into normalized articles and writing
//! them to the index in one commit, with a report of what happened to every page.

pub mod citation;
pub mod dates;
pub mod decode;
pub mod extract;
pub mod general;
pub mod meta;
pub mod references;
pub mod rules;
pub mod sections;
pub mod site_rules;
pub mod source;
pub mod title;
pub mod walk;

pub use extract::{ExtractError, Extractor, Method, extract};

use crate::article::Article;
use crate::index::writer::ArticleWriter;
use crate::index::{HealthIndex, IndexError};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

/// What to ingest.
#[derive(Debug, Clone)]
pub enum Source {
    /// A site mirror: `DIR/host/path.html`.
    Mirror(PathBuf),
    /// BEIR-style JSON Lines: one `{_id, title, text, url?, also_called?}` a line.
    Jsonl(PathBuf),
}

impl Source {
    /// The origin tag stored with every article from this source. Re-ingesting the same source
    /// replaces its articles and removes the ones it no longer has.
    pub fn origin(&self) -> String {
        let (kind, path) = match self {
            Source::Mirror(p) => ("mirror", p),
            Source::Jsonl(p) => ("jsonl", p),
        };
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        format!("{kind}:{}", path.display())
    }
}

/// A page or record that was not indexed, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PageIssue {
    pub page: String,
    pub reason: String,
}

/// The outcome of one ingest run.
#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    pub origin: String,
    /// Articles written (new or replaced).
    pub indexed: usize,
    /// Articles of this source that were in the index and are no longer in the source.
    pub removed: usize,
    /// Pages that are not articles (index pages, empty shells).
    pub skipped: Vec<PageIssue>,
    /// Pages or records that could not be read or parsed.
    pub failed: Vec<PageIssue>,
    /// Pages whose article was already read from another URL of the same run.
    pub duplicates: Vec<PageIssue>,
    /// Articles in the index after the run.
    pub total_articles: u64,
}

/// Why an ingest run stopped without committing.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read source {path}: {source}")]
    Source { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Index(#[from] IndexError),
}

enum Outcome {
    Article(Box<Article>),
    Skipped(String),
    Failed(String),
}

/// Ingests `source` into `index` as one commit with the default extractor (no site rules).
pub fn ingest(index: &HealthIndex, source: &Source) -> Result<IngestReport, IngestError> {
    ingest_with(index, source, &Extractor::default())
}

/// Ingests `source` into `index` as one commit. Pages that fail are reported and skipped; if
/// anything fails, articles missing from the source are kept rather than removed.
pub fn ingest_with(index: &HealthIndex, source: &Source, extractor: &Extractor) -> Result<IngestReport, IngestError> {
    let origin = source.origin();
    let previous = ids_of_origin(index, &origin)?;
    let mut writer = ArticleWriter::new(index)?;
    let mut report = IngestReport { origin: origin.clone(), ..IngestReport::default() };
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut write_error = None;
    for_each_item(source, extractor, |page, outcome| match outcome {
        Outcome::Article(a) => {
            if let Some(first) = seen.get(&a.id) {
                report.duplicates.push(PageIssue { page, reason: format!("same article as {first} ({})", a.url) });
            } else if let Err(e) = writer.upsert(&a, &origin) {
                write_error.get_or_insert(e);
            } else {
                seen.insert(a.id.clone(), page);
                report.indexed += 1;
            }
        }
        Outcome::Skipped(reason) => report.skipped.push(PageIssue { page, reason }),
        Outcome::Failed(reason) => report.failed.push(PageIssue { page, reason }),
    })?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    if report.failed.is_empty() {
        for id in previous.iter().filter(|id| !seen.contains_key(*id)) {
            writer.delete(id);
            report.removed += 1;
        }
    }
    writer.commit()?;
    index.reload()?;
    report.total_articles = index.num_docs();
    Ok(report)
}

/// Calls `f` with every page or record of the source and what became of it.
fn for_each_item(
    source: &Source,
    extractor: &Extractor,
    mut f: impl FnMut(String, Outcome),
) -> Result<(), IngestError> {
    match source {
        Source::Mirror(root) => {
            let pages =
                source::mirror_pages(root).map_err(|e| IngestError::Source { path: root.clone(), source: e })?;
            for p in pages {
                f(p.path.display().to_string(), page_outcome(extractor, &p));
            }
        }
        Source::Jsonl(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| IngestError::Source { path: path.clone(), source: e })?;
            for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                let page = format!("{}:{}", path.display(), n + 1);
                match source::record_to_article(line) {
                    Ok(a) => f(page, Outcome::Article(Box::new(a))),
                    Err(reason) => f(page, Outcome::Failed(reason)),
                }
            }
        }
    }
    Ok(())
}

fn page_outcome(extractor: &Extractor, page: &source::MirrorPage) -> Outcome {
    let size = std::fs::metadata(&page.path).map(|m| m.len()).unwrap_or(0);
    if size > extract::MAX_PAGE_BYTES as u64 {
        return Outcome::Failed(format!("page is {size} bytes, over the {}-byte limit", extract::MAX_PAGE_BYTES));
    }
    let bytes = match std::fs::read(&page.path) {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(format!("cannot read: {e}")),
    };
    let (html, _) = decode::decode(&bytes, None);
    match extractor.extract(&html, &page.url) {
        Ok(a) => Outcome::Article(Box::new(a)),
        Err(e @ ExtractError::NotAnArticle(_)) => Outcome::Skipped(e.to_string()),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Ids of the articles a source wrote in earlier runs.
fn ids_of_origin(index: &HealthIndex, origin: &str) -> Result<HashSet<String>, IndexError> {
    let searcher = index.searcher();
    let q = TermQuery::new(Term::from_field_text(index.fields.origin, origin), IndexRecordOption::Basic);
    let docs = searcher.search(&q, &DocSetCollector)?;
    let mut ids = HashSet::with_capacity(docs.len());
    for addr in docs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        if let Some(id) = doc.get_first(index.fields.id).and_then(|v| v.as_str()) {
            ids.insert(id.to_string());
        }
    }
    Ok(ids)
}
