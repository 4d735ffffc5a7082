//! A hostile article: its title, headings, body and citations carry `<script>`, `<img onerror>`,
//! `<svg onload>`, `javascript:` links and HTML-looking text. It is indexed as text, and the search
//! page, its suggestions and the widget on another origin show that text without running any of
//! it: in headless Chromium no dialog opens, no payload sets its marker, and no element with an
//! event handler, no `javascript:` link and no script but ours appears.

#[path = "common/browser.rs"]
mod browser;
mod common;

use browser::*;
use fantoccini::{Client, Locator};
use healthsearch::index::HealthIndex;
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;

/// Every payload either opens a dialog or sets `window.__pwned`.
const HOSTILE_PAGE: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>&lt;script&gt;alert(1)&lt;/script&gt; Zebrafever &lt;img src=x onerror=alert(2)&gt;</title>
<meta name="description" content="&lt;svg onload=alert(3)&gt; What zebrafever is and how it is treated.">
<script>window.__pwned = 'head script';</script>
</head><body>
<nav><a href="/">Home</a></nav>
<main><article>
<h1>&lt;script&gt;alert(1)&lt;/script&gt; Zebrafever &lt;img src=x onerror=alert(2)&gt;</h1>
<p>Zebrafever is a made-up illness used to test that pages are shown as text. &lt;script&gt;window.__pwned='body text'&lt;/script&gt; stays words on the page, and so does &lt;img src=x onerror="window.__pwned='img text'"&gt;.</p>
<script>window.__pwned = 'body script';</script>
<img src="x" onerror="window.__pwned='real img'">
<p>Zebrafever causes a high temperature, stripes of rash and tiredness that lasts for a week. Most people get better at home with rest, fluids and paracetamol for the fever.</p>
<h2 id="sym&quot;&gt;&lt;img src=x onerror=alert(4)&gt;">&lt;svg onload=alert(5)&gt; Symptoms of zebrafever</h2>
<p>The first sign of zebrafever is a fever above 38C, followed by a striped rash on the arms. <a href="javascript:window.__pwned='body link'">Read more about the rash</a> or call your doctor if the fever lasts more than three days.</p>
<p>Children with zebrafever should drink often; see a doctor if they stop drinking, seem drowsy or have a fit. "&gt;&lt;/textarea&gt;&lt;script&gt;alert(6)&lt;/script&gt; is quoted here as text.</p>
<h2 id="treat">Treatment &lt;iframe src="javascript:alert(7)"&gt;&lt;/iframe&gt;</h2>
<p>There is no cure for zebrafever, but the fever and aches can be eased with paracetamol or ibuprofen, and the rash fades without scarring within two weeks in most cases.</p>
<h2>References</h2>
<ol>
<li>Evil A, Payload B. &lt;img src=x onerror=alert(8)&gt; Zebrafever in adults. J Hostile Med. 2020;12(3):45-50. <a href="javascript:alert(9)">javascript:alert(9)</a></li>
<li>Smith C. Striped rashes. Rash Journal. 2019. <a href="https://example.org/rash?x=&quot;&gt;&lt;script&gt;alert(10)&lt;/script&gt;">https://example.org/rash</a> [Accessed February 2022]</li>
</ol>
</article></main></body></html>
"##;

/// The bundled corpus plus the hostile page, indexed in a temporary directory.
fn hostile_index() -> common::MirrorCopy {
    let copy = common::MirrorCopy::new();
    let dir = copy.mirror.join("hostile.example/health");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("zebrafever.html"), HOSTILE_PAGE).expect("write");
    let report = copy.ingest();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    copy
}

async fn start(index: Arc<HealthIndex>) -> SocketAddr {
    serve(router(AppState::shared(index))).await
}

/// What a payload could have left behind in the current page.
const DAMAGE_JS: &str = r#"
const handlers = Array.from(document.querySelectorAll('*'))
  .filter(e => Array.from(e.attributes).some(a => a.name.toLowerCase().startsWith('on')))
  .map(e => e.outerHTML.slice(0, 80));
const jsLinks = Array.from(document.querySelectorAll('[href],[src],[action],[formaction]'))
  .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || e.getAttribute('formaction'))
  .filter(u => /^\s*javascript:/i.test(u));
const foreign = Array.from(document.querySelectorAll('img, svg, iframe, object, embed, textarea')).map(e => e.tagName);
const scripts = Array.from(document.scripts).filter(s => !s.src).map(s => s.textContent.slice(0, 80));
return { pwned: window.__pwned === undefined ? null : String(window.__pwned), handlers, jsLinks, foreign, scripts };
"#;

async fn assert_unharmed(c: &Client, page: &str) {
    let alert = c.get_alert_text().await;
    assert!(alert.is_err(), "{page}: a dialog opened: {alert:?}");
    let damage = js(c, DAMAGE_JS).await;
    assert_eq!(damage["pwned"], Value::Null, "{page}: a payload ran: {damage}");
    for key in ["handlers", "jsLinks", "foreign", "scripts"] {
        assert_eq!(damage[key].as_array().map(Vec::len), Some(0), "{page}: {key}: {damage}");
    }
}

async fn page_text(c: &Client) -> String {
    js(c, "return document.body.textContent").await.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_search_page_shows_hostile_text_without_running_it() {
    let copy = hostile_index();
    let addr = start(copy.index.clone()).await;
    with_browser(move |c| async move {
        c.goto(&format!("http://{addr}/?q=zebrafever")).await.expect("open results");
        let title = c.find(Locator::Css("ol.results > li .hit-title a")).await.expect("a hit");
        let title = title.text().await.expect("title");
        assert!(title.contains("<script>alert(1)</script> Zebrafever"), "{title}");
        let text = page_text(&c).await;
        assert!(text.contains("Evil A, Payload B. <img src=x onerror=alert(8)>"), "citation shown as text");
        assert_unharmed(&c, "results").await;

        // Suggestions as you type show the hostile title as text too.
        c.goto(&format!("http://{addr}/")).await.expect("open the page");
        let input = c.find(Locator::Css("#q")).await.expect("search box");
        input.send_keys("zebraf").await.expect("type");
        let opts = eventually("suggestions for \"zebraf\"", || async {
            let o = options(&c, "#q").await;
            o.iter().any(|(_, t)| t.contains("<script>")).then_some(o)
        })
        .await;
        assert!(opts.iter().any(|(_, t)| t.contains("<img src=x onerror=alert(2)>")), "{opts:?}");
        assert_unharmed(&c, "suggestions").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_shows_hostile_text_without_running_it() {
    let copy = hostile_index();
    let api = start(copy.index.clone()).await;
    let host = start_host(api).await;
    with_browser(move |c| async move {
        c.goto(&format!("http://{host}/")).await.expect("open the host page");
        let input = c.wait().at_most(PATIENCE).for_element(Locator::Css("#healthsearch .hs-input")).await;
        let input = input.expect("the widget's search box");
        input.send_keys("zebraf").await.expect("type");
        eventually("widget suggestions", || async {
            let o = options(&c, "#healthsearch .hs-input").await;
            o.iter().any(|(_, t)| t.contains("<script>")).then_some(o)
        })
        .await;
        assert_unharmed(&c, "widget suggestions").await;
        input.clear().await.expect("clear");
        input.send_keys("zebrafever").await.expect("type");
        c.find(Locator::Css("#healthsearch .hs-button")).await.expect("button").click().await.expect("submit");
        let title = eventually("widget results", || async {
            let t =
                js(&c, "return Array.from(document.querySelectorAll('.hs-result .hs-title')).map(a => a.textContent)")
                    .await;
            t.get(0)?.as_str().map(String::from)
        })
        .await;
        assert!(title.contains("<script>alert(1)</script> Zebrafever"), "{title}");
        assert_unharmed(&c, "widget results").await;
    })
    .await;
}
