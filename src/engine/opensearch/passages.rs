//! Passages for a question on the cluster: the best articles ranked there (beyond the search
//! box's match rule, as on the embedded engine), then cut and scored by our own code.

use super::cluster::OpenSearch;
use super::rank::{Retrieve, plan_on, retrieve};
use super::search::{articles_with_vectors, plan_terms};
use crate::index::present::passages::{
    CANDIDATE_ARTICLES, Cosines, Passage, PassageParams, RankedArticle, cut_passages, passage_cosines,
};
use crate::index::present::search::{Ranker, SearchError};
use crate::index::ranking::count::TOTAL_LIMIT;
use crate::index::ranking::filter::Sort;
use crate::query::{parse, term_weights};

/// The best `p.k` passages for `p.q`.
pub fn passages(os: &OpenSearch, p: &PassageParams, ranker: &Ranker) -> Result<Vec<Passage>, SearchError> {
    let mut planned = plan_on(os, &p.q, parse(&p.q)?, ranker, p.semantic_ratio)?;
    let r = Retrieve {
        filters: &p.filters,
        sort: Sort::Relevance,
        offset: 0,
        limit: CANDIDATE_ARTICLES,
        facets: &[],
        total_limit: Some(TOTAL_LIMIT),
        strict: false,
    };
    let (found, _) = retrieve(os, &planned, ranker, &r)?;
    planned.stats.add_doc_freqs(os, &plan_terms(&planned.plan))?;
    let weights = term_weights(&planned.plan, &ranker.boosts, &planned.stats);
    let meaning = planned.meaning.as_ref();
    let mut stored = articles_with_vectors(os, found.hits.iter().map(|h| h.id.as_str()))?;
    let mut top = Vec::with_capacity(found.hits.len());
    for h in &found.hits {
        let Some((article, codes)) = stored.remove(&h.id) else { continue };
        let cosines = meaning.map(|m| {
            let each = codes.iter().map(|c| (c.section, c.cosine(&m.query))).collect();
            Box::new(passage_cosines(each, p.max_chars)) as Cosines
        });
        top.push(RankedArticle { score: h.score(), article, cosines });
    }
    Ok(cut_passages(top, &weights, p, meaning.map_or(0.0, |m| m.ratio)))
}
