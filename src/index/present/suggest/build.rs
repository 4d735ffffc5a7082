//! Gathering the suggester's entries: every stored article's title and headings (in one
//! sequential pass over the stores on the embedded engine), and the vocabulary's names that occur
//! in the articles.

use super::{Entry, MAX_PHRASE_WORDS, Span, Suggester, Target, key_of};
use crate::index::storage::stored::stored_text;
use crate::index::{HealthIndex, IndexError};
use crate::vocab::Vocabulary;
use std::collections::HashMap;
use std::path::Path;
use tantivy::directory::MmapDirectory;
use tantivy::store::StoreReader;
use tantivy::{Directory, Index, TantivyDocument, Term};

/// Entries as they are gathered: keys and texts appended to one arena.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) arena: String,
    pub(super) entries: Vec<Entry>,
}

impl Builder {
    pub(super) fn push(&mut self, text: &str) -> Span {
        let start = self.arena.len() as u32;
        self.arena.push_str(text);
        Span { start, len: text.len() as u32 }
    }

    /// Adds an entry for `text` (its key is computed here); entries without words are skipped.
    pub(super) fn add(&mut self, text: &str, target: impl FnOnce(&mut Builder) -> Target, weight: f32) {
        let key = key_of(text);
        if !key.is_empty() {
            let key = self.push(&key);
            let target = target(self);
            self.entries.push(Entry { key, target, weight });
        }
    }

    pub(super) fn query(&mut self, text: &str, weight: f32) {
        self.add(text, |b| Target::Query(b.push(text)), weight);
    }
}

/// Gathers a suggester's entries from articles' outlines (title, then headings, one a line),
/// whichever engine stores them, and the vocabulary's names that occur in the articles.
#[derive(Default)]
pub struct Gather {
    b: Builder,
    headings: HashMap<String, (String, u32)>,
}

impl Gather {
    /// Adds an article: its title as an article entry, its headings as queries (weighed by how
    /// many articles share them).
    pub fn article(&mut self, outline: &str, url: &str) {
        let mut lines = outline.lines();
        let title = lines.next().unwrap_or_default().trim();
        self.b.add(title, |b| Target::Article { title: b.push(title), url: b.push(url) }, 1.0);
        for h in lines.map(str::trim).filter(|h| !h.is_empty()) {
            let key = key_of(h);
            if key.split(' ').count() <= MAX_PHRASE_WORDS {
                self.headings.entry(key).or_insert_with(|| (h.to_string(), 0)).1 += 1;
            }
        }
    }

    /// The suggester: the articles added, and each vocabulary name whose every term some
    /// article's body has (`df`: how many articles' bodies have a term), from the index content
    /// `generation`.
    pub fn finish(mut self, vocab: &Vocabulary, df: impl Fn(&str) -> u64, generation: u64) -> Suggester {
        for (_, (text, count)) in std::mem::take(&mut self.headings) {
            self.b.query(&text, 0.5 * (1.0 + count as f32).ln() + 0.3);
        }
        for (name, terms) in vocab.names() {
            let df = terms.iter().map(|t| df(t)).min().unwrap_or(0);
            if df > 0 {
                self.b.query(name, (1.0 + df as f32).ln());
            }
        }
        let mut s = Suggester::from_builder(self.b);
        s.generation = generation;
        s
    }
}

impl Suggester {
    /// Builds the suggester from the index's titles and headings and the vocabulary's names.
    pub fn build(index: &HealthIndex, vocab: &Vocabulary) -> Result<Suggester, IndexError> {
        let searcher = index.searcher();
        let mut gather = Gather::default();
        // The served index is mapped for random access (no readahead); this pass reads every
        // stored article in order, so it maps the stores again with the kernel's default advice
        // (1M articles from a cold cache: 4 s instead of over 20 s).
        // Best effort: the served stores still work if this second opening fails.
        let sequential = MmapDirectory::open(index.dir()).ok().and_then(|d| Index::open(d).ok());
        for segment in searcher.segment_readers() {
            // One pass over the store decompresses each block once (random reads would repeat it).
            let file = format!("{}.store", segment.segment_id().uuid_string());
            let store = match sequential.as_ref().and_then(|ix| ix.directory().open_read(Path::new(&file)).ok()) {
                Some(slice) => StoreReader::open(slice, 1)?,
                None => segment.get_store_reader(1)?,
            };
            for d in store.iter::<TantivyDocument>(segment.alive_bitset()) {
                let d = d?;
                gather.article(stored_text(&d, index.fields.outline), stored_text(&d, index.fields.url));
            }
        }
        let df = |t: &str| searcher.doc_freq(&Term::from_field_text(index.fields.body, t)).unwrap_or(0);
        Ok(gather.finish(vocab, df, crate::index::storage::content_version(&searcher)))
    }
}
