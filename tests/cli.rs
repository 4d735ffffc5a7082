//! The `healthsearch` binary end to end: extract, ingest, search, errors, and `serve` on a fresh
//! index directory building itself from the corpus.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_healthsearch");

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).env("HEALTHSEARCH_NO_SEMANTIC", "1").output().expect("run binary");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn extract_json_shows_sections_dates_and_citations() {
    let page = common::corpus_dir().join("www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain.html");
    let (ok, out, err) = run(&["extract", page.to_str().expect("utf-8 path"), "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["title"], "Postpartum back pain: How to get relief");
    assert_eq!(v["url"], "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain");
    assert_eq!(v["reviewed"], "2024-02-20");
    assert!(v["sections"].as_array().is_some_and(|s| s.len() >= 4));
    let first = &v["citations"][0];
    assert_eq!(first["year"], 2008);
    assert_eq!(first["accessed"], "February 2022");
    assert_eq!(first["doi"], "10.1186/1471-2393-8-19");
}

#[test]
fn ingest_then_search_prints_ranked_results() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = dir.path().join("index");
    let index = index.to_str().expect("utf-8 path");
    let corpus = common::corpus_dir();
    let (ok, out, err) = run(&["ingest", "--corpus", corpus.to_str().expect("path"), "--index", index]);
    assert!(ok, "{err}");
    assert!(out.contains("failed 0"), "{out}");
    assert!(err.contains("skipped:"), "index pages are reported: {err}");
    let (ok, out, err) = run(&["search", "back pain after birth", "--index", index]);
    assert!(ok, "{err}");
    let first = out.lines().find(|l| l.trim_start().starts_with("1.")).unwrap_or_default();
    assert!(first.contains("Postpartum back pain: How to get relief"), "{out}");
}

#[test]
fn errors_are_one_readable_line_and_a_failing_exit() {
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("none");
    let missing = missing.to_str().expect("path");
    let new_index = dir.path().join("new-index");
    let new_index = new_index.to_str().expect("path");
    for args in [
        vec!["search", "back pain", "--index", missing],
        vec!["extract", missing],
        vec!["ingest", "--corpus", missing, "--index", new_index],
        vec!["ingest", "--jsonl", missing, "--index", new_index],
    ] {
        let (ok, _, err) = run(&args);
        assert!(!ok, "{args:?} should fail");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{err}");
    }
    assert!(!dir.path().join("new-index").exists(), "a failed ingest must not leave an empty index behind");
    let index = dir.path().join("ix");
    let (ok, _, _) =
        run(&["ingest", "--corpus", common::corpus_dir().to_str().expect("p"), "--index", index.to_str().expect("p")]);
    assert!(ok);
    let (ok, _, err) = run(&["search", "\"unbalanced", "--index", index.to_str().expect("p")]);
    assert!(!ok);
    assert!(err.contains("unbalanced"), "{err}");
}

#[test]
fn serve_builds_a_missing_index_from_the_corpus_answers_logs_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = dir.path().join("index");
    let mut child = Command::new(BIN)
        .env("HEALTHSEARCH_NO_SEMANTIC", "1")
        .args(["serve", "--index", index.to_str().expect("p"), "--corpus", common::corpus_dir().to_str().expect("p")])
        .args(["--addr", "127.0.0.1:0", "--log-json", "--slow-ms", "0"])
        .env("RUST_LOG", "healthsearch=info,tower_http=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<serde_json::Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line) {
                let _ = tx.send(v);
            }
        }
    });
    let wait_for = |pred: &dyn Fn(&serde_json::Value) -> bool| -> Option<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(90);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(v) if pred(&v) => return Some(v),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    };
    let serving = wait_for(&|v| v["message"] == "serving").expect("serve logs the address it listens on as JSON");
    let addr = serving["addr"].as_str().expect("addr field").to_string();
    let body = ureq_get(&format!("http://{addr}/api/search?q=back+pain+after+birth"));
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["hits"][0]["title"], "Postpartum back pain: How to get relief");
    assert!(index.join("meta.json").exists());
    // The slow-request line comes first: it is logged inside the request-log layer.
    let slow = wait_for(&|v| v["message"] == "slow request").expect("with --slow-ms 0 every request is slow");
    assert_eq!(slow["level"], "WARN", "{slow}");
    assert!(slow["uri"].as_str().is_some_and(|u| u.starts_with("/api/search")) && slow["status"] == 200, "{slow}");
    let logged = wait_for(&|v| v["message"] == "finished processing request");
    let logged = logged.expect("each request is logged");
    assert!(logged["span"]["uri"].as_str().is_some_and(|u| u.starts_with("/api/search")), "{logged}");
    assert!(logged["status"].as_u64() == Some(200), "{logged}");

    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(term.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "SIGTERM is a graceful shutdown, not a crash: {status:?}");
    assert!(wait_for(&|v| v["message"] == "shutting down").is_some());
}

fn ureq_get(url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async { reqwest::get(url).await.expect("get").text().await.expect("text") })
}
