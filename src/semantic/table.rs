//! Each segment's passage vectors in memory, read once from the stored articles when a segment
//! first answers a query (segments never change; deletions are checked when scanning), and the
//! exact nearest-neighbour scan over them.

use super::DIM;
use super::vectors::{Code, decode, dot_i8};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tantivy::index::SegmentId;
use tantivy::schema::{Field, Value};
use tantivy::{DocAddress, DocId, Searcher, SegmentReader, TantivyDocument};

/// One segment's vectors, laid out for scanning.
#[derive(Debug, Default)]
pub struct SegmentVectors {
    /// Per document, where its vectors start (one more entry than documents).
    starts: Vec<u32>,
    /// Per vector: its document, section number and scale.
    docs: Vec<DocId>,
    sections: Vec<u16>,
    scales: Vec<f32>,
    /// All codes, [`DIM`] per vector.
    codes: Vec<i8>,
}

impl SegmentVectors {
    fn read(segment: &SegmentReader, field: Field) -> tantivy::Result<SegmentVectors> {
        let store = segment.get_store_reader(64)?;
        let mut t = SegmentVectors::default();
        for doc in 0..segment.max_doc() {
            t.starts.push(t.docs.len() as u32);
            let stored: TantivyDocument = store.get(doc)?;
            let Some(codes) = stored.get_first(field).and_then(|v| v.as_bytes()).and_then(decode) else { continue };
            for c in codes {
                t.docs.push(doc);
                t.sections.push(c.section);
                t.scales.push(c.scale);
                t.codes.extend_from_slice(&c.code);
            }
        }
        t.starts.push(t.docs.len() as u32);
        Ok(t)
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn cosine(&self, i: usize, q: &Code) -> f32 {
        dot_i8(&self.codes[i * DIM..(i + 1) * DIM], &q.code) as f32 * self.scales[i] * q.scale
    }

    /// Where a document's vectors lie (empty for a document without any).
    fn range(&self, doc: DocId) -> std::ops::Range<usize> {
        match (self.starts.get(doc as usize), self.starts.get(doc as usize + 1)) {
            (Some(&from), Some(&to)) => from as usize..to as usize,
            _ => 0..0,
        }
    }

    /// Each of a document's vectors with its section number and cosine to `q`.
    pub fn of_doc(&self, doc: DocId, q: &Code) -> Vec<(u16, f32)> {
        self.range(doc).map(|i| (self.sections[i], self.cosine(i, q))).collect()
    }

    /// A document's best cosine to `q` over its vectors.
    pub fn best(&self, doc: DocId, q: &Code) -> Option<f32> {
        self.range(doc).map(|i| self.cosine(i, q)).reduce(f32::max)
    }
}

/// The vectors of every segment seen, by segment id.
#[derive(Debug, Default)]
pub struct VectorTables {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentVectors>>>,
}

impl VectorTables {
    /// The tables of a searcher's segments, in segment order; segments no longer searched are
    /// forgotten.
    pub fn of(&self, searcher: &Searcher, field: Field) -> tantivy::Result<Vec<Arc<SegmentVectors>>> {
        let ids: Vec<SegmentId> = searcher.segment_readers().iter().map(|s| s.segment_id()).collect();
        let mut known = match self.segments.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut out = Vec::with_capacity(ids.len());
        for (segment, id) in searcher.segment_readers().iter().zip(&ids) {
            let table = match known.get(id) {
                Some(t) => t.clone(),
                None => {
                    let t = Arc::new(SegmentVectors::read(segment, field)?);
                    known.insert(*id, t.clone());
                    t
                }
            };
            out.push(table);
        }
        known.retain(|id, _| ids.contains(id));
        Ok(out)
    }
}

/// The `k` articles nearest to `q` by their best vector, best first, among live documents that
/// `allow` accepts.
pub fn nearest(
    searcher: &Searcher,
    tables: &[Arc<SegmentVectors>],
    q: &Code,
    k: usize,
    allow: &dyn Fn(DocAddress) -> bool,
) -> Vec<(f32, DocAddress)> {
    let mut best: Vec<(f32, DocAddress)> = Vec::new();
    for_each_best(searcher, tables, q, allow, |score, addr| {
        best.push((score, addr));
        if best.len() > k.max(1).saturating_mul(4) {
            keep_best(&mut best, k);
        }
    });
    keep_best(&mut best, k);
    best
}

/// Every live article `allow` accepts with its best cosine to `q`, in index order.
pub fn best_of_each(
    searcher: &Searcher,
    tables: &[Arc<SegmentVectors>],
    q: &Code,
    allow: &dyn Fn(DocAddress) -> bool,
) -> Vec<(f32, DocAddress)> {
    let mut all = Vec::new();
    for_each_best(searcher, tables, q, allow, |score, addr| all.push((score, addr)));
    all
}

/// Calls `f` with each live, allowed article's best cosine to `q`.
fn for_each_best(
    searcher: &Searcher,
    tables: &[Arc<SegmentVectors>],
    q: &Code,
    allow: &dyn Fn(DocAddress) -> bool,
    mut f: impl FnMut(f32, DocAddress),
) {
    for (ord, (table, segment)) in tables.iter().zip(searcher.segment_readers()).enumerate() {
        let alive = segment.alive_bitset();
        for doc in 0..table.starts.len().saturating_sub(1) as DocId {
            let addr = DocAddress::new(ord as u32, doc);
            if alive.is_some_and(|a| !a.is_alive(doc)) || !allow(addr) {
                continue;
            }
            if let Some(score) = table.best(doc, q) {
                f(score, addr);
            }
        }
    }
}

/// Keeps the `k` best of `v`, best first (ties by address).
pub fn keep_best(v: &mut Vec<(f32, DocAddress)>, k: usize) {
    let by_score = |a: &(f32, DocAddress), b: &(f32, DocAddress)| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1));
    if v.len() > k && k > 0 {
        v.select_nth_unstable_by(k - 1, by_score);
        v.truncate(k);
    }
    v.sort_by(by_score);
}
