//! Cutting an article body into sections at its `h2`/`h3` headings, with unique anchors.

use super::furniture::{furniture_runs, is_furniture_block, is_furniture_text};
use super::rules::is_reference_heading;
use super::walk::{Lines, Sink, Walk};
use crate::article::Section;
use crate::text::{clean, slugify};
use ego_tree::NodeId;
use scraper::ElementRef;
use std::collections::HashSet;

/// Walks `root` (skipping `skip` and furniture) and returns its sections in order.
pub fn sections_of(root: ElementRef<'_>, skip: &HashSet<NodeId>) -> Vec<Section> {
    let mut skip = skip.clone();
    skip.extend(furniture_runs(*root, &skip));
    let mut sink = SectionSink::default();
    Walk { skip: &skip, drop_block: Some(is_furniture_block) }.run(*root, &mut sink);
    sink.finish()
}

/// Builds sections from a walk: each `h2`/`h3` opens one. A reference heading or a furniture
/// heading ("Related articles", "Share this page") opens one that is left out, with its text.
#[derive(Default)]
struct SectionSink {
    done: Vec<Section>,
    current: Section,
    lines: Lines,
    anchors: HashSet<String>,
    /// The open section is a reference list or page furniture.
    left_out: bool,
}

impl SectionSink {
    fn close(&mut self) {
        let mut s = std::mem::take(&mut self.current);
        s.text = std::mem::take(&mut self.lines).finish().join("\n");
        if !self.left_out && (!s.heading.is_empty() || !s.text.is_empty()) {
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
        let heading = clean(&el.text().collect::<String>());
        self.close();
        self.left_out = is_reference_heading(&heading) || is_furniture_text(&heading);
        let anchor = self.unique_anchor(el, &heading);
        self.current = Section { heading, anchor, level, text: String::new() };
        true
    }
}
