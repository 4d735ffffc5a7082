//! The article title: structured data first, then title meta tags, then the document `<title>`
//! with the site name cut off by the heuristics Readability-style extractors use.

use super::meta::MetaTags;
use crate::text::normalize;
use scraper::{Html, Selector};

/// Title meta tags in order of trust (Dublin Core before Open Graph before Twitter).
const TITLE_META: &[&str] =
    &["dc:title", "dcterm:title", "og:title", "weibo:article:title", "weibo:webpage:title", "title", "twitter:title"];

/// Separators between a page title and the site name.
const SEPARATORS: &[char] = &['|', '-', '–', '—', '\\', '/', '>', '»'];
/// Separators that mark a path ("Site > Section > Page") rather than a site suffix.
const HIERARCHICAL: &[char] = &['\\', '/', '>', '»'];

/// The page's title. `headline` and `name` come from the page's JSON-LD, if it has them.
pub fn page_title(doc: &Html, tags: &MetaTags, headline: Option<String>, name: Option<String>) -> Option<String> {
    let ld = match (headline, name) {
        (Some(h), Some(n)) if h != n => {
            // Pages put a tagline in one of them; the one closer to the document title is the title.
            let doc_title = texts(doc, "title").into_iter().next().unwrap_or_default();
            Some(if similarity(&n, &doc_title) > similarity(&h, &doc_title) { n } else { h })
        }
        (h, n) => h.or(n),
    };
    ld.or_else(|| TITLE_META.iter().find_map(|name| tags.listing(name))).or_else(|| document_title(doc))
}

/// Share of `a`'s words that occur in `b` (case-insensitive).
fn similarity(a: &str, b: &str) -> f64 {
    let b: Vec<String> = b.split_whitespace().map(str::to_lowercase).collect();
    let a: Vec<String> = a.split_whitespace().map(str::to_lowercase).collect();
    if a.is_empty() {
        return 0.0;
    }
    a.iter().filter(|w| b.contains(w)).count() as f64 / a.len() as f64
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    Selector::parse(css)
        .map(|s| doc.select(&s).map(|e| normalize(&e.text().collect::<String>())).collect())
        .unwrap_or_default()
}

/// Whether the page has an `h1` reading `text`.
fn is_h1(doc: &Html, text: &str) -> bool {
    let text = normalize(text);
    texts(doc, "h1").iter().any(|h| h.eq_ignore_ascii_case(&text))
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Byte offset of the first and last " X " separator in `t`.
fn separator_spans(t: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    let mut spans = Vec::new();
    for w in chars.windows(3) {
        if w[0].1 == ' ' && w[2].1 == ' ' && SEPARATORS.contains(&w[1].1) {
            spans.push((w[0].0, w[2].0 + 1));
        }
    }
    spans
}

/// The `<title>` with the site name removed where that is likely.
fn document_title(doc: &Html) -> Option<String> {
    let orig = texts(doc, "title").into_iter().next().filter(|t| !t.is_empty())?;
    let spans = separator_spans(&orig);
    let mut hierarchical = false;
    let mut cur = orig.clone();
    if let (Some(first), Some(last)) = (spans.first(), spans.last()) {
        hierarchical = spans.iter().any(|(s, _)| orig[*s..].chars().nth(1).is_some_and(|c| HIERARCHICAL.contains(&c)));
        cur = orig[..last.0].to_string();
        if words(&cur) < 3 && !is_h1(doc, &cur) {
            cur = orig[first.1..].to_string();
        }
    } else if orig.contains(": ") {
        let headings = texts(doc, "h1, h2");
        if !headings.iter().any(|h| h == &orig) {
            let after_last = orig.rsplit(':').next().unwrap_or("").trim().to_string();
            cur = after_last;
            if words(&cur) < 3 {
                cur = orig.split_once(':').map(|(_, b)| b.trim().to_string()).unwrap_or_default();
            } else if orig.split(':').next().map(words).unwrap_or(0) > 5 {
                cur = orig.clone();
            }
        }
    } else if orig.chars().count() > 150 || orig.chars().count() < 15 {
        let h1s = texts(doc, "h1");
        if h1s.len() == 1 {
            cur = h1s[0].clone();
        }
    }
    let cur = normalize(&cur);
    let n = words(&cur);
    let orig_words_without_separators = words(&orig.replace(SEPARATORS, " "));
    // A short remainder is usually an over-eager cut, unless the page's own heading says the same.
    let is_heading = !spans.is_empty() && is_h1(doc, &cur);
    if n <= 4 && !is_heading && (!hierarchical || n + 1 != orig_words_without_separators) {
        return Some(orig);
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title_of(html: &str) -> Option<String> {
        let doc = Html::parse_document(html);
        page_title(&doc, &MetaTags::read(&doc), None, None)
    }

    #[test]
    fn cuts_the_site_suffix() {
        assert_eq!(
            title_of("<title>Colic: when your baby cries and cries - Little Sprouts</title>").as_deref(),
            Some("Colic: when your baby cries and cries")
        );
        assert_eq!(
            title_of("<title>Obama admits US gun laws are his 'biggest frustration' - BBC News</title>").as_deref(),
            Some("Obama admits US gun laws are his 'biggest frustration'")
        );
    }

    #[test]
    fn keeps_short_titles_whole_unless_the_heading_agrees() {
        assert_eq!(title_of("<title>Home | Site</title>").as_deref(), Some("Home | Site"));
        let html = "<title>Croup in children - Little Sprouts</title><h1>Croup in children</h1>";
        assert_eq!(title_of(html).as_deref(), Some("Croup in children"));
    }

    #[test]
    fn prefers_dublin_core_then_open_graph() {
        let html = r#"<head><title>Doc</title><meta property="og:title" content="OG"><meta name="dc:title" content="DC"></head>"#;
        assert_eq!(title_of(html).as_deref(), Some("DC"));
    }
}
