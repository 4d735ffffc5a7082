//! The extraction tables: what to drop, where content lives, what a reference list looks like.
//!
//! Extraction is driven by these lists rather than by code paths per site; adding a site usually
//! means adding a selector here.

use scraper::Selector;
use std::sync::LazyLock;

/// Elements that are never article text: chrome, widgets, hidden text.
pub const DROP_SELECTORS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "nav",
    "header",
    "footer",
    "aside",
    "h1",
    "[hidden]",
    "[aria-hidden=true]",
    "[role=navigation]",
    "[role=banner]",
    "[role=contentinfo]",
    "[role=complementary]",
    "[role=dialog]",
    "[role=search]",
    ".sr-only",
    ".visually-hidden",
    ".screen-reader-text",
    ".skip-link",
    ".breadcrumb",
    ".breadcrumbs",
    ".crumbs",
    ".toc",
    ".table-of-contents",
    ".share",
    ".share-bar",
    ".social-share",
    ".newsletter",
    ".newsletter-signup",
    ".cookie-banner",
    ".cookie-notice",
    ".ad",
    ".ad-slot",
    ".advert",
    ".related",
    ".related-articles",
    ".more-like-this",
    ".comments",
    ".sidebar",
    ".helpful-widget",
    ".feedback",
    ".editorial-policy",
    ".post-meta",
    ".article-meta",
    ".byline",
    ".article-summary",
    "sup.reference",
    ".footnote-ref",
    "[role=doc-noteref]",
    "[role=doc-backlink]",
    ".footnote-back",
    "sup > a[href^='#']",
];

/// Removed before the general method scores a page, besides [`DROP_SELECTORS`] and
/// [`REFERENCE_SELECTORS`]: text and widgets that Readability-style scoring would weigh as content.
pub const PRE_READABILITY_DROP: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "[hidden]",
    "[aria-hidden=true]",
    ".sr-only",
    ".visually-hidden",
    ".screen-reader-text",
    ".helpful-widget",
    ".feedback",
    ".editorial-policy",
    ".cookie-banner",
    ".newsletter",
    ".newsletter-signup",
    ".share-bar",
    ".toc",
    ".table-of-contents",
];

/// Candidate containers of the article body, best first; the first that matches wins.
pub const CONTENT_SELECTORS: &[&str] = &[
    "[itemprop=articleBody]",
    ".article-body",
    ".post-body",
    ".entry-content",
    ".article-content",
    "article",
    "main",
    "[role=main]",
    "#content",
    ".content",
    "body",
];

/// Containers that hold a reference list.
pub const REFERENCE_SELECTORS: &[&str] = &[
    "[role=doc-bibliography]",
    "[role=doc-endnotes]",
    ".footnotes",
    ".references",
    "#references",
    ".reference-list",
    ".article-sources",
    ".sources",
    ".citations",
    ".bibliography",
    ".refs",
];

/// Headings that introduce a reference list (compared lower-case, without a trailing colon).
pub const REFERENCE_HEADINGS: &[&str] = &[
    "references",
    "sources",
    "citations",
    "bibliography",
    "works cited",
    "sources and references",
    "references and sources",
    "reference list",
    "notes and references",
];

/// A short block (under [`BOILERPLATE_MAX_WORDS`] words) whose text starts with one of these is
/// page furniture; a longer one is a container that merely begins with furniture.
pub const BOILERPLATE_PREFIXES: &[&str] = &[
    "was this article helpful",
    "was this page helpful",
    "was this information helpful",
    "did you find this helpful",
    "advertisement",
    "share this",
    "sign up for our newsletter",
    "leave a comment",
    "skip to main content",
    "first published",
    "page last reviewed",
    "page last updated",
    "last reviewed",
    "last updated",
    "content reviewed",
    // Bylines: who wrote or checked the page.
    "written by",
    "medically reviewed",
    "reviewed by",
    "fact checked by",
    "fact-checked by",
    "author:",
    // Navigation labels and the link lists they head.
    "more articles",
    "more on this topic",
    "related articles",
    "related topics",
    "related pages",
    "related content",
    "related links",
    "related reading",
    "you may also like",
    "you might also like",
    "popular right now",
    "most popular",
    "read next",
    "read more",
    "back to top",
    "copyright ©",
];

/// A short block (under [`BOILERPLATE_MAX_WORDS`] words) containing one of these is furniture.
pub const BOILERPLATE_CONTAINS: &[&str] = &[
    "editorial policy",
    "editorial policies",
    "medical review policy",
    "all rights reserved",
    "we use cookies",
    "(c) copyright",
    "privacy policy",
    "terms of use",
    "terms and conditions",
    "cookie policy",
];

/// Words that label a date in a date line ("Updated 3 May 2024", "Published: 2024-05-03"); a short
/// block of these and a date is furniture.
pub const DATE_LABELS: &[&str] = &[
    "updated",
    "published",
    "posted",
    "reviewed",
    "last",
    "first",
    "modified",
    "date",
    "on",
    "page",
    "next",
    "review",
    "due",
];

/// The words of share, print and save buttons: a short block made only of these (and at least one
/// of [`ACTION_VERBS`]) is furniture.
pub const ACTION_WORDS: &[&str] = &[
    "share",
    "print",
    "email",
    "e-mail",
    "save",
    "tweet",
    "facebook",
    "twitter",
    "x",
    "pinterest",
    "whatsapp",
    "linkedin",
    "reddit",
    "copy",
    "link",
    "this",
    "page",
    "article",
    "on",
    "via",
    "pdf",
    "download",
    "bookmark",
];
/// See [`ACTION_WORDS`].
pub const ACTION_VERBS: &[&str] = &["share", "print", "email", "e-mail", "save", "tweet", "download", "bookmark"];

/// Blocks reading only one of these are navigation ("Home", "Back to top").
pub const NAVIGATION_LABELS: &[&str] =
    &["home", "top", "back to top", "menu", "next", "previous", "back", "skip to content", "more", "see all"];

/// A block with at least this many links, whose link text is at least [`LINK_LIST_SHARE`] of its
/// words, is a list of links (navigation, "related articles") rather than prose.
pub const LINK_LIST_MIN_LINKS: usize = 2;
/// See [`LINK_LIST_MIN_LINKS`].
pub const LINK_LIST_SHARE: f32 = 0.75;

/// Blocks this long or longer are never dropped for their text.
pub const BOILERPLATE_MAX_WORDS: usize = 80;

/// Elements that end a line of text.
pub const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "blockquote",
    "figure",
    "figcaption",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "footer",
    "main",
    "aside",
    "nav",
    "details",
    "summary",
    "address",
    "br",
    "hr",
];

/// Where breadcrumbs are found when there is no JSON-LD breadcrumb list.
pub const BREADCRUMB_SELECTORS: &[&str] = &[
    "nav[aria-label=Breadcrumb] li",
    "nav[aria-label=breadcrumb] li",
    ".breadcrumb li",
    ".breadcrumbs li",
    ".crumbs a",
    ".crumbs span",
];

/// Elements naming the author or reviewer, with a leading "By" or "Reviewed by" stripped.
pub const AUTHOR_SELECTORS: &[&str] = &["[itemprop=author]", "[rel=author]", ".author"];
/// See [`AUTHOR_SELECTORS`].
pub const REVIEWER_SELECTORS: &[&str] = &["[itemprop=reviewedBy]", ".medical-reviewer", ".reviewer"];

/// Compiled selectors, built once per process.
pub struct Compiled {
    /// Every [`DROP_SELECTORS`] in one, so a page is searched once.
    pub drop: Selector,
    pub content: Vec<Selector>,
    pub references: Vec<Selector>,
    pub breadcrumbs: Vec<Selector>,
    pub authors: Vec<Selector>,
    pub reviewers: Vec<Selector>,
}

/// The process-wide compiled rule set.
pub static RULES: LazyLock<Compiled> = LazyLock::new(|| Compiled {
    drop: any_of(DROP_SELECTORS),
    content: compile(CONTENT_SELECTORS),
    references: compile(REFERENCE_SELECTORS),
    breadcrumbs: compile(BREADCRUMB_SELECTORS),
    authors: compile(AUTHOR_SELECTORS),
    reviewers: compile(REVIEWER_SELECTORS),
});

/// Parses a selector list; a selector that does not parse is left out (a unit test keeps them all valid).
pub fn compile(list: &[&str]) -> Vec<Selector> {
    list.iter().filter_map(|s| Selector::parse(s).ok()).collect()
}

/// One selector for everything any of `list` matches: a page is searched once, not once per
/// selector. The tables are ours and a unit test parses them.
pub fn any_of(list: &[&str]) -> Selector {
    Selector::parse(&list.join(", ")).unwrap_or_else(|e| unreachable!("a rule table's selectors do not parse: {e:?}"))
}

/// Parses one selector written in this crate.
pub fn sel(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

/// Whether an element name ends a line of text.
pub fn is_block(name: &str) -> bool {
    BLOCK_ELEMENTS.contains(&name)
}

/// Whether a heading's text names a reference list.
/// A text with more words than this is no reference heading: the longest heading, and its colon
/// written apart.
pub static REFERENCE_HEADING_WORDS: LazyLock<usize> =
    LazyLock::new(|| REFERENCE_HEADINGS.iter().map(|h| h.split_whitespace().count()).max().unwrap_or(0) + 1);

pub fn is_reference_heading(text: &str) -> bool {
    let t = text.trim().trim_end_matches(':').trim().to_lowercase();
    REFERENCE_HEADINGS.contains(&t.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_selector_compiles() {
        for list in [
            DROP_SELECTORS,
            PRE_READABILITY_DROP,
            CONTENT_SELECTORS,
            REFERENCE_SELECTORS,
            BREADCRUMB_SELECTORS,
            AUTHOR_SELECTORS,
            REVIEWER_SELECTORS,
        ] {
            assert_eq!(compile(list).len(), list.len(), "a selector in {list:?} does not parse");
            assert!(Selector::parse(&list.join(", ")).is_ok(), "{list:?} as one selector list");
        }
    }

    #[test]
    fn recognises_reference_headings() {
        assert!(is_reference_heading("Sources:"));
        assert!(!is_reference_heading("Sources of iron"));
    }
}
