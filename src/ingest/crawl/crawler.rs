//! The crawl loop: URLs from the sitemap or the start page, each checked (its address, the
//! host's robots.txt), fetched at the host's pace and handed on; links found are queued, or
//! counted with the reason they were not followed.

use super::fetch::{self, Fetched, Validators};
use super::progress::{Progress, Tick};
use super::state::{CrawlState, PageState};
use super::{CrawlConfig, CrawlError, Crawled, PageEvent, Start, discover, limiter, robots};
use crate::ingest::report::{CrawlSummary, IssueKind, Tally};
use governor::DefaultDirectRateLimiter;
use reqwest::Client;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use url::Url;

/// Example URLs kept for each reason a link was not followed.
const EXAMPLES: usize = 3;

/// One crawl in progress.
pub(super) struct Crawler<'a, F> {
    cfg: &'a CrawlConfig,
    client: Client,
    /// Hosts the crawl stays on.
    hosts: HashSet<String>,
    st: &'a mut CrawlState,
    indexed: &'a HashSet<String>,
    on_page: F,
    queue: VecDeque<(Url, Option<String>)>,
    /// Every URL queued or counted as not followed, so that each is dealt with once.
    seen: HashSet<Url>,
    hosts_rules: HashMap<String, (robots::Rules, DefaultDirectRateLimiter)>,
    progress: Progress,
    not_followed: Vec<Tally>,
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
        let hosts: HashSet<String> = cfg.start_url().host_str().map(str::to_string).into_iter().collect();
        let client = fetch::client(cfg, Arc::new(hosts.clone())).map_err(|e| CrawlError::Client(e.to_string()))?;
        Ok(Crawler {
            cfg,
            client,
            hosts,
            st,
            indexed,
            on_page,
            queue: VecDeque::new(),
            seen: HashSet::new(),
            hosts_rules: HashMap::new(),
            progress: Progress::new(cfg.progress),
            not_followed: Vec::new(),
            problems: Vec::new(),
            visited: 0,
        })
    }

    /// Crawls from the start to the end of the queue or the page limit.
    pub(super) async fn run(mut self) -> Result<Crawled, CrawlError> {
        let start_error = |url: &Url, reason| CrawlError::Start { url: url.to_string(), reason };
        match &self.cfg.start {
            Start::Sitemap(url) => {
                let (listed, problems) =
                    discover::sitemap_pages(&self.client, url, self.cfg).await.map_err(|r| start_error(url, r))?;
                self.problems.extend(problems);
                for page in listed {
                    self.offer(page.url, page.lastmod);
                }
            }
            Start::Page { url, .. } => {
                self.seen.insert(url.clone());
                if let Some(reason) = self.visit(url.clone(), None).await {
                    return Err(start_error(url, reason));
                }
            }
        }
        while let Some((url, lastmod)) = self.queue.pop_front() {
            if self.visited >= self.cfg.max_pages {
                let left = crate::text::count(self.queue.len() + 1, "URL", "URLs");
                self.problems.push(format!("stopped at --max-pages {}; {left} left", self.cfg.max_pages));
                break;
            }
            self.visit(url, lastmod).await;
        }
        self.progress.finish();
        self.not_followed.sort_by_key(|t| std::cmp::Reverse(t.count));
        let summary = CrawlSummary { fetched: self.visited, not_followed: self.not_followed };
        Ok(Crawled { problems: self.problems, summary })
    }

    /// Queues a URL found in a sitemap or on a page, or counts why it is not followed.
    fn offer(&mut self, url: Url, lastmod: Option<String>) {
        if !self.seen.insert(url.clone()) {
            return;
        }
        match self.cfg.scope(&url, &self.hosts) {
            Ok(()) => self.queue.push_back((url, lastmod)),
            Err(reason) => match self.not_followed.iter_mut().find(|t| t.reason == reason) {
                Some(t) => {
                    t.count += 1;
                    if t.examples.len() < EXAMPLES {
                        t.examples.push(url.to_string());
                    }
                }
                None => self.not_followed.push(Tally { reason: reason.into(), count: 1, examples: vec![url.into()] }),
            },
        }
    }

    /// Fetches one URL and hands on what became of it. Returns why there is no page to read,
    /// when there is none.
    async fn visit(&mut self, url: Url, lastmod: Option<String>) -> Option<String> {
        self.visited += 1;
        let key = url.to_string();
        if let Err(reason) = fetch::check_url(&url, self.cfg.allow_private) {
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
                    self.progress.tick(Tick::Read, self.queue.len());
                    None
                }
                None => self.failed(&key, IssueKind::HttpError, "304 without a stored copy".into(), None),
            },
            Fetched::Gone(status) => {
                let article_id = self.st.pages.remove(&key).and_then(|p| p.article_id);
                (self.on_page)(&key, PageEvent::Gone { status, article_id });
                self.progress.tick(Tick::Skipped, self.queue.len());
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
        let host = url.host_str().unwrap_or_default().to_string();
        let (rules, limiter) = match self.hosts_rules.entry(host) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let rules = robots::load(&self.client, url, self.cfg).await;
                let limiter = limiter(self.cfg.rate, rules.delay());
                e.insert((rules, limiter))
            }
        };
        match rules {
            robots::Rules::DisallowAll(reason) => return Err(reason.clone()),
            r if !r.allowed(url) => return Err("disallowed by robots.txt".into()),
            _ => {}
        }
        limiter.until_ready().await;
        Ok(())
    }

    /// A fetched page: its links are offered (when following) and it is handed on, unless its
    /// body is the one already indexed.
    fn read(
        &mut self,
        key: String,
        page: fetch::Page,
        previous: &PageState,
        known: Option<String>,
        lastmod: Option<String>,
    ) {
        let body_hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&page.body));
        let (html, _) = crate::ingest::decode::decode(&page.body, page.charset.as_deref());
        if matches!(self.cfg.start, Start::Page { follow: true, .. }) {
            for link in discover::links(&html, &page.url) {
                self.offer(link, None);
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
        self.progress.tick(Tick::Read, self.queue.len());
    }

    fn skipped(&mut self, key: &str, kind: IssueKind, reason: String) -> Option<String> {
        (self.on_page)(key, PageEvent::Skipped { kind, reason: reason.clone() });
        self.progress.tick(Tick::Skipped, self.queue.len());
        Some(reason)
    }

    fn failed(&mut self, key: &str, kind: IssueKind, reason: String, article_id: Option<String>) -> Option<String> {
        (self.on_page)(key, PageEvent::Failed { kind, reason: reason.clone(), article_id });
        self.progress.tick(Tick::Failed, self.queue.len());
        Some(reason)
    }
}
