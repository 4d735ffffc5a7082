//! Passages for a question on the cluster: the best articles ranked there (beyond the search
//! box's match rule, as on the embedded engine), then cut and scored by our own code.

use super::cluster::OpenSearch;
use super::rank::{Retrieve, plan_on, retrieve};
use super::search::{articles, plan_terms};
use crate::index::present::passages::{CANDIDATE_ARTICLES, Passage, PassageParams, RankedArticle, cut_passages};
use crate::index::present::search::{Ranker, SearchError};
use crate::index::ranking::count::TOTAL_LIMIT;
use crate::index::ranking::filter::Sort;
use crate::query::{parse, term_weights};

/// The best `p.k` passages for `p.q`.
pub fn passages(os: &OpenSearch, p: &PassageParams, ranker: &Ranker) -> Result<Vec<Passage>, SearchError> {
    let (plan, mut stats) = plan_on(os, parse(&p.q)?, ranker)?;
    let r = Retrieve {
        filters: &p.filters,
        sort: Sort::Relevance,
        offset: 0,
        limit: CANDIDATE_ARTICLES,
        facets: &[],
        total_limit: Some(TOTAL_LIMIT),
        strict: false,
    };
    let found = retrieve(os, &plan, ranker, &r)?;
    stats.add_doc_freqs(os, &plan_terms(&plan))?;
    let weights = term_weights(&plan, &ranker.boosts, &stats);
    let mut stored = articles(os, found.hits.iter().map(|h| h.id.as_str()))?;
    let top = found
        .hits
        .iter()
        .filter_map(|h| Some(RankedArticle { score: h.score, article: stored.remove(&h.id)?, cosines: None }))
        .collect();
    Ok(cut_passages(top, &weights, p, 0.0))
}
