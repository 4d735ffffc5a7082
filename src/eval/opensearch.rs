//! Ranking evaluation on an OpenSearch cluster: the corpus goes through the same ingest into a
//! versioned index behind the deployment's alias, and every judged query through our planner
//! and the DSL translation, so the figures compare with the embedded engine's.

use super::ranking::{Corpus, EvalError, Qrels, RankingEval, score_queries};
use crate::engine::opensearch::OpenSearch;
use crate::engine::opensearch::OsStore;
use crate::engine::opensearch::rank::{Retrieve, plan_on, retrieve};
use crate::index::present::search::{Ranked, Ranker, SearchError};
use crate::index::ranking::count::TOTAL_LIMIT;
use crate::index::ranking::filter::{Filters, Sort};
use crate::ingest::Extractor;
use crate::query::parse;
use std::path::Path;
use std::time::Instant;

/// Ingests `corpus` into a new version of `os` holding only its articles, and scores `queries`
/// against `qrels`.
pub fn evaluate_opensearch(
    os: &OpenSearch,
    corpus: &Corpus,
    queries: &[(String, String)],
    qrels: &Qrels,
    ranker: &Ranker,
    run_out: Option<&Path>,
) -> Result<RankingEval, EvalError> {
    let state = tempfile::tempdir().map_err(|e| EvalError::Read(std::env::temp_dir(), e))?;
    let started = Instant::now();
    let store = OsStore::rebuild(os, state.path()).map_err(crate::ingest::IngestError::from)?;
    let store = store.with_embedder(ranker.semantic.as_ref().map(|s| s.embedder.clone()));
    crate::ingest::run(store, &corpus.input(), &Extractor::default())?;
    let index_seconds = started.elapsed().as_secs_f64();
    let filters = Filters::default();
    let r = Retrieve {
        filters: &filters,
        sort: Sort::Relevance,
        offset: 0,
        limit: 100,
        facets: &[],
        total_limit: Some(TOTAL_LIMIT),
        strict: false,
    };
    let mut eval = score_queries(corpus, queries, qrels, "healthsearch-opensearch", run_out, |text| {
        let planned = plan_on(os, text, parse(text)?, ranker, None)?;
        let (found, _) = retrieve(os, &planned, ranker, &r)?;
        Ok(found.hits.into_iter().map(|h| Ranked { score: h.score(), id: h.id, url: h.url }).collect())
    })?;
    eval.documents = os.count().map_err(|e| EvalError::Search("count".into(), SearchError::from(e)))?;
    eval.index_seconds = index_seconds;
    Ok(eval)
}
