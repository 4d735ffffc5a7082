//! Ingestion: turning a site mirror or a JSON Lines file into normalized articles and writing
//! them to the index in one commit, with a report of what happened to every page.

pub mod audience;
pub mod categories;
pub mod citation;
pub mod crawl;
pub mod dates;
pub mod decode;
pub mod extract;
pub mod furniture;
pub mod general;
pub mod jsonld;
pub mod meta;
pub mod references;
pub mod rules;
pub mod sections;
pub mod site_name;
pub mod site_rules;
pub mod source;
pub mod summary;
pub mod title;
pub mod walk;

pub use extract::{ExtractError, Extractor, Method, extract};

use crate::article::Article;
use crate::index::search::stored_text;
use crate::index::writer::ArticleWriter;
use crate::index::{HealthIndex, IndexError};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

/// What to ingest.
#[derive(Debug, Clone)]
pub enum Source {
    /// A site mirror: `DIR/host/path.html`.
    Mirror(PathBuf),
    /// BEIR-style JSON Lines: one `{_id, title, text, url?, also_called?}` a line.
    Jsonl(PathBuf),
    /// A site crawled over HTTP.
    Crawl(Box<crawl::CrawlConfig>),
}

impl Source {
    /// The origin tag stored with every article from this source. Re-ingesting the same source
    /// replaces its articles and removes the ones it no longer has.
    pub fn origin(&self) -> String {
        let (kind, path) = match self {
            Source::Mirror(p) => ("mirror", p),
            Source::Jsonl(p) => ("jsonl", p),
            Source::Crawl(cfg) => return format!("crawl:{}", cfg.start_url()),
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
    /// Articles written (`added` + `updated`).
    pub indexed: usize,
    /// Articles new to the index.
    pub added: usize,
    /// Articles whose content changed.
    pub updated: usize,
    /// Articles read again (or answered 304) with nothing changed; not rewritten.
    pub unchanged: usize,
    /// Articles of this source that were in the index and are no longer in the source.
    pub removed: usize,
    /// Pages that are not articles (index pages, empty shells).
    pub skipped: Vec<PageIssue>,
    /// Pages or records that could not be read or parsed.
    pub failed: Vec<PageIssue>,
    /// Pages whose article was already read from another URL of the same run.
    pub duplicates: Vec<PageIssue>,
    /// Problems with the source as a whole (unreadable sitemaps, a page limit reached); when
    /// there are any, only pages known to be gone are removed.
    pub problems: Vec<String>,
    /// Articles in the index after the run.
    pub total_articles: u64,
    /// Passages (and lead texts) embedded by the model in this run; 0 without the model.
    pub embedded: usize,
}

/// Why an ingest run stopped without committing.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read source {path}: {source}")]
    Source { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Crawl(#[from] crawl::CrawlError),
}

/// Pages extracted in parallel before their articles are written.
const PARALLEL_BATCH: usize = 256;

enum Outcome {
    Article(Box<Article>),
    /// Known not to have changed: the article with this id stays as it is.
    Unchanged(String),
    /// Gone from the source: the article with this id (if any) is removed.
    Gone(Option<String>),
    Skipped(String),
    /// Failed, for a page whose previous article is not known: nothing may be removed.
    Failed(String),
    /// Failed, for a page whose previous article is known: that one is kept.
    FailedKeeping(String, Option<String>),
}

/// Ingests `source` into `index` as one commit with the default extractor (no site rules).
pub fn ingest(index: &HealthIndex, source: &Source) -> Result<IngestReport, IngestError> {
    ingest_with(index, source, &Extractor::default())
}

/// Ingests `source` into `index` as one commit. Pages that fail are reported and skipped, and
/// their last good articles kept; articles missing from the source are removed only when the
/// source was read whole (explicitly gone pages are always removed).
pub fn ingest_with(index: &HealthIndex, source: &Source, extractor: &Extractor) -> Result<IngestReport, IngestError> {
    run_ingest(index, source, extractor, ArticleWriter::new(index)?)
}

/// [`ingest`] with one indexing thread, so that the index (and tie-breaking between equal
/// scores) is the same on every run: evaluations use it.
pub fn ingest_deterministic(index: &HealthIndex, source: &Source) -> Result<IngestReport, IngestError> {
    run_ingest(index, source, &Extractor::default(), ArticleWriter::deterministic(index)?)
}

/// One run through `writer`; when its writes fail, the writer is dropped and what it left is
/// cleaned up (see [`crate::index::writer::after_failure`]).
fn run_ingest(
    index: &HealthIndex,
    source: &Source,
    extractor: &Extractor,
    writer: ArticleWriter,
) -> Result<IngestReport, IngestError> {
    match write_run(index, source, extractor, writer) {
        Err(IngestError::Index(e)) => Err(IngestError::Index(crate::index::writer::after_failure(index, e))),
        other => other,
    }
}

fn write_run(
    index: &HealthIndex,
    source: &Source,
    extractor: &Extractor,
    mut writer: ArticleWriter,
) -> Result<IngestReport, IngestError> {
    let origin = source.origin();
    let previous = articles_of_origin(index, &origin)?;
    let mut report = IngestReport { origin: origin.clone(), ..IngestReport::default() };
    let mut run = Run { seen: HashMap::new(), kept: HashSet::new(), gone: HashSet::new(), whole: true };
    let mut write_error = None;
    let mut handle = |page: String, outcome: Outcome| -> Option<String> {
        match outcome {
            Outcome::Article(a) => {
                if let Some(first) = run.seen.get(&a.id) {
                    let reason = format!("same article as {first} ({})", a.url);
                    report.duplicates.push(PageIssue { page, reason });
                    return None;
                }
                let stored = match writer.serialize(&a) {
                    Ok(stored) => stored,
                    Err(e) => {
                        write_error.get_or_insert(e);
                        return None;
                    }
                };
                match previous.get(&a.id) {
                    Some(old) if *old == stored.hash => report.unchanged += 1,
                    found => match writer.upsert(&a, stored, &origin) {
                        Err(e) => {
                            write_error.get_or_insert(e);
                            return None;
                        }
                        Ok(()) if found.is_some() => report.updated += 1,
                        Ok(()) => report.added += 1,
                    },
                }
                run.seen.insert(a.id.clone(), page);
                Some(a.id)
            }
            Outcome::Unchanged(id) => {
                report.unchanged += 1;
                run.seen.insert(id.clone(), page);
                Some(id)
            }
            Outcome::Gone(id) => {
                run.gone.extend(id);
                None
            }
            Outcome::Skipped(reason) => {
                report.skipped.push(PageIssue { page, reason });
                None
            }
            Outcome::Failed(reason) => {
                run.whole = false;
                report.failed.push(PageIssue { page, reason });
                None
            }
            Outcome::FailedKeeping(reason, id) => {
                run.kept.extend(id);
                report.failed.push(PageIssue { page, reason });
                None
            }
        }
    };
    let (problems, crawl_state) = for_each_item(source, extractor, index, &previous, &mut handle)?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    report.problems = problems;
    report.indexed = report.added + report.updated;
    let whole = run.whole && report.problems.is_empty();
    for id in previous.keys() {
        let missing = whole && !run.seen.contains_key(id) && !run.kept.contains(id);
        if (missing || run.gone.contains(id)) && !run.seen.contains_key(id) {
            writer.delete(id);
            report.removed += 1;
        }
    }
    report.embedded = writer.commit()?.1;
    if let Some(st) = crawl_state {
        // After the commit: a crash in between only costs a re-fetch next time.
        st.save(index.dir()).map_err(|e| IngestError::Source { path: index.dir().to_path_buf(), source: e })?;
    }
    index.reload()?;
    // Segments merged away by the commit were still held by this process's searchers until the
    // reload; their files can go now.
    crate::index::writer::collect_garbage(&index.index);
    report.total_articles = index.num_docs();
    Ok(report)
}

/// What one run has seen: articles by id (with the page that gave them), ids kept despite a
/// failure, ids known to be gone, and whether the whole source was read.
struct Run {
    seen: HashMap<String, String>,
    kept: HashSet<String>,
    gone: HashSet<String>,
    whole: bool,
}

/// Calls `f` with every page or record of the source and what became of it. Returns problems
/// with the source as a whole and, for a crawl, the state to save after the commit.
fn for_each_item(
    source: &Source,
    extractor: &Extractor,
    index: &HealthIndex,
    previous: &HashMap<String, String>,
    f: &mut dyn FnMut(String, Outcome) -> Option<String>,
) -> Result<(Vec<String>, Option<crawl::state::CrawlState>), IngestError> {
    match source {
        Source::Mirror(root) => {
            let pages =
                source::mirror_pages(root).map_err(|e| IngestError::Source { path: root.clone(), source: e })?;
            // Pages are read and extracted in parallel, a batch at a time, and handed to the
            // writer in order.
            for batch in pages.chunks(PARALLEL_BATCH) {
                let outcomes: Vec<Outcome> = batch.par_iter().map(|p| page_outcome(extractor, p)).collect();
                for (p, outcome) in batch.iter().zip(outcomes) {
                    f(p.path.display().to_string(), outcome);
                }
            }
        }
        Source::Jsonl(path) => {
            // Streamed a line at a time: a file of a million articles is never held whole.
            let source_error = |e| IngestError::Source { path: path.clone(), source: e };
            let file = std::io::BufReader::new(std::fs::File::open(path).map_err(source_error)?);
            for (n, line) in std::io::BufRead::split(file, b'\n').enumerate() {
                let line = line.map_err(source_error)?;
                let page = format!("{}:{}", path.display(), n + 1);
                let outcome = match std::str::from_utf8(&line) {
                    Ok(text) if text.trim().is_empty() => continue,
                    Ok(text) => match source::record_to_article(text) {
                        Ok(a) => Outcome::Article(Box::new(a)),
                        Err(reason) => Outcome::Failed(reason),
                    },
                    Err(e) => Outcome::Failed(format!("not UTF-8: {e}")),
                };
                f(page, outcome);
            }
        }
        Source::Crawl(cfg) => {
            let mut st = crawl::state::CrawlState::load(index.dir(), &source.origin());
            let indexed: HashSet<String> = previous.keys().cloned().collect();
            let problems = crawl::crawl(cfg, &mut st, &indexed, |page, event| {
                let outcome = match event {
                    crawl::PageEvent::Html { url, html } => match extractor.extract(&html, url.as_str()) {
                        Ok(a) => Outcome::Article(Box::new(a)),
                        Err(e @ ExtractError::NotAnArticle(_)) => Outcome::Skipped(e.to_string()),
                        Err(e) => Outcome::FailedKeeping(e.to_string(), None),
                    },
                    crawl::PageEvent::Unchanged { article_id } => Outcome::Unchanged(article_id),
                    crawl::PageEvent::Gone { article_id, .. } => Outcome::Gone(article_id),
                    crawl::PageEvent::Skipped(reason) => Outcome::Skipped(reason),
                    crawl::PageEvent::Failed { reason, article_id } => Outcome::FailedKeeping(reason, article_id),
                };
                f(page.to_string(), outcome)
            })?;
            return Ok((problems, Some(st)));
        }
    }
    Ok((Vec::new(), None))
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
