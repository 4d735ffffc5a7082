//! The bundled corpus against its sources: every page's title, dates and citations as extracted
//! match what `corpus-src/` says was written.

mod common;

use healthsearch::ingest::decode::decode;
use healthsearch::ingest::extract;
use healthsearch::ingest::source::mirror_pages;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

fn sources() -> HashMap<String, Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus-src");
    let mut out = HashMap::new();
    for site in std::fs::read_dir(root).expect("corpus-src").filter_map(Result::ok) {
        if !site.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(site.path()).expect("site dir").filter_map(Result::ok) {
            let v: Value = serde_json::from_slice(&std::fs::read(f.path()).expect("read")).expect("json");
            out.insert(v["slug"].as_str().unwrap_or_default().to_string(), v);
        }
    }
    out
}

fn slug_of(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if stem == "index" {
        path.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str()).unwrap_or_default().to_string()
    } else {
        stem.to_string()
    }
}

#[test]
fn every_page_matches_its_source() {
    let sources = sources();
    let (mut checked, mut titles_ok, mut cites, mut cite_titles_ok) = (0, 0, 0, 0);
    for page in mirror_pages(&common::corpus_dir()).expect("pages") {
        let Some(src) = sources.get(&slug_of(&page.path)) else { continue };
        let (html, _) = decode(&std::fs::read(&page.path).expect("read"), None);
        let a = extract(&html, &page.url).unwrap_or_else(|e| panic!("{}: {e}", page.path.display()));
        let name = page.path.display().to_string();
        checked += 1;
        titles_ok += usize::from(a.title == src["title"].as_str().unwrap_or_default());
        assert_eq!(a.reviewed.map(|d| d.to_string()).as_deref(), src["reviewed"].as_str(), "{name}: reviewed");
        let want = src["citations"].as_array().cloned().unwrap_or_default();
        assert_eq!(a.citations.len(), want.len(), "{name}: citation count");
        for (got, want) in a.citations.iter().zip(&want) {
            cites += 1;
            assert_eq!(got.url.as_deref(), want["url"].as_str(), "{name}: url of {}", got.raw);
            assert_eq!(got.year.map(u64::from), want["year"].as_u64(), "{name}: year of {}", got.raw);
            if let Some(acc) = want["accessed"].as_str() {
                assert_eq!(got.accessed.as_deref(), Some(acc), "{name}: accessed of {}", got.raw);
            }
            let want_title = want["title"].as_str().unwrap_or_default().trim_end_matches('.');
            cite_titles_ok += usize::from(got.title.as_deref() == Some(want_title));
        }
    }
    eprintln!("{checked} pages, {cites} citations, {cite_titles_ok} citation titles exact");
    assert!(checked >= 36, "only {checked} pages matched a source");
    assert_eq!(titles_ok, checked, "article titles");
    assert!(cite_titles_ok * 100 >= cites * 95, "citation titles: {cite_titles_ok} of {cites}");
}
