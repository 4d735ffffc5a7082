//! One HTML page to one [`Article`]: metadata, body sections without furniture, and references.

use super::citation::parse_citation;
use super::meta::{PageMeta, read_meta};
use super::rules::{RULES, compile, is_reference_heading};
use super::walk::{Lines, Sink, Walk, element_text};
use crate::article::{Article, Citation, Section, id_for_url};
use crate::text::{normalize, slugify, strip_artifacts};
use ego_tree::NodeId;
use scraper::{ElementRef, Html};
use std::collections::HashSet;
use url::Url;

/// Pages larger than this are refused.
pub const MAX_PAGE_BYTES: usize = 5 * 1024 * 1024;
/// A page with fewer body words than this is not an article (an index page, an empty shell).
pub const MIN_ARTICLE_WORDS: usize = 120;
/// Summaries taken from the body are cut at a sentence end near this many characters.
const SUMMARY_CHARS: usize = 300;

/// Why a page was not turned into an article.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExtractError {
    #[error("page is {0} bytes, over the {MAX_PAGE_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("not an article: {0}")]
    NotAnArticle(String),
    #[error("invalid page URL {0:?}")]
    BadUrl(String),
}

/// Extracts an article from `html`, fetched from (or mirrored for) `page_url`.
pub fn extract(html: &str, page_url: &str) -> Result<Article, ExtractError> {
    if html.len() > MAX_PAGE_BYTES {
        return Err(ExtractError::TooLarge(html.len()));
    }
    let base = Url::parse(page_url).map_err(|_| ExtractError::BadUrl(page_url.to_string()))?;
    let doc = Html::parse_document(html);
    let meta = read_meta(&doc, &visible_lines(&doc));

    let mut skip = drop_set(&doc);
    let refs = reference_containers(&doc, &skip);
    let citations = refs.iter().flat_map(|r| citations_in(*r, &skip, &base)).collect();
    skip.extend(refs.iter().map(|r| r.id()));

    let root = content_root(&doc);
    let mut sections = SectionSink::default();
    Walk { skip: &skip, drop_boilerplate: true }.run(*root, &mut sections);
    let sections = sections.finish();

    assemble(meta, sections, citations, &base)
}

/// Puts the parts together and decides whether the page is an article at all.
fn assemble(
    meta: PageMeta,
    sections: Vec<Section>,
    citations: Vec<Citation>,
    base: &Url,
) -> Result<Article, ExtractError> {
    let url = canonical_url(meta.canonical.as_deref(), base);
    let title = meta.title.clone().unwrap_or_default();
    if title.is_empty() {
        return Err(ExtractError::NotAnArticle("no title".into()));
    }
    let mut article = Article {
        id: id_for_url(&url),
        site: Url::parse(&url).ok().and_then(|u| u.host_str().map(String::from)).unwrap_or_default(),
        url,
        title,
        summary: meta.description.clone().unwrap_or_default(),
        sections,
        published: meta.published,
        reviewed: meta.reviewed.or(meta.modified),
        categories: meta.categories,
        author: meta.author,
        reviewer: meta.reviewer,
        lang: meta.lang,
        alt_names: Vec::new(),
        citations,
    };
    let words = article.word_count();
    if words < MIN_ARTICLE_WORDS {
        return Err(ExtractError::NotAnArticle(format!("only {words} words of body text")));
    }
    if article.summary.is_empty() {
        article.summary = first_sentences(&article.body(), SUMMARY_CHARS);
    }
    Ok(article)
}

/// The page's visible text, a block per line, for metadata found in bylines and footers.
fn visible_lines(doc: &Html) -> Vec<String> {
    let mut skip = HashSet::new();
    for sel in compile(&["script", "style", "noscript", "template", "head"]) {
        skip.extend(doc.select(&sel).map(|e| e.id()));
    }
    let mut lines = Lines::default();
    Walk { skip: &skip, drop_boilerplate: false }.run(*doc.root_element(), &mut lines);
    lines.finish()
}

/// Node ids of every element matched by a drop selector.
fn drop_set(doc: &Html) -> HashSet<NodeId> {
    RULES.drop.iter().flat_map(|s| doc.select(s).map(|e| e.id())).collect()
}

/// The first element matched by a content selector that is not itself dropped.
fn content_root(doc: &Html) -> ElementRef<'_> {
    RULES.content.iter().find_map(|s| doc.select(s).next()).unwrap_or_else(|| doc.root_element())
}

/// Reference-list containers: by class or role, else the block after a "References" heading.
fn reference_containers<'a>(doc: &'a Html, skip: &HashSet<NodeId>) -> Vec<ElementRef<'a>> {
    let mut found: Vec<ElementRef> = Vec::new();
    for sel in &RULES.references {
        for el in doc.select(sel) {
            let nested = el.ancestors().any(|a| found.iter().any(|f| f.id() == a.id()));
            if !nested && !found.iter().any(|f| f.id() == el.id()) && !skip.contains(&el.id()) {
                found.push(el);
            }
        }
    }
    if found.is_empty() {
        for sel in compile(&["h2", "h3", "h4"]) {
            for h in doc.select(&sel) {
                if is_reference_heading(&element_text(h, skip)) {
                    let list = h
                        .next_siblings()
                        .filter_map(ElementRef::wrap)
                        .find(|e| matches!(e.value().name(), "ol" | "ul" | "div"));
                    found.extend(list);
                }
            }
        }
    }
    found
}

/// The entries of one reference container: its list items, or its child blocks.
fn citations_in(container: ElementRef<'_>, skip: &HashSet<NodeId>, base: &Url) -> Vec<Citation> {
    let top_level_li = |e: &ElementRef| {
        e.value().name() == "li"
            && !e
                .ancestors()
                .take_while(|a| a.id() != container.id())
                .filter_map(ElementRef::wrap)
                .any(|a| a.value().name() == "li")
    };
    let items: Vec<ElementRef> = container.descendants().filter_map(ElementRef::wrap).filter(top_level_li).collect();
    let items = if items.is_empty() {
        container.children().filter_map(ElementRef::wrap).filter(|e| matches!(e.value().name(), "div" | "p")).collect()
    } else {
        items
    };
    let a = compile(&["a[href]"]);
    items
        .into_iter()
        .filter_map(|item| {
            let text = element_text(item, skip);
            if text.chars().count() < 15 || is_reference_heading(&text) {
                return None;
            }
            let links: Vec<String> = a
                .iter()
                .flat_map(|s| item.select(s))
                .filter_map(|l| l.value().attr("href"))
                .filter_map(|h| base.join(h.trim()).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .map(String::from)
                .collect();
            Some(parse_citation(&text, &links))
        })
        .collect()
}

/// Tracking parameters removed from canonical URLs.
const TRACKING_PARAMS: &[&str] = &["fbclid", "gclid", "mc_cid", "mc_eid", "ref", "_ga"];

/// Resolves the canonical link against the page URL, dropping the fragment and tracking parameters.
pub fn canonical_url(canonical: Option<&str>, base: &Url) -> String {
    let mut url = canonical
        .and_then(|c| base.join(c).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| base.clone());
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.to_string()
}

/// The first sentences of `text` up to about `max` characters.
fn first_sentences(text: &str, max: usize) -> String {
    let first = text.lines().next().unwrap_or("");
    if first.chars().count() <= max {
        return first.to_string();
    }
    let mut out = String::new();
    for sentence in first.split_inclusive(". ") {
        if !out.is_empty() && out.chars().count() + sentence.chars().count() > max {
            break;
        }
        out.push_str(sentence);
    }
    out.trim().to_string()
}

/// Builds sections from a walk: each `h2`/`h3` opens one; a reference heading closes the body.
#[derive(Default)]
struct SectionSink {
    done: Vec<Section>,
    current: Section,
    lines: Lines,
    anchors: HashSet<String>,
    in_references: bool,
}

impl SectionSink {
    fn close(&mut self) {
        let mut s = std::mem::take(&mut self.current);
        s.text = std::mem::take(&mut self.lines).finish().join("\n");
        if !self.in_references && (!s.heading.is_empty() || !s.text.is_empty()) {
            self.done.push(s);
        }
    }

    fn finish(mut self) -> Vec<Section> {
        self.close();
        self.done
    }

    fn unique_anchor(&mut self, el: ElementRef<'_>, heading: &str) -> String {
        let own = el.value().attr("id").map(str::to_string);
        let from_parent = || {
            let parent = el.parent().and_then(ElementRef::wrap)?;
            let first = parent.children().filter_map(ElementRef::wrap).next()?;
            (first.id() == el.id()).then(|| parent.value().attr("id").map(str::to_string)).flatten()
        };
        let base = own
            .or_else(from_parent)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| slugify(heading));
        let mut anchor = base.clone();
        let mut n = 2;
        while !self.anchors.insert(anchor.clone()) {
            anchor = format!("{base}-{n}");
            n += 1;
        }
        anchor
    }
}

impl Sink for SectionSink {
    fn text(&mut self, text: &str) {
        self.lines.text(text);
    }

    fn line_break(&mut self) {
        self.lines.line_break();
    }

    fn heading(&mut self, el: ElementRef<'_>, level: u8) -> bool {
        let heading = strip_artifacts(&normalize(&el.text().collect::<String>()));
        self.close();
        self.in_references = is_reference_heading(&heading);
        let anchor = self.unique_anchor(el, &heading);
        self.current = Section { heading, anchor, level, text: String::new() };
        true
    }
}
