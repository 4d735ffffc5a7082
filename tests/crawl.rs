//! Crawling a real HTTP server on loopback that serves the bundled corpus: robots.txt, a sitemap,
//! a 500, a redirect, a slow page and a PDF; incremental re-crawls with conditional requests;
//! the private-address guard.

mod common;

use common::site::{self, BROKEN, DISALLOWED, PDF, SLOW, Site};
use healthsearch::index::HealthIndex;
use healthsearch::ingest::crawl::{CrawlConfig, Start};
use healthsearch::ingest::{IngestReport, Input, ingest, ingest_with};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn config(addr: std::net::SocketAddr) -> CrawlConfig {
    let url = url::Url::parse(&format!("http://{addr}/sitemap.xml")).expect("url");
    let mut cfg = CrawlConfig::new(Start::Sitemap(url));
    cfg.allow_private = true;
    cfg.rate = 500.0;
    cfg.timeout = Duration::from_millis(700);
    cfg.retries = 1;
    cfg
}

async fn crawl(index: Arc<HealthIndex>, cfg: CrawlConfig) -> IngestReport {
    tokio::task::spawn_blocking(move || {
        ingest_with(&index, &Input::Crawl(Box::new(cfg)), &Default::default()).expect("crawl runs")
    })
    .await
    .expect("join")
}

fn issue<'a>(r: &'a IngestReport, path: &str) -> Option<&'a healthsearch::ingest::PageIssue> {
    r.failed.iter().chain(&r.skipped).find(|i| i.page.ends_with(path))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crawl_indexes_the_allowed_articles_and_a_recrawl_only_what_changed() {
    let site = Site::from_corpus();
    let addr = site::serve(site.clone()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let index = Arc::new(HealthIndex::create(dir.path()).expect("create"));
    let mirror = {
        let other = tempfile::tempdir().expect("tmp");
        let idx = HealthIndex::create(other.path()).expect("create");
        ingest(&idx, &Input::Mirror(common::corpus_dir())).expect("mirror").indexed
    };

    let first = crawl(index.clone(), config(addr)).await;
    assert_eq!(first.added, mirror, "the same articles as the mirror: {:?}", first.failed);
    assert_eq!(first.removed, 0);
    assert!(issue(&first, DISALLOWED).is_some_and(|i| i.reason.contains("robots")), "{:?}", first.skipped);
    assert!(issue(&first, BROKEN).is_some_and(|i| i.reason.contains("500")), "{:?}", first.failed);
    assert!(issue(&first, SLOW).is_some(), "the slow page times out: {:?}", first.failed);
    assert!(issue(&first, PDF).is_some_and(|i| i.reason.contains("not HTML")), "{:?}", first.skipped);
    assert!(first.duplicates.iter().any(|d| d.page.ends_with("/old/lochia")), "the redirect lands on lochia");
    let urls = all_urls(&index);
    assert!(!urls.iter().any(|u| u.contains("secret-croup")), "robots.txt is honoured");

    let lochia = &format!("/{}", common::LOCHIA_PAGE);
    let picky = "/littlesprouts.example/toddler/feeding/picky-eating.html";
    let changed = common::retitle_lochia(&site.get(lochia).expect("page"), "updated");
    site.set(lochia, changed);
    site.remove(picky);
    let before = site.conditional.load(Ordering::Relaxed);
    let second = crawl(index.clone(), config(addr)).await;
    assert_eq!((second.added, second.updated, second.removed), (0, 1, 1), "{second:?}");
    assert_eq!(second.unchanged, mirror - 2);
    assert!(site.conditional.load(Ordering::Relaxed) - before >= mirror - 2, "conditional requests are sent");
    assert!(site.not_modified.load(Ordering::Relaxed) >= mirror - 2);
    assert_eq!(second.total_articles, mirror as u64 - 1);
    assert!(!all_urls(&index).iter().any(|u| u.contains("picky-eating")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crawl_follows_links_within_the_host_and_prefix() {
    let site = Site::from_corpus();
    let addr = site::serve(site.clone()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let index = Arc::new(HealthIndex::create(dir.path()).expect("create"));
    let start = url::Url::parse(&format!("http://{addr}/littlesprouts.example/index.html")).expect("url");
    let mut cfg = config(addr);
    cfg.start = Start::Page { url: start, follow: true };
    cfg.prefixes = vec!["/littlesprouts.example/".into()];
    let report = crawl(index.clone(), cfg).await;
    assert!(report.added >= 5, "{report:?}");
    let urls = all_urls(&index);
    assert!(urls.iter().all(|u| u.contains("/littlesprouts.example/")), "{urls:?}");
    assert!(site.requests.load(Ordering::Relaxed) < 40, "only the prefix was crawled");
}

#[tokio::test(flavor = "multi_thread")]
async fn private_addresses_are_refused_unless_allowed() {
    let site = Site::from_corpus();
    let addr = site::serve(site.clone()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let index = Arc::new(HealthIndex::create(dir.path()).expect("create"));
    let mut cfg = config(addr);
    cfg.allow_private = false;
    let result =
        tokio::task::spawn_blocking(move || ingest_with(&index, &Input::Crawl(Box::new(cfg)), &Default::default()))
            .await
            .expect("join");
    let err = result.expect_err("loopback is refused");
    assert!(err.to_string().contains("private"), "{err}");
    assert_eq!(site.requests.load(Ordering::Relaxed), 0, "nothing was fetched");
}

fn all_urls(index: &HealthIndex) -> Vec<String> {
    let searcher = index.searcher();
    let mut out = Vec::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        for doc in 0..seg.max_doc() {
            if seg.is_deleted(doc) {
                continue;
            }
            let d: tantivy::TantivyDocument = searcher.doc(tantivy::DocAddress::new(ord as u32, doc)).expect("doc");
            use tantivy::schema::Value;
            out.extend(d.get_first(index.fields.url).and_then(|v| v.as_str()).map(String::from));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sitemap_index_is_followed_and_a_page_limit_never_removes_articles() {
    let site = Site::from_corpus();
    let addr = site::serve(site.clone()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let index = Arc::new(HealthIndex::create(dir.path()).expect("create"));
    let mut cfg = config(addr);
    cfg.start = Start::Sitemap(url::Url::parse(&format!("http://{addr}/sitemap-index.xml")).expect("url"));
    let full = crawl(index.clone(), cfg.clone()).await;
    assert!(full.added >= 50, "{full:?}");
    cfg.max_pages = 5;
    let partial = crawl(index.clone(), cfg).await;
    assert!(partial.problems.iter().any(|p| p.contains("max-pages")), "{:?}", partial.problems);
    assert_eq!(partial.removed, 0, "pages not reached are not gone");
    assert_eq!(partial.total_articles, full.total_articles);
}

const BIN: &str = env!("CARGO_BIN_EXE_healthsearch");

/// Runs the binary; returns success, standard output and standard error.
fn run_bin(args: &[&str]) -> (bool, String, String) {
    let out =
        std::process::Command::new(BIN).args(args).env("HEALTHSEARCH_NO_SEMANTIC", "1").output().expect("run binary");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The site on loopback, served by worker threads of its own runtime while the test waits for
/// the binary.
fn serve_site(site: Arc<Site>) -> (tokio::runtime::Runtime, std::net::SocketAddr) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let addr = rt.block_on(site::serve(site));
    (rt, addr)
}

const FAST: [&str; 5] = ["--allow-private", "--rate", "1000", "--timeout", "0.5"];

#[test]
fn the_cli_fails_when_a_crawl_cannot_start_and_leaves_no_index() {
    let (_rt, addr) = serve_site(Site::from_corpus());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let dir = tempfile::tempdir().expect("tmp");
    let index = dir.path().join("index");
    for (how, url, why) in [
        ("--url", format!("http://{closed}/"), "robots.txt could not be read"),
        ("--url", format!("http://{addr}/nothing.html"), "HTTP 404 Not Found"),
        ("--url", format!("http://{addr}{PDF}"), "not HTML (application/pdf)"),
        ("--sitemap", format!("http://{addr}/no-sitemap.xml"), "HTTP 404 Not Found"),
    ] {
        let mut args = vec!["ingest", how, &url, "--index", index.to_str().expect("p")];
        args.extend(FAST);
        let (ok, out, err) = run_bin(&args);
        assert!(!ok, "{args:?}: {out}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            err.starts_with(&format!(
                "error: ingest failed; no index was made at {}: cannot crawl {url}: {why}",
                index.display()
            )),
            "{err}"
        );
        assert!(!index.exists());
    }
}

#[test]
fn a_cli_crawl_says_what_it_skipped_and_why_with_plain_progress_lines() {
    let site = Site::from_corpus();
    let listed = site.sitemap_paths().len();
    let (_rt, addr) = serve_site(site);
    let dir = tempfile::tempdir().expect("tmp");
    let report = dir.path().join("report.json");
    let sitemap = format!("http://{addr}/sitemap.xml");
    let index = dir.path().join("index");
    let mut args = vec!["ingest", "--sitemap", &sitemap, "--index", index.to_str().expect("p")];
    args.extend(["--report", report.to_str().expect("p")]);
    args.extend(FAST);
    let (ok, out, err) = run_bin(&args);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 1, "standard output holds the result only: {out}");
    assert!(out.starts_with("added "), "{out}");
    assert!(!err.contains('\u{1b}'), "no bar or colour codes off a terminal: {err:?}");
    assert!(err.lines().any(|l| l.starts_with("crawl: 50 pages (") && l.contains(" queued, ")), "{err}");
    let section = |header: &str| -> String {
        let start = err.find(&format!("{header}\n")).unwrap_or_else(|| panic!("{header:?} in {err}"));
        err[start..].lines().skip(1).take_while(|l| l.starts_with("    ")).collect::<Vec<_>>().join("\n")
    };
    assert!(section("skipped: robots.txt: 1 page").contains(DISALLOWED), "{err}");
    assert!(section("skipped: not HTML: 1 page").contains(PDF), "{err}");
    let broken = section("failed: HTTP error: 1 page");
    assert!(broken.contains(BROKEN) && broken.contains("500"), "{err}");
    assert!(section("failed: unreachable: 1 page").contains(SLOW), "{err}");
    assert!(section("duplicate: 1 page").contains("/old/lochia"), "{err}");
    let not_articles = section("skipped: not an article: 5 pages");
    assert_eq!(not_articles.lines().count(), 4, "three examples and how many more: {not_articles}");
    assert!(not_articles.ends_with("and 2 more (--report FILE lists them all)"), "{not_articles}");
    assert!(err.contains(&format!("crawled {listed} pages")), "{err}");

    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    let kinds: Vec<&str> =
        report["skipped"].as_array().expect("skipped").iter().filter_map(|i| i["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "not_an_article").count(), 5, "{kinds:?}");
    assert_eq!(report["crawl"]["fetched"], listed);
}

#[test]
fn a_followed_crawl_counts_the_links_it_left_alone() {
    let site = Site::from_corpus();
    let lochia = format!("/{}", common::LOCHIA_PAGE);
    let hub = format!(
        r#"<html><head><title>Hub</title></head><body><a href="http://elsewhere.example/a">a</a>
        <a href="http://elsewhere.example/b">b</a><a href="{lochia}">lochia</a><a href="/littlesprouts.example/">kids</a></body></html>"#
    );
    site.set("/hub.html", hub);
    let (_rt, addr) = serve_site(site);
    let dir = tempfile::tempdir().expect("tmp");
    let start = format!("http://{addr}/hub.html");
    let index = dir.path().join("index");
    let mut args = vec!["ingest", "--url", &start, "--follow", "--index", index.to_str().expect("p")];
    args.extend(["--prefix", "/www.bumptobaby.example/after-the-birth/", "--json"]);
    args.extend(FAST);
    let (ok, out, err) = run_bin(&args);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("only the JSON report on standard output");
    assert!(report["added"].as_u64().is_some_and(|n| n >= 1), "{report}");
    let tally = |reason: &str| {
        report["crawl"]["not_followed"].as_array().and_then(|t| t.iter().find(|t| t["reason"] == reason)).cloned()
    };
    let off_site = tally("off-site").expect("off-site links are counted");
    assert_eq!(off_site["count"], 2);
    assert_eq!(off_site["examples"][0], "http://elsewhere.example/a");
    let outside = tally("outside the --prefix paths").expect("links outside the prefix are counted");
    assert!(
        outside["examples"]
            .as_array()
            .is_some_and(|e| e.iter().any(|u| u.as_str().is_some_and(|u| u.ends_with("/littlesprouts.example/")))),
        "{outside}"
    );

    // The same crawl as text: the counts are on standard error.
    let text: Vec<&str> = args.iter().copied().filter(|a| *a != "--json").collect();
    let (ok, _, err) = run_bin(&text);
    assert!(ok, "{err}");
    assert!(err.contains("not followed: off-site: 2 links\n    http://elsewhere.example/a\n"), "{err}");
}
