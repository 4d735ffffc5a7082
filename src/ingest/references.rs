//! Finding a page's reference list and reading its entries into citations.

use super::citation::parse_citation;
use super::rules::{RULES, compile, is_reference_heading};
use super::walk::element_text;
use crate::article::Citation;
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};
use std::collections::HashSet;
use url::Url;

/// Reference-list containers: by class or role, else the block after a "References" heading.
pub fn reference_containers<'a>(doc: &'a Html, skip: &HashSet<NodeId>, site: Option<&Selector>) -> Vec<ElementRef<'a>> {
    let mut found: Vec<ElementRef> = Vec::new();
    for sel in site.into_iter().chain(&RULES.references) {
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
