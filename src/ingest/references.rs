//! Finding a page's reference list and reading its entries into citations.

use super::citation::parse_citation;
use super::rules::{REFERENCE_HEADING_WORDS, RULES, compile, is_reference_heading};
use super::walk::{PlainText, Walk, element_text};
use crate::article::Citation;
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};
use std::collections::HashSet;
use url::Url;

/// A page's reference lists, and the headings that introduce them (both left out of the body).
pub struct ReferenceLists<'a> {
    pub containers: Vec<ElementRef<'a>>,
    pub headings: Vec<NodeId>,
}

impl ReferenceLists<'_> {
    /// Every node the body walk should skip.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.containers.iter().map(|c| c.id()).chain(self.headings.iter().copied())
    }
}

/// Elements that can carry a reference-list heading: real headings, or a bold line.
const HEADING_LIKE: &str = "h2, h3, h4, h5, p, b, strong, dt";

/// Reference lists: by class or role (or the site's selector), else the list that follows a
/// "References" heading, including headings written as a bold paragraph.
pub fn reference_lists<'a>(doc: &'a Html, skip: &HashSet<NodeId>, site: Option<&Selector>) -> ReferenceLists<'a> {
    let mut found: Vec<ElementRef> = Vec::new();
    for sel in site.into_iter().chain(&RULES.references) {
        for el in doc.select(sel) {
            let nested = el.ancestors().any(|a| found.iter().any(|f| f.id() == a.id()));
            if !nested && !found.iter().any(|f| f.id() == el.id()) && !skip.contains(&el.id()) {
                found.push(el);
            }
        }
    }
    let mut headings = Vec::new();
    if found.is_empty()
        && let Ok(sel) = Selector::parse(HEADING_LIKE)
    {
        for h in doc.select(&sel).filter(|h| !skip.contains(&h.id())) {
            if !is_heading(h, skip) {
                continue;
            }
            if let Some(list) = list_after(h) {
                if !found.iter().any(|f| f.id() == list.id()) {
                    found.push(list);
                }
                headings.push(h.id());
            }
        }
    }
    ReferenceLists { containers: found, headings }
}

/// Whether an element's text is a reference-list heading. Most candidates are paragraphs, known
/// to be too long for one before their text is cleaned.
fn is_heading(el: ElementRef<'_>, skip: &HashSet<NodeId>) -> bool {
    let mut text = PlainText::default();
    Walk { skip, drop_block: None }.run(*el, &mut text);
    !text.surely_has_words(*REFERENCE_HEADING_WORDS + 1) && is_reference_heading(&text.finish())
}

/// The list or block after a heading; for a bold run inside a paragraph, after the paragraph.
fn list_after(h: ElementRef<'_>) -> Option<ElementRef<'_>> {
    next_list(h).or_else(|| {
        let parent = h.parent().and_then(ElementRef::wrap)?;
        let only_child = parent.children().filter_map(ElementRef::wrap).count() == 1;
        if only_child && matches!(parent.value().name(), "p" | "div") { next_list(parent) } else { None }
    })
}

fn next_list(e: ElementRef<'_>) -> Option<ElementRef<'_>> {
    e.next_siblings()
        .filter_map(ElementRef::wrap)
        .next()
        .filter(|n| matches!(n.value().name(), "ol" | "ul" | "div" | "dl"))
}

/// The entries of one reference container: its list items, or its child blocks.
pub fn citations_in(container: ElementRef<'_>, skip: &HashSet<NodeId>, base: &Url) -> Vec<Citation> {
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
