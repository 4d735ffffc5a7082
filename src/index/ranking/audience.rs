//! Applies the people a query names ([`crate::query::audience`]) to ranked hits: each article's
//! fused score is scaled by whether it is written for them.

use super::fusion::Scores;
use crate::article::Audience;
use crate::index::storage::schema;
use crate::query::audience::multiplier;
use std::collections::HashMap;
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, Searcher};

/// Reorders ranked documents by who they are for: each fused score scaled by [`multiplier`].
pub fn prefer(searcher: &Searcher, query: &[Audience], hits: &mut [(Scores, DocAddress)]) {
    if query.is_empty() {
        return;
    }
    let mut columns: HashMap<u32, Option<StrColumn>> = HashMap::new();
    let mut name = String::new();
    for (scores, addr) in hits.iter_mut() {
        let column = columns.entry(addr.segment_ord).or_insert_with(|| {
            searcher.segment_reader(addr.segment_ord).fast_fields().str(schema::name::AUDIENCE).ok().flatten()
        });
        let Some(column) = column else { continue };
        let mut article = Vec::new();
        for ord in column.term_ords(addr.doc_id) {
            name.clear();
            if column.ord_to_str(ord, &mut name).unwrap_or(false)
                && let Some(a) = Audience::from_name(&name)
            {
                article.push(a);
            }
        }
        scores.fused *= multiplier(query, &article);
    }
    hits.sort_by(|a, b| b.0.fused.total_cmp(&a.0.fused).then_with(|| a.1.cmp(&b.1)));
}
