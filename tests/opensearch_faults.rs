//! The service on an OpenSearch cluster under faults, with real nodes: a cluster of its own
//! (three nodes started by `scripts/opensearch.sh` on ports apart from the shared one), loaded
//! with search and passages requests while a node is killed and while a full re-ingest swaps
//! the alias; and a cluster that is down when the service starts.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use healthsearch::engine::opensearch::{OpenSearch, OsStore};
use healthsearch::ingest::{Extractor, Input};
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// First HTTP and transport ports of this test's own cluster.
const HTTP_BASE: u16 = 9241;
const TRANSPORT_BASE: u16 = 9341;
/// The search deadline here. What this test holds is that moving the alias and losing a node
/// fail no request; CI runs its three nodes beside the suite's own three, six JVMs on two cores,
/// where a request during the bulk rebuild has taken over the service's default 5 s.
const DEADLINE: Duration = Duration::from_secs(30);

async fn get(state: &AppState, uri: &str) -> (StatusCode, Value) {
    let req = Request::get(uri).body(Body::empty()).expect("request");
    let res = router(state.clone()).oneshot(req).await.expect("router answers");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// This test's cluster: started on creation, stopped on drop.
struct Cluster {
    work: tempfile::TempDir,
}

impl Cluster {
    fn script(&self, args: &[&str]) -> std::process::Output {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/opensearch.sh");
        Command::new("bash")
            .arg(script)
            .args(args)
            .env("OPENSEARCH_WORK", self.work.path())
            .env("OPENSEARCH_HTTP_BASE", HTTP_BASE.to_string())
            .env("OPENSEARCH_TRANSPORT_BASE", TRANSPORT_BASE.to_string())
            .env("OPENSEARCH_STOP_TIMEOUT", "5")
            .output()
            .expect("scripts/opensearch.sh runs")
    }

    /// Three nodes, or `None` when tests may not start a cluster (no `HEALTHSEARCH_OPENSEARCH`).
    fn start() -> Option<Cluster> {
        common::engines::opensearch_urls()?;
        let cluster = Cluster { work: tempfile::tempdir().expect("temp dir") };
        let out = cluster.script(&["start", "3"]);
        assert!(out.status.success(), "cluster start: {}", String::from_utf8_lossy(&out.stderr));
        Some(cluster)
    }

    fn urls(&self) -> String {
        (0..3).map(|i| format!("http://127.0.0.1:{}", HTTP_BASE + i)).collect::<Vec<_>>().join(",")
    }

    /// Kills node `n` (1-based) with SIGKILL: no goodbye to the cluster.
    fn kill(&self, n: usize) {
        let pid_file = self.work.path().join(format!("node-{n}/node.pid"));
        let pid = std::fs::read_to_string(&pid_file).expect("node pid file");
        let status = Command::new("kill").args(["-9", pid.trim()]).status().expect("kill runs");
        assert!(status.success(), "node {n} killed");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.script(&["stop"]);
    }
}

/// A deployment on the nodes at `urls` (the blocking client is built off the async thread).
fn connect(urls: &str, alias: &str) -> Arc<OpenSearch> {
    let (urls, alias) = (urls.to_string(), alias.to_string());
    let os = std::thread::spawn(move || OpenSearch::connect(&[urls], &alias).expect("node URLs"));
    Arc::new(os.join().expect("connect thread"))
}

/// The bundled corpus ingested into `os` (a rebuild when `rebuild`), off the async thread.
fn ingest(os: &Arc<OpenSearch>, rebuild: bool) -> usize {
    let os = os.clone();
    std::thread::spawn(move || {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = if rebuild { OsStore::rebuild(&os, dir.path()) } else { OsStore::begin(&os, dir.path()) };
        let report = healthsearch::ingest::run(
            store.expect("new version"),
            &Input::Mirror(common::corpus_dir()),
            &Extractor::default(),
        )
        .expect("ingest");
        report.total_articles as usize
    })
    .join()
    .expect("ingest thread")
}

/// Search and passages requests from `clients` tasks until `stop`: (requests, failures with why).
async fn load(state: AppState, stop: Arc<AtomicBool>, expected_total: u64) -> (usize, Vec<String>) {
    let mut tasks = Vec::new();
    for client in 0..8 {
        let (state, stop) = (state.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let (mut done, mut failed) = (0, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                let uri =
                    if client % 2 == 0 { "/api/search?q=back+pain&facets=site" } else { "/api/passages?q=lochia&k=3" };
                let (status, v) = get(&state, uri).await;
                done += 1;
                if status != StatusCode::OK {
                    failed.push(format!("{uri}: {status} {v}"));
                } else if uri.starts_with("/api/search") && v["total"].as_u64() != Some(expected_total) {
                    failed.push(format!("{uri}: a partial result: total {} of {expected_total}", v["total"]));
                } else if uri.starts_with("/api/passages") && v["passages"].as_array().is_none_or(Vec::is_empty) {
                    failed.push(format!("{uri}: no passages: {v}"));
                }
            }
            (done, failed)
        }));
    }
    let mut all = (0, Vec::new());
    for t in tasks {
        let (done, failed) = t.await.expect("load task");
        all.0 += done;
        all.1.extend(failed);
    }
    all
}

/// That a load ran (more than 20 requests) and none of its requests failed.
fn none_failed((requests, failed): (usize, Vec<String>), when: &str) {
    assert!(requests > 20, "{requests} requests");
    assert!(failed.is_empty(), "{} of {requests} failed {when}: {:?}", failed.len(), &failed[..failed.len().min(5)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_and_a_full_reingest_under_load_fail_no_request() {
    let Some(cluster) = Cluster::start() else {
        eprintln!("skipped: no OpenSearch (HEALTHSEARCH_OPENSEARCH)");
        return;
    };
    let os = connect(&cluster.urls(), "healthsearch_faults");
    let articles = ingest(&os, true);
    let mut state = AppState::on(os.clone());
    state.search_timeout = DEADLINE;
    let (_, first) = get(&state, "/api/search?q=back+pain").await;
    let expected = first["total"].as_u64().expect("a total");

    // A full re-ingest into a new version while searches run: the alias moves at once.
    let stop = Arc::new(AtomicBool::new(false));
    let running = tokio::spawn(load(state.clone(), stop.clone(), expected));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        tokio::task::spawn_blocking({
            let os = os.clone();
            move || ingest(&os, true)
        })
        .await
        .expect("re-ingest"),
        articles
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    none_failed(running.await.expect("load"), "during the re-ingest");

    // A node killed outright while searches run.
    let stop = Arc::new(AtomicBool::new(false));
    let running = tokio::spawn(load(state.clone(), stop.clone(), expected));
    tokio::time::sleep(Duration::from_secs(1)).await;
    cluster.kill(2);
    let killed = Instant::now();
    tokio::time::sleep(Duration::from_secs(8)).await;
    stop.store(true, Ordering::Relaxed);
    none_failed(running.await.expect("load"), "after a node was killed");
    let (status, health) = get(&state, "/healthz").await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(health["nodes"], 2, "{health} ({:?} after the kill)", killed.elapsed());
}

#[tokio::test]
async fn a_cluster_down_at_start_is_a_clear_error_not_a_hang() {
    // Nothing listens on these ports (a cluster that is down, or not started yet).
    let state = AppState::on(connect("http://127.0.0.1:9,http://127.0.0.1:1", "healthsearch"));
    for uri in ["/healthz", "/api/search?q=back+pain", "/api/passages?q=lochia", "/api/articles/abc"] {
        let started = Instant::now();
        let (status, v) = get(&state, uri).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("engine_unavailable")),
            "{uri}: {v}"
        );
        assert!(v["message"].as_str().is_some_and(|m| m.contains("127.0.0.1:9")), "names the nodes: {v}");
        assert!(started.elapsed() < Duration::from_secs(4), "{uri} answered in {:?}", started.elapsed());
    }
}
