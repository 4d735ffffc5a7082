//! Shared browser-test support: headless Chromium through chromedriver (fantoccini), with waits,
//! script helpers and a partner host page for the widget.
//!
//! Without `/usr/bin/chromedriver` (or `HEALTHSEARCH_CHROMEDRIVER`) the browser tests say so and
//! pass, unless `HEALTHSEARCH_REQUIRE_BROWSER=1` is set (as CI does), in which case they fail.

#![allow(dead_code)]

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Debian's paths (`apt-get install chromium chromium-driver`); `HEALTHSEARCH_CHROMEDRIVER` and
/// `HEALTHSEARCH_CHROMIUM` point elsewhere.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

pub fn chromedriver() -> String {
    std::env::var("HEALTHSEARCH_CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.to_string())
}

pub fn chromium() -> String {
    std::env::var("HEALTHSEARCH_CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_string())
}
/// Longest any condition is waited for.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Whether the browser tests can run here; panics when they must and cannot.
pub fn browser_available() -> bool {
    let (driver, browser) = (chromedriver(), chromium());
    let present = Path::new(&driver).exists() && Path::new(&browser).exists();
    if !present {
        let required = std::env::var("HEALTHSEARCH_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(!required, "HEALTHSEARCH_REQUIRE_BROWSER=1 but {driver} or {browser} is missing");
        eprintln!(
            "browser test skipped: {driver} or {browser} is missing \
             (apt-get install chromium chromium-driver; set HEALTHSEARCH_REQUIRE_BROWSER=1 to make this an error)"
        );
    }
    present
}

pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// A chromedriver process, killed on drop, with its own Chromium profile directory.
pub struct Driver {
    child: Child,
    port: u16,
    profile: TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a probe port");
    probe.local_addr().expect("probe addr").port()
}

pub async fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new(chromedriver())
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let mut driver = Driver { child, port, profile: tempfile::tempdir().expect("profile dir") };
    let status = format!("http://127.0.0.1:{port}/status");
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(Some(exit)) = driver.child.try_wait() {
            panic!("chromedriver exited at start: {exit}");
        }
        if let Ok(res) = reqwest::get(&status).await
            && let Ok(v) = res.json::<Value>().await
            && v["value"]["ready"] == true
        {
            return driver;
        }
        assert!(Instant::now() < deadline, "chromedriver did not become ready on port {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Driver {
    /// A new headless Chromium session. Every host but loopback fails to resolve, so the browser
    /// never leaves the machine (article links open Chromium's error page at the right URL).
    async fn session(&self) -> Client {
        let options = json!({
            "binary": chromium(),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                format!("--user-data-dir={}", self.profile.path().display()),
            ],
        });
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".to_string(), options);
        ClientBuilder::rustls()
            .expect("WebDriver client")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("start a Chromium session")
    }
}

/// Runs `body` in a browser session and closes the session even when `body` fails.
pub async fn with_browser<F, Fut>(body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if !browser_available() {
        return;
    }
    let driver = start_driver().await;
    let client = driver.session().await;
    let outcome = tokio::spawn(body(client.clone())).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Polls `check` until it gives a value, failing after [`PATIENCE`] with `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs a script in the page and returns its value (`null` when the command fails).
pub async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap_or(Value::Null)
}

pub fn key(k: Key) -> String {
    char::from(k).to_string()
}

/// The visible options of the listbox a combobox controls: `[id, text]` pairs.
pub const OPTIONS_JS: &str = r#"
const box = document.querySelector(arguments[0] || '[role=combobox]');
const list = box && document.getElementById(box.getAttribute('aria-controls'));
if (!list || list.hidden || box.getAttribute('aria-expanded') !== 'true') return [];
return Array.from(list.querySelectorAll('[role=option]')).map(o => [o.id, o.textContent]);
"#;

pub async fn options(c: &Client, combobox: &str) -> Vec<(String, String)> {
    let v = c.execute(OPTIONS_JS, vec![json!(combobox)]).await.unwrap_or(Value::Null);
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|pair| Some((pair[0].as_str()?.to_string(), pair[1].as_str()?.to_string())))
        .collect()
}

/// A host page on another origin with a strict policy of its own: scripts and requests only
/// from the search service, nothing inline.
pub async fn start_host(api: SocketAddr) -> SocketAddr {
    let page = format!(
        r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A partner site</title></head>
<body><h1>A partner site</h1>
<div id="healthsearch"></div>
<script src="http://{api}/widget.js" data-target="#healthsearch"></script>
</body></html>"##
    );
    let csp = format!("default-src 'self'; script-src http://{api}; connect-src http://{api}");
    let app = Router::new().route(
        "/",
        get(move || async move {
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                    (header::CONTENT_SECURITY_POLICY, csp),
                ],
                page,
            )
                .into_response()
        }),
    );
    serve(app).await
}
