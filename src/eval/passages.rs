//! Passage evaluation: questions judged by the section that answers them (`URL#anchor`), scored
//! on the passages `/api/passages` returns. A section counts once, at its first passage.

use super::ranking::{Corpus, EvalError, Qrels, ndcg_at, rr_at};
use crate::index::HealthIndex;
use crate::index::present::passages::{DEFAULT_MAX_CHARS, PassageParams, article_passages, passages};
use crate::index::present::search::{Ranker, Ranking, SearchError, rank};
use crate::index::storage::lookup::article_by_id;
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

/// How passages are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassageRanking {
    /// `/api/passages`.
    Ours,
    /// The first passage of each of the best articles: what a retriever that only ranks
    /// articles would hand a chatbot.
    LeadPassage,
}

/// One question's scores.
#[derive(Debug, Serialize)]
pub struct PassageScore {
    pub id: String,
    pub text: String,
    pub ndcg10: f64,
    pub rr10: f64,
    /// The first passage's section.
    pub top: Option<String>,
}

/// A whole passage run.
#[derive(Debug, Serialize)]
pub struct PassageEval {
    pub ranking: &'static str,
    pub queries: usize,
    pub ndcg10: f64,
    pub mrr10: f64,
    /// Share of questions whose first passage comes from a section judged 2 (answers it).
    pub answer_at_1: f64,
    pub search_seconds: f64,
    pub per_query: Vec<PassageScore>,
}

/// Indexes `corpus` and scores passages for every judged question.
pub fn evaluate_passages(
    corpus: &Corpus,
    queries: &[(String, String)],
    qrels: &Qrels,
    ranker: &Ranker,
    how: PassageRanking,
    index_dir: Option<&Path>,
) -> Result<PassageEval, EvalError> {
    let embedder = ranker.semantic.as_ref().map(|s| s.embedder.clone());
    let (index, _tmp, _) = corpus.index(embedder, index_dir)?;
    let started = Instant::now();
    let mut per_query = Vec::new();
    let mut answered = 0usize;
    for (qid, text) in queries {
        let Some(rels) = qrels.get(qid) else { continue };
        let sections = ranked_sections(&index, text, ranker, how).map_err(|e| EvalError::Search(qid.clone(), e))?;
        if sections.first().and_then(|s| rels.get(s)).copied() == Some(2) {
            answered += 1;
        }
        per_query.push(PassageScore {
            id: qid.clone(),
            text: text.clone(),
            ndcg10: ndcg_at(&sections, rels, 10),
            rr10: rr_at(&sections, rels, 10),
            top: sections.first().cloned(),
        });
    }
    let n = per_query.len().max(1) as f64;
    Ok(PassageEval {
        ranking: match how {
            PassageRanking::Ours => "healthsearch passages",
            PassageRanking::LeadPassage => "lead passage of each article",
        },
        queries: per_query.len(),
        ndcg10: per_query.iter().map(|q| q.ndcg10).sum::<f64>() / n,
        mrr10: per_query.iter().map(|q| q.rr10).sum::<f64>() / n,
        answer_at_1: answered as f64 / n,
        search_seconds: started.elapsed().as_secs_f64(),
        per_query,
    })
}

/// The section URL of each of the first ten passages; a section already seen counts as a miss.
fn ranked_sections(
    index: &HealthIndex,
    q: &str,
    ranker: &Ranker,
    how: PassageRanking,
) -> Result<Vec<String>, SearchError> {
    let urls: Vec<String> = match how {
        PassageRanking::Ours => {
            let params = PassageParams {
                q: q.to_string(),
                k: 10,
                max_chars: DEFAULT_MAX_CHARS,
                filters: Default::default(),
                semantic_ratio: None,
            };
            passages(index, &params, ranker)?.into_iter().map(|p| p.url).collect()
        }
        PassageRanking::LeadPassage => {
            let mut urls = Vec::new();
            for hit in rank(index, q, 10, &Ranking::Ours(ranker.clone()))? {
                if let Some(a) = article_by_id(index, &hit.id)? {
                    urls.extend(article_passages(&a, DEFAULT_MAX_CHARS).into_iter().next().map(|p| p.url));
                }
            }
            urls
        }
    };
    let mut seen = HashSet::new();
    Ok(urls.into_iter().map(|u| if seen.insert(u.clone()) { u } else { String::new() }).collect())
}
