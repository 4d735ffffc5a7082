//! A query matching a fixed set of documents by address: the articles meaning found, joined to
//! what words match so one query counts, facets and pages them all.

use std::sync::Arc;
use tantivy::BitSet;
use tantivy::index::SegmentId;
use tantivy::query::{BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentReader, TantivyError};

/// Matches the listed documents of the searcher it was built for, each with score 1.
#[derive(Debug, Clone)]
pub struct AddressQuery {
    /// Sorted by segment, then document.
    docs: Arc<Vec<DocAddress>>,
}

impl AddressQuery {
    /// A query for `docs` (in any order; addresses of the searcher the query will run on).
    pub fn new(docs: Arc<Vec<DocAddress>>) -> AddressQuery {
        // Lists in index order (as a vector scan gives them) are shared as they are.
        if docs.windows(2).all(|w| w[0] < w[1]) {
            return AddressQuery { docs };
        }
        let mut sorted = docs.as_ref().clone();
        sorted.sort_unstable();
        sorted.dedup();
        AddressQuery { docs: Arc::new(sorted) }
    }
}

impl Query for AddressQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let searcher = scoring
            .searcher()
            .ok_or_else(|| TantivyError::InvalidArgument("an address query needs a searcher".into()))?;
        let segments = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
        Ok(Box::new(AddressWeight { docs: self.docs.clone(), segments }))
    }
}

/// The weight of an [`AddressQuery`]: segments are told apart by id, as a segment reader does
/// not know its ordinal.
struct AddressWeight {
    docs: Arc<Vec<DocAddress>>,
    segments: Vec<SegmentId>,
}

impl AddressWeight {
    fn of_segment(&self, reader: &SegmentReader) -> BitSet {
        let mut set = BitSet::with_max_value(reader.max_doc());
        let Some(ord) = self.segments.iter().position(|s| *s == reader.segment_id()) else { return set };
        let ord = ord as u32;
        let from = self.docs.partition_point(|a| a.segment_ord < ord);
        let to = self.docs.partition_point(|a| a.segment_ord <= ord);
        for a in self.docs[from..to].iter().filter(|a| a.doc_id < reader.max_doc()) {
            set.insert(a.doc_id);
        }
        set
    }
}

impl Weight for AddressWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(self.of_segment(reader)), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!("document {doc} is not listed")));
        }
        Ok(Explanation::new("listed by address", 1.0))
    }
}
