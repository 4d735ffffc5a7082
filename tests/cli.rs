//! The `healthsearch` binary end to end: extract, ingest, search, errors, and `serve` on a fresh
//! index directory building itself from the corpus; and what scripts rely on: exit statuses, one
//! error line, no index left by a failed ingest, quiet ends of closed pipes, plain logs.

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
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    // Logs are diagnostics: they go to standard error.
    let logs = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel::<serde_json::Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(logs).lines().map_while(Result::ok) {
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

/// The bundled corpus indexed by the binary into `dir/index`; returns the index path.
fn corpus_index(dir: &std::path::Path) -> String {
    let index = dir.join("index").to_str().expect("utf-8 path").to_string();
    let (ok, _, err) = run(&["ingest", "--corpus", common::corpus_dir().to_str().expect("path"), "--index", &index]);
    assert!(ok, "{err}");
    index
}

fn assert_one_error_line(args: &[&str], err: &str) {
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
}

#[test]
fn a_file_that_is_not_json_lines_is_refused_by_name_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let html = dir.path().join("page.html");
    std::fs::write(&html, "<!doctype html>\n<html><body>Not records</body></html>\n").expect("write");
    let array = dir.path().join("records.json");
    std::fs::write(&array, "\n[{\"_id\":\"a\",\"title\":\"A\",\"text\":\"b\"}]\n").expect("write");
    let index = dir.path().join("index");
    for (file, why) in [(&html, "line 1 is not JSON"), (&array, "line 2 is a JSON array")] {
        let args = ["ingest", "--jsonl", file.to_str().expect("p"), "--index", index.to_str().expect("p")];
        let (ok, out, err) = run(&args);
        assert!(!ok, "{args:?}: {out}");
        assert_one_error_line(&args, &err);
        assert!(err.contains(&format!("{} is not JSON Lines: {why}", file.display())), "{err}");
        assert!(!index.exists(), "a failed ingest leaves no index behind");
    }
}

#[test]
fn an_ingest_where_every_record_fails_changes_nothing_and_fails() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"_id\":\"a\"}\n{\"title\":\"no id\"}\n").expect("write");
    let bad = bad.to_str().expect("p");
    // Into a new directory: nothing is left of it.
    let fresh = dir.path().join("fresh");
    let args = ["ingest", "--jsonl", bad, "--index", fresh.to_str().expect("p")];
    let (ok, _, err) = run(&args);
    assert!(!ok);
    assert_one_error_line(&args, &err);
    assert!(err.contains("2 records failed"), "{err}");
    assert!(!fresh.exists());
    // Into an empty directory made for it: it stays, empty.
    let empty = tempfile::tempdir().expect("tmp");
    let (ok, _, _) = run(&["ingest", "--jsonl", bad, "--index", empty.path().to_str().expect("p")]);
    assert!(!ok);
    assert_eq!(std::fs::read_dir(empty.path()).expect("list").count(), 0);
    // Into an index that exists: it is as it was.
    let index = corpus_index(dir.path());
    let files = |p: &str| {
        let mut v: Vec<_> =
            std::fs::read_dir(p).expect("list").filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
        v.sort();
        v
    };
    let before = (files(&index), std::fs::read(format!("{index}/meta.json")).expect("meta"));
    let (ok, _, err) = run(&["ingest", "--jsonl", bad, "--index", &index]);
    assert!(!ok);
    assert!(err.contains("the index is as it was"), "{err}");
    assert_eq!((files(&index), std::fs::read(format!("{index}/meta.json")).expect("meta")), before);
    let (ok, out, _) = run(&["search", "back pain", "--index", &index]);
    assert!(ok && out.contains("Postpartum back pain"), "{out}");
}

#[test]
fn errors_name_each_cause_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path().to_str().expect("p");
    let index = dir.path().join("index");
    let index = index.to_str().expect("p");
    let page = common::corpus_dir().join(common::LOCHIA_PAGE);
    let page = page.to_str().expect("p");
    for args in [
        vec!["ingest", "--jsonl", d, "--index", index],
        vec!["ingest", "--corpus", page, "--index", index],
        vec!["extract", d],
        vec!["extract", page, "--sites", d],
        vec!["search", "pain", "--index", index],
        vec!["gen-corpus", "--docs", "1", "--out", d],
        vec!["ingest", "--corpus", d, "--index", page],
    ] {
        let (ok, _, err) = run(&args);
        assert!(!ok, "{args:?}");
        assert_one_error_line(&args, &err);
        for cause in ["Is a directory", "not a directory", "no index at"] {
            assert!(err.matches(cause).count() <= 1, "{args:?} repeats {cause:?}: {err}");
        }
    }
}

#[test]
fn extract_prints_text_for_people_and_refuses_pages_that_are_not_articles() {
    let page = common::corpus_dir().join("www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain.html");
    let (ok, out, err) = run(&["extract", page.to_str().expect("utf-8 path")]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "Postpartum back pain: How to get relief",
            "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain"
        ]
    );
    for expected in ["site: www.bumptobaby.example", "reviewed 2024-02-20", "categories: ", "summary: "] {
        assert!(out.contains(expected), "{expected:?} in {out}");
    }
    assert!(lines.iter().any(|l| l.starts_with("## ") && l.contains("  #")), "headings with anchors: {out}");
    assert!(out.contains("doi 10.1186/1471-2393-8-19"), "{out}");
    for debug in ["Some(", ": None", "[\"", "\"]"] {
        assert!(!out.contains(debug), "no Rust debug output ({debug:?}): {out}");
    }

    let index_page = common::corpus_dir().join("www.bumptobaby.example/index.html");
    for json in [false, true] {
        let mut args = vec!["extract", index_page.to_str().expect("p")];
        args.extend(json.then_some("--json"));
        let (ok, out, err) = run(&args);
        assert!(!ok, "{args:?}");
        assert!(out.is_empty(), "{out}");
        assert_one_error_line(&args, &err);
        assert!(err.contains("not an article: only ") && err.contains("index.html"), "{err}");
    }
}

#[test]
fn counts_have_the_right_plural() {
    let dir = tempfile::tempdir().expect("tmp");
    let jsonl = dir.path().join("one.jsonl");
    let html = dir.path().join("mirror");
    let (ok, out, err) =
        run(&["gen-corpus", "--docs", "1", "--out", jsonl.to_str().expect("p"), "--html", html.to_str().expect("p")]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("wrote 1 article as JSON Lines to {}", jsonl.display())), "{out}");
    assert!(out.contains(&format!("wrote 1 page of HTML under {}", html.display())), "{out}");
    assert_eq!(
        walkdir::WalkDir::new(&html).into_iter().filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_file())).count(),
        1
    );
    let index = dir.path().join("index");
    let index = index.to_str().expect("p");
    let (ok, out, err) = run(&["ingest", "--jsonl", jsonl.to_str().expect("p"), "--index", index]);
    assert!(ok, "{err}");
    assert!(out.trim_end().ends_with("; 1 article in the index"), "{out}");
    let title = std::fs::read_to_string(&jsonl).expect("read");
    let v: serde_json::Value = serde_json::from_str(title.lines().next().expect("a line")).expect("json");
    let (ok, out, err) = run(&["search", v["title"].as_str().expect("title"), "--index", index]);
    assert!(ok, "{err}");
    assert!(out.starts_with("1 result in "), "{out}");
    let (ok, out, _) = run(&["gen-corpus", "--docs", "2", "--out", jsonl.to_str().expect("p")]);
    assert!(ok && out.contains("wrote 2 articles"), "{out}");
}

#[test]
fn a_closed_output_ends_the_command_quietly() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = corpus_index(dir.path());
    let page = common::corpus_dir().join(common::LOCHIA_PAGE);
    let page = page.to_str().expect("p");
    let generated = dir.path().join("gen");
    let commands: [&[&str]; 5] = [
        &["search", "pain", "--index", &index, "--limit", "100"],
        &["search", "pain", "--index", &index, "--limit", "100", "--json"],
        &["extract", page],
        &["extract", page, "--json"],
        &["gen-corpus", "--docs", "5", "--html", generated.to_str().expect("p")],
    ];
    for args in commands {
        // `| head -1`: one line read, then the pipe closed. For output longer than the pipe's
        // buffer the command is still writing when it closes.
        for read_first in [true, false] {
            let mut child = Command::new(BIN)
                .args(args)
                .env("HEALTHSEARCH_NO_SEMANTIC", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            let stdout = child.stdout.take().expect("stdout");
            if read_first {
                let mut first = String::new();
                BufReader::new(stdout).read_line(&mut first).expect("read a line");
                assert!(!first.is_empty(), "{args:?}");
            } else {
                drop(stdout);
            }
            let out = child.wait_with_output().expect("wait");
            assert!(out.status.success(), "{args:?}: {:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
            assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

#[test]
fn logs_go_to_standard_error_without_colour_and_a_failed_build_leaves_no_index() {
    let dir = tempfile::tempdir().expect("tmp");
    let empty = dir.path().join("empty-corpus");
    std::fs::create_dir(&empty).expect("mkdir");
    let index = dir.path().join("index");
    let out = Command::new(BIN)
        .args(["serve", "--index", index.to_str().expect("p"), "--corpus", empty.to_str().expect("p")])
        .args(["--addr", "127.0.0.1:0"])
        .env("HEALTHSEARCH_NO_SEMANTIC", "1")
        .env_remove("RUST_LOG")
        .output()
        .expect("run serve");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a corpus without articles is not served: {err}");
    assert!(out.stdout.is_empty());
    assert!(err.contains("INFO") && err.contains("building the index from the corpus"), "{err}");
    assert!(!err.contains('\u{1b}'), "no colour codes when standard error is not a terminal: {err:?}");
    let last = err.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with("error: cannot build the index from") && last.contains("no pages found"), "{err}");
    assert!(!index.exists(), "no empty index is left for the next start to serve");
}
