//! robots.txt per host (RFC 9309, parsed by `texting_robots`): which paths we may fetch and the
//! crawl delay asked for.

use super::CrawlConfig;
use super::fetch::{Fetched, fetch_any};
use crate::ingest::report::IssueKind;
use reqwest::Client;
use texting_robots::Robot;
use url::Url;

/// What a host's robots.txt allows.
pub enum Rules {
    /// Parsed rules for our User-Agent.
    Parsed(Box<Robot>),
    /// No robots.txt (404): everything is allowed.
    AllowAll,
    /// robots.txt could not be read (5xx, network): nothing is allowed, as RFC 9309 asks.
    DisallowAll(String),
}

impl Rules {
    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &Url) -> bool {
        match self {
            Rules::Parsed(r) => r.allowed(url.as_str()),
            Rules::AllowAll => true,
            Rules::DisallowAll(_) => false,
        }
    }

    /// The crawl delay asked for, in seconds.
    pub fn delay(&self) -> Option<f32> {
        match self {
            Rules::Parsed(r) => r.delay,
            _ => None,
        }
    }
}

/// Fetches and parses the robots.txt of `url`'s host.
pub async fn load(client: &Client, url: &Url, cfg: &CrawlConfig) -> Rules {
    let mut robots = url.clone();
    robots.set_path("/robots.txt");
    robots.set_query(None);
    robots.set_fragment(None);
    let agent = cfg.user_agent.split('/').next().unwrap_or("healthsearch").to_string();
    match fetch_any(client, &robots, cfg).await {
        Fetched::Page(page) => Robot::new(&agent, &page.body).map_or(Rules::AllowAll, |r| Rules::Parsed(Box::new(r))),
        Fetched::Gone(_) | Fetched::NotModified | Fetched::Skipped(..) => Rules::AllowAll,
        // RFC 9309: a robots.txt that is "unavailable" (4xx) allows everything.
        Fetched::Failed(IssueKind::HttpError, reason) if reason.starts_with("HTTP 4") => Rules::AllowAll,
        Fetched::Failed(_, reason) => Rules::DisallowAll(format!("robots.txt could not be read: {reason}")),
    }
}
