//! Storage faults, on real file systems: an index directory that is read-only (a read-only bind
//! mount) or whose disk fills up mid-ingest (a small tmpfs) makes `healthsearch ingest` fail with
//! one readable line and a non-zero exit, leaves the last good index serving with no files of the
//! failed run left behind, and the next ingest with room succeeds.
//!
//! The mounts are made in a user and mount namespace of their own (`unshare -rm`, util-linux), so
//! the tests need neither root nor changes to the machine. Where namespaces are not allowed the
//! tests say so and pass, unless `HEALTHSEARCH_REQUIRE_NAMESPACES=1` (as CI sets).

mod common;

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_healthsearch");

const SMALL: &str = concat!(
    r#"{"_id":"z1","title":"Zebrafever basics","text":"Zebrafever is a made-up illness with striped rashes and a fever."}"#,
    "\n",
    r#"{"_id":"z2","title":"Croup at night","text":"Croup gives children a barking cough, worse at night."}"#,
    "\n"
);

fn namespaces_available() -> bool {
    let ok = Command::new("unshare").args(["-rm", "true"]).status().is_ok_and(|s| s.success());
    if !ok {
        let required = std::env::var("HEALTHSEARCH_REQUIRE_NAMESPACES").is_ok_and(|v| v == "1");
        assert!(!required, "HEALTHSEARCH_REQUIRE_NAMESPACES=1 but `unshare -rm` is not allowed here");
        eprintln!("storage fault tests skipped: `unshare -rm` (user and mount namespaces) is not allowed here");
    }
    ok
}

/// Runs a shell script in a fresh user and mount namespace with `$HS` set to the binary; returns
/// its combined output.
fn in_namespace(dir: &Path, script: &str) -> String {
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .current_dir(dir)
        .env("HS", BIN)
        .env("HEALTHSEARCH_NO_SEMANTIC", "1")
        .env("CORPUS", common::corpus_dir())
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run unshare");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "script failed: {text}");
    text
}

/// A temporary directory holding `small.jsonl` and an empty directory `mount_point`.
fn workdir(mount_point: &str) -> tempfile::TempDir {
    let work = tempfile::tempdir().expect("tmp");
    std::fs::write(work.path().join("small.jsonl"), SMALL).expect("write");
    std::fs::create_dir(work.path().join(mount_point)).expect("mkdir");
    work
}

/// The line of `output` after `marker`.
fn after<'a>(output: &'a str, marker: &str) -> &'a str {
    output.lines().skip_while(|l| !l.starts_with(marker)).nth(1).unwrap_or("")
}

/// The `error:` lines of `output` (the CLI's failure message).
fn errors(output: &str) -> Vec<&str> {
    output.lines().filter(|l| l.starts_with("error:")).collect()
}

#[test]
fn a_read_only_index_is_a_clear_error_and_keeps_serving() {
    if !namespaces_available() {
        return;
    }
    let work = workdir("ro");
    let ro = work.path().join("ro");
    let first = Command::new(BIN)
        .env("HEALTHSEARCH_NO_SEMANTIC", "1")
        .args(["ingest", "--jsonl", "small.jsonl", "--index", "ro/ix"])
        .current_dir(work.path())
        .status()
        .expect("ingest");
    assert!(first.success());
    let files_before = std::fs::read_dir(ro.join("ix")).expect("ls").count();

    let out = in_namespace(
        work.path(),
        r#"mount --bind ro ro && mount -o remount,ro,bind ro || exit 1
        "$HS" ingest --corpus "$CORPUS" --index ro/ix 2>&1; echo "== exit $?"
        "$HS" search zebrafever --index ro/ix 2>&1"#,
    );
    let exit = out.lines().find(|l| l.starts_with("== exit")).unwrap_or_default();
    assert_ne!(exit, "== exit 0", "{out}");
    let errs = errors(&out);
    assert_eq!(errs.len(), 1, "{out}");
    assert!(errs[0].contains("read-only") && errs[0].contains("ro/ix") && errs[0].contains("as it was"), "{}", errs[0]);
    assert!(!out.contains("panicked"), "{out}");
    assert!(out.contains("1. Zebrafever basics"), "the index still serves: {out}");
    assert_eq!(std::fs::read_dir(ro.join("ix")).expect("ls").count(), files_before);
}

#[test]
fn a_full_disk_fails_the_ingest_cleanly_and_the_next_one_succeeds() {
    if !namespaces_available() {
        return;
    }
    let work = workdir("disk");
    // 300 KiB holds the two small articles but not the 60 of the bundled corpus (about 700 KiB).
    let out = in_namespace(
        work.path(),
        r#"mount -t tmpfs -o size=300k tmpfs disk || exit 1
        "$HS" ingest --jsonl small.jsonl --index disk/ix > /dev/null || exit 1
        echo "== files before"; ls disk/ix | sort | tr '\n' ' '; echo
        "$HS" ingest --corpus "$CORPUS" --index disk/ix 2>&1 | grep -v '^skipped'; echo "== exit $?"
        echo "== files after"; ls disk/ix | sort | tr '\n' ' '; echo
        echo "== search after failure"; "$HS" search "croup barking" --index disk/ix 2>&1 | head -1
        mount -o remount,size=20m disk
        echo "== retry"; "$HS" ingest --corpus "$CORPUS" --index disk/ix 2>&1 | grep '^added'
        echo "== search after retry"; "$HS" search "croup barking" --index disk/ix 2>&1 | head -1"#,
    );
    let errs = errors(&out);
    assert_eq!(errs.len(), 1, "{out}");
    assert!(errs[0].contains("disk is full") && errs[0].contains("as it was"), "{}", errs[0]);
    assert!(!out.contains("panicked"), "{out}");
    assert_eq!(after(&out, "== files before"), after(&out, "== files after"), "files of the failed run remain: {out}");
    assert!(after(&out, "== search after failure").starts_with("1 result "), "{out}");
    assert!(after(&out, "== retry").starts_with("added 60"), "{out}");
    assert!(after(&out, "== search after retry").starts_with("2 results"), "croup from the corpus too: {out}");
}
