//! The bundled corpus against its sources: every page's title, dates and citations as extracted
//! match what `corpus-src/` says was written; every article has a real summary, categories, a
//! site name and the audience a reader would give it.

mod common;

use healthsearch::ingest::categories::categories;
use healthsearch::ingest::decode::decode;
use healthsearch::ingest::extract;
use healthsearch::ingest::files::mirror_pages;
use healthsearch::ingest::furniture::is_furniture_text;
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

/// Who each bundled article is for, as read by a person (see `src/ingest/audience.rs`).
const AUDIENCES: &[(&str, &[&str])] = &[
    ("colic", &["baby"]),
    ("safe-sleep", &["baby"]),
    ("teething", &["baby"]),
    ("newborn-jaundice", &["baby"]),
    ("constipation-in-children", &["baby", "toddler"]),
    ("croup", &["child"]),
    ("ear-infections", &["child"]),
    ("fever-in-children", &["baby", "child"]),
    ("hand-foot-and-mouth-disease", &["child"]),
    ("vaccination-schedule", &["child"]),
    ("toddler-tantrums", &["toddler"]),
    ("picky-eating", &["toddler"]),
    ("iron-deficiency-anaemia", &["adult"]),
    ("heart-attack-in-women", &["adult"]),
    ("high-blood-pressure", &[]),
    ("postpartum-thyroiditis", &["postpartum"]),
    ("type-2-diabetes", &[]),
    ("chickenpox", &["child"]),
    ("urinary-tract-infections", &[]),
    ("asthma-in-children", &["child"]),
    ("bronchiolitis", &["baby"]),
    ("eczema-in-children", &["baby", "child"]),
    ("head-lice", &["child"]),
    ("insomnia", &[]),
    ("postpartum-depression", &["postpartum"]),
    ("c-section-recovery", &["postpartum"]),
    ("contraception-after-birth", &["postpartum"]),
    ("diastasis-recti", &["postpartum"]),
    ("lochia", &["postpartum"]),
    ("pelvic-floor-after-birth", &["postpartum"]),
    ("perineal-tears", &["postpartum"]),
    ("postpartum-back-pain", &["postpartum"]),
    ("postpartum-hair-loss", &["postpartum"]),
    ("breastfeeding-latch", &["breastfeeding"]),
    ("mastitis", &["breastfeeding"]),
    ("third-stage-of-labour", &["pregnancy"]),
    ("anaemia-in-pregnancy", &["pregnancy"]),
    ("gestational-diabetes", &["pregnancy"]),
    ("preeclampsia", &["pregnancy"]),
    ("heartburn-in-pregnancy", &["pregnancy"]),
    ("morning-sickness", &["pregnancy"]),
    ("back-pain-during-pregnancy", &["pregnancy"]),
    ("pelvic-girdle-pain", &["pregnancy"]),
    ("sciatica-during-pregnancy", &["pregnancy"]),
    ("swelling-in-pregnancy", &["pregnancy"]),
    ("endometriosis", &["adult"]),
    ("menopause", &["adult"]),
    ("pcos", &["adult"]),
    ("carpal-tunnel", &["pregnancy"]),
    ("headaches-in-pregnancy", &["pregnancy"]),
    ("round-ligament-pain", &["pregnancy"]),
    ("bleeding-gums", &["pregnancy"]),
    ("braxton-hicks", &["pregnancy"]),
    ("leg-cramps", &["pregnancy"]),
    ("sleeping-position", &["pregnancy"]),
    ("stretch-marks", &["pregnancy"]),
    ("varicose-veins-and-piles", &["pregnancy"]),
    ("itching-and-cholestasis", &["pregnancy"]),
    ("baby-movements", &["pregnancy"]),
    ("group-b-strep", &["pregnancy"]),
];

#[test]
fn every_article_has_a_real_summary_categories_a_site_name_and_its_audience() {
    let want: HashMap<&str, &[&str]> = AUDIENCES.iter().copied().collect();
    let mut articles = 0;
    for page in mirror_pages(&common::corpus_dir()).expect("pages") {
        let (html, _) = decode(&std::fs::read(&page.path).expect("read"), None);
        let Ok(a) = extract(&html, &page.url) else { continue };
        let name = page.path.display().to_string();
        articles += 1;
        assert!(!is_furniture_text(&a.summary), "{name}: summary {:?}", a.summary);
        assert!(a.summary.split_whitespace().count() >= 8, "{name}: summary {:?}", a.summary);
        let first_lines = a.sections.iter().flat_map(|s| s.text.lines()).take(3);
        for line in first_lines.chain(a.sections.iter().flat_map(|s| s.text.lines()).rev().take(3)) {
            assert!(!is_furniture_text(line), "{name}: furniture in the body: {line:?}");
        }
        // Filed where its site keeps it: the first category is the URL's first subject folder,
        // whether the page gave breadcrumbs or not.
        let by_folders = categories(&[], &a.url, &a.title, &[]);
        assert!(!a.categories.is_empty(), "{name}: no category");
        assert_eq!(a.categories.first(), by_folders.first(), "{name}: {:?}", a.categories);
        assert!(a.site_name.as_deref().is_some_and(|n| n.len() > 3), "{name}: no site name");
        let got: Vec<&str> = a.audience.iter().map(|w| w.name()).collect();
        assert_eq!(Some(&got.as_slice()), want.get(slug_of(&page.path).as_str()), "{name}: audience");
    }
    assert_eq!(articles, AUDIENCES.len(), "every bundled article is in the table");
}
