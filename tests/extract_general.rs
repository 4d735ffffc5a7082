//! Extraction beyond the bundled templates: footnote references, bold-paragraph reference
//! headings, per-site rules, encodings, duplicate URLs, the readability test pages, and
//! property tests that no input makes extraction panic.

mod common;

use healthsearch::eval::extraction::evaluate;
use healthsearch::ingest::decode::decode;
use healthsearch::ingest::extract::dedupe_key;
use healthsearch::ingest::site_rules::SiteRules;
use healthsearch::ingest::{Extractor, Method, extract};
use proptest::prelude::*;

const URL: &str = "https://site.example/topic/page.html";

fn filler() -> String {
    format!("<p>{}</p>", "Plain words about family health and everyday care at home. ".repeat(25))
}

#[test]
fn footnote_markers_leave_the_body_and_endnotes_become_citations() {
    let html = format!(
        r##"<html><head><title>Asthma in children</title></head><body><main><h1>Asthma in children</h1>
        <h2>Symptoms</h2><p>Wheezing is common.<sup class="footnote-ref"><a href="#fn1">1</a></sup> Coughing at night too.<sup><a href="#fn2">2</a></sup></p>{}
        <section class="footnotes" role="doc-endnotes"><h2>References</h2><ol>
        <li id="fn1">Global Initiative for Asthma. Global strategy for asthma management. GINA; 2023 [cited 2024 Jan]. Available from: <a href="https://ginasthma.org/reports/">https://ginasthma.org/reports/</a> <a href="#top" class="footnote-back">↩</a></li>
        <li id="fn2">NHS. Asthma in children. NHS website; 2022. Available from: <a href="https://www.nhs.uk/conditions/asthma/">https://www.nhs.uk/conditions/asthma/</a> <a href="#top" role="doc-backlink">↩</a></li>
        </ol></section></main></body></html>"##,
        filler()
    );
    let a = extract(&html, URL).expect("article");
    assert!(a.body().contains("Wheezing is common. Coughing at night too."), "{}", a.body());
    assert_eq!(a.citations.len(), 2);
    assert_eq!(a.citations[0].accessed.as_deref(), Some("January 2024"));
    assert_eq!(a.citations[0].year, Some(2023));
    assert!(a.citations.iter().all(|c| !c.raw.contains('↩')));
    assert!(a.sections.iter().all(|s| s.heading != "References"));
}

#[test]
fn a_bold_references_paragraph_introduces_the_list() {
    let html = format!(
        r#"<html><head><title>Leg cramps in pregnancy - Corner</title></head><body><table><tr><td>
        <h1>Leg cramps in pregnancy</h1>{}<hr><p><b>References</b></p>
        <ol><li>NHS. Leg cramps. nhs.uk. 2021. https://www.nhs.uk/conditions/leg-cramps/ Accessed March 2022.</li></ol>
        </td></tr></table></body></html>"#,
        filler()
    );
    let a = extract(&html, URL).expect("article");
    assert_eq!(a.citations.len(), 1);
    assert_eq!(a.citations[0].url.as_deref(), Some("https://www.nhs.uk/conditions/leg-cramps/"));
    assert_eq!(a.citations[0].year, Some(2021));
    assert!(!a.body().contains("References"), "{}", a.body());
    assert!(!a.body().contains("nhs.uk"));
}

#[test]
fn site_rules_pick_content_title_date_and_drops() {
    let rules = SiteRules::parse(
        r#"
        [[site]]
        host = "site.example"
        content = "div.article-text"
        drop = [".promo"]
        title = "span.headline"
        date = "span.checked"
        references = "div.refs"
        "#,
    )
    .expect("rules");
    let html = format!(
        r#"<html><head><title>Wrong title</title></head><body>
        <span class="headline">Croup: what to do at night</span><span class="checked">Checked 4 May 2023</span>
        <div class="article-text"><p>Steam does not help.</p><div class="promo">Buy our app</div>{}</div>
        <div class="sidebar-ish"><p>{}</p></div>
        <div class="refs"><p>NICE. Croup. NICE CKS. 2022. https://cks.nice.org.uk/topics/croup/</p></div></body></html>"#,
        filler(),
        "Unrelated sidebar words. ".repeat(60)
    );
    let (a, method) = Extractor::new(rules).extract_any(&html, URL).expect("article");
    assert_eq!(method, Method::SiteRules);
    assert_eq!(a.title, "Croup: what to do at night");
    assert_eq!(a.reviewed.map(|d| d.to_string()).as_deref(), Some("2023-05-04"));
    assert!(a.body().starts_with("Steam does not help."));
    assert!(!a.body().contains("Buy our app") && !a.body().contains("sidebar"));
    assert_eq!(a.citations.len(), 1);
}

#[test]
fn windows_1252_pages_decode_to_the_right_characters() {
    let mut bytes = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\
        <title>It\x92s a test \x96 really</title></head><body><main><h1>It\x92s a test \x96 really</h1><p>\x93Quoted\x94 caf\xe9.</p>"
        .to_vec();
    bytes.extend(filler().as_bytes());
    bytes.extend(b"</main></body></html>");
    let (html, encoding) = decode(&bytes, None);
    assert_eq!(encoding, "windows-1252");
    let a = extract(&html, URL).expect("article");
    assert_eq!(a.title, "It\u{2019}s a test \u{2013} really");
    assert!(a.body().contains("\u{201c}Quoted\u{201d} caf\u{e9}."));
}

#[test]
fn copies_of_one_url_share_a_dedupe_key() {
    let key = dedupe_key("https://Site.example/a/b/");
    for other in ["https://site.example/a/b", "http://site.example/a/b/", "https://site.example/a/b/index.html"] {
        assert_eq!(dedupe_key(other), key, "{other}");
    }
    assert_eq!(dedupe_key("https://s.example/p?b=2&a=1"), dedupe_key("https://s.example/p?a=1&b=2"));
    assert_ne!(dedupe_key("https://s.example/p?a=1"), dedupe_key("https://s.example/p?a=2"));
}

#[test]
fn the_readability_test_pages_extract_well() {
    let Some(dir) = common::shared_data("data/extraction/readability-test-pages/test/test-pages") else { return };
    let eval = evaluate(&Extractor::default(), &dir).expect("cases");
    assert!(eval.cases.len() >= 100);
    assert!(eval.mean_f1 >= 0.95, "mean body F1 {:.3}", eval.mean_f1);
    assert!(eval.title_accuracy >= 0.90, "title exact match {:.3}", eval.title_accuracy);
}

fn html_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<div>".to_string()),
        Just("</div>".to_string()),
        Just("<p class=\"sr-only\">".to_string()),
        Just("<h2 id=\"\">".to_string()),
        Just("</h2>".to_string()),
        Just("<h3>".to_string()),
        Just("<ol class=\"references\"><li>".to_string()),
        Just("<script type=\"application/ld+json\">{\"@type\":\"Article\",\"headline\":".to_string()),
        Just("<![CDATA[".to_string()),
        Just("<a href=\"javascript:alert(1)\">".to_string()),
        Just("<a href=\"//\u{0}\">".to_string()),
        Just("<table><tr><td>".to_string()),
        Just("<meta charset=\"utf-16\">".to_string()),
        Just(format!("<span title=\"{}\">", "x".repeat(5_000))),
        "[ -~]{0,40}",
        "\\PC{0,20}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn extraction_never_panics_on_tag_soup(html in html_soup()) {
        let _ = Extractor::default().extract_any(&html, URL);
    }

    #[test]
    fn extraction_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        let (html, _) = decode(&bytes, None);
        let _ = extract(&html, URL);
    }
}
