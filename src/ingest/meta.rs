//! Page metadata: title, canonical URL, description, language, people, dates and breadcrumbs,
//! read from schema.org JSON-LD, meta tags and visible text, in that order of trust.

use super::dates::{DATE_PATTERN, parse_date};
use super::jsonld::{LinkedData, names_of, string_of};
use super::rules::{RULES, any_of};
use crate::article::Audience;
use crate::text::normalize;
use chrono::NaiveDate;
use regex::{Regex, RegexSet, SetMatches};
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use std::sync::LazyLock;

/// Everything the page says about itself, before the body is read.
#[derive(Debug, Default, Clone)]
pub struct PageMeta {
    pub title: Option<String>,
    pub canonical: Option<String>,
    pub description: Option<String>,
    pub lang: Option<String>,
    pub author: Option<String>,
    pub reviewer: Option<String>,
    pub published: Option<NaiveDate>,
    pub modified: Option<NaiveDate>,
    pub reviewed: Option<NaiveDate>,
    /// The categories the page states (breadcrumbs, JSON-LD); empty when it states none.
    pub categories: Vec<String>,
    /// The site's name as the page's metadata gives it (see [`super::site_name`]).
    pub site_name: Option<String>,
    /// The document `<title>` as written, for the site name it may end with.
    pub document_title: Option<String>,
    /// Who the page's structured data says it is for.
    pub audience: Vec<Audience>,
}

struct TextPatterns {
    /// The words the patterns below need, as one set (by [`Word`]): each line is scanned once,
    /// and a pattern with captures runs only on the lines holding its word.
    words: RegexSet,
    reviewed: Regex,
    updated: Regex,
    published: Regex,
    reviewer: Regex,
    reviewer_after_date: Regex,
    author: Regex,
}

static TEXT: LazyLock<Option<TextPatterns>> = LazyLock::new(|| {
    let d = DATE_PATTERN;
    let stop = r"(?:\s+on\s+|\s*\||\s+Written\b|\s+Updated\b|\s*$)";
    Some(TextPatterns {
        words: RegexSet::new([r"(?i)reviewed", r"(?i)updated|modified", r"(?i)published"]).ok()?,
        reviewed: Regex::new(&format!(r"(?i)reviewed(?:\s+by\s+[^|\n]{{1,100}}?)?(?:\s+on)?:?\s+{d}")).ok()?,
        updated: Regex::new(&format!(r"(?i)(?:last\s+)?(?:updated|modified)(?:\s+on)?:?\s+{d}")).ok()?,
        published: Regex::new(&format!(r"(?i)(?:first\s+)?published(?:\s+on)?:?\s+{d}")).ok()?,
        reviewer: Regex::new(&format!(r"(?i)(?:medically\s+)?reviewed by:?\s+([^|\n]{{2,100}}?){stop}")).ok()?,
        reviewer_after_date: Regex::new(&format!(r"(?i)reviewed(?:\s+on)?:?\s+{d}\s+by\s+([^|\n]{{2,100}}?)\.?$"))
            .ok()?,
        author: Regex::new(r"(?i)^(?:written\s+)?by:?\s+([^|]{2,80}?)(?:\.\s|\s+on\s|\s+Written\b|\s+Updated\b|\.?$)")
            .ok()?,
    })
});

/// Reads the page's metadata. `lines` is the page's visible text, one block per line.
pub fn read_meta(doc: &Html, lines: &[String]) -> PageMeta {
    let ld = LinkedData::read(doc);
    let ld_date = |key: &str| ld.article_str(key).and_then(|s| parse_date(&s));
    let tags = MetaTags::read(doc);
    let mut m = PageMeta {
        canonical: attr(doc, &SELECTORS.canonical, "href").or_else(|| tags.get("og:url")),
        description: tags
            .get("description")
            .or_else(|| tags.get("og:description"))
            .or_else(|| ld.article_str("description")),
        lang: attr(doc, &SELECTORS.html, "lang"),
        author: ld.article_name("author").or_else(|| first_text(doc, &RULES.authors)),
        reviewer: ld.article_name("reviewedBy").or_else(|| first_text(doc, &RULES.reviewers)),
        published: ld_date("datePublished").or_else(|| tags.get("article:published_time").and_then(|s| parse_date(&s))),
        modified: ld_date("dateModified").or_else(|| tags.get("article:modified_time").and_then(|s| parse_date(&s))),
        reviewed: ld_date("lastReviewed"),
        categories: stated_categories(doc, &ld),
        site_name: super::site_name::from_metadata(&tags, &ld),
        document_title: first_element_text(doc, &SELECTORS.title),
        audience: super::audience::declared(&ld),
        title: None,
    };
    m.title = super::title::page_title(doc, &tags, ld.article_str("headline"), ld.article_str("name"));
    from_visible_text(&mut m, lines);
    m.author = m.author.map(|a| strip_person_prefix(&a));
    m.reviewer = m.reviewer.map(|a| strip_person_prefix(&a));
    m
}

/// The categories a page states, in order of trust: a JSON-LD breadcrumb list (the article's
/// own or a standalone one), the visible breadcrumbs, JSON-LD `articleSection`, then `about`.
/// The first that names anything wins; pages that state none get theirs from
/// [`super::categories`].
fn stated_categories(doc: &Html, ld: &LinkedData) -> Vec<String> {
    let nested = ld.articles().filter_map(|v| v.get("breadcrumb")).find_map(|b| crumb_names(ld.resolve(b)?));
    let standalone = || ld.of_type("BreadcrumbList").find_map(crumb_names);
    let listed = |key: &str| ld.articles().flat_map(|v| v.get(key).map(names_of).unwrap_or_default()).collect();
    let non_empty = |v: Vec<String>| (!v.is_empty()).then_some(v);
    nested
        .or_else(standalone)
        .or_else(|| non_empty(html_breadcrumbs(doc)))
        .or_else(|| non_empty(listed("articleSection")))
        .or_else(|| non_empty(listed("about")))
        .unwrap_or_default()
}

/// The patterns of [`TextPatterns::words`], in order.
#[derive(Clone, Copy)]
enum Word {
    Reviewed,
    Updated,
    Published,
}

/// Fills what structured data left empty from lines such as "Medically reviewed by X on March 3, 2024".
fn from_visible_text(m: &mut PageMeta, lines: &[String]) {
    let Some(p) = TEXT.as_ref() else { return };
    let found: Vec<SetMatches> = lines.iter().map(|l| p.words.matches(l)).collect();
    let with = |word: Word| lines.iter().zip(&found).filter(move |(_, f)| f.matched(word as usize)).map(|(l, _)| l);
    let find_date = |re: &Regex, word| with(word).find_map(|l| re.captures(l).and_then(|c| parse_date(&c[1])));
    if m.reviewed.is_none() {
        m.reviewed = find_date(&p.reviewed, Word::Reviewed);
    }
    if m.modified.is_none() {
        m.modified = find_date(&p.updated, Word::Updated);
    }
    if m.published.is_none() {
        m.published = find_date(&p.published, Word::Published);
    }
    if m.reviewer.is_none() {
        m.reviewer =
            with(Word::Reviewed).find_map(|l| p.reviewer.captures(l).map(|c| normalize(&c[1]))).or_else(|| {
                with(Word::Reviewed).find_map(|l| {
                    l.split(". ").find_map(|seg| p.reviewer_after_date.captures(seg.trim()).map(|c| normalize(&c[2])))
                })
            });
    }
    if m.author.is_none() {
        m.author = lines
            .iter()
            .flat_map(|l| l.split('|'))
            .find_map(|seg| p.author.captures(seg.trim()).map(|c| normalize(&c[1])));
    }
}

fn strip_person_prefix(s: &str) -> String {
    let lower = s.to_lowercase();
    for prefix in ["medically reviewed by", "reviewed by", "written by", "by"] {
        if lower.starts_with(prefix) {
            return s[prefix.len()..].trim_start_matches(':').trim().to_string();
        }
    }
    s.trim().to_string()
}

/// "Back pain | Site name" gives "Back pain" when the suffix is short and the title is not.
pub fn strip_site_suffix(title: &str) -> String {
    match super::site_name::split_title(title) {
        Some((head, _)) if head.split_whitespace().count() >= 2 => head.to_string(),
        _ => title.trim().to_string(),
    }
}

/// The names of a breadcrumb list's items, without "Home".
fn crumb_names(list: &Value) -> Option<Vec<String>> {
    let items = list.get("itemListElement")?.as_array()?;
    let names: Vec<String> = items
        .iter()
        .filter_map(|i| i.get("name").or_else(|| i.get("item").and_then(|x| x.get("name"))))
        .filter_map(string_of)
        .filter(|n| !n.eq_ignore_ascii_case("home"))
        .collect();
    (!names.is_empty()).then_some(names)
}

fn html_breadcrumbs(doc: &Html) -> Vec<String> {
    for sel in &RULES.breadcrumbs {
        let names: Vec<String> = doc
            .select(sel)
            .map(|e| normalize(&e.text().collect::<String>()))
            .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case("home") && n != ">")
            .collect();
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

/// A page's `<meta>` elements in document order, found in one pass over the page.
pub struct MetaTags<'a>(Vec<ElementRef<'a>>);

impl<'a> MetaTags<'a> {
    pub fn read(doc: &'a Html) -> MetaTags<'a> {
        MetaTags(doc.select(&SELECTORS.meta).collect())
    }

    /// The content of the first `<meta name=…>` or `<meta property=…>` naming `name` (exactly,
    /// as a CSS attribute selector compares) that has one.
    pub fn get(&self, name: &str) -> Option<String> {
        let names = |e: &ElementRef| e.value().attr("name") == Some(name) || e.value().attr("property") == Some(name);
        self.content(names)
    }

    /// The content of the first `<meta>` whose `name` or `property` lists `name` among its words,
    /// ASCII case ignored: how title tags are written in the wild.
    pub fn listing(&self, name: &str) -> Option<String> {
        let lists = |e: &ElementRef| {
            let keys = e.value().attr("name").into_iter().chain(e.value().attr("property"));
            keys.flat_map(str::split_whitespace).any(|k| k.eq_ignore_ascii_case(name))
        };
        self.content(lists)
    }

    /// The normalized, non-empty content of the first tag `named` accepts that has one.
    fn content(&self, named: impl Fn(&ElementRef) -> bool) -> Option<String> {
        self.0
            .iter()
            .filter(|e| named(e))
            .find_map(|e| e.value().attr("content"))
            .map(normalize)
            .filter(|t| !t.is_empty())
    }
}

/// The selectors [`read_meta`] uses on every page, parsed once.
struct Selectors {
    meta: Selector,
    canonical: Selector,
    html: Selector,
    title: Selector,
}

static SELECTORS: LazyLock<Selectors> = LazyLock::new(|| Selectors {
    meta: any_of(&["meta"]),
    canonical: any_of(&["link[rel=canonical]"]),
    html: any_of(&["html"]),
    title: any_of(&["title"]),
});

/// The text of the first element matching `sel`, normalized.
fn first_element_text(doc: &Html, sel: &Selector) -> Option<String> {
    doc.select(sel).map(text_of).find(|t| !t.is_empty())
}

fn attr(doc: &Html, sel: &Selector, attr: &str) -> Option<String> {
    doc.select(sel).find_map(|e| e.value().attr(attr)).map(normalize).filter(|s| !s.is_empty())
}

fn first_text(doc: &Html, sels: &[Selector]) -> Option<String> {
    sels.iter().find_map(|s| doc.select(s).map(text_of).find(|t| !t.is_empty()))
}

fn text_of(e: ElementRef) -> String {
    normalize(&e.text().collect::<String>())
}
