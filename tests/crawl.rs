//! Crawling a real HTTP server on loopback that serves the bundled corpus: robots.txt, a sitemap,
//! a 500, a redirect, a slow page and a PDF; incremental re-crawls with conditional requests;
//! the private-address guard.

mod common;

use common::site::{self, BROKEN, DISALLOWED, PDF, SLOW, Site};
use healthsearch::index::HealthIndex;
use healthsearch::ingest::crawl::{CrawlConfig, Start};
use healthsearch::ingest::{IngestReport, Source, ingest, ingest_with};
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
        ingest_with(&index, &Source::Crawl(Box::new(cfg)), &Default::default()).expect("crawl runs")
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
        ingest(&idx, &Source::Mirror(common::corpus_dir())).expect("mirror").indexed
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
        tokio::task::spawn_blocking(move || ingest_with(&index, &Source::Crawl(Box::new(cfg)), &Default::default()))
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
