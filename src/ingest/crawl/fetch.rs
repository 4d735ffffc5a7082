//! HTTP fetching for the crawler: one client (rustls, our User-Agent, timeouts, a few redirects
//! within the crawled origins and never in a loop, addresses checked before connecting),
//! conditional requests, a body cap, retries with backoff, and HTML-only bodies.

use super::address::PublicOnly;
use super::{CrawlConfig, Origins};
use crate::ingest::report::{IssueKind, error_chain};
use reqwest::header::{CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::{Client, StatusCode};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 3;

/// What a server said about a page.
#[derive(Debug)]
pub enum Fetched {
    /// A page body (HTML), with its validators and final URL.
    Page(Page),
    /// 304: unchanged since the validators we sent.
    NotModified,
    /// 404 or 410: the page is gone.
    Gone(u16),
    /// Not something to index (not HTML), with the reason.
    Skipped(IssueKind, String),
    /// Could not be fetched, with the reason.
    Failed(IssueKind, String),
}

impl Fetched {
    /// Why there is no page to read (empty for a page).
    pub fn reason(&self) -> String {
        match self {
            Fetched::Page(_) => String::new(),
            Fetched::NotModified => "HTTP 304 Not Modified".into(),
            Fetched::Gone(status) => status_text(*status),
            Fetched::Skipped(_, reason) | Fetched::Failed(_, reason) => reason.clone(),
        }
    }
}

/// A page as served.
#[derive(Debug)]
pub struct Page {
    /// Where it was found, after redirects.
    pub url: Url,
    pub body: Vec<u8>,
    /// The Content-Type header, whose `charset` decides how the body is read.
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// "HTTP 404 Not Found" for 404.
pub fn status_text(status: u16) -> String {
    match StatusCode::from_u16(status) {
        Ok(s) => format!("HTTP {s}"),
        Err(_) => format!("HTTP {status}"),
    }
}

/// Validators from the last fetch of a page.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Why a redirect was not followed.
#[derive(Debug, thiserror::Error)]
enum Unfollowed {
    #[error("redirect loop: {0}")]
    Loop(String),
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooMany,
    #[error("off-site redirect to {to} (the crawl stays on {origins})")]
    OffSite { to: String, origins: String },
}

impl Unfollowed {
    /// Why a redirect must not be followed; `None` when it may be.
    fn of(attempt: &reqwest::redirect::Attempt<'_>, origins: &Origins) -> Option<Unfollowed> {
        let (to, previous) = (attempt.url(), attempt.previous());
        if let Some(first) = previous.iter().position(|u| u == to) {
            let chain: Vec<&str> = previous[first..].iter().chain([to]).map(Url::as_str).collect();
            Some(Unfollowed::Loop(chain.join(" → ")))
        } else if previous.len() > MAX_REDIRECTS {
            // The first of `previous` is the URL asked for, not a redirect.
            Some(Unfollowed::TooMany)
        } else if !origins.contains(to) {
            Some(Unfollowed::OffSite { to: to.to_string(), origins: origins.to_string() })
        } else {
            None
        }
    }

    /// The kind of issue a page whose redirect was not followed is.
    fn kind(e: &reqwest::Error) -> IssueKind {
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            match s.downcast_ref::<Unfollowed>() {
                Some(Unfollowed::OffSite { .. }) => return IssueKind::Refused,
                Some(_) => return IssueKind::Redirect,
                None => source = s.source(),
            }
        }
        IssueKind::Refused
    }
}

/// The crawler's HTTP client.
pub fn client(cfg: &CrawlConfig, origins: Arc<Origins>) -> Result<Client, reqwest::Error> {
    let policy = reqwest::redirect::Policy::custom(move |attempt| match Unfollowed::of(&attempt, &origins) {
        Some(why) => attempt.error(why),
        None => attempt.follow(),
    });
    let mut builder = Client::builder()
        .user_agent(cfg.user_agent.clone())
        .timeout(cfg.timeout)
        .connect_timeout(cfg.timeout.min(Duration::from_secs(5)))
        .redirect(policy);
    if !cfg.allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    builder.build()
}

/// Fetches a page, sending the validators, retrying transient failures (connection errors,
/// timeouts, 429 and 5xx) with exponential backoff. Bodies that are not HTML are skipped.
pub async fn fetch(client: &Client, url: &Url, v: &Validators, cfg: &CrawlConfig) -> Fetched {
    fetch_as(client, url, v, cfg, true).await
}

/// [`fetch`] for any content type (robots.txt, sitemaps).
pub async fn fetch_any(client: &Client, url: &Url, cfg: &CrawlConfig) -> Fetched {
    fetch_as(client, url, &Validators::default(), cfg, false).await
}

async fn fetch_as(client: &Client, url: &Url, v: &Validators, cfg: &CrawlConfig, html_only: bool) -> Fetched {
    let mut delay = Duration::from_millis(200);
    let mut last = (IssueKind::Unreachable, String::new());
    for attempt in 0..=cfg.retries {
        if attempt > 0 {
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
        match fetch_once(client, url, v, cfg.max_bytes, html_only).await {
            Ok(done) => return done,
            Err(Transient(kind, reason)) => last = (kind, reason),
        }
    }
    Fetched::Failed(last.0, format!("{} (after {} attempts)", last.1, cfg.retries + 1))
}

/// A failure worth another try: no answer, 429 or a server error.
struct Transient(IssueKind, String);

async fn fetch_once(
    client: &Client,
    url: &Url,
    v: &Validators,
    max_bytes: usize,
    html_only: bool,
) -> Result<Fetched, Transient> {
    let mut req = client.get(url.clone());
    if let Some(etag) = &v.etag {
        req = req.header(IF_NONE_MATCH, etag);
    }
    if let Some(lm) = &v.last_modified {
        req = req.header(IF_MODIFIED_SINCE, lm);
    }
    let mut res = match req.send().await {
        Ok(r) => r,
        Err(e) if e.is_redirect() => return Ok(Fetched::Failed(Unfollowed::kind(&e), error_chain(&e))),
        Err(e) if e.is_builder() => return Ok(Fetched::Failed(IssueKind::Invalid, error_chain(&e))),
        Err(e) => return Err(Transient(IssueKind::Unreachable, error_chain(&e))),
    };
    let status = res.status();
    match status {
        StatusCode::NOT_MODIFIED => return Ok(Fetched::NotModified),
        StatusCode::NOT_FOUND | StatusCode::GONE => return Ok(Fetched::Gone(status.as_u16())),
        s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => {
            return Err(Transient(IssueKind::HttpError, format!("HTTP {s}")));
        }
        s if !s.is_success() => return Ok(Fetched::Failed(IssueKind::HttpError, format!("HTTP {s}"))),
        _ => {}
    }
    let headers = res.headers().clone();
    let content_type = header(&headers, CONTENT_TYPE).unwrap_or_default().to_ascii_lowercase();
    if html_only && !content_type.is_empty() && !content_type.contains("html") {
        return Ok(Fetched::Skipped(IssueKind::NotHtml, format!("not HTML ({content_type})")));
    }
    let too_large = || Fetched::Failed(IssueKind::TooLarge, format!("page is over the {max_bytes}-byte limit"));
    if res.content_length().is_some_and(|n| n > max_bytes as u64) {
        return Ok(too_large());
    }
    let final_url = res.url().clone();
    let mut body = Vec::new();
    loop {
        match res.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max_bytes {
                    return Ok(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Err(Transient(IssueKind::Unreachable, error_chain(&e))),
        }
    }
    Ok(Fetched::Page(Page {
        url: final_url,
        body,
        content_type: header(&headers, CONTENT_TYPE),
        etag: header(&headers, ETAG),
        last_modified: header(&headers, LAST_MODIFIED),
    }))
}

fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}
