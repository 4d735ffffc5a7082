//! Page furniture: blocks that sit among an article's text but are not its content (bylines,
//! date lines, copyright notes, navigation labels and link lists, share and print buttons). The
//! phrase tables live in [`super::rules`]; this module decides with them, for the body walk and
//! for the summary alike.

use super::dates::strip_dates;
use super::rules::is_block;
use super::rules::{
    ACTION_VERBS, ACTION_WORDS, BOILERPLATE_CONTAINS, BOILERPLATE_MAX_WORDS, BOILERPLATE_PREFIXES, DATE_LABELS,
    LINK_LIST_MIN_LINKS, LINK_LIST_SHARE, NAVIGATION_LABELS,
};
use super::walk::{PlainText, Sink, Walk, element_text};
use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Node};
use std::collections::HashSet;

/// A furniture check reads at most this many nodes of a block before deciding it is content.
const NODE_BUDGET: usize = 400;
/// A byline ("By Jo Bloggs | Updated 3 May 2024") is at most this many words.
const BYLINE_MAX_WORDS: usize = 30;
/// A block this short with a copyright sign is a copyright line.
const COPYRIGHT_MAX_WORDS: usize = 6;
/// A date line ("Last updated: 3 May 2024") is at most this many words besides its date.
const DATE_LINE_MAX_WORDS: usize = 6;

/// Whether a block of the page (its own text, `skip` applied) is furniture: by its words, or
/// because it is mostly links. Blocks too large to read within the budget are content.
pub fn is_furniture_block(block: NodeRef<'_, Node>, skip: &HashSet<NodeId>) -> bool {
    is_furniture_run(&block.children().collect::<Vec<_>>(), skip)
}

/// Runs of inline content that sit beside blocks and are furniture: what is left of a menu cell
/// when a page's layout table is flattened ("More articles" and three links, between the title
/// and the first paragraph). Such a run has no block of its own for [`is_furniture_block`] to
/// judge. Returns every node of every such run under `root`.
pub fn furniture_runs(root: NodeRef<'_, Node>, skip: &HashSet<NodeId>) -> HashSet<NodeId> {
    let mut found = HashSet::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let children: Vec<_> = node.children().filter(|c| !skip.contains(&c.id())).collect();
        let blocks: Vec<bool> = children.iter().map(|c| is_block_node(*c)).collect();
        stack.extend(children.iter().zip(&blocks).filter(|(_, b)| **b).map(|(c, _)| *c));
        if !blocks.contains(&true) {
            continue;
        }
        for run in children.split(|c| is_block_node(*c)).filter(|run| !run.is_empty()) {
            if is_furniture_run(run, skip) {
                found.extend(run.iter().flat_map(|n| n.descendants()).map(|n| n.id()));
            }
        }
    }
    found
}

/// Whether a node starts a block of its own (a `<br>` only breaks a line inside one).
fn is_block_node(node: NodeRef<'_, Node>) -> bool {
    node.value().as_element().is_some_and(|e| e.name() != "br" && is_block(e.name()))
}

/// Whether consecutive sibling nodes, read together, are furniture.
fn is_furniture_run(run: &[NodeRef<'_, Node>], skip: &HashSet<NodeId>) -> bool {
    if run.iter().flat_map(|n| n.descendants()).nth(NODE_BUDGET).is_some() {
        return false;
    }
    let mut t = PlainText::default();
    let walk = Walk { skip, drop_block: None };
    for node in run.iter().filter(|n| !skip.contains(&n.id())) {
        match node.value() {
            Node::Text(text) => t.text(text),
            Node::Element(_) => {
                walk.run(*node, &mut t);
                t.line_break();
            }
            _ => {}
        }
    }
    // Most runs are paragraphs of content: known to be long, they need no cleaning.
    if t.surely_has_words(BOILERPLATE_MAX_WORDS) {
        return false;
    }
    let text = t.finish();
    let words = text.split_whitespace().count();
    words > 0 && words < BOILERPLATE_MAX_WORDS && (is_furniture_text(&text) || is_link_list(run, skip, words))
}

/// Whether a short text (a block, or a summary candidate) is furniture by its words alone.
pub fn is_furniture_text(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().map(bare).filter(|w| !w.is_empty()).collect();
    if words.is_empty() || words.len() >= BOILERPLATE_MAX_WORDS {
        return false;
    }
    BOILERPLATE_PREFIXES.iter().any(|p| lower.starts_with(p))
        || BOILERPLATE_CONTAINS.iter().any(|p| lower.contains(p))
        || NAVIGATION_LABELS.contains(&words.join(" ").as_str())
        || is_copyright(&lower)
        || is_byline(&lower, text, words.len())
        || is_date_line(text)
        || is_action_list(&words)
}

/// A word without the punctuation around it.
fn bare(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

/// "Little Sprouts © 2023", "© Harbor Health": a copyright sign with a year, or in a block of a
/// few words. A photo credit opening a paragraph ("© Provided by Business Insider. Nintendo
/// and ...") is neither.
fn is_copyright(lower: &str) -> bool {
    let short = lower.split_whitespace().count() <= COPYRIGHT_MAX_WORDS;
    lower.match_indices('©').any(|(at, sign)| {
        let after = lower[at + sign.len()..].trim_start();
        short || (after.len() >= 4 && after.as_bytes()[..4].iter().all(u8::is_ascii_digit))
    })
}

/// "By Jo Bloggs | Updated 3 May 2024": "by", a name, and a date or a review note. A sentence
/// that merely starts with "By" ("By 12 weeks, ...") has neither.
fn is_byline(lower: &str, text: &str, words: usize) -> bool {
    let Some(rest) = lower.strip_prefix("by ") else { return false };
    words <= BYLINE_MAX_WORDS
        && (rest.contains('|') || rest.contains("reviewed") || rest.contains("updated") || strip_dates(text).is_some())
}

/// A date, alone or with its label: "3 May 2024", "Last updated: 3 May 2024".
fn is_date_line(text: &str) -> bool {
    let Some(rest) = strip_dates(text) else { return false };
    let rest = rest.to_lowercase();
    let labels: Vec<&str> = rest.split_whitespace().map(bare).filter(|w| !w.is_empty()).collect();
    labels.len() <= DATE_LINE_MAX_WORDS && labels.iter().all(|w| DATE_LABELS.contains(w))
}

/// "Share Print Email", "Save this article": button labels only.
fn is_action_list(words: &[&str]) -> bool {
    words.iter().all(|w| ACTION_WORDS.contains(w)) && words.iter().any(|w| ACTION_VERBS.contains(w))
}

/// Whether most of the `words` of a run of nodes are link text, over several links: a menu, a
/// "more articles" box, a list of related pages.
fn is_link_list(run: &[NodeRef<'_, Node>], skip: &HashSet<NodeId>, words: usize) -> bool {
    let (mut links, mut link_words) = (0, 0);
    let mut stack: Vec<NodeRef<'_, Node>> = run.iter().filter(|n| !skip.contains(&n.id())).copied().collect();
    while let Some(node) = stack.pop() {
        match ElementRef::wrap(node) {
            Some(a) if a.value().name() == "a" => {
                let n = element_text(a, skip).split_whitespace().count();
                links += usize::from(n > 0);
                link_words += n;
            }
            Some(_) => stack.extend(node.children().filter(|c| !skip.contains(&c.id()))),
            None => {}
        }
    }
    links >= LINK_LIST_MIN_LINKS && link_words as f32 >= LINK_LIST_SHARE * words as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn bylines_dates_and_buttons_are_furniture() {
        for text in [
            "Written by Niamh Ó Ceallaigh-Brandt. Last reviewed 18 March 2025 by Dr Tobias Lindqvist-Amadi, MD.",
            "By Jo Bloggs | Updated 3 May 2024",
            "By Jo Bloggs, 3 May 2024",
            "Medically reviewed by Dr A. Patel",
            "Last updated: 3 May 2024",
            "3 May 2024",
            "Published 2024-05-03",
            "Next review due: May 2026",
            "Share Print Email",
            "Share on Facebook",
            "More articles",
            "Related articles",
            "Home",
            "Back to top",
            "Little Sprouts © 2023 | About | Privacy policy | First published 11 February 2020",
            "Harbor Health © 2019–2024",
            "© Harbor Health",
            "Was this article helpful? Yes No",
            "Read our editorial policy to learn how we cite sources.",
        ] {
            assert!(is_furniture_text(text), "{text:?} should be furniture");
        }
    }

    #[test]
    fn sentences_are_not_furniture() {
        for text in [
            "Back pain is common after birth.",
            "By 12 weeks, most sickness starts to ease.",
            "Share your worries with your midwife.",
            "Print out your birth plan and take it with you.",
            "Published research on magnesium is mixed.",
            "Home remedies such as warm baths can help.",
            "Since March 2024, the vaccine is offered to everyone over 75.",
            "© Provided by Business Insider. Nintendo and Apple shocked the world this year.",
            "",
        ] {
            assert!(!is_furniture_text(text), "{text:?} is content");
        }
    }

    fn first_block(html: &str, css: &str) -> bool {
        let doc = Html::parse_fragment(html);
        let Ok(sel) = scraper::Selector::parse(css) else { return false };
        doc.select(&sel).next().is_some_and(|e| is_furniture_block(*e, &HashSet::new()))
    }

    #[test]
    fn a_flattened_menu_beside_paragraphs_is_furniture() {
        let html = r#"<div><b>More reading</b><br><a href="/a">Bleeding gums in pregnancy</a><br>
            <a href="/b">Braxton Hicks contractions</a><p>Piles are common in pregnancy.</p>
            See <a href="/c">our guide</a> for more.<p>Last paragraph.</p></div>"#;
        let doc = Html::parse_fragment(html);
        let runs = furniture_runs(*doc.root_element(), &HashSet::new());
        let text_of = |needle: &str| {
            doc.tree.nodes().find(|n| n.value().as_text().is_some_and(|t| t.contains(needle))).map(|n| n.id())
        };
        let dropped = |needle: &str| text_of(needle).is_some_and(|id| runs.contains(&id));
        assert!(dropped("More reading") && dropped("Bleeding gums") && dropped("Braxton"));
        assert!(!dropped("Piles are") && !dropped("our guide") && !dropped("for more") && !dropped("Last"));
    }

    #[test]
    fn link_lists_are_furniture_and_prose_with_links_is_not() {
        let nav = r#"<td class="nav"><b>Popular</b><br><a href="/a">Bleeding gums in pregnancy</a><br>
            <a href="/b">Braxton Hicks contractions</a><br><a href="/">Home page</a></td>"#;
        assert!(first_block(&format!("<table><tr>{nav}</tr></table>"), "td"));
        let prose = r#"<p>Your midwife can refer you to a physiotherapist; the <a href="/x">NHS guide</a>
            and the <a href="/y">RCOG leaflet</a> explain the exercises they may suggest.</p>"#;
        assert!(!first_block(prose, "p"));
        let one_link = r#"<p><a href="/x">Read the full guide to pelvic girdle pain</a></p>"#;
        assert!(!first_block(one_link, "p"));
    }
}
