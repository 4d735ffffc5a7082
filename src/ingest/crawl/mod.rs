//! Crawling a site over HTTP: from a sitemap or a start URL (following links on the same origin),
//! politely (robots.txt, crawl-delay, a per-host rate, our User-Agent) and incrementally
//! (conditional requests, body hashes), handing each page to the ingest pipeline.

pub mod address;
mod crawler;
pub mod discover;
pub mod fetch;
mod frontier;
mod progress;
pub mod robots;
pub mod state;

use super::report::{CrawlSummary, IssueKind};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashSet;
use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;
use url::Url;

/// Where a crawl starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// Every page listed by a sitemap (or sitemap index).
    Sitemap(Url),
    /// One page, and with `follow` the pages it links to on the same origin, and so on.
    Page { url: Url, follow: bool },
}

/// How to crawl.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    pub start: Start,
    /// Only URLs whose path starts with one of these (all when empty).
    pub prefixes: Vec<String>,
    pub max_pages: usize,
    /// Most URLs held at once (listed by sitemaps or found on pages, queued or not followed);
    /// the rest are dropped and counted.
    pub max_urls: usize,
    /// Requests per second per host (a robots.txt crawl-delay can only slow it down).
    pub rate: f64,
    /// Crawl private and loopback addresses (for tests and intranets).
    pub allow_private: bool,
    pub user_agent: String,
    pub timeout: Duration,
    pub retries: u32,
    pub max_bytes: usize,
    /// Show progress on standard error: a bar on a terminal, plain lines otherwise.
    pub progress: bool,
}

impl CrawlConfig {
    /// The defaults for a start: 2 requests/s per host, 10 s timeout, 2 retries, 10,000 pages,
    /// 100,000 URLs held.
    pub fn new(start: Start) -> CrawlConfig {
        CrawlConfig {
            start,
            prefixes: Vec::new(),
            max_pages: 10_000,
            max_urls: 100_000,
            rate: 2.0,
            allow_private: false,
            user_agent: format!("healthsearch/{} (health article indexer)", env!("CARGO_PKG_VERSION")),
            timeout: Duration::from_secs(10),
            retries: 2,
            max_bytes: super::extract::MAX_PAGE_BYTES,
            progress: false,
        }
    }

    /// The start URL.
    pub fn start_url(&self) -> &Url {
        match &self.start {
            Start::Sitemap(u) | Start::Page { url: u, .. } => u,
        }
    }
}

/// The origins (scheme, host and port) a crawl stays on: the start URL's and, when that is plain
/// http on the default port, the same host over https, where sites commonly redirect.
#[derive(Debug, Clone)]
pub struct Origins(Vec<url::Origin>);

impl Origins {
    pub fn of(start: &Url) -> Origins {
        let mut origins = vec![start.origin()];
        let mut https = start.clone();
        if start.scheme() == "http" && start.port().is_none() && https.set_scheme("https").is_ok() {
            origins.push(https.origin());
        }
        Origins(origins)
    }

    pub fn contains(&self, url: &Url) -> bool {
        self.0.contains(&url.origin())
    }
}

impl fmt::Display for Origins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(url::Origin::ascii_serialization).collect();
        f.write_str(&names.join(" and "))
    }
}

/// What became of one crawled URL, for the ingest pipeline.
#[derive(Debug)]
pub enum PageEvent {
    /// An HTML page to extract.
    Html { url: Url, html: String },
    /// The page has not changed since the last crawl; its article stays.
    Unchanged { article_id: String },
    /// The server says the page is gone (404/410); the article it was, if any, goes too.
    Gone { status: u16, article_id: Option<String> },
    /// Not indexed, and not an error (robots.txt, not HTML).
    Skipped { kind: IssueKind, reason: String },
    /// Could not be fetched; its last good article, if any, stays.
    Failed { kind: IssueKind, reason: String, article_id: Option<String> },
}

/// Why a crawl could not start.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// The start URL is not one the crawler may fetch (the reason names it).
    #[error("{0}")]
    Refused(String),
    /// The start page or sitemap could not be fetched, or is not a page to crawl.
    #[error("cannot crawl {url}: {reason}")]
    Start { url: String, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// What a crawl found besides its pages.
#[derive(Debug, Default)]
pub struct Crawled {
    /// Problems with the site as a whole (unreadable sitemaps, the page limit reached).
    pub problems: Vec<String>,
    pub summary: CrawlSummary,
}

/// Crawls, calling `on_page` with every URL and what became of it; `on_page` returns the id of
/// the article the page became, which is remembered for the next crawl. `indexed` holds the ids
/// of articles this source has in the index now (validators are only sent for those). A start
/// page or sitemap that cannot be fetched is an error.
pub fn crawl(
    cfg: &CrawlConfig,
    crawl_state: &mut state::CrawlState,
    indexed: &HashSet<String>,
    on_page: impl FnMut(&str, PageEvent) -> Option<String>,
) -> Result<Crawled, CrawlError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(CrawlError::Runtime)?;
    rt.block_on(async {
        address::check_url(cfg.start_url(), cfg.allow_private).map_err(CrawlError::Refused)?;
        crawler::Crawler::new(cfg, crawl_state, indexed, on_page)?.run().await
    })
}

/// A limiter for one host: `rate` requests per second, slower if robots.txt asks for a delay.
fn limiter(rate: f64, delay: Option<f32>) -> DefaultDirectRateLimiter {
    let from_rate = Duration::from_secs_f64(1.0 / rate.clamp(0.01, 1_000.0));
    let from_robots = delay.filter(|d| d.is_finite() && *d > 0.0).map(|d| Duration::from_secs_f32(d.min(60.0)));
    let period = from_robots.map_or(from_rate, |d| d.max(from_rate)).max(Duration::from_micros(1));
    let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN));
    RateLimiter::direct(quota)
}
