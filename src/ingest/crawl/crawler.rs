//! The crawl loop: URLs from the sitemap or the start page, each checked (its address, the
//! origin's robots.txt), fetched at the host's pace and handed on; links found are offered to
//! the frontier.

use super::fetch::{self, Fetched, Validators};
use super::frontier::Frontier;
use super::progress::{Progress, Tick};
use super::state::{CrawlState, PageState};
use super::{CrawlConfig, CrawlError, Crawled, Origins, PageEvent, Start, address, discover, limiter, robots};
use crate::ingest::ExtractError;
use crate::ingest::report::{CrawlSummary, IssueKind};
use governor::DefaultDirectRateLimiter;
use reqwest::Client;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use url::Url;

/// One crawl in progress.
pub(super) struct Crawler<'a, F> {
    cfg: &'a CrawlConfig,
    client: Client,
    st: &'a mut CrawlState,
    indexed: &'a HashSet<String>,
    on_page: F,
    frontier: Frontier,
    /// robots.txt by origin (RFC 9309 scopes it so).
    robots: HashMap<String, robots::Rules>,
    /// The pace by host, so that http and https of one host share it.
    limiters: HashMap<String, DefaultDirectRateLimiter>,
    progress: Progress,
    problems: Vec<String>,
    visited: usize,
}

impl<'a, F: FnMut(&str, PageEvent) -> Option<String>> Crawler<'a, F> {
    pub(super) fn new(
        cfg: &'a CrawlConfig,
        st: &'a mut CrawlState,
        indexed: &'a HashSet<String>,
        on_page: F,
    ) -> Result<Self, CrawlError> {
        let origins = Origins::of(cfg.start_url());
        let client = fetch::client(cfg, Arc::new(origins.clone())).map_err(|e| CrawlError::Client(e.to_string()))?;
        Ok(Crawler {
            cfg,
            client,
            st,
            indexed,
            on_page,
            frontier: Frontier::new(cfg, origins),
            robots: HashMap::new(),
            limiters: HashMap::new(),
            progress: Progress::new(cfg.progress),
            problems: Vec::new(),
            visited: 0,
        })
    }

    /// Crawls from the start to the end of the queue or the page limit.
    pub(super) async fn run(mut self) -> Result<Crawled, CrawlError> {
        let start_error = |url: &Url, reason| CrawlError::Start { url: url.to_string(), reason };
        match &self.cfg.start {
            Start::Sitemap(url) => {
                let problems = discover::sitemap_pages(&self.client, url, self.cfg, &mut self.frontier)
                    .await
                    .map_err(|r| start_error(url, r))?;
                self.problems.extend(problems);
            }
            Start::Page { url, .. } => {
                self.frontier.mark(url);
                if let Some(reason) = self.visit(url.clone(), None).await {
                    return Err(start_error(url, reason));
                }
            }
        }
        while let Some((url, lastmod)) = self.frontier.next() {
            if self.visited >= self.cfg.max_pages {
                let left = crate::text::count(self.frontier.queued() + 1, "URL", "URLs");
                self.problems.push(format!("stopped at --max-pages {}; {left} left", self.cfg.max_pages));
                break;
            }
            self.visit(url, lastmod).await;
        }
        self.progress.finish();
        let (not_followed, dropped, problem) = self.frontier.finish();
        self.problems.extend(problem);
        let summary = CrawlSummary { fetched: self.visited, not_followed, dropped };
        Ok(Crawled { problems: self.problems, summary })
    }

    /// Fetches one URL and hands on what became of it. Returns why there is no page to read,
    /// when there is none.
    async fn visit(&mut self, url: Url, lastmod: Option<String>) -> Option<String> {
        self.visited += 1;
        let key = url.to_string();
        if let Err(reason) = address::check_url(&url, self.cfg.allow_private) {
            return self.failed(&key, IssueKind::Refused, reason, None);
        }
        if let Err(reason) = self.wait_turn(&url).await {
            return self.skipped(&key, IssueKind::Robots, reason);
        }
        let previous = self.st.pages.get(&key).cloned().unwrap_or_default();
        let known = previous.article_id.clone().filter(|id| self.indexed.contains(id));
        let validators = match known {
            Some(_) => Validators { etag: previous.etag.clone(), last_modified: previous.last_modified.clone() },
            None => Validators::default(),
        };
        match fetch::fetch(&self.client, &url, &validators, self.cfg).await {
            Fetched::NotModified => match known {
                Some(article_id) => {
                    (self.on_page)(&key, PageEvent::Unchanged { article_id });
                    self.progress.tick(Tick::Read, self.frontier.queued());
                    None
                }
                None => self.failed(&key, IssueKind::HttpError, "304 without a stored copy".into(), None),
            },
            Fetched::Gone(status) => {
                let article_id = self.st.pages.remove(&key).and_then(|p| p.article_id);
                (self.on_page)(&key, PageEvent::Gone { status, article_id });
                self.progress.tick(Tick::Skipped, self.frontier.queued());
                Some(fetch::status_text(status))
            }
            Fetched::Skipped(kind, reason) => {
                self.st.pages.remove(&key);
                self.skipped(&key, kind, reason)
            }
            Fetched::Failed(kind, reason) => self.failed(&key, kind, reason, known),
            Fetched::Page(page) => {
                self.read(key, page, &previous, known, lastmod);
                None
            }
        }
    }

    /// Waits for the host's turn; an error says why robots.txt does not allow the URL.
    async fn wait_turn(&mut self, url: &Url) -> Result<(), String> {
        let rules = match self.robots.entry(url.origin().ascii_serialization()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(robots::load(&self.client, url, self.cfg).await),
        };
        match rules {
            robots::Rules::DisallowAll(reason) => return Err(reason.clone()),
            r if !r.allowed(url) => return Err("disallowed by robots.txt".into()),
            _ => {}
        }
        let (rate, delay) = (self.cfg.rate, rules.delay());
        let host = url.host_str().unwrap_or_default().to_string();
        self.limiters.entry(host).or_insert_with(|| limiter(rate, delay)).until_ready().await;
        Ok(())
    }

    /// A fetched page: its links are offered (when following) and it is handed on, unless its
    /// body is the one already indexed. A page over the parsing budget is skipped before its
    /// links are read.
    fn read(
        &mut self,
        key: String,
        page: fetch::Page,
        previous: &PageState,
        known: Option<String>,
        lastmod: Option<String>,
    ) {
        let body_hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&page.body));
        let (html, _) = crate::ingest::decode::decode(&page.body, page.content_type.as_deref());
        if matches!(self.cfg.start, Start::Page { follow: true, .. }) {
            match discover::links(&html, &page.url) {
                Ok(links) => links.into_iter().for_each(|link| self.frontier.offer(link, None)),
                Err(over) => {
                    self.st.pages.remove(&key);
                    self.skipped(&key, IssueKind::TooComplex, ExtractError::from(over).to_string());
                    return;
                }
            }
        }
        let article_id = match known {
            Some(id) if previous.body_hash.as_deref() == Some(body_hash.as_str()) => {
                (self.on_page)(&key, PageEvent::Unchanged { article_id: id.clone() });
                Some(id)
            }
            _ => (self.on_page)(&key, PageEvent::Html { url: page.url, html }),
        };
        let (etag, last_modified) = (page.etag, page.last_modified);
        let state = PageState { etag, last_modified, body_hash: Some(body_hash), article_id, lastmod };
        self.st.pages.insert(key, state);
        self.progress.tick(Tick::Read, self.frontier.queued());
    }

    fn skipped(&mut self, key: &str, kind: IssueKind, reason: String) -> Option<String> {
        (self.on_page)(key, PageEvent::Skipped { kind, reason: reason.clone() });
        self.progress.tick(Tick::Skipped, self.frontier.queued());
        Some(reason)
    }

    fn failed(&mut self, key: &str, kind: IssueKind, reason: String, article_id: Option<String>) -> Option<String> {
        (self.on_page)(key, PageEvent::Failed { kind, reason: reason.clone(), article_id });
        self.progress.tick(Tick::Failed, self.frontier.queued());
        Some(reason)
    }
}
