//! The URLs a crawl holds, from sitemaps and from links: each once, only those in scope (the
//! crawl's origins and `--prefix` paths) queued, and at most `--max-urls` of them in all; the
//! rest are counted, by reason for those not followed and in one number for those dropped.

use super::{CrawlConfig, Origins};
use crate::ingest::report::Tally;
use std::collections::{HashSet, VecDeque};
use url::Url;

/// Example URLs kept for each reason a link was not followed.
const EXAMPLES: usize = 3;

/// The queue of URLs to fetch and what is known about the others.
pub(super) struct Frontier {
    origins: Origins,
    prefixes: Vec<String>,
    max_urls: usize,
    queue: VecDeque<(Url, Option<String>)>,
    /// Every URL queued or counted as not followed, so that each is dealt with once.
    seen: HashSet<Url>,
    not_followed: Vec<Tally>,
    /// URLs met once `seen` was full.
    dropped: usize,
}

impl Frontier {
    pub(super) fn new(cfg: &CrawlConfig, origins: Origins) -> Frontier {
        Frontier {
            origins,
            prefixes: cfg.prefixes.clone(),
            max_urls: cfg.max_urls.max(1),
            queue: VecDeque::new(),
            seen: HashSet::new(),
            not_followed: Vec::new(),
            dropped: 0,
        }
    }

    /// Queues a URL found in a sitemap or on a page, or counts why it is not followed.
    pub(super) fn offer(&mut self, url: Url, lastmod: Option<String>) {
        if self.seen.contains(&url) {
            return;
        }
        if self.is_full() {
            self.dropped += 1;
            return;
        }
        self.seen.insert(url.clone());
        match self.scope(&url) {
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

    /// Marks a URL as dealt with without queueing it (the start page, fetched first).
    pub(super) fn mark(&mut self, url: &Url) {
        self.seen.insert(url.clone());
    }

    /// Whether a URL is on the crawl's origins.
    pub(super) fn on_site(&self, url: &Url) -> bool {
        self.origins.contains(url)
    }

    /// Whether a link or sitemap entry is followed; if not, why.
    fn scope(&self, url: &Url) -> Result<(), &'static str> {
        if !self.on_site(url) {
            Err("off-site")
        } else if !self.prefixes.is_empty() && !self.prefixes.iter().any(|p| url.path().starts_with(p.as_str())) {
            Err("outside the --prefix paths")
        } else {
            Ok(())
        }
    }

    pub(super) fn is_full(&self) -> bool {
        self.seen.len() >= self.max_urls
    }

    pub(super) fn next(&mut self) -> Option<(Url, Option<String>)> {
        self.queue.pop_front()
    }

    pub(super) fn queued(&self) -> usize {
        self.queue.len()
    }

    /// The counts for the crawl's summary: links not followed, most frequent reason first, and
    /// URLs dropped over the limit, with the problem that is.
    pub(super) fn finish(mut self) -> (Vec<Tally>, usize, Option<String>) {
        self.not_followed.sort_by_key(|t| std::cmp::Reverse(t.count));
        let problem = (self.dropped > 0).then(|| {
            let dropped = crate::text::count(self.dropped, "URL", "URLs");
            format!("{dropped} dropped: a crawl holds at most --max-urls {}", self.max_urls)
        });
        (self.not_followed, self.dropped, problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::crawl::Start;

    #[test]
    fn each_url_is_held_once_and_no_more_than_the_limit() {
        let start = Url::parse("http://site.example/a").expect("url");
        let mut cfg = CrawlConfig::new(Start::Page { url: start.clone(), follow: true });
        cfg.max_urls = 3;
        let mut f = Frontier::new(&cfg, Origins::of(&start));
        let u = |p: &str| Url::parse(p).expect("url");
        for url in
            ["http://site.example/b", "http://site.example/b", "https://site.example/c", "http://site.example:8080/d"]
        {
            f.offer(u(url), None);
        }
        f.offer(u("http://site.example/e"), None);
        f.offer(u("http://site.example/b"), None);
        assert_eq!(f.queued(), 2, "http and its https twin, each URL once");
        let (not_followed, dropped, problem) = f.finish();
        assert_eq!(not_followed[0].examples, vec!["http://site.example:8080/d"], "another port is off-site");
        assert_eq!(dropped, 1);
        assert_eq!(problem.as_deref(), Some("1 URL dropped: a crawl holds at most --max-urls 3"));
    }
}
