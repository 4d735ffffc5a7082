//! Updating while serving: an ingest killed with SIGKILL leaves the last good index, which opens,
//! serves and takes the next run; searches running while an ingest commits never fail and see the
//! new content soon after.

mod common;

use common::site::{self, Site};
use healthsearch::index::HealthIndex;
use healthsearch::index::present::search::{SearchParams, search};
use healthsearch::ingest::{Input, ingest};
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_healthsearch");

fn titles(index: &HealthIndex, q: &str) -> Vec<String> {
    search(index, &SearchParams::new(q, 10)).expect("search").hits.into_iter().map(|h| h.article.title).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ingest_killed_midway_leaves_the_last_good_index() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = {
        let idx = HealthIndex::create(dir.path()).expect("create");
        ingest(&idx, &Input::Mirror(common::corpus_dir())).expect("ingest").total_articles
    };
    let site = Site::from_corpus();
    let lochia = &format!("/{}", common::LOCHIA_PAGE);
    let page = common::retitle_lochia(&site.get(lochia).expect("page"), "zebracorn");
    site.set(lochia, page);
    let addr = site::serve(site.clone()).await;
    let sitemap = format!("http://{addr}/sitemap.xml");
    let crawl = || {
        let mut cmd = Command::new(BIN);
        cmd.env("HEALTHSEARCH_NO_SEMANTIC", "1");
        cmd.args(["ingest", "--sitemap", &sitemap, "--allow-private", "--rate", "1000", "--timeout", "0.5", "--json"])
            .args(["--index", dir.path().to_str().expect("utf-8")])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    };
    // Kill at several points: soon after it starts, and well into the crawl.
    for after_requests in [3, 40] {
        site.delay_ms.store(100, Ordering::Relaxed);
        let start = site.requests.load(Ordering::Relaxed);
        let mut child = crawl().spawn().expect("spawn ingest");
        let deadline = Instant::now() + Duration::from_secs(60);
        while site.requests.load(Ordering::Relaxed) < start + after_requests && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("wait");
        assert!(!status.success(), "the ingest was killed, not finished");
        let idx = HealthIndex::open(dir.path()).expect("the index still opens");
        assert_eq!(idx.num_docs(), good, "the previous state is served");
        assert!(titles(&idx, "zebracorn").is_empty(), "nothing of the killed run is visible");
        assert_eq!(
            titles(&idx, "back pain after birth").first().map(String::as_str),
            Some("Postpartum back pain: How to get relief")
        );
    }
    site.delay_ms.store(0, Ordering::Relaxed);
    let status = crawl().status().expect("run ingest");
    assert!(status.success(), "the next run completes");
    let idx = HealthIndex::open(dir.path()).expect("open");
    assert_eq!(titles(&idx, "zebracorn").first().map(String::as_str), Some("Bleeding after birth (lochia) zebracorn"));
}

#[tokio::test(flavor = "multi_thread")]
async fn searches_never_fail_while_an_ingest_commits_and_see_it_soon_after() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let idx = HealthIndex::create(dir.path()).expect("create");
        ingest(&idx, &Input::Mirror(common::corpus_dir())).expect("ingest");
    }
    let serving = Arc::new(HealthIndex::open(dir.path()).expect("open for serving"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = router(AppState::shared(serving.clone()));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let stop = Arc::new(AtomicBool::new(false));
    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (stop, sent, failed) = (stop.clone(), sent.clone(), failed.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let res = client.get(format!("http://{addr}/api/search?q=back+pain+after+birth")).send().await;
                sent.fetch_add(1, Ordering::Relaxed);
                if !res.is_ok_and(|r| r.status().is_success()) {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let jsonl = dir.path().join("new.jsonl");
    let record = r#"{"_id": "z1", "title": "Zebracorn fever", "text": "Zebracorn fever is a made-up illness used to check that new articles appear while the service keeps answering. It has no symptoms and needs no treatment, and it exists only in this test so that nothing else in the corpus matches its name."}"#;
    std::fs::write(&jsonl, record).expect("write");
    let writer_dir = dir.path().to_path_buf();
    tokio::time::sleep(Duration::from_millis(300)).await;
    tokio::task::spawn_blocking(move || {
        let idx = HealthIndex::open(&writer_dir).expect("open for writing");
        ingest(&idx, &Input::Jsonl(jsonl)).expect("ingest")
    })
    .await
    .expect("join");
    let committed = Instant::now();
    let client = reqwest::Client::new();
    let mut seen_after = None;
    while committed.elapsed() < Duration::from_secs(10) {
        let v: serde_json::Value = client
            .get(format!("http://{addr}/api/search?q=zebracorn"))
            .send()
            .await
            .expect("search")
            .json()
            .await
            .expect("json");
        if v["hits"][0]["title"] == "Zebracorn fever" {
            seen_after = Some(committed.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.expect("client");
    }
    assert!(sent.load(Ordering::Relaxed) > 20, "searches ran during the ingest");
    assert_eq!(failed.load(Ordering::Relaxed), 0, "no search failed");
    let seen_after = seen_after.expect("the new article appears without a restart");
    eprintln!(
        "new content visible {seen_after:?} after the commit; {} searches, none failed",
        sent.load(Ordering::Relaxed)
    );
    assert!(seen_after < Duration::from_secs(10), "{seen_after:?}");
}
