//! Crawling a site over HTTP: from a sitemap or a start URL (following links on the same hosts),
//! politely (robots.txt, crawl-delay, a per-host rate, our User-Agent) and incrementally
//! (conditional requests, body hashes), handing each page to the ingest pipeline.

pub mod discover;
pub mod fetch;
pub mod robots;
pub mod state;

use fetch::{Fetched, Validators};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::IsTerminal;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

/// Where a crawl starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// Every page listed by a sitemap (or sitemap index).
    Sitemap(Url),
    /// One page, and with `follow` the pages it links to on the same host, and so on.
    Page { url: Url, follow: bool },
}

/// How to crawl.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    pub start: Start,
    /// Only URLs whose path starts with one of these (all when empty).
    pub prefixes: Vec<String>,
    pub max_pages: usize,
    /// Requests per second per host (a robots.txt crawl-delay can only slow it down).
    pub rate: f64,
    /// Crawl private and loopback addresses (for tests and intranets).
    pub allow_private: bool,
    pub user_agent: String,
    pub timeout: Duration,
    pub retries: u32,
    pub max_bytes: usize,
    /// Show a progress bar on a terminal (plain lines otherwise).
    pub progress: bool,
}

impl CrawlConfig {
    /// The defaults for a start: 2 requests/s per host, 10 s timeout, 2 retries, 10,000 pages.
    pub fn new(start: Start) -> CrawlConfig {
        CrawlConfig {
            start,
            prefixes: Vec::new(),
            max_pages: 10_000,
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

    fn in_scope(&self, url: &Url, hosts: &HashSet<String>) -> bool {
        url.host_str().is_some_and(|h| hosts.contains(h))
            && (self.prefixes.is_empty() || self.prefixes.iter().any(|p| url.path().starts_with(p.as_str())))
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
    Skipped(String),
    /// Could not be fetched; its last good article, if any, stays.
    Failed { reason: String, article_id: Option<String> },
}

/// Why a crawl could not start.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("cannot crawl {0}")]
    Refused(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Crawls, calling `on_page` with every URL and what became of it; `on_page` returns the id of
/// the article the page became, which is remembered for the next crawl. `indexed` holds the ids
/// of articles this source has in the index now (validators are only sent for those).
pub fn crawl(
    cfg: &CrawlConfig,
    crawl_state: &mut state::CrawlState,
    indexed: &HashSet<String>,
    on_page: impl FnMut(&str, PageEvent) -> Option<String>,
) -> Result<Vec<String>, CrawlError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(CrawlError::Runtime)?;
    rt.block_on(run(cfg, crawl_state, indexed, on_page))
}

async fn run(
    cfg: &CrawlConfig,
    st: &mut state::CrawlState,
    indexed: &HashSet<String>,
    mut on_page: impl FnMut(&str, PageEvent) -> Option<String>,
) -> Result<Vec<String>, CrawlError> {
    let start = cfg.start_url().clone();
    fetch::check_url(&start, cfg.allow_private).map_err(CrawlError::Refused)?;
    let hosts: HashSet<String> = start.host_str().map(str::to_string).into_iter().collect();
    let client = fetch::client(cfg, Arc::new(hosts.clone())).map_err(|e| CrawlError::Client(e.to_string()))?;
    let mut problems = Vec::new();
    let mut queue: VecDeque<(Url, Option<String>)> = VecDeque::new();
    match &cfg.start {
        Start::Sitemap(u) => {
            let (listed, issues) = discover::sitemap_pages(&client, u, cfg, |x| cfg.in_scope(x, &hosts)).await;
            problems.extend(issues);
            queue.extend(listed.into_iter().map(|l| (l.url, l.lastmod)));
        }
        Start::Page { url, .. } => queue.push_back((url.clone(), None)),
    }
    let follow = matches!(cfg.start, Start::Page { follow: true, .. });
    let mut seen: HashSet<Url> = queue.iter().map(|(u, _)| u.clone()).collect();
    let mut hosts_rules: HashMap<String, (robots::Rules, DefaultDirectRateLimiter)> = HashMap::new();
    let mut progress = Progress::new(cfg.progress);
    let mut done = 0usize;
    while let Some((url, lastmod)) = queue.pop_front() {
        if done >= cfg.max_pages {
            problems.push(format!("stopped at --max-pages {}; {} URLs left", cfg.max_pages, queue.len() + 1));
            break;
        }
        done += 1;
        let key = url.to_string();
        if let Err(reason) = fetch::check_url(&url, cfg.allow_private) {
            progress.tick(true);
            on_page(&key, PageEvent::Failed { reason, article_id: None });
            continue;
        }
        let host = url.host_str().unwrap_or_default().to_string();
        if !hosts_rules.contains_key(&host) {
            let rules = robots::load(&client, &url, cfg).await;
            let limiter = limiter(cfg.rate, rules.delay());
            hosts_rules.insert(host.clone(), (rules, limiter));
        }
        let Some((rules, limiter)) = hosts_rules.get(&host) else { continue };
        if !rules.allowed(&url) {
            let why = match rules {
                robots::Rules::DisallowAll(reason) => format!("not fetched: {reason}"),
                _ => "disallowed by robots.txt".to_string(),
            };
            progress.tick(false);
            on_page(&key, PageEvent::Skipped(why));
            continue;
        }
        limiter.until_ready().await;
        let previous = st.pages.get(&key).cloned().unwrap_or_default();
        let known = previous.article_id.as_ref().filter(|id| indexed.contains(*id)).cloned();
        let validators = match known {
            Some(_) => Validators { etag: previous.etag.clone(), last_modified: previous.last_modified.clone() },
            None => Validators::default(),
        };
        let fetched = fetch::fetch(&client, &url, &validators, cfg).await;
        progress.tick(matches!(fetched, Fetched::Failed(_)));
        match fetched {
            Fetched::NotModified => match known {
                Some(article_id) => {
                    on_page(&key, PageEvent::Unchanged { article_id });
                }
                None => {
                    on_page(&key, PageEvent::Failed { reason: "304 without a stored copy".into(), article_id: None });
                }
            },
            Fetched::Gone(status) => {
                let article_id = st.pages.remove(&key).and_then(|p| p.article_id);
                on_page(&key, PageEvent::Gone { status, article_id });
            }
            Fetched::Skipped(reason) => {
                st.pages.remove(&key);
                on_page(&key, PageEvent::Skipped(reason));
            }
            Fetched::Failed(reason) => {
                on_page(&key, PageEvent::Failed { reason, article_id: known });
            }
            Fetched::Page { url: final_url, body, charset, etag, last_modified } => {
                let body_hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&body));
                let (html, _) = super::decode::decode(&body, charset.as_deref());
                if follow {
                    for link in discover::links(&html, &final_url) {
                        if cfg.in_scope(&link, &hosts) && seen.insert(link.clone()) {
                            queue.push_back((link, None));
                        }
                    }
                }
                let article_id = match known {
                    Some(id) if previous.body_hash.as_deref() == Some(body_hash.as_str()) => {
                        on_page(&key, PageEvent::Unchanged { article_id: id.clone() });
                        Some(id)
                    }
                    _ => on_page(&key, PageEvent::Html { url: final_url, html }),
                };
                let page = state::PageState { etag, last_modified, body_hash: Some(body_hash), article_id, lastmod };
                st.pages.insert(key, page);
            }
        }
    }
    progress.finish();
    Ok(problems)
}

/// A limiter for one host: `rate` requests per second, slower if robots.txt asks for a delay.
fn limiter(rate: f64, delay: Option<f32>) -> DefaultDirectRateLimiter {
    let from_rate = Duration::from_secs_f64(1.0 / rate.clamp(0.01, 1_000.0));
    let from_robots = delay.filter(|d| d.is_finite() && *d > 0.0).map(|d| Duration::from_secs_f32(d.min(60.0)));
    let period = from_robots.map_or(from_rate, |d| d.max(from_rate)).max(Duration::from_micros(1));
    let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN));
    RateLimiter::direct(quota)
}

/// A progress bar on a terminal, a line every 100 pages otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    pages: u64,
    errors: u64,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos} pages  {per_sec}  {msg}") {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, started: Instant::now(), pages: 0, errors: 0 }
    }

    fn tick(&mut self, error: bool) {
        self.pages += 1;
        self.errors += u64::from(error);
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(format!("{} errors", self.errors));
            }
            None if self.pages.is_multiple_of(100) => {
                let rate = self.pages as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
                eprintln!("crawled {} pages ({rate:.1}/s), {} errors", self.pages, self.errors);
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
