//! A depth-first walk over a parsed page that feeds text, line breaks and headings to a sink,
//! skipping dropped subtrees and page furniture.

use super::rules::is_block;
use crate::text::{clean, keeps_at_least};
use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Node};
use std::collections::HashSet;

/// Receives what a walk finds, in document order.
pub trait Sink {
    /// A run of text.
    fn text(&mut self, text: &str);
    /// The end of a block: whatever follows starts a new line.
    fn line_break(&mut self);
    /// An `h2` or `h3`. Returns true when the sink took the heading, so its text is not walked.
    fn heading(&mut self, _el: ElementRef<'_>, _level: u8) -> bool {
        false
    }
}

/// Walk options: subtrees to skip, and which blocks (page furniture) are dropped whole.
pub struct Walk<'a> {
    pub skip: &'a HashSet<NodeId>,
    /// Blocks to leave out with everything in them (page furniture), judged before they are
    /// entered; `None` keeps every block.
    pub drop_block: Option<DropBlock>,
}

/// Whether a block is left out of a walk, given the nodes already skipped.
pub type DropBlock = fn(NodeRef<'_, Node>, &HashSet<NodeId>) -> bool;

/// One step of the iterative walk: visit a node, or close a block opened earlier.
enum Step<'a> {
    Visit(NodeRef<'a, Node>),
    EndBlock,
}

impl Walk<'_> {
    /// Walks the descendants of `node` in document order. Iterative, so deeply nested hostile
    /// markup cannot exhaust the stack.
    pub fn run(&self, node: NodeRef<'_, Node>, sink: &mut impl Sink) {
        self.run_limited(node, sink, usize::MAX);
    }

    /// [`Walk::run`] over at most `budget` nodes; false when the budget ran out first.
    pub fn run_limited(&self, node: NodeRef<'_, Node>, sink: &mut impl Sink, mut budget: usize) -> bool {
        let mut stack: Vec<Step> = node.children().rev().map(Step::Visit).collect();
        while let Some(step) = stack.pop() {
            if budget == 0 {
                return false;
            }
            budget -= 1;
            let child = match step {
                Step::EndBlock => {
                    sink.line_break();
                    continue;
                }
                Step::Visit(child) => child,
            };
            if self.skip.contains(&child.id()) {
                continue;
            }
            match child.value() {
                Node::Text(t) => sink.text(t),
                Node::Element(el) => {
                    let Some(elref) = ElementRef::wrap(child) else { continue };
                    let level = match el.name() {
                        "h2" => 2,
                        "h3" => 3,
                        _ => 0,
                    };
                    if level > 0 && sink.heading(elref, level) {
                        continue;
                    }
                    if is_block(el.name()) {
                        if self.drop_block.is_some_and(|drop| drop(child, self.skip)) {
                            continue;
                        }
                        sink.line_break();
                        stack.push(Step::EndBlock);
                    }
                    stack.extend(child.children().rev().map(Step::Visit));
                }
                _ => {}
            }
        }
        true
    }
}

/// Collects text as one normalized string, block breaks as spaces.
#[derive(Default)]
pub struct PlainText {
    buf: String,
}

impl PlainText {
    /// Whether [`PlainText::finish`] will surely have at least `n` words (see [`keeps_at_least`]).
    pub fn surely_has_words(&self, n: usize) -> bool {
        keeps_at_least(&self.buf, n)
    }

    /// The collected text, normalized, with link artifacts removed.
    pub fn finish(self) -> String {
        clean(&self.buf)
    }
}

impl Sink for PlainText {
    fn text(&mut self, text: &str) {
        self.buf.push_str(text);
    }
    fn line_break(&mut self) {
        self.buf.push(' ');
    }
}

/// Collects normalized, non-empty lines, one per block.
#[derive(Default)]
pub struct Lines {
    pub lines: Vec<String>,
    line: String,
}

impl Lines {
    /// Ends the current line and returns all lines.
    pub fn finish(mut self) -> Vec<String> {
        self.line_break();
        self.lines
    }
}

impl Sink for Lines {
    fn text(&mut self, text: &str) {
        self.line.push_str(text);
    }
    fn line_break(&mut self) {
        let l = clean(&self.line);
        if !l.is_empty() {
            self.lines.push(l);
        }
        self.line.clear();
    }
}

/// The visible text of an element with skips applied.
pub fn element_text(el: ElementRef<'_>, skip: &HashSet<NodeId>) -> String {
    let mut t = PlainText::default();
    Walk { skip, drop_block: None }.run(*el, &mut t);
    t.finish()
}
