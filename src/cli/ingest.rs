//! `healthsearch ingest`: a site mirror, a JSON Lines file, or a site crawled from a sitemap or a
//! start URL, through the one ingest pipeline, with a report on the terminal and as JSON. A run
//! that fails leaves no new index directory behind.

use super::output::{note, outln};
use anyhow::{Context, bail};
use clap::Args;
use healthsearch::engine::opensearch::{OpenSearch, OsStore};
use healthsearch::index::HealthIndex;
use healthsearch::ingest::crawl::{CrawlConfig, Start};
use healthsearch::ingest::report::Tally;
use healthsearch::ingest::{Extractor, IngestReport, Input, IssueKind, PageIssue, ingest_with};
use healthsearch::text::count;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Pages or links shown for each reason in the summary; the report file has them all.
const EXAMPLES: usize = 3;

/// Arguments of `ingest`.
#[derive(Args)]
pub struct IngestArgs {
    /// A site mirror directory laid out as HOST/PATH.html.
    #[arg(long, group = "source")]
    corpus: Option<PathBuf>,
    /// A BEIR-style JSON Lines file (`_id`, `title`, `text`, optional `url`, `also_called`).
    #[arg(long, group = "source")]
    jsonl: Option<PathBuf>,
    /// Crawl every page listed by this sitemap (or sitemap index).
    #[arg(long, group = "source")]
    sitemap: Option<String>,
    /// Crawl from this page (with --follow, the pages it links to on the same origin too).
    #[arg(long, group = "source")]
    url: Option<String>,
    /// Follow links from --url on the same origin (scheme, host and port).
    #[arg(long, requires = "url")]
    follow: bool,
    /// Only crawl URLs whose path starts with this (repeatable).
    #[arg(long)]
    prefix: Vec<String>,
    /// Most pages fetched in one crawl.
    #[arg(long, default_value_t = 10_000)]
    max_pages: usize,
    /// Most URLs a crawl holds (listed by sitemaps or found on pages); the rest are dropped and
    /// counted.
    #[arg(long, default_value_t = 100_000)]
    max_urls: usize,
    /// Requests per second per host (robots.txt crawl-delay can slow it further).
    #[arg(long, default_value_t = 2.0)]
    rate: f64,
    /// Seconds before a slow server is given up on.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Allow crawling private, loopback and link-local addresses.
    #[arg(long)]
    allow_private: bool,
    /// The index directory (created if missing).
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Per-site extraction rules (TOML); sites without rules use the general method.
    #[arg(long)]
    sites: Option<PathBuf>,
    /// Also write the full report as JSON to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Print the full report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    semantic: super::model::SemanticArgs,
    #[command(flatten)]
    engine: super::engine::EngineArgs,
}

/// Runs `ingest`.
pub fn run(args: IngestArgs) -> anyhow::Result<()> {
    let extractor = Extractor::new(super::load_sites(args.sites.as_deref())?);
    let source = source(&args)?;
    if let Some(os) = args.engine.opensearch()? {
        let report = ingest_opensearch(&args, &os, &source, &extractor)
            .with_context(|| format!("ingest into OpenSearch ({}) failed; the live index is as it was", os.prefix))?;
        return finish(&args, &report);
    }
    let new_dir = NewDir::before(&args.index);
    let report = ingest_into(&args, &source, &extractor).map_err(|e| match &new_dir {
        Some(dir) => {
            dir.remove();
            e.context(format!("ingest failed; no index was made at {}", args.index.display()))
        }
        None => e.context(format!("ingest into {} failed; the index is as it was", args.index.display())),
    })?;
    finish(&args, &report)
}

/// Writes the report where asked and prints it.
fn finish(args: &IngestArgs, report: &IngestReport) -> anyhow::Result<()> {
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    print_report(report, args.json)
}

/// An ingest into a cluster: a new version, then the alias swap. A crawl keeps its state in
/// `--index` (a local directory).
fn ingest_opensearch(
    args: &IngestArgs,
    os: &OpenSearch,
    source: &Input,
    extractor: &Extractor,
) -> anyhow::Result<IngestReport> {
    std::fs::create_dir_all(&args.index).with_context(|| format!("cannot make {}", args.index.display()))?;
    let store = OsStore::begin(os, &args.index)?.with_embedder(args.semantic.embedder());
    Ok(healthsearch::ingest::run(store, source, extractor)?)
}

fn ingest_into(args: &IngestArgs, source: &Input, extractor: &Extractor) -> anyhow::Result<IngestReport> {
    let (idx, _) = HealthIndex::open_or_create(&args.index).context("cannot open the index")?;
    let idx = idx.with_embedder(args.semantic.embedder());
    Ok(ingest_with(&idx, source, extractor)?)
}

/// An index directory an ingest is about to make (it is missing, or empty), removed again when
/// the ingest fails, so that a failure never leaves an empty index for a later search to find.
pub struct NewDir {
    path: PathBuf,
    existed: bool,
}

impl NewDir {
    /// The directory at `path`, if an index made there now would be new.
    pub fn before(path: &Path) -> Option<NewDir> {
        match std::fs::read_dir(path) {
            Ok(mut entries) => entries.next().is_none().then(|| NewDir { path: path.to_path_buf(), existed: true }),
            Err(_) if !path.exists() => Some(NewDir { path: path.to_path_buf(), existed: false }),
            Err(_) => None,
        }
    }

    /// Removes what the failed run made; what cannot be removed is left (the error says why
    /// the run failed, which matters more).
    pub fn remove(&self) {
        if !self.existed {
            let _ = std::fs::remove_dir_all(&self.path);
            return;
        }
        for entry in std::fs::read_dir(&self.path).into_iter().flatten().flatten() {
            let path = entry.path();
            let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        }
    }
}

fn source(args: &IngestArgs) -> anyhow::Result<Input> {
    let crawl = |start: Start| {
        let mut cfg = CrawlConfig::new(start);
        cfg.prefixes = args.prefix.clone();
        cfg.max_pages = args.max_pages;
        cfg.max_urls = args.max_urls;
        cfg.rate = args.rate;
        cfg.allow_private = args.allow_private;
        cfg.timeout = Duration::from_secs_f64(args.timeout.clamp(0.1, 600.0));
        // Progress goes to standard error, so it never mixes with the JSON on standard output.
        cfg.progress = true;
        Input::Crawl(Box::new(cfg))
    };
    let parse = |u: &str| url::Url::parse(u).with_context(|| format!("{u:?} is not a URL"));
    if !(args.rate.is_finite() && args.rate > 0.0) {
        bail!("--rate must be a positive number of requests per second");
    }
    if args.max_urls == 0 {
        bail!("--max-urls must be at least 1");
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        bail!("--timeout must be a positive number of seconds");
    }
    if args.index.exists() && !args.index.is_dir() {
        bail!("--index {} is a file, not an index directory", args.index.display());
    }
    Ok(match (&args.corpus, &args.jsonl, &args.sitemap, &args.url) {
        (Some(c), ..) => exists(Input::Mirror(c.clone()), c)?,
        (_, Some(j), ..) => exists(Input::Jsonl(j.clone()), j)?,
        (_, _, Some(s), _) => crawl(Start::Sitemap(parse(s)?)),
        (_, _, _, Some(u)) => crawl(Start::Page { url: parse(u)?, follow: args.follow }),
        _ => bail!("give --corpus DIR, --jsonl FILE, --sitemap URL or --url URL"),
    })
}

fn exists(source: Input, path: &Path) -> anyhow::Result<Input> {
    if !path.exists() {
        bail!("source {} does not exist", path.display());
    }
    Ok(source)
}

/// The report: what was left out and why on standard error, the counts on standard output (or
/// the whole report as JSON).
fn print_report(r: &IngestReport, json: bool) -> anyhow::Result<()> {
    if json {
        return outln!("{}", serde_json::to_string_pretty(r)?);
    }
    print_issues("failed", &r.failed);
    print_issues("skipped", &r.skipped);
    print_issues("duplicate", &r.duplicates);
    if let Some(crawl) = &r.crawl {
        for t in &crawl.not_followed {
            print_tally(t);
        }
        note!("crawled {}", count(crawl.fetched, "page", "pages"));
    }
    for p in &r.problems {
        note!("problem: {p}");
    }
    outln!(
        "added {}, updated {}, unchanged {}, removed {}, skipped {}, failed {}, duplicates {}; {} in the index",
        r.added,
        r.updated,
        r.unchanged,
        r.removed,
        r.skipped.len(),
        r.failed.len(),
        r.duplicates.len(),
        count(r.total_articles, "article", "articles")
    )
}

/// Issues grouped by kind: a count and the first few pages with their reasons.
fn print_issues(verdict: &str, issues: &[PageIssue]) {
    let mut by_kind: BTreeMap<IssueKind, Vec<&PageIssue>> = BTreeMap::new();
    for i in issues {
        by_kind.entry(i.kind).or_default().push(i);
    }
    for (kind, list) in by_kind {
        let what = if kind.label() == verdict { verdict.to_string() } else { format!("{verdict}: {}", kind.label()) };
        note!("{what}: {}", count(list.len(), "page", "pages"));
        for i in list.iter().take(EXAMPLES) {
            // "not an article: only 40 words" under "not an article" says it once.
            let reason = i.reason.strip_prefix(kind.label()).and_then(|r| r.strip_prefix(": ")).unwrap_or(&i.reason);
            note!("    {}: {reason}", i.page);
        }
        more(list.len());
    }
}

/// Links a crawl did not follow, for one reason.
fn print_tally(t: &Tally) {
    note!("not followed: {}: {}", t.reason, count(t.count, "link", "links"));
    for url in &t.examples {
        note!("    {url}");
    }
    more(t.count);
}

fn more(total: usize) {
    if total > EXAMPLES {
        note!("    and {} more (--report FILE lists them all)", total - EXAMPLES);
    }
}
