//! Crawling sites that misbehave, served by real HTTP servers on loopback: links and redirects to
//! another port of the crawled host, IPv6 spellings of private IPv4 addresses, a redirect loop,
//! a sitemap listed over and over, more URLs than the crawl holds, a page nested thousands deep,
//! and pages in legacy multi-byte encodings and in UTF-16 without a byte-order mark.

mod common;

use common::site::{self, Site};
use healthsearch::index::HealthIndex;
use healthsearch::index::storage::stored::stored_article;
use healthsearch::ingest::crawl::{CrawlConfig, Start};
use healthsearch::ingest::{IngestError, IngestReport, Input, PageIssue, ingest_with};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use url::Url;

/// The site on loopback, served by worker threads of its own runtime while the test crawls.
fn serve(site: Arc<Site>) -> (tokio::runtime::Runtime, SocketAddr) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let addr = rt.block_on(site::serve(site));
    (rt, addr)
}

fn config(start: Start) -> CrawlConfig {
    let mut cfg = CrawlConfig::new(start);
    cfg.allow_private = true;
    cfg.rate = 1_000.0;
    cfg.timeout = Duration::from_secs(2);
    cfg.retries = 0;
    cfg
}

/// Crawls into a new index; the report and the title of each article by URL.
fn crawl(cfg: CrawlConfig) -> Result<(IngestReport, HashMap<String, String>), IngestError> {
    let dir = tempfile::tempdir().expect("tmp");
    let index = HealthIndex::create(dir.path()).expect("create");
    let report = ingest_with(&index, &Input::Crawl(Box::new(cfg)), &Default::default())?;
    let searcher = index.searcher();
    let mut titles = HashMap::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        for doc in (0..seg.max_doc()).filter(|d| !seg.is_deleted(*d)) {
            let d: tantivy::TantivyDocument = searcher.doc(tantivy::DocAddress::new(ord as u32, doc)).expect("doc");
            let article = stored_article(&index, &d).expect("stored article");
            titles.insert(article.url, article.title);
        }
    }
    Ok((report, titles))
}

fn issue<'a>(r: &'a IngestReport, path: &str) -> Option<&'a PageIssue> {
    r.failed.iter().chain(&r.skipped).find(|i| i.page.ends_with(path))
}

const PARAGRAPH: &str = "Most babies wake several times a night in their first months, and that is normal. \
    A dark, quiet room, a regular bedtime and a short wind-down routine help them settle. \
    Put your baby down on their back, in a cot of their own, with no pillows or loose blankets, \
    and keep the room at a comfortable temperature. Speak to your health visitor if you are worried.";

/// An article page: enough words of body text, `head` added to its head.
fn article_with(head: &str, title: &str) -> String {
    let body: String = (0..4).map(|_| format!("<p>{PARAGRAPH}</p>")).collect();
    format!(
        "<!doctype html><html><head>{head}<title>{title}</title></head>\
         <body><article><h1>{title}</h1>{body}</article></body></html>"
    )
}

fn article(title: &str) -> String {
    article_with("", title)
}

/// A page that links to each of `hrefs`.
fn hub(hrefs: &[&str]) -> String {
    let links: String = hrefs.iter().map(|h| format!(r#"<a href="{h}">{h}</a> "#)).collect();
    format!("<html><head><title>Hub</title></head><body>{links}</body></html>")
}

fn urlset(urls: &[String]) -> Vec<u8> {
    let entries: String = urls.iter().map(|u| format!("<url><loc>{u}</loc></url>")).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>"#
    )
    .into_bytes()
}

fn sitemap_index(sitemaps: &[String]) -> Vec<u8> {
    let entries: String = sitemaps.iter().map(|u| format!("<sitemap><loc>{u}</loc></sitemap>")).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>"#
    )
    .into_bytes()
}

fn page(addr: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{addr}{path}")).expect("url")
}

#[test]
fn links_and_redirects_to_another_port_of_the_host_are_not_followed() {
    let admin = Arc::new(Site::default());
    admin.set("/admin/users.html", article("Admin users"));
    let (_admin_rt, admin_addr) = serve(admin.clone());
    let elsewhere = format!("http://127.0.0.1:{}/admin/users.html", admin_addr.port());
    let site = Arc::new(Site::default());
    site.set("/start.html", hub(&["/sleep.html", &elsewhere, "/jump.html"]));
    site.set("/sleep.html", article("Sleep"));
    site.redirect("/jump.html", &elsewhere);
    let (_rt, addr) = serve(site.clone());

    let (report, titles) = crawl(config(Start::Page { url: page(addr, "/start.html"), follow: true })).expect("crawl");
    assert!(titles.values().any(|t| t == "Sleep"), "{titles:?}");
    assert_eq!(admin.requests.load(Ordering::Relaxed), 0, "nothing reached the other port: {report:?}");
    let not_followed = &report.crawl.as_ref().expect("a crawl summary").not_followed;
    let off_site = not_followed.iter().find(|t| t.reason == "off-site").expect("off-site links are counted");
    assert_eq!(off_site.examples, vec![elsewhere.clone()]);
    let jump = issue(&report, "/jump.html").expect("the redirect is reported");
    assert!(jump.reason.contains("off-site redirect") && jump.reason.contains(&elsewhere), "{jump:?}");
}

#[test]
fn ipv6_spellings_of_private_ipv4_addresses_are_refused() {
    let site = Arc::new(Site::default());
    site.set("/sleep.html", article("Sleep"));
    let (_rt, addr) = serve(site.clone());
    for host in [
        "[::127.0.0.1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:0:10.0.0.1]",
        "[64:ff9b::127.0.0.1]",
        "[64:ff9b:1::7f00:1]",
        "[2002:7f00:1::1]",
        "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
    ] {
        let url = Url::parse(&format!("http://{host}:{}/sleep.html", addr.port())).expect("url");
        let mut cfg = config(Start::Page { url, follow: false });
        cfg.allow_private = false;
        let err = crawl(cfg).expect_err("refused");
        assert!(err.to_string().contains("private"), "{host}: {err}");
    }
    assert_eq!(site.requests.load(Ordering::Relaxed), 0, "nothing was attempted");
}

#[test]
fn a_redirect_loop_is_reported_as_one() {
    let site = Arc::new(Site::default());
    site.set("/start.html", hub(&["/sleep.html", "/loop/a"]));
    site.set("/sleep.html", article("Sleep"));
    site.redirect("/loop/a", "/loop/b");
    site.redirect("/loop/b", "/loop/a");
    let (_rt, addr) = serve(site.clone());
    let (report, _) = crawl(config(Start::Page { url: page(addr, "/start.html"), follow: true })).expect("crawl");
    let looped = issue(&report, "/loop/a").expect("the loop is reported");
    assert!(looped.reason.contains("redirect loop"), "{looped:?}");
    assert!(looped.reason.contains("/loop/b"), "the loop is named: {looped:?}");
}

#[test]
fn a_sitemap_listed_many_times_is_read_once() {
    let site = Arc::new(Site::default());
    site.set("/sleep.html", article("Sleep"));
    let (_rt, addr) = serve(site.clone());
    let base = format!("http://{addr}");
    // 200 entries, 50 URLs.
    let urls: Vec<String> = (0..200)
        .map(|i| match i % 50 {
            0 => format!("{base}/sleep.html"),
            n => format!("{base}/gone/{n}.html"),
        })
        .collect();
    site.set_raw("/urls.xml", "application/xml", urlset(&urls));
    let mut listed = vec![format!("{base}/urls.xml"); 30];
    listed.push(format!("{base}/index.xml"));
    site.set_raw("/index.xml", "application/xml", sitemap_index(&listed));

    let (report, _) = crawl(config(Start::Sitemap(page(addr, "/index.xml")))).expect("crawl");
    assert_eq!(site.hits("/index.xml"), 1, "an index that lists itself is read once");
    assert_eq!(site.hits("/urls.xml"), 1, "a sitemap listed 30 times is read once");
    assert_eq!(site.hits("/sleep.html"), 1);
    assert_eq!(report.crawl.as_ref().map(|c| c.fetched), Some(50), "each URL once: {report:?}");
}

const BIN: &str = env!("CARGO_BIN_EXE_healthsearch");

#[test]
fn urls_beyond_max_urls_are_dropped_and_counted() {
    let site = Arc::new(Site::default());
    site.set("/sleep.html", article("Sleep"));
    let (_rt, addr) = serve(site.clone());
    let mut urls = vec![format!("http://{addr}/sleep.html")];
    urls.extend((1..30).map(|i| format!("http://{addr}/gone/{i}.html")));
    site.set_raw("/urls.xml", "application/xml", urlset(&urls));
    let dir = tempfile::tempdir().expect("tmp");
    let index = dir.path().join("index");
    let sitemap = format!("http://{addr}/urls.xml");
    let out = std::process::Command::new(BIN)
        .args(["ingest", "--sitemap", &sitemap, "--index", index.to_str().expect("path"), "--json"])
        .args(["--max-urls", "10", "--allow-private", "--rate", "1000", "--timeout", "2"])
        .env("HEALTHSEARCH_NO_SEMANTIC", "1")
        .output()
        .expect("run binary");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the JSON report");
    assert_eq!(report["crawl"]["dropped"], 20, "{report}");
    assert_eq!(report["crawl"]["fetched"], 10, "{report}");
    let problems = report["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p.as_str().is_some_and(|p| p.contains("20 URLs") && p.contains("--max-urls 10"))),
        "{problems:?}"
    );
    assert_eq!(report["removed"], 0);
}

#[test]
fn a_page_nested_thousands_deep_is_skipped_with_its_reason() {
    let depth = 5_000;
    let deep = format!(
        "<html><head><title>Deep</title></head><body>{}{PARAGRAPH}{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let site = Arc::new(Site::default());
    site.set("/start.html", hub(&["/sleep.html", "/deep.html"]));
    site.set("/sleep.html", article("Sleep"));
    site.set("/deep.html", deep);
    let (_rt, addr) = serve(site.clone());
    let (report, titles) = crawl(config(Start::Page { url: page(addr, "/start.html"), follow: true })).expect("crawl");
    assert!(titles.values().any(|t| t == "Sleep"), "{titles:?}");
    let deep = report.skipped.iter().find(|i| i.page.ends_with("/deep.html")).expect("the deep page is skipped");
    assert!(deep.reason.contains("nested"), "{deep:?}");
}

#[test]
fn crawled_pages_are_read_in_the_encoding_the_header_meta_or_bytes_give() {
    let site = Arc::new(Site::default());
    let encoded = |enc: &'static encoding_rs::Encoding, html: String| enc.encode(&html).0.into_owned();
    // The header wins over a <meta> that names another encoding.
    let lying_meta = article_with(r#"<meta charset="windows-1252">"#, "睡眠と健康");
    site.set_raw("/sjis.html", "text/html; charset=Shift_JIS", encoded(encoding_rs::SHIFT_JIS, lying_meta));
    let euc = article_with(r#"<meta charset="EUC-JP">"#, "乳児の発熱");
    site.set_raw("/eucjp.html", "text/html", encoded(encoding_rs::EUC_JP, euc));
    let gbk = article_with(r#"<meta http-equiv="Content-Type" content="text/html; charset=gbk">"#, "儿童睡眠");
    site.set_raw("/gbk.html", "text/html", encoded(encoding_rs::GBK, gbk));
    let utf16: Vec<u8> = article("Fièvre chez l’enfant").encode_utf16().flat_map(u16::to_le_bytes).collect();
    site.set_raw("/utf16.html", "text/html", utf16);
    let (_rt, addr) = serve(site.clone());
    let paths = ["/sjis.html", "/eucjp.html", "/gbk.html", "/utf16.html"];
    site.set_raw("/urls.xml", "application/xml", urlset(&paths.map(|p| page(addr, p).to_string())));

    let (report, titles) = crawl(config(Start::Sitemap(page(addr, "/urls.xml")))).expect("crawl");
    for (path, title) in paths.iter().zip(["睡眠と健康", "乳児の発熱", "儿童睡眠", "Fièvre chez l’enfant"])
    {
        let url = page(addr, path).to_string();
        assert_eq!(titles.get(&url).map(String::as_str), Some(title), "{path}: {titles:?} {report:?}");
    }
}
