//! The general method for pages without site rules: Readability-style scoring of blocks by text
//! and link density (through the `dom_smoothie` port of Mozilla Readability), after our own
//! furniture rules have removed what is never content.

use super::references::reference_lists;
use super::rules::{DROP_SELECTORS, PRE_READABILITY_DROP, REFERENCE_SELECTORS, RULES};
use super::sections::sections_of;
use crate::article::Section;
use dom_query::Matcher;
use dom_smoothie::{Config, Readability};
use scraper::Html;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

/// Pages with more elements than this are not scored (the table-driven fallback reads them).
/// Pages nested too deeply for scoring never get here: [`super::budget`] refuses them.
const MAX_ELEMENTS: usize = 40_000;

/// What is removed before scoring: what is never content, and reference lists (read apart), all
/// in one selector list so the page is searched once.
static NEVER_SCORED: LazyLock<Matcher> = LazyLock::new(|| {
    let all: Vec<&str> =
        PRE_READABILITY_DROP.iter().chain(DROP_SELECTORS).chain(REFERENCE_SELECTORS).copied().collect();
    Matcher::new(&all.join(", ")).unwrap_or_else(|e| unreachable!("the drop tables' selectors do not parse: {e:?}"))
});

/// What the general method found: the article's sections and Readability's title guess.
pub struct Readable {
    pub sections: Vec<Section>,
    pub title: String,
}

/// Runs the general method on `html`, a page within the parsing budget. `None` when Readability
/// finds no article (or fails in any way).
pub fn readable(html: &str, url: &str) -> Option<Readable> {
    let doc = dom_query::Document::from(html);
    doc.select_matcher(&NEVER_SCORED).remove();
    let cfg = Config { keep_classes: true, max_elements_to_parse: MAX_ELEMENTS, ..Config::default() };
    // A dependency's panic on a hostile page must not take the ingest down with it.
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        let mut r = Readability::with_document(doc, Some(url), Some(cfg)).ok()?;
        let title = r.get_article_title().to_string();
        r.parse().ok().map(|a| (a.content.to_string(), title))
    }));
    let (content, title) = parsed.ok().flatten()?;
    let fragment = Html::parse_fragment(&content);
    let mut skip: HashSet<_> = fragment.select(&RULES.drop).map(|e| e.id()).collect();
    let refs = reference_lists(&fragment, &skip, None);
    skip.extend(refs.node_ids());
    let sections = sections_of(fragment.root_element(), &skip);
    Some(Readable { sections, title })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drop_tables_parse_as_one_list() {
        let doc = dom_query::Document::from("<p>Kept</p><nav>Menu</nav><div class=references>Refs</div>");
        doc.select_matcher(&NEVER_SCORED).remove();
        assert_eq!(doc.root().text().trim(), "Kept");
    }
}
