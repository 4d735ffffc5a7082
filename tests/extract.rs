//! Extraction tests: small HTML strings in, expected text and metadata out.

use healthsearch::article::Article;
use healthsearch::ingest::{ExtractError, extract};

const URL: &str = "https://site.example/topic/page.html";

/// Wraps body markup in a page with a title. `{FILL}` in the body becomes a paragraph long
/// enough for the page to count as an article.
fn page(head: &str, body: &str) -> String {
    let filler = "<p>".to_string() + &"Filler words about health and care. ".repeat(30) + "</p>";
    let body = body.replace("{FILL}", &filler);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Caring for a newborn at night | Site</title>{head}</head><body>{body}</body></html>"
    )
}

fn article(head: &str, body: &str) -> Article {
    match extract(&page(head, body), URL) {
        Ok(a) => a,
        Err(e) => panic!("extraction failed: {e}"),
    }
}

fn body_text(a: &Article) -> String {
    a.body()
}

#[test]
fn drops_feedback_widgets_and_editorial_blurbs() {
    let a = article(
        "",
        r#"<main><h2>Relief</h2><p>Rest helps.</p>
        <div class="was-it-useful"><p>Was this article helpful?</p><button>Yes</button><button>No</button></div>
        <p>Read our editorial policy to see how we pick sources.</p>{FILL}</main>"#,
    );
    let text = body_text(&a);
    assert!(text.contains("Rest helps."));
    assert!(!text.contains("helpful"), "{text}");
    assert!(!text.contains("editorial policy"), "{text}");
}

#[test]
fn drops_navigation_headers_footers_and_hidden_text() {
    let a = article(
        "",
        r#"<header><nav><a href="/">Home</a><a href="/pregnancy">Pregnancy</a></nav></header>
        <main><p>Real text here.<span class="sr-only"> (screen reader only)</span></p>
        <div aria-hidden="true">decorative</div><aside>Related: other things</aside>{FILL}</main>
        <footer>Copyright notice</footer>"#,
    );
    let text = body_text(&a);
    assert!(text.starts_with("Real text here."), "{text}");
    for junk in ["Home", "Pregnancy", "screen reader", "decorative", "Related", "Copyright"] {
        assert!(!text.contains(junk), "{junk} left in {text}");
    }
}

#[test]
fn removes_opens_a_new_window_labels_everywhere() {
    let a = article(
        "",
        r#"<main><p>See <a href="https://www.nhs.uk/">the NHS<span>Opens a new window</span></a> for more.</p>{FILL}</main>"#,
    );
    assert!(body_text(&a).contains("See the NHS for more."), "{}", body_text(&a));
}

#[test]
fn splits_sections_at_h2_and_h3_with_unique_anchors() {
    let a = article(
        "",
        r#"<article><p>Intro text.</p><h2 id="causes">Causes</h2><p>Hormones.</p>
        <section id="relief"><h2>Relief</h2><p>Heat.</p><h3>At night</h3><p>Pillows.</p></section>
        <h2>Relief</h2><p>More relief.</p>{FILL}</article>"#,
    );
    let got: Vec<(&str, &str, u8)> =
        a.sections.iter().map(|s| (s.heading.as_str(), s.anchor.as_str(), s.level)).collect();
    assert_eq!(
        &got[..5],
        &[
            ("", "", 0),
            ("Causes", "causes", 2),
            ("Relief", "relief", 2),
            ("At night", "at-night", 3),
            ("Relief", "relief-2", 2)
        ]
    );
    assert_eq!(a.sections[1].text, "Hormones.");
    assert_eq!(a.section_url(&a.sections[1]), "https://site.example/topic/page.html#causes");
}

#[test]
fn reads_the_reference_list_into_citations_not_body() {
    let a = article(
        "",
        r#"<main><h2>Treatment</h2><p>Physiotherapy helps.</p>{FILL}
        <h2>Sources</h2><ul>
        <li><p>Bastiaenen CHG et al. 2008. Long-term effectiveness and costs of a brief self-management intervention in women with pregnancy-related low back pain after delivery. BMC Pregnancy and Childbirth 8(19). <a href="https://bmcpregnancychildbirth.biomedcentral.com/articles/10.1186/1471-2393-8-19">https://bmcpregnancychildbirth.biomedcentral.com/articles/10.1186/1471-2393-8-19<span class="visually-hidden">Opens a new window</span></a> [Accessed February 2022]</p></li>
        <li>NHS. Back pain. nhs.uk, 2021. <a href="/relative/link">link</a></li>
        </ul></main>"#,
    );
    assert_eq!(a.citations.len(), 2);
    let c = &a.citations[0];
    assert_eq!(c.year, Some(2008));
    assert_eq!(c.doi.as_deref(), Some("10.1186/1471-2393-8-19"));
    assert_eq!(c.accessed.as_deref(), Some("February 2022"));
    assert_eq!(c.container.as_deref(), Some("BMC Pregnancy and Childbirth 8(19)"));
    assert!(!c.raw.contains("Opens a new window"));
    assert_eq!(a.citations[1].url.as_deref(), Some("https://site.example/relative/link"));
    assert!(!body_text(&a).contains("Bastiaenen"));
    assert!(a.sections.iter().all(|s| s.heading != "Sources"));
}

#[test]
fn reads_json_ld_dates_people_and_breadcrumbs() {
    let ld = r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"MedicalWebPage",
        "headline":"Heartburn in pregnancy","datePublished":"2019-03-18","lastReviewed":"2024-02-06",
        "author":{"@type":"Person","name":"Rowan A"},"reviewedBy":[{"@type":"Person","name":"Dr P Raman"}],
        "breadcrumb":{"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":1,"name":"Home"},{"@type":"ListItem","position":2,"name":"Pregnancy"}]}}]}</script>"#;
    let a = article(ld, "<main><p>Text.</p>{FILL}</main>");
    assert_eq!(a.title, "Heartburn in pregnancy");
    assert_eq!(a.published.map(|d| d.to_string()).as_deref(), Some("2019-03-18"));
    assert_eq!(a.reviewed.map(|d| d.to_string()).as_deref(), Some("2024-02-06"));
    assert_eq!(a.author.as_deref(), Some("Rowan A"));
    assert_eq!(a.reviewer.as_deref(), Some("Dr P Raman"));
    assert_eq!(a.categories, vec!["Pregnancy"]);
}

#[test]
fn reads_dates_and_people_from_visible_text() {
    let a = article(
        "",
        r#"<div class="meta">Written by Ann Lee | Reviewed by Dr Bo Chan, MD | Page last reviewed: 12 March 2024</div>
        <div class="post-body"><p>Text.</p>{FILL}</div>"#,
    );
    assert_eq!(a.reviewed.map(|d| d.to_string()).as_deref(), Some("2024-03-12"));
    assert_eq!(a.reviewer.as_deref(), Some("Dr Bo Chan, MD"));
    assert_eq!(a.author.as_deref(), Some("Ann Lee"));
}

#[test]
fn title_falls_back_to_the_document_title_without_site_suffix() {
    let a = article("", "<div><p>Text.</p>{FILL}</div>");
    assert_eq!(a.title, "Caring for a newborn at night");
}

#[test]
fn canonical_link_wins_and_loses_tracking_parameters() {
    let a = article(
        r#"<link rel="canonical" href="/real/path?utm_source=x&amp;id=3#top">"#,
        "<main><p>Text.</p>{FILL}</main>",
    );
    assert_eq!(a.url, "https://site.example/real/path?id=3");
    assert_eq!(a.site, "site.example");
}

#[test]
fn index_pages_are_not_articles() {
    let html = r#"<html><head><title>All articles</title></head><body><h1>All articles</h1>
        <ul><li><a href="/a">A</a></li><li><a href="/b">B</a></li></ul></body></html>"#;
    assert!(matches!(extract(html, URL), Err(ExtractError::NotAnArticle(_))));
}

#[test]
fn garbage_and_hostile_input_do_not_panic() {
    for html in ["", "<", "<<<>>>", "\u{0}\u{1}", "<html><body><h2></h2><h3 id=''></h3>", &"<div>".repeat(5_000)] {
        let _ = extract(html, URL);
    }
    assert!(matches!(extract("<p>x</p>", "not a url"), Err(ExtractError::BadUrl(_))));
}

fn article_at(url: &str, head: &str, body: &str) -> Article {
    extract(&page(head, body), url).unwrap_or_else(|e| panic!("extraction failed: {e}"))
}

/// A page laid out the old way: a menu cell beside the article cell, a byline above the lead,
/// a copyright line below.
const TABLE_LAYOUT: &str = r#"<table><tr>
    <td class="leftnav"><b>More articles</b><br><a href="/a">Bleeding gums in pregnancy</a><br>
    <a href="/b">Braxton Hicks contractions</a><br><br><a href="/">Home</a></td>
    <td class="maincell"><h1>Leg cramps in pregnancy</h1>
    <p><i>Written by Ann Lee. Last reviewed 18 March 2025 by Dr Bo Chan, MD.</i></p>
    <p class="lead">Leg cramps are common in pregnancy, especially at night.</p>
    <h2>Why they happen</h2>{FILL}</td></tr></table>
    <p align="center">&copy; Mothercraft 1999&ndash;2024. First published 22 November 2016.</p>"#;

#[test]
fn the_summary_is_the_first_real_sentence_not_a_byline_or_a_menu() {
    let a = article("", TABLE_LAYOUT);
    assert_eq!(a.summary, "Leg cramps are common in pregnancy, especially at night.");
    let text = body_text(&a);
    for junk in ["More articles", "Bleeding gums", "Braxton", "Home", "Written by", "Mothercraft", "First published"] {
        assert!(!text.contains(junk), "{junk} left in {text}");
    }
    assert!(text.starts_with("Leg cramps are common"), "{text}");
    // The byline still gives the people and the date.
    assert_eq!(a.author.as_deref(), Some("Ann Lee"));
    assert_eq!(a.reviewed.map(|d| d.to_string()).as_deref(), Some("2025-03-18"));
}

#[test]
fn a_byline_description_gives_way_to_the_body() {
    let a = article(
        r#"<meta name="description" content="By Ann Lee | Updated 3 May 2024">"#,
        "<main><p>Swollen ankles are common late in pregnancy.</p>{FILL}</main>",
    );
    assert_eq!(a.summary, "Swollen ankles are common late in pregnancy.");
}

#[test]
fn share_buttons_and_related_lists_are_not_body_text() {
    let a = article(
        "",
        r##"<main><ul class="actions"><li><a href="#">Share</a></li><li><a href="#">Print</a></li></ul>
        <p>Real text.</p>{FILL}
        <h2>Treatment</h2><p>Rest and <a href="/heat">heat</a> help most people.</p>
        <h2>Related articles</h2><p>Our pick of further reading for you this week.</p>
        <ul><li><a href="/a">Back pain in pregnancy</a></li><li><a href="/b">Sciatica</a></li></ul>
        <p>Last updated: 3 May 2024</p></main>"##,
    );
    let text = body_text(&a);
    for junk in ["Share", "Print", "further reading", "Back pain in pregnancy", "Sciatica", "Last updated"] {
        assert!(!text.contains(junk), "{junk} left in {text}");
    }
    assert!(text.contains("Rest and heat help most people."), "{text}");
    assert!(a.sections.iter().all(|s| s.heading != "Related articles"));
}

#[test]
fn pages_without_breadcrumbs_are_filed_by_their_url_folders() {
    let url = "https://www.site.example/pregnancy/aches-and-pains/carpal-tunnel.htm";
    assert_eq!(article_at(url, "", "<main><p>Text.</p>{FILL}</main>").categories, vec!["Pregnancy", "Aches and pains"]);
    let dated = "https://site.example/en/womens-health/2024/05/31/menopause-guide/";
    assert_eq!(article_at(dated, "", "<main><p>Text.</p>{FILL}</main>").categories, vec!["Women's health"]);
    let crumbs = r#"<nav aria-label="Breadcrumb"><ol><li>Home</li><li>Pregnancy</li><li>Your body</li></ol></nav>"#;
    let stated = article_at(url, "", &format!("{crumbs}<main><p>Text.</p>{{FILL}}</main>"));
    assert_eq!(stated.categories, vec!["Pregnancy", "Your body"], "breadcrumbs come first");
}

#[test]
fn json_ld_sections_topics_and_standalone_breadcrumb_lists_give_categories() {
    let body = "<main><p>Text.</p>{FILL}</main>";
    let ld = |json: &str| format!(r#"<script type="application/ld+json">{json}</script>"#);
    let list = ld(r#"[{"@type":"MedicalWebPage","articleSection":"Ignored when crumbs exist"},
        {"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":1,"item":{"name":"Baby"}},
        {"@type":"ListItem","position":2,"name":"sleep-and-settling"}]}]"#);
    assert_eq!(article(&list, body).categories, vec!["Baby", "Sleep and settling"]);
    let section = ld(r#"{"@type":"Article","articleSection":["Child health"],"about":{"name":"Croup"}}"#);
    assert_eq!(article(&section, body).categories, vec!["Child health"]);
    let about = ld(r#"{"@type":"Article","about":[{"@type":"MedicalCondition","name":"Croup"}]}"#);
    assert_eq!(article(&about, body).categories, vec!["Croup"]);
}

#[test]
fn site_names_come_from_metadata_or_a_title_the_host_confirms() {
    let body = "<main><p>Text.</p>{FILL}</main>";
    let og = r#"<meta property="og:site_name" content="Harbor Health Library">"#;
    assert_eq!(article(og, body).site_name.as_deref(), Some("Harbor Health Library"));
    let publisher = r#"<script type="application/ld+json">{"@type":"MedicalWebPage","publisher":{"@type":"Organization","name":"Bump to Baby"}}</script>"#;
    assert_eq!(article(publisher, body).site_name.as_deref(), Some("Bump to Baby"));
    let app = r#"<meta name="application-name" content="Little Sprouts">"#;
    assert_eq!(article(app, body).site_name.as_deref(), Some("Little Sprouts"));
    // "Caring for a newborn at night | Site" on site.example: the host spells the suffix.
    let plain = article("", body);
    assert_eq!(plain.site_name.as_deref(), Some("Site"));
    assert_eq!(plain.site, "site.example", "the host stays the site key");
    let elsewhere = article_at("https://other.example/a/b", "", body);
    assert_eq!(elsewhere.site_name, None, "a title suffix the host does not confirm is not a name");
    let json = serde_json::to_value(&elsewhere).unwrap_or_default();
    assert!(json.get("site_name").is_none(), "no name, no field: {json}");
}

#[test]
fn audience_comes_from_json_ld_folders_and_titles() {
    use healthsearch::article::Audience;
    let body = "<main><p>Text.</p>{FILL}</main>";
    let ld = r#"<script type="application/ld+json">{"@type":"MedicalWebPage","headline":"Tantrums",
        "audience":{"@type":"PeopleAudience","suggestedMinAge":1,"suggestedMaxAge":3}}</script>"#;
    let a = article_at("https://s.example/a/b", ld, body);
    assert_eq!(a.audience, vec![Audience::Toddler]);
    let a = article_at("https://s.example/feeding/breastfeeding/latch", "", body);
    assert_eq!(a.audience, vec![Audience::Breastfeeding, Audience::Baby], "folder and the title's newborn");
    let titled = |t: &str| format!(r#"<meta property="og:title" content="{t}">"#);
    let a = article_at("https://s.example/after-the-birth/your-body/lochia", &titled("Bleeding after birth"), body);
    assert_eq!(a.audience, vec![Audience::Postpartum]);
    let a = article_at("https://s.example/a/b", &titled("Back pain"), body);
    assert_eq!(a.audience, vec![], "nothing names a person");
}
