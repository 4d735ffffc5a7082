//! What one page may cost to read, bounded while it is parsed. The tree builder's checks, and the
//! selectors and text walks run on the tree afterwards, do work that grows with the number of
//! elements times how deeply they nest (100,000 nested `<div>`s took 32 s), so a page is parsed a
//! piece at a time and refused, before the rest of it is read, once an element sits deeper than
//! [`MAX_DEPTH`], there are more than [`MAX_ELEMENTS`], or their depths add up to more than
//! [`MAX_NESTING`].

use ego_tree::NodeId;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName};
use rustc_hash::FxHashMap;
use scraper::{Html, HtmlTreeSink};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};

/// Deepest element nesting read. Chrome's parser stops nesting at 512; real articles stay far
/// shallower (the bundled corpus at 10, large news and health sites well under 100).
pub const MAX_DEPTH: usize = 256;
/// Most elements read in one page: far more than any article page has (a few thousand at most),
/// few enough that reading one costs about a second at worst.
pub const MAX_ELEMENTS: usize = 50_000;
/// Most depths of all nodes added up: what makes a page of many deep subtrees costly (Readability
/// scoring above all), each nearly [`MAX_DEPTH`] deep. Real pages are well within it (20,000
/// elements at an average depth of 25 come to 500,000); at the limit, reading a page of subtrees
/// 250 deep costs about a second.
pub const MAX_NESTING: usize = 1_000_000;
/// Bytes parsed between two checks of the budget, so that little work is done past a limit.
const CHUNK: usize = 16 * 1024;

/// Why a page is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OverBudget {
    #[error("elements nested more than {MAX_DEPTH} deep")]
    Depth,
    #[error("more than {MAX_ELEMENTS} elements")]
    Elements,
    #[error("the depths of its elements add up to more than {MAX_NESTING}")]
    Nesting,
}

/// Parses a page as `scraper` does, or says which limit it goes over.
pub fn parse(html: &str) -> Result<Html, OverBudget> {
    let sink = Counting {
        inner: HtmlTreeSink::new(Html::new_document()),
        depths: RefCell::default(),
        elements: Cell::new(0),
        nesting: Cell::new(0),
        over: Cell::new(None),
    };
    let mut parser = html5ever::parse_document(sink, Default::default());
    let mut rest = html;
    while !rest.is_empty() {
        let mut end = rest.len().min(CHUNK);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (chunk, tail) = rest.split_at(end);
        parser.process(StrTendril::from_slice(chunk));
        if let Some(over) = parser.tokenizer.sink.sink.over.get() {
            return Err(over);
        }
        rest = tail;
    }
    match parser.finish() {
        (_, Some(over)) => Err(over),
        (doc, None) => Ok(doc),
    }
}

/// scraper's tree sink, counting elements and the depth of each node as it is placed.
struct Counting {
    inner: HtmlTreeSink,
    depths: RefCell<FxHashMap<NodeId, usize>>,
    elements: Cell<usize>,
    nesting: Cell<usize>,
    over: Cell<Option<OverBudget>>,
}

impl Counting {
    fn depth(&self, node: &NodeId) -> usize {
        self.depths.borrow().get(node).copied().unwrap_or(0)
    }

    fn place(&self, node: &NodeOrText<NodeId>, depth: usize) {
        if let NodeOrText::AppendNode(id) = node {
            self.depths.borrow_mut().insert(*id, depth);
            self.nesting.set(self.nesting.get() + depth);
            if depth > MAX_DEPTH {
                self.exceed(OverBudget::Depth);
            } else if self.nesting.get() > MAX_NESTING {
                self.exceed(OverBudget::Nesting);
            }
        }
    }

    fn exceed(&self, over: OverBudget) {
        if self.over.get().is_none() {
            self.over.set(Some(over));
        }
    }
}

impl TreeSink for Counting {
    type Handle = NodeId;
    type Output = (Html, Option<OverBudget>);
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Self::Output {
        let over = self.over.get();
        (self.inner.finish(), over)
    }

    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg)
    }

    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.inner.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.elements.set(self.elements.get() + 1);
        if self.elements.get() > MAX_ELEMENTS {
            self.exceed(OverBudget::Elements);
        }
        self.inner.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.place(&child, self.depth(parent) + 1);
        self.inner.append(parent, child)
    }

    fn append_based_on_parent_node(&self, element: &NodeId, prev_element: &NodeId, child: NodeOrText<NodeId>) {
        // The child goes beside `element` when that has a parent, else into `prev_element`.
        self.place(&child, self.depth(element).max(self.depth(prev_element) + 1));
        self.inner.append_based_on_parent_node(element, prev_element, child)
    }

    fn append_doctype_to_document(&self, name: StrTendril, public_id: StrTendril, system_id: StrTendril) {
        self.inner.append_doctype_to_document(name, public_id, system_id)
    }

    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node)
    }

    fn pop(&self, node: &NodeId) {
        self.inner.pop(node)
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        let contents = self.inner.get_template_contents(target);
        let depth = self.depth(target) + 1;
        self.depths.borrow_mut().insert(contents, depth);
        contents
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.place(&new_node, self.depth(sibling));
        self.inner.append_before_sibling(sibling, new_node)
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }

    fn associate_with_form(&self, target: &NodeId, form: &NodeId, nodes: (&NodeId, Option<&NodeId>)) {
        self.inner.associate_with_form(target, form, nodes)
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent)
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.inner.is_mathml_annotation_xml_integration_point(handle)
    }

    fn set_current_line(&self, line_number: u64) {
        self.inner.set_current_line(line_number)
    }

    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.inner.allow_declarative_shadow_roots(intended_parent)
    }

    fn attach_declarative_shadow(&self, location: &NodeId, template: &NodeId, attrs: &[Attribute]) -> bool {
        self.inner.attach_declarative_shadow(location, template, attrs)
    }

    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        self.inner.maybe_clone_an_option_into_selectedcontent(option)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, close: &str, depth: usize) -> String {
        format!("<html><body>{}x{}</body></html>", open.repeat(depth), close.repeat(depth))
    }

    #[test]
    fn pages_within_the_budget_parse_as_scraper_parses_them() {
        let template = "<template><p>t</p></template><table><div>fostered</div><tr><td>c</table>";
        for page in
            [nested("<div>", "</div>", MAX_DEPTH - 2), "<p>a<p>b<ul><li>c<li>d</ul>".repeat(1_000), template.into()]
        {
            let doc = parse(&page).expect("within the budget");
            assert_eq!(doc.root_element().html(), Html::parse_document(&page).root_element().html());
        }
    }

    #[test]
    fn deep_nesting_is_refused_in_any_form() {
        assert_eq!(parse(&nested("<div>", "</div>", 100_000)).err(), Some(OverBudget::Depth));
        assert_eq!(parse(&"<div>".repeat(MAX_DEPTH)).err(), Some(OverBudget::Depth), "end tags left out");
        let tables = nested("<table><tr><td>", "</td></tr></table>", MAX_DEPTH / 4);
        assert_eq!(parse(&tables).err(), Some(OverBudget::Depth), "tables nest four deep a level");
        let svg = format!("<svg>{}</svg>", "<g>".repeat(MAX_DEPTH));
        assert_eq!(parse(&svg).err(), Some(OverBudget::Depth));
        // Unclosed formatting elements are reopened inside each new block.
        assert!(parse(&"<b><i><u><p>x".repeat(2_000)).is_ok(), "formatting elements do not pile up");
        assert!(parse(&"<span>x</div>".repeat(2_000)).is_err(), "unclosed spans nest");
    }

    #[test]
    fn too_many_elements_or_too_many_deep_ones_are_refused() {
        let flat = format!("<html><body>{}</body></html>", "<i>x</i>".repeat(MAX_ELEMENTS));
        assert_eq!(parse(&flat).err(), Some(OverBudget::Elements));
        let subtree = format!("{}x{}", "<div>".repeat(100), "</div>".repeat(100));
        let deep_subtrees = format!("<html><body>{}</body></html>", subtree.repeat(MAX_ELEMENTS / 100));
        assert_eq!(parse(&deep_subtrees).err(), Some(OverBudget::Nesting));
        assert!(parse(&subtree.repeat(10)).is_ok(), "a few deep subtrees are read");
    }
}
