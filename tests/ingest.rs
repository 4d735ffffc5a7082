//! Ingest tests on real files: the bundled mirror, re-ingests, removals, bad pages, JSON Lines.

mod common;

use healthsearch::index::present::search::{SearchParams, search};
use healthsearch::index::{HealthIndex, IndexError, VERSION_FILE};
use healthsearch::ingest::decode::decode;
use healthsearch::ingest::files::mirror_pages;
use healthsearch::ingest::{Input, extract, ingest};

fn titles(index: &HealthIndex, q: &str) -> Vec<String> {
    let res = search(index, &SearchParams::new(q, 10)).expect("search");
    res.hits.into_iter().map(|h| h.article.title).collect()
}

#[test]
fn the_bundled_mirror_indexes_every_article_and_skips_index_pages() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = HealthIndex::create(dir.path()).expect("create");
    let report = ingest(&index, &Input::Mirror(common::corpus_dir())).expect("ingest");
    assert!(report.indexed >= 25, "{report:?}");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.duplicates.is_empty(), "{:?}", report.duplicates);
    let sites = std::fs::read_dir(common::corpus_dir()).expect("corpus").count();
    assert_eq!(report.skipped.len(), sites, "one index page per site: {:?}", report.skipped);
    assert!(report.skipped.iter().all(|s| s.reason.starts_with("not an article")));
    assert_eq!(report.total_articles, report.indexed as u64);
}

#[test]
fn no_article_of_the_mirror_keeps_boilerplate() {
    let junk = [
        "was this article helpful",
        "editorial policy",
        "opens a new window",
        "sign up for",
        "we use cookies",
        "skip to main content",
        "advertisement",
        "share this",
        "on this page",
        "all rights reserved",
    ];
    for page in mirror_pages(&common::corpus_dir()).expect("pages") {
        let (html, _) = decode(&std::fs::read(&page.path).expect("read"), None);
        let Ok(a) = extract(&html, &page.url) else { continue };
        let text = format!("{}\n{}\n{}", a.summary, a.headings(), a.body()).to_lowercase();
        for j in junk {
            assert!(!text.contains(j), "{}: {j:?} left in the article", page.path.display());
        }
        assert!(a.reviewed.is_some(), "{}: no review date", page.path.display());
        assert!(a.sections.len() >= 3, "{}: too few sections", page.path.display());
        assert!((3..=25).contains(&a.citations.len()), "{}: {} citations", page.path.display(), a.citations.len());
        assert!(a.citations.iter().all(|c| c.url.is_some() && c.year.is_some()), "{}", page.path.display());
        assert!(a.citations.iter().all(|c| !c.raw.to_lowercase().contains("opens a new window")));
    }
}

#[test]
fn reingesting_replaces_articles_and_removes_deleted_pages() {
    let copy = common::MirrorCopy::new();
    let index = &copy.index;
    let first = copy.ingest();

    copy.retitle_lochia("zebracorn");
    std::fs::remove_file(copy.mirror.join("littlesprouts.example/toddler/feeding/picky-eating.html")).expect("rm");

    let second = copy.ingest();
    assert_eq!(second.removed, 1);
    assert_eq!(second.total_articles, first.total_articles - 1);
    assert_eq!(titles(index, "zebracorn"), vec!["Bleeding after birth (lochia) zebracorn"]);
    assert!(titles(index, "picky eating toddlers").iter().all(|t| t != "Picky eating in toddlers"));
}

#[test]
fn a_bad_page_is_reported_and_keeps_what_was_indexed() {
    let copy = common::MirrorCopy::new();
    let index = &copy.index;
    let first = copy.ingest();

    let croup = copy.mirror.join("littlesprouts.example/family-health/illness/croup.html");
    let huge = format!("<html><body>{}</body></html>", "<p>x</p>".repeat(1_000_000));
    std::fs::write(&croup, huge).expect("write");
    let second = copy.ingest();
    assert_eq!(second.failed.len(), 1);
    assert!(second.failed[0].page.ends_with("croup.html"));
    assert!(second.failed[0].reason.contains("limit"), "{:?}", second.failed);
    assert_eq!(second.removed, 0, "a failure must not delete the article's last good version");
    assert_eq!(second.total_articles, first.total_articles);
    assert_eq!(titles(index, "croup barking cough").first().map(String::as_str), Some("Croup in children"));
}

#[test]
fn the_same_article_under_two_paths_is_indexed_once() {
    let copy = common::MirrorCopy::new();
    let index = &copy.index;
    let src = copy.mirror.join("www.bumptobaby.example/feeding/breastfeeding/mastitis.html");
    std::fs::copy(&src, copy.mirror.join("www.bumptobaby.example/feeding/mastitis-copy.html")).expect("copy");
    let report = copy.ingest();
    assert_eq!(report.duplicates.len(), 1, "{report:?}");
    assert_eq!(titles(index, "mastitis").iter().filter(|t| t.starts_with("Mastitis")).count(), 1);
}

#[test]
fn json_lines_records_are_searchable_by_their_other_names() {
    let work = tempfile::tempdir().expect("tmp");
    let file = work.path().join("topics.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"_id":"t1","title":"Myocardial infarction","text":"Damage to heart muscle when blood flow stops.","url":"https://example.org/mi","also_called":["Heart attack"]}"#,
            "\n\n",
            r#"{"_id":"t2","title":"Lumbago","text":"Pain in the lower back.","synonyms":["Backache"]}"#,
            "\n{broken json\n",
        ),
    )
    .expect("write");
    // A line that is not UTF-8 fails alone; the lines after it are still read.
    let mut bytes = std::fs::read(&file).expect("read");
    bytes.extend_from_slice(b"{\"_id\":\"t3\",\"title\":\"Caf\xe9\",\"text\":\"x\"}\n");
    bytes.extend_from_slice(br#"{"_id":"t4","title":"Croup","text":"A barking cough in children."}"#);
    std::fs::write(&file, bytes).expect("write");
    let index = HealthIndex::create(&work.path().join("index")).expect("create");
    let report = ingest(&index, &Input::Jsonl(file)).expect("ingest");
    assert_eq!(report.indexed, 3);
    assert_eq!(report.failed.len(), 2);
    assert!(report.failed[0].page.ends_with(":4"), "{:?}", report.failed);
    assert!(report.failed[1].page.ends_with(":5") && report.failed[1].reason.contains("UTF-8"), "{:?}", report.failed);
    assert_eq!(titles(&index, "heart attack"), vec!["Myocardial infarction"]);
    let res = search(&index, &SearchParams::new("backache", 5)).expect("search");
    assert_eq!(res.hits[0].article.id, "t2");
}

#[test]
fn an_index_from_another_schema_version_is_refused_then_rebuilt() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = HealthIndex::create(dir.path()).expect("create");
    ingest(&index, &Input::Mirror(common::corpus_dir())).expect("ingest");
    drop(index);
    std::fs::write(dir.path().join(VERSION_FILE), r#"{"schema_version":0}"#).expect("write");
    assert!(matches!(HealthIndex::open(dir.path()), Err(IndexError::SchemaMismatch(_))));
    let (rebuilt, created) = HealthIndex::open_or_create(dir.path()).expect("rebuild");
    assert!(created);
    assert_eq!(rebuilt.num_docs(), 0);
    assert!(matches!(HealthIndex::open(&dir.path().join("nothing-here")), Err(IndexError::Missing(_))));
}

#[test]
fn a_missing_source_is_an_error_not_an_empty_index() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = HealthIndex::create(dir.path()).expect("create");
    assert!(ingest(&index, &Input::Mirror(dir.path().join("nope"))).is_err());
    assert!(ingest(&index, &Input::Jsonl(dir.path().join("nope.jsonl"))).is_err());
}

/// Distinct segments whose files are in the index directory (live or left behind).
fn segment_files(dir: &std::path::Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".idx") || n.ends_with(".store") || n.ends_with(".term"))
        .filter_map(|n| n.split('.').next().map(String::from))
        .collect()
}

/// A fresh index of the bundled mirror in a temporary directory (kept alive by the first value).
fn mirror_index() -> (tempfile::TempDir, std::path::PathBuf, HealthIndex) {
    let work = tempfile::tempdir().expect("tmp");
    let dir = work.path().join("index");
    let index = HealthIndex::create(&dir).expect("create");
    ingest(&index, &Input::Mirror(common::corpus_dir())).expect("mirror");
    (work, dir, index)
}

/// Writes generated articles `range` (ids `gen-N`) as JSON Lines.
fn write_generated(path: &std::path::Path, range: std::ops::Range<usize>) {
    let mut lines = String::new();
    let mut i = 0;
    healthsearch::synth::generate(range.end, 7, |d| {
        if range.contains(&i) {
            lines.push_str(&healthsearch::synth::to_jsonl(&d));
            lines.push('\n');
        }
        i += 1;
    });
    std::fs::write(path, lines).expect("write");
}

#[test]
fn a_bulk_load_is_merged_into_one_segment_and_small_runs_are_not() {
    let (work, dir, index) = mirror_index();
    // A run writing over a quarter of the index is a bulk load: one segment after it, and the
    // merged segments' files are gone from the directory.
    write_generated(&work.path().join("bulk.jsonl"), 0..400);
    let report = ingest(&index, &Input::Jsonl(work.path().join("bulk.jsonl"))).expect("bulk");
    assert_eq!(report.indexed, 400);
    assert_eq!(index.searcher().segment_readers().len(), 1);
    assert_eq!(segment_files(&dir).len(), 1, "{:?}", segment_files(&dir));
    // A small run adds its own segment and leaves the big one alone.
    write_generated(&work.path().join("small.jsonl"), 400..403);
    ingest(&index, &Input::Jsonl(work.path().join("small.jsonl"))).expect("small");
    assert!(index.searcher().segment_readers().len() > 1);
    assert_eq!(index.num_docs(), 60 + 400 + 3);
    assert_eq!(titles(&index, "mastitis").iter().filter(|t| t.starts_with("Mastitis")).count(), 1);
}

#[test]
fn after_a_failed_write_no_uncommitted_segment_files_are_left() {
    let (_work, dir, index) = mirror_index();
    let committed = segment_files(&dir);
    // A segment a failed run wrote but never committed: Tantivy's collection can keep such files
    // while the failed writer's threads still track the segment.
    let orphan = "0123456789abcdef0123456789abcdef";
    for ext in ["idx", "pos", "store", "term", "fast", "fieldnorm"] {
        std::fs::write(dir.join(format!("{orphan}.{ext}")), b"partial").expect("write");
    }
    let error = healthsearch::index::storage::writer::after_failure(&index, IndexError::Corrupt("simulated".into()));
    assert!(matches!(error, IndexError::Corrupt(_)));
    assert_eq!(segment_files(&dir), committed);
    assert!(dir.join("meta.json").exists());
    let reopened = HealthIndex::open(&dir).expect("reopen");
    assert_eq!(reopened.num_docs(), 60);
    assert!(!titles(&reopened, "mastitis").is_empty());
}
