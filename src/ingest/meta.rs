//! Page metadata: title, canonical URL, description, language, people, dates and breadcrumbs,
//! read from schema.org JSON-LD, meta tags and visible text, in that order of trust.

use super::dates::{DATE_PATTERN, parse_date};
use super::rules::RULES;
use crate::text::normalize;
use chrono::NaiveDate;
use regex::Regex;
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
    pub categories: Vec<String>,
}

/// JSON-LD `@type`s that describe an article page.
const ARTICLE_TYPES: &[&str] = &[
    "MedicalWebPage",
    "Article",
    "NewsArticle",
    "BlogPosting",
    "WebPage",
    "MedicalScholarlyArticle",
    "HealthTopicContent",
];

struct TextPatterns {
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
    let ld = json_ld(doc);
    let ld_str = |key: &str| ld.iter().find_map(|v| v.get(key).and_then(string_of));
    let ld_name = |key: &str| ld.iter().find_map(|v| v.get(key).and_then(name_of));
    let ld_date = |key: &str| ld_str(key).and_then(|s| parse_date(&s));

    let mut m = PageMeta {
        canonical: attr(doc, "link[rel=canonical]", "href").or_else(|| meta(doc, "og:url")),
        description: meta(doc, "description").or_else(|| meta(doc, "og:description")).or_else(|| ld_str("description")),
        lang: attr(doc, "html", "lang"),
        author: ld_name("author").or_else(|| first_text(doc, &RULES.authors)),
        reviewer: ld_name("reviewedBy").or_else(|| first_text(doc, &RULES.reviewers)),
        published: ld_date("datePublished")
            .or_else(|| meta(doc, "article:published_time").and_then(|s| parse_date(&s))),
        modified: ld_date("dateModified").or_else(|| meta(doc, "article:modified_time").and_then(|s| parse_date(&s))),
        reviewed: ld_date("lastReviewed"),
        categories: ld.iter().find_map(ld_breadcrumbs).unwrap_or_else(|| html_breadcrumbs(doc)),
        title: None,
    };
    m.title = super::title::page_title(doc, ld_str("headline"), ld_str("name"));
    from_visible_text(&mut m, lines);
    m.author = m.author.map(|a| strip_person_prefix(&a));
    m.reviewer = m.reviewer.map(|a| strip_person_prefix(&a));
    m
}

/// Fills what structured data left empty from lines such as "Medically reviewed by X on March 3, 2024".
fn from_visible_text(m: &mut PageMeta, lines: &[String]) {
    let Some(p) = TEXT.as_ref() else { return };
    let find_date = |re: &Regex| lines.iter().find_map(|l| re.captures(l).and_then(|c| parse_date(&c[1])));
    let find_name = |re: &Regex| lines.iter().find_map(|l| re.captures(l).map(|c| normalize(&c[1])));
    if m.reviewed.is_none() {
        m.reviewed = find_date(&p.reviewed);
    }
    if m.modified.is_none() {
        m.modified = find_date(&p.updated);
    }
    if m.published.is_none() {
        m.published = find_date(&p.published);
    }
    if m.reviewer.is_none() {
        m.reviewer = find_name(&p.reviewer).or_else(|| {
            lines.iter().find_map(|l| {
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

/// "Back pain | Site name" gives "Back pain" when the suffix is short.
pub fn strip_site_suffix(title: &str) -> String {
    for sep in [" | ", " - ", " – ", " — ", " :: "] {
        if let Some(pos) = title.rfind(sep) {
            let (head, tail) = (&title[..pos], &title[pos + sep.len()..]);
            if tail.split_whitespace().count() <= 5 && head.split_whitespace().count() >= 2 {
                return head.trim().to_string();
            }
        }
    }
    title.trim().to_string()
}

/// Every JSON-LD object on the page whose type is an article type, `@graph`s flattened.
fn json_ld(doc: &Html) -> Vec<Value> {
    let Some(sel) = super::rules::sel(r#"script[type="application/ld+json"]"#) else {
        return vec![];
    };
    let mut out = Vec::new();
    for script in doc.select(&sel) {
        let text: String = script.text().collect();
        if let Ok(v) = serde_json::from_str::<Value>(strip_cdata(&text)) {
            flatten_ld(v, &mut out);
        }
    }
    out.retain(|v| types_of(v).iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())));
    out
}

/// Script bodies are sometimes wrapped in `<![CDATA[ ... ]]>` (optionally behind `//`).
fn strip_cdata(text: &str) -> &str {
    let t = text.trim();
    let t = t.strip_prefix("//").map_or(t, str::trim_start);
    match t.strip_prefix("<![CDATA[") {
        Some(inner) => {
            let inner = inner.trim_end();
            let inner = inner.strip_suffix("]]>").unwrap_or(inner).trim_end();
            inner.strip_suffix("//").unwrap_or(inner)
        }
        None => t,
    }
}

fn flatten_ld(v: Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(items) => items.into_iter().for_each(|i| flatten_ld(i, out)),
        Value::Object(mut map) => {
            if let Some(graph) = map.remove("@graph") {
                flatten_ld(graph, out);
            }
            out.push(Value::Object(map));
        }
        _ => {}
    }
}

fn types_of(v: &Value) -> Vec<String> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|t| t.as_str().map(String::from)).collect(),
        _ => vec![],
    }
}

fn string_of(v: &Value) -> Option<String> {
    v.as_str().map(normalize).filter(|s| !s.is_empty())
}

/// A person or organisation: a string, an object with `name`, or the first of a list.
fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(normalize(s)),
        Value::Object(_) => v.get("name").and_then(string_of),
        Value::Array(a) => a.iter().find_map(name_of),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

fn ld_breadcrumbs(v: &Value) -> Option<Vec<String>> {
    let items = v.get("breadcrumb")?.get("itemListElement")?.as_array()?;
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

fn meta(doc: &Html, name: &str) -> Option<String> {
    let css = format!(r#"meta[name="{name}"], meta[property="{name}"]"#);
    attr(doc, &css, "content")
}

fn attr(doc: &Html, css: &str, attr: &str) -> Option<String> {
    let sel = Selector::parse(css).ok()?;
    doc.select(&sel).find_map(|e| e.value().attr(attr)).map(normalize).filter(|s| !s.is_empty())
}

fn first_text(doc: &Html, sels: &[Selector]) -> Option<String> {
    sels.iter().find_map(|s| doc.select(s).map(text_of).find(|t| !t.is_empty()))
}

fn text_of(e: ElementRef) -> String {
    normalize(&e.text().collect::<String>())
}
