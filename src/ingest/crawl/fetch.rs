//! HTTP fetching for the crawler: one client (rustls, our User-Agent, timeouts, a few redirects on
//! allowed hosts only, addresses checked before connecting), conditional requests, a body cap,
//! retries with backoff, and HTML-only bodies.

use super::CrawlConfig;
use crate::ingest::report::{IssueKind, error_chain};
use reqwest::header::{CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::{Client, StatusCode};
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
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
    /// The charset named by the Content-Type header.
    pub charset: Option<String>,
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

/// Whether an address is one a crawler must not reach unless told to: loopback, private,
/// link-local, unspecified, shared (CGNAT), documentation or multicast.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg & 0xfe00) == 0xfc00
                || (seg & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// Resolves names with the system resolver and drops private addresses (so a public name cannot
/// be pointed at the local network).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| !is_private(a.ip())).collect();
            if public.is_empty() {
                let msg = format!("{host} resolves only to private addresses (use --allow-private to crawl them)");
                return Err(msg.into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The crawler's HTTP client.
pub fn client(cfg: &CrawlConfig, hosts: Arc<HashSet<String>>) -> Result<Client, reqwest::Error> {
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        let allowed = attempt.url().host_str().is_some_and(|h| hosts.contains(h));
        if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if !allowed {
            attempt.error("redirect leaves the crawled hosts")
        } else {
            attempt.follow()
        }
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

/// Refuses URLs the crawler must not fetch: other schemes, and IP literals in private ranges.
pub fn check_url(url: &Url, allow_private: bool) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("not an http(s) URL: {url}"));
    }
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => Some(IpAddr::from([127, 0, 0, 1])),
        Some(url::Host::Domain(_)) => None,
        None => return Err(format!("no host in {url}")),
    };
    match literal {
        Some(ip) if !allow_private && is_private(ip) => {
            Err(format!("{url} is a private or loopback address (use --allow-private to crawl it)"))
        }
        _ => Ok(()),
    }
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
        Err(e) if e.is_redirect() => return Ok(Fetched::Failed(IssueKind::Refused, error_chain(&e))),
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
    let charset = content_type.split("charset=").nth(1).map(|c| c.trim_matches(['"', ' ', ';']).to_string());
    Ok(Fetched::Page(Page {
        url: final_url,
        body,
        charset,
        etag: header(&headers, ETAG),
        last_modified: header(&headers, LAST_MODIFIED),
    }))
}

fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(!is_private(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_before_fetching() {
        let u = |s: &str| Url::parse(s).expect("url");
        assert!(check_url(&u("http://127.0.0.1:8080/a"), false).is_err());
        assert!(check_url(&u("http://localhost/a"), false).is_err());
        assert!(check_url(&u("http://127.0.0.1:8080/a"), true).is_ok());
        assert!(check_url(&u("ftp://example.org/a"), true).is_err());
        assert!(check_url(&u("https://example.org/a"), false).is_ok());
    }
}
