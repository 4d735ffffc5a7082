//! Ingestion: turning a site mirror or a JSON Lines file into normalized articles and writing
//! them to the index in one commit, with a report of what happened to every page.

pub mod audience;
pub mod budget;
pub mod categories;
pub mod citation;
pub mod crawl;
pub mod dates;
pub mod decode;
pub mod error;
pub mod extract;
pub mod files;
pub mod furniture;
pub mod general;
pub mod jsonld;
pub mod meta;
pub mod prescan;
pub mod references;
pub mod report;
pub mod rules;
pub mod sections;
pub mod site_name;
pub mod site_rules;
pub mod store;
pub mod summary;
pub mod title;
pub mod walk;

pub use error::IngestError;
pub use extract::{ExtractError, Extractor, Method, extract};
pub use report::{IngestReport, IssueKind, PageIssue};
pub use store::{Committed, Serialized, Store};

use crate::article::Article;
use crate::index::HealthIndex;
use crate::index::storage::store::TantivyStore;
use crate::index::storage::writer::{ArticleWriter, after_failure};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What to ingest.
#[derive(Debug, Clone)]
pub enum Input {
    /// A site mirror: `DIR/host/path.html`.
    Mirror(PathBuf),
    /// BEIR-style JSON Lines: one `{_id, title, text, url?, also_called?}` a line.
    Jsonl(PathBuf),
    /// A site crawled over HTTP.
    Crawl(Box<crawl::CrawlConfig>),
}

impl Input {
    /// The origin tag stored with every article from this source. Re-ingesting the same source
    /// replaces its articles and removes the ones it no longer has.
    pub fn origin(&self) -> String {
        let (kind, path) = match self {
            Input::Mirror(p) => ("mirror", p),
            Input::Jsonl(p) => ("jsonl", p),
            Input::Crawl(cfg) => return format!("crawl:{}", cfg.start_url()),
        };
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        format!("{kind}:{}", path.display())
    }

    /// The source as a person gave it: a path or the start URL.
    pub fn name(&self) -> String {
        match self {
            Input::Mirror(p) | Input::Jsonl(p) => p.display().to_string(),
            Input::Crawl(cfg) => cfg.start_url().to_string(),
        }
    }
}

/// Pages extracted in parallel before their articles are written.
const PARALLEL_BATCH: usize = 256;

enum Outcome {
    Article(Box<Article>),
    /// Known not to have changed: the article with this id stays as it is.
    Unchanged(String),
    /// Gone from the source (with the reason): the article with this id (if any) is removed.
    Gone(String, Option<String>),
    Skipped(IssueKind, String),
    /// Failed, for a page whose previous article is not known: nothing may be removed.
    Failed(IssueKind, String),
    /// Failed, for a page whose previous article is known: that one is kept.
    FailedKeeping(IssueKind, String, Option<String>),
}

/// Ingests `source` into `index` as one commit with the default extractor (no site rules).
pub fn ingest(index: &HealthIndex, source: &Input) -> Result<IngestReport, IngestError> {
    ingest_with(index, source, &Extractor::default())
}

/// Ingests `source` into `index` as one commit. Pages that fail are reported and skipped, and
/// their last good articles kept; articles missing from the source are removed only when the
/// source was read whole (explicitly gone pages are always removed). A source in which no page
/// or record is an article is an error, and the index is left as it was.
pub fn ingest_with(index: &HealthIndex, source: &Input, extractor: &Extractor) -> Result<IngestReport, IngestError> {
    run_ingest(index, source, extractor, ArticleWriter::new(index)?)
}

/// [`ingest`] with one indexing thread, so that the index (and tie-breaking between equal
/// scores) is the same on every run: evaluations use it.
pub fn ingest_deterministic(index: &HealthIndex, source: &Input) -> Result<IngestReport, IngestError> {
    run_ingest(index, source, &Extractor::default(), ArticleWriter::deterministic(index)?)
}

/// One run through `writer`; when its writes fail, the writer is dropped and what it left is
/// cleaned up (see [`crate::index::storage::writer::after_failure`]).
fn run_ingest(
    index: &HealthIndex,
    source: &Input,
    extractor: &Extractor,
    writer: ArticleWriter,
) -> Result<IngestReport, IngestError> {
    match run(TantivyStore { index, writer }, source, extractor) {
        Err(IngestError::Index(e)) => Err(IngestError::Index(after_failure(index, e))),
        other => other,
    }
}

/// Ingests `source` through `store` as one commit: every page is added, updated, unchanged,
/// skipped or failed with a reason, duplicates are dropped, and removals are decided from what
/// the run could read. Engines differ only in their [`Store`].
pub fn run<S: Store>(store: S, source: &Input, extractor: &Extractor) -> Result<IngestReport, IngestError> {
    let origin = source.origin();
    let previous = store.previous(&origin)?;
    let state_dir = store.state_dir().to_path_buf();
    let mut run = Run {
        report: IngestReport { origin: origin.clone(), ..IngestReport::default() },
        store,
        previous: &previous,
        origin: &origin,
        seen: HashMap::new(),
        kept: HashSet::new(),
        gone: HashSet::new(),
        whole: true,
        write_error: None,
    };
    let read = for_each_item(source, extractor, &state_dir, &previous, &mut |page, outcome| run.handle(page, outcome))?;
    if let Some(e) = run.write_error {
        return Err(e);
    }
    let Run { mut report, mut store, seen, kept, gone, whole, .. } = run;
    report.problems = read.problems;
    report.crawl = read.summary;
    report.indexed = report.added + report.updated;
    if report.articles_read() == 0 {
        // Dropping the store uncommitted leaves the engine exactly as it was.
        return Err(IngestError::NoArticles { source_name: source.name(), why: why_no_articles(source, &report) });
    }
    let whole = whole && report.problems.is_empty();
    for id in previous.keys() {
        let missing = whole && !seen.contains_key(id) && !kept.contains(id);
        if (missing || gone.contains(id)) && !seen.contains_key(id) {
            store.delete(id)?;
            report.removed += 1;
        }
    }
    let committed = store.commit()?;
    report.embedded = committed.embedded;
    if let Some(st) = read.crawl_state {
        // After the commit: a crash in between only costs a re-fetch next time.
        st.save(&state_dir).map_err(|e| IngestError::State { path: state_dir.clone(), error: e })?;
    }
    report.total_articles = committed.total_articles;
    Ok(report)
}

/// Why a run read no article: how many pages failed or were skipped, and the first of them.
fn why_no_articles(source: &Input, report: &IngestReport) -> String {
    let (one, many) = if matches!(source, Input::Jsonl(_)) { ("record", "records") } else { ("page", "pages") };
    let mut parts = Vec::new();
    if !report.failed.is_empty() {
        parts.push(format!("{} failed", crate::text::count(report.failed.len(), one, many)));
    }
    if !report.skipped.is_empty() {
        parts.push(format!("{} skipped", crate::text::count(report.skipped.len(), one, many)));
    }
    let mut why = match report.failed.first().or(report.skipped.first()) {
        Some(first) => format!("{} (the first: {}: {})", parts.join(", "), first.page, first.reason),
        None => format!("no {many} found"),
    };
    for p in &report.problems {
        why.push_str("; ");
        why.push_str(p);
    }
    // A crawl that found only links it may not follow says so: the likely cause.
    for t in report.crawl.iter().flat_map(|c| &c.not_followed) {
        why.push_str(&format!("; {} not followed ({})", crate::text::count(t.count, "link", "links"), t.reason));
    }
    why
}

/// One run's writer and what it has seen: articles by id (with the page that gave them), ids
/// kept despite a failure, ids known to be gone, and whether the whole source was read.
struct Run<'a, S> {
    report: IngestReport,
    store: S,
    previous: &'a HashMap<String, String>,
    origin: &'a str,
    seen: HashMap<String, String>,
    kept: HashSet<String>,
    gone: HashSet<String>,
    whole: bool,
    /// The first write that failed; the run is abandoned after it.
    write_error: Option<IngestError>,
}

impl<S: Store> Run<'_, S> {
    /// Records what became of `page`; returns the id of the article it is, if it is one.
    fn handle(&mut self, page: String, outcome: Outcome) -> Option<String> {
        let issue = |kind, reason| PageIssue { page: page.clone(), kind, reason };
        match outcome {
            Outcome::Article(a) => return self.write(page, *a),
            Outcome::Unchanged(id) => {
                self.report.unchanged += 1;
                self.seen.insert(id.clone(), page);
                return Some(id);
            }
            Outcome::Gone(reason, id) => {
                self.gone.extend(id);
                self.report.skipped.push(issue(IssueKind::Gone, reason));
            }
            Outcome::Skipped(kind, reason) => self.report.skipped.push(issue(kind, reason)),
            Outcome::Failed(kind, reason) => {
                self.whole = false;
                self.report.failed.push(issue(kind, reason));
            }
            Outcome::FailedKeeping(kind, reason, id) => {
                self.kept.extend(id);
                self.report.failed.push(issue(kind, reason));
            }
        }
        None
    }

    /// Writes an article unless it is a duplicate or has not changed.
    fn write(&mut self, page: String, a: Article) -> Option<String> {
        if let Some(first) = self.seen.get(&a.id) {
            let reason = format!("same article as {first} ({})", a.url);
            self.report.duplicates.push(PageIssue { page, kind: IssueKind::Duplicate, reason });
            return None;
        }
        let stored = match self.store.serialize(&a) {
            Ok(stored) => stored,
            Err(e) => {
                self.write_error.get_or_insert(e);
                return None;
            }
        };
        match self.previous.get(&a.id) {
            Some(old) if *old == stored.hash => self.report.unchanged += 1,
            found => match self.store.upsert(&a, stored, self.origin) {
                Err(e) => {
                    self.write_error.get_or_insert(e);
                    return None;
                }
                Ok(()) if found.is_some() => self.report.updated += 1,
                Ok(()) => self.report.added += 1,
            },
        }
        self.seen.insert(a.id.clone(), page);
        Some(a.id)
    }
}

/// What reading a source left besides its pages: problems with the source as a whole and, for a
/// crawl, the state to save after the commit and what the crawl fetched and did not follow.
#[derive(Default)]
struct SourceRead {
    problems: Vec<String>,
    crawl_state: Option<crawl::state::CrawlState>,
    summary: Option<report::CrawlSummary>,
}

/// Calls `f` with every page or record of the source and what became of it.
fn for_each_item(
    source: &Input,
    extractor: &Extractor,
    state_dir: &Path,
    previous: &HashMap<String, String>,
    f: &mut dyn FnMut(String, Outcome) -> Option<String>,
) -> Result<SourceRead, IngestError> {
    match source {
        Input::Mirror(root) => {
            let pages = files::mirror_pages(root).map_err(|e| IngestError::Input { path: root.clone(), error: e })?;
            // Pages are read and extracted in parallel, a batch ahead of the writer, which takes
            // them in order: the writer's own work (stored form, terms) overlaps the next batch.
            let (ready, extracted) = std::sync::mpsc::sync_channel::<Vec<Outcome>>(1);
            let pages = &pages;
            std::thread::scope(|scope| {
                scope.spawn(move || {
                    for batch in pages.chunks(PARALLEL_BATCH) {
                        let outcomes = batch.par_iter().map(|p| page_outcome(extractor, p)).collect();
                        if ready.send(outcomes).is_err() {
                            break;
                        }
                    }
                });
                for (batch, outcomes) in pages.chunks(PARALLEL_BATCH).zip(extracted) {
                    for (p, outcome) in batch.iter().zip(outcomes) {
                        f(p.path.display().to_string(), outcome);
                    }
                }
            });
            Ok(SourceRead::default())
        }
        Input::Jsonl(path) => read_jsonl(path, f).map(|()| SourceRead::default()),
        Input::Crawl(cfg) => {
            let mut st = crawl::state::CrawlState::load(state_dir, &source.origin());
            let indexed: HashSet<String> = previous.keys().cloned().collect();
            let crawled = crawl::crawl(cfg, &mut st, &indexed, |page, event| {
                f(page.to_string(), crawl_outcome(extractor, event))
            })?;
            Ok(SourceRead { problems: crawled.problems, crawl_state: Some(st), summary: Some(crawled.summary) })
        }
    }
}

/// Streams a JSON Lines file a line at a time (a file of a million articles is never held
/// whole). A first record that is not a JSON object means the file is not JSON Lines at all.
fn read_jsonl(path: &Path, f: &mut dyn FnMut(String, Outcome) -> Option<String>) -> Result<(), IngestError> {
    let source_error = |e| IngestError::Input { path: path.to_path_buf(), error: e };
    let file = std::io::BufReader::new(std::fs::File::open(path).map_err(source_error)?);
    let mut first = true;
    for (n, line) in std::io::BufRead::split(file, b'\n').enumerate() {
        let line = line.map_err(source_error)?;
        let page = format!("{}:{}", path.display(), n + 1);
        let text = match std::str::from_utf8(&line) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => text.trim_start_matches('\u{feff}'),
            Err(e) => {
                f(page, Outcome::Failed(IssueKind::Invalid, format!("not UTF-8: {e}")));
                continue;
            }
        };
        if std::mem::take(&mut first) {
            files::check_json_lines(text).map_err(|reason| IngestError::NotJsonLines {
                path: path.to_path_buf(),
                line: n + 1,
                reason,
            })?;
        }
        let outcome = match files::record_to_article(text) {
            Ok(a) => Outcome::Article(Box::new(a)),
            Err(reason) => Outcome::Failed(IssueKind::Invalid, reason),
        };
        f(page, outcome);
    }
    Ok(())
}

/// What a crawled page becomes.
fn crawl_outcome(extractor: &Extractor, event: crawl::PageEvent) -> Outcome {
    match event {
        crawl::PageEvent::Html { url, html } => match extractor.extract(&html, url.as_str()) {
            Ok(a) => Outcome::Article(Box::new(a)),
            Err(e) if e.is_skip() => Outcome::Skipped(e.kind(), e.to_string()),
            Err(e) => Outcome::FailedKeeping(e.kind(), e.to_string(), None),
        },
        crawl::PageEvent::Unchanged { article_id } => Outcome::Unchanged(article_id),
        crawl::PageEvent::Gone { status, article_id } => Outcome::Gone(crawl::fetch::status_text(status), article_id),
        crawl::PageEvent::Skipped { kind, reason } => Outcome::Skipped(kind, reason),
        crawl::PageEvent::Failed { kind, reason, article_id } => Outcome::FailedKeeping(kind, reason, article_id),
    }
}

fn page_outcome(extractor: &Extractor, page: &files::MirrorPage) -> Outcome {
    let size = std::fs::metadata(&page.path).map(|m| m.len()).unwrap_or(0);
    if size > extract::MAX_PAGE_BYTES as u64 {
        let reason = format!("page is {size} bytes, over the {}-byte limit", extract::MAX_PAGE_BYTES);
        return Outcome::Failed(IssueKind::TooLarge, reason);
    }
    let bytes = match std::fs::read(&page.path) {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(IssueKind::Unreadable, format!("cannot read: {e}")),
    };
    let (html, _) = decode::decode(&bytes, None);
    match extractor.extract(&html, &page.url) {
        Ok(a) => Outcome::Article(Box::new(a)),
        Err(e) if e.is_skip() => Outcome::Skipped(e.kind(), e.to_string()),
        Err(e) => Outcome::Failed(e.kind(), e.to_string()),
    }
}
