//! `healthsearch ingest`: a site mirror, a JSON Lines file, or a site crawled from a sitemap or a
//! start URL, through the one ingest pipeline, with a report on the terminal and as JSON.

use anyhow::{Context, bail};
use clap::Args;
use healthsearch::index::HealthIndex;
use healthsearch::ingest::crawl::{CrawlConfig, Start};
use healthsearch::ingest::{Extractor, IngestReport, Source, ingest_with};
use std::path::PathBuf;
use std::time::Duration;

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
    /// Crawl from this page (with --follow, the pages it links to on the same host too).
    #[arg(long, group = "source")]
    url: Option<String>,
    /// Follow links from --url on the same host.
    #[arg(long, requires = "url")]
    follow: bool,
    /// Only crawl URLs whose path starts with this (repeatable).
    #[arg(long)]
    prefix: Vec<String>,
    /// Most pages fetched in one crawl.
    #[arg(long, default_value_t = 10_000)]
    max_pages: usize,
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
}

/// Runs `ingest`.
pub fn run(args: IngestArgs) -> anyhow::Result<()> {
    let extractor = Extractor::new(super::super::load_sites(args.sites.as_deref())?);
    let source = source(&args)?;
    let (idx, _) = HealthIndex::open_or_create(&args.index)
        .with_context(|| format!("cannot open the index at {}", args.index.display()))?;
    let idx = idx.with_embedder(args.semantic.embedder());
    let report = ingest_with(&idx, &source, &extractor)
        .with_context(|| format!("ingest into {} failed; the index is as it was", args.index.display()))?;
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    print_report(&report, args.json)
}

fn source(args: &IngestArgs) -> anyhow::Result<Source> {
    let crawl = |start: Start| {
        let mut cfg = CrawlConfig::new(start);
        cfg.prefixes = args.prefix.clone();
        cfg.max_pages = args.max_pages;
        cfg.rate = args.rate;
        cfg.allow_private = args.allow_private;
        cfg.timeout = Duration::from_secs_f64(args.timeout.clamp(0.1, 600.0));
        cfg.progress = !args.json;
        Source::Crawl(Box::new(cfg))
    };
    let parse = |u: &str| url::Url::parse(u).with_context(|| format!("{u:?} is not a URL"));
    if !(args.rate.is_finite() && args.rate > 0.0) {
        bail!("--rate must be a positive number of requests per second");
    }
    Ok(match (&args.corpus, &args.jsonl, &args.sitemap, &args.url) {
        (Some(c), ..) => exists(Source::Mirror(c.clone()), c)?,
        (_, Some(j), ..) => exists(Source::Jsonl(j.clone()), j)?,
        (_, _, Some(s), _) => crawl(Start::Sitemap(parse(s)?)),
        (_, _, _, Some(u)) => crawl(Start::Page { url: parse(u)?, follow: args.follow }),
        _ => bail!("give --corpus DIR, --jsonl FILE, --sitemap URL or --url URL"),
    })
}

fn exists(source: Source, path: &std::path::Path) -> anyhow::Result<Source> {
    if !path.exists() {
        bail!("source {} does not exist", path.display());
    }
    Ok(source)
}

fn print_report(r: &IngestReport, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    for i in &r.failed {
        eprintln!("failed:  {}: {}", i.page, i.reason);
    }
    for i in &r.skipped {
        eprintln!("skipped: {}: {}", i.page, i.reason);
    }
    for i in &r.duplicates {
        eprintln!("duplicate: {}: {}", i.page, i.reason);
    }
    for p in &r.problems {
        eprintln!("problem: {p}");
    }
    println!(
        "added {}, updated {}, unchanged {}, removed {}, skipped {}, failed {}, duplicates {}; {} articles in the index",
        r.added,
        r.updated,
        r.unchanged,
        r.removed,
        r.skipped.len(),
        r.failed.len(),
        r.duplicates.len(),
        r.total_articles
    );
    Ok(())
}
