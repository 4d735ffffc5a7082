//! A real HTTP server on loopback serving the bundled corpus as a website: a sitemap, robots.txt
//! with a disallowed path, ETag/Last-Modified with 304s, a redirect, a page that always fails with
//! 500, a slow page, a PDF, and counters of what crawlers asked for. Tests add pages with any
//! bytes and content type, and redirects of their own.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server holds and has seen.
#[derive(Default)]
pub struct Site {
    /// Path to (content type, body).
    pub pages: Mutex<BTreeMap<String, (String, Vec<u8>)>>,
    pub requests: AtomicUsize,
    pub conditional: AtomicUsize,
    pub not_modified: AtomicUsize,
    /// Delay of every article response, to make a crawl take a while.
    pub delay_ms: AtomicUsize,
    /// Path to where a request for it is sent (302).
    pub redirects: Mutex<BTreeMap<String, String>>,
    /// Requests by path.
    pub hits: Mutex<BTreeMap<String, usize>>,
}

/// Paths of the special cases.
pub const DISALLOWED: &str = "/private/secret-croup.html";
pub const BROKEN: &str = "/broken.html";
pub const REDIRECT: &str = "/old/lochia";
pub const SLOW: &str = "/slow.html";
pub const PDF: &str = "/files/leaflet.pdf";

impl Site {
    /// Every HTML page of the corpus at `/HOST/PATH.html`, plus the special cases.
    pub fn from_corpus() -> Arc<Site> {
        let site = Site::default();
        let root = super::corpus_dir();
        let mut pages = BTreeMap::new();
        for entry in walkdir::WalkDir::new(&root).into_iter().filter_map(Result::ok) {
            if entry.path().extension().is_some_and(|e| e == "html" || e == "htm") {
                let rel = entry.path().strip_prefix(&root).expect("under root").to_string_lossy().replace('\\', "/");
                // Links between pages point at the mirror's own paths on this server; canonical
                // links keep the sites' real URLs.
                let body = replace_bytes(
                    &std::fs::read(entry.path()).expect("read page"),
                    b"<a href=\"https://",
                    b"<a href=\"/",
                );
                pages.insert(format!("/{rel}"), ("text/html".to_string(), body));
            }
        }
        let croup = pages
            .iter()
            .find(|(p, _)| p.ends_with("/croup.html"))
            .map(|(_, (_, b))| String::from_utf8_lossy(b).into_owned())
            .expect("croup page");
        let secret = croup.replace("croup.html", "secret-croup.html").replace("<title>", "<title>Secret ");
        let secret = secret.replacen("<h1>", "<h1>Secret ", 1);
        pages.insert(DISALLOWED.into(), ("text/html".into(), secret.into_bytes()));
        pages.insert(PDF.into(), ("application/pdf".into(), b"%PDF-1.4 not a web page".to_vec()));
        *site.pages.lock().expect("lock") = pages;
        Arc::new(site)
    }

    /// The article paths listed in the sitemap: every page plus the special cases.
    pub fn sitemap_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.pages.lock().expect("lock").keys().cloned().collect();
        paths.extend([BROKEN, REDIRECT, SLOW].map(String::from));
        paths
    }

    /// Replaces a page's body.
    pub fn set(&self, path: &str, body: String) {
        self.pages
            .lock()
            .expect("lock")
            .insert(path.to_string(), ("text/html; charset=utf-8".into(), body.into_bytes()));
    }

    /// Serves `body` as it is at `path`, with this content type.
    pub fn set_raw(&self, path: &str, content_type: &str, body: Vec<u8>) {
        self.pages.lock().expect("lock").insert(path.to_string(), (content_type.to_string(), body));
    }

    /// Answers requests for `from` with a 302 to `to`.
    pub fn redirect(&self, from: &str, to: &str) {
        self.redirects.lock().expect("lock").insert(from.to_string(), to.to_string());
    }

    /// How many requests asked for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().expect("lock").get(path).copied().unwrap_or(0)
    }

    /// Removes a page (it answers 404 from then on).
    pub fn remove(&self, path: &str) {
        self.pages.lock().expect("lock").remove(path);
    }

    /// The body of a page.
    pub fn get(&self, path: &str) -> Option<String> {
        self.pages.lock().expect("lock").get(path).map(|(_, b)| String::from_utf8_lossy(b).into_owned())
    }
}

/// Starts the server on a loopback port; returns its address.
pub async fn serve(site: Arc<Site>) -> SocketAddr {
    let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap| answer(site.clone(), uri, headers));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

async fn answer(site: Arc<Site>, uri: Uri, headers: HeaderMap) -> Response {
    site.requests.fetch_add(1, Ordering::Relaxed);
    let path = uri.path().to_string();
    *site.hits.lock().expect("lock").entry(path.clone()).or_default() += 1;
    if let Some(to) = site.redirects.lock().expect("lock").get(&path).cloned() {
        return (StatusCode::FOUND, [(header::LOCATION, to)]).into_response();
    }
    match path.as_str() {
        "/robots.txt" => {
            return ([(header::CONTENT_TYPE, "text/plain")], "User-agent: *\nDisallow: /private/\n").into_response();
        }
        "/sitemap.xml" => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
            let urls: String = site
                .sitemap_paths()
                .iter()
                .map(|p| format!("<url><loc>http://{host}{p}</loc><lastmod>2024-01-01</lastmod></url>"))
                .collect();
            let xml = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>"#
            );
            return ([(header::CONTENT_TYPE, "application/xml")], xml).into_response();
        }
        "/sitemap-index.xml" => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
            let xml = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>http://{host}/sitemap.xml</loc><lastmod>2024-01-01</lastmod></sitemap></sitemapindex>"#
            );
            return ([(header::CONTENT_TYPE, "application/xml")], xml).into_response();
        }
        BROKEN => return (StatusCode::INTERNAL_SERVER_ERROR, "broken").into_response(),
        REDIRECT => {
            let target = site.pages.lock().expect("lock").keys().find(|p| p.ends_with("/lochia.html")).cloned();
            let target = target.unwrap_or_else(|| "/".into());
            return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, target)]).into_response();
        }
        SLOW => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            return ([(header::CONTENT_TYPE, "text/html")], "<html><body>late</body></html>").into_response();
        }
        _ => {}
    }
    let delay = site.delay_ms.load(Ordering::Relaxed);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay as u64)).await;
    }
    let Some((content_type, body)) = site.pages.lock().expect("lock").get(&path).cloned() else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&body));
    if let Some(sent) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        site.conditional.fetch_add(1, Ordering::Relaxed);
        if sent == etag {
            site.not_modified.fetch_add(1, Ordering::Relaxed);
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
        }
    }
    let mut res = Response::new(Body::from(body));
    res.headers_mut().insert(header::CONTENT_TYPE, content_type.parse().expect("content type"));
    res.headers_mut().insert(header::ETAG, etag.parse().expect("etag"));
    res
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}
