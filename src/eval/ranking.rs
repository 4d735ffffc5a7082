//! Ranking evaluation on BEIR-layout datasets (`corpus.jsonl`, `queries.jsonl`, `qrels/SPLIT.tsv`):
//! the corpus is ingested into a temporary index through the normal pipeline, every judged query
//! runs through the same ranking the API uses, and nDCG@10, MRR@10 and Recall@100 are reported.

use crate::index::HealthIndex;
use crate::index::present::search::{Ranked, Ranking, SearchError, rank};
use crate::ingest::{IngestError, Input, ingest_deterministic};
use crate::semantic::Embedder;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Graded judgments: query id to document key to grade.
pub type Qrels = HashMap<String, HashMap<String, u32>>;

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: line {1}: {2}")]
    Format(PathBuf, usize, String),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    /// A judged query could not be searched: a score of 0 would hide a broken index or dataset.
    #[error("query {0}: {1}")]
    Search(String, SearchError),
}

/// Where the documents come from and how results are identified in the qrels.
#[derive(Debug, Clone)]
pub enum Corpus {
    /// `corpus.jsonl` records, identified by `_id`.
    Jsonl(PathBuf),
    /// A site mirror, identified by canonical URL.
    Mirror(PathBuf),
}

impl Corpus {
    /// The corpus as an ingest input.
    pub fn input(&self) -> Input {
        match self {
            Corpus::Jsonl(p) => Input::Jsonl(p.clone()),
            Corpus::Mirror(p) => Input::Mirror(p.clone()),
        }
    }

    /// Ingests the corpus into `dir` (kept, so a later run re-embeds nothing unchanged) or into
    /// a temporary directory, with one indexing thread so ties rank the same way on every run.
    /// With `embedder`, articles carry passage vectors. Returns the index, the temporary
    /// directory to keep alive, and the seconds ingesting took.
    pub fn index(
        &self,
        embedder: Option<Arc<Embedder>>,
        dir: Option<&Path>,
    ) -> Result<(HealthIndex, Option<tempfile::TempDir>, f64), EvalError> {
        let (index, tmp) = match dir {
            Some(d) => (HealthIndex::open_or_create(d)?.0, None),
            None => {
                let tmp = tempfile::tempdir().map_err(|e| EvalError::Read(std::env::temp_dir(), e))?;
                (HealthIndex::create(tmp.path())?, Some(tmp))
            }
        };
        let index = index.with_embedder(embedder);
        let started = Instant::now();
        ingest_deterministic(&index, &self.input())?;
        Ok((index, tmp, started.elapsed().as_secs_f64()))
    }
}

/// One query's scores.
#[derive(Debug, Serialize)]
pub struct QueryScore {
    pub id: String,
    pub text: String,
    pub ndcg10: f64,
    pub rr10: f64,
    pub recall100: f64,
    pub top: Option<String>,
}

/// A whole run's means and timings.
#[derive(Debug, Serialize)]
pub struct RankingEval {
    pub ranking: String,
    pub queries: usize,
    pub documents: u64,
    pub ndcg10: f64,
    pub mrr10: f64,
    pub recall100: f64,
    pub index_seconds: f64,
    pub search_seconds: f64,
    pub per_query: Vec<QueryScore>,
}

/// Reads `queries.jsonl`: `{"_id", "text"}` a line. Both are required (BEIR always has them):
/// a query without text would only score 0 and lower the mean unnoticed.
pub fn load_queries(path: &Path) -> Result<Vec<(String, String)>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::Read(path.to_path_buf(), e))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |msg: String| EvalError::Format(path.to_path_buf(), n + 1, msg);
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let id = match &v["_id"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(bad("no \"_id\" (a string or number)".into())),
        };
        let Some(text) = v["text"].as_str() else { return Err(bad("no \"text\" string".into())) };
        out.push((id, text.to_string()));
    }
    Ok(out)
}

/// Reads a qrels TSV (`query-id`, `corpus-id`, `score`, with a header line).
pub fn load_qrels(path: &Path) -> Result<Qrels, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::Read(path.to_path_buf(), e))?;
    let mut qrels: Qrels = HashMap::new();
    for (n, line) in text.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [q, d, s, ..] = cols.as_slice() else {
            return Err(EvalError::Format(path.to_path_buf(), n + 1, "expected three tab-separated columns".into()));
        };
        let grade = s.trim().parse::<u32>().map_err(|e| EvalError::Format(path.to_path_buf(), n + 1, e.to_string()))?;
        qrels.entry(q.trim().to_string()).or_default().insert(d.trim().to_string(), grade);
    }
    Ok(qrels)
}

/// nDCG@k with linear gains, as BEIR computes it.
pub fn ndcg_at(ranked: &[String], rels: &HashMap<String, u32>, k: usize) -> f64 {
    let dcg: f64 = ranked.iter().take(k).enumerate().map(|(i, d)| gain(rels, d) / (i as f64 + 2.0).log2()).sum();
    let mut ideal: Vec<u32> = rels.values().copied().filter(|g| *g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal.iter().take(k).enumerate().map(|(i, g)| f64::from(*g) / (i as f64 + 2.0).log2()).sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

fn gain(rels: &HashMap<String, u32>, d: &str) -> f64 {
    f64::from(rels.get(d).copied().unwrap_or(0))
}

/// Reciprocal rank of the first relevant result within the top `k`.
pub fn rr_at(ranked: &[String], rels: &HashMap<String, u32>, k: usize) -> f64 {
    ranked.iter().take(k).position(|d| gain(rels, d) > 0.0).map_or(0.0, |i| 1.0 / (i as f64 + 1.0))
}

/// Share of the relevant documents found within the top `k`.
pub fn recall_at(ranked: &[String], rels: &HashMap<String, u32>, k: usize) -> f64 {
    let relevant = rels.values().filter(|g| **g > 0).count();
    if relevant == 0 {
        return 0.0;
    }
    ranked.iter().take(k).filter(|d| gain(rels, d) > 0.0).count() as f64 / relevant as f64
}

/// Indexes `corpus` (see [`Corpus::index`]) and scores `queries` against `qrels`.
/// With `run_out`, writes a TREC run file (`qid Q0 docid rank score tag`).
pub fn evaluate(
    corpus: &Corpus,
    queries: &[(String, String)],
    qrels: &Qrels,
    ranking: &Ranking,
    run_out: Option<&Path>,
    index_dir: Option<&Path>,
) -> Result<RankingEval, EvalError> {
    let embedder = match ranking {
        Ranking::Ours(r) => r.semantic.as_ref().map(|s| s.embedder.clone()),
        Ranking::Baseline => None,
    };
    let (index, _tmp, index_seconds) = corpus.index(embedder, index_dir)?;
    let tag = match ranking {
        Ranking::Ours(_) => "healthsearch",
        Ranking::Baseline => "bm25-baseline",
    };
    let mut eval = score_queries(corpus, queries, qrels, tag, run_out, |text| rank(&index, text, 100, ranking))?;
    eval.documents = index.num_docs();
    eval.index_seconds = index_seconds;
    Ok(eval)
}

/// Ranks every judged query with `rank` (its top 100) and scores it against `qrels`; with
/// `run_out`, writes a TREC run file (`qid Q0 docid rank score tag`).
pub fn score_queries(
    corpus: &Corpus,
    queries: &[(String, String)],
    qrels: &Qrels,
    tag: &str,
    run_out: Option<&Path>,
    mut rank: impl FnMut(&str) -> Result<Vec<Ranked>, SearchError>,
) -> Result<RankingEval, EvalError> {
    let by_url = matches!(corpus, Corpus::Mirror(_));
    let key = |r: &Ranked| if by_url { r.url.clone() } else { r.id.clone() };
    let started = Instant::now();
    let mut per_query = Vec::new();
    let mut run = String::new();
    for (qid, text) in queries {
        let Some(rels) = qrels.get(qid) else { continue };
        let ranked: Vec<Ranked> = rank(text).map_err(|e| EvalError::Search(qid.clone(), e))?;
        let keys: Vec<String> = ranked.iter().map(key).collect();
        for (i, r) in ranked.iter().enumerate() {
            run.push_str(&format!("{qid} Q0 {} {} {:.4} {tag}\n", key(r), i + 1, r.score));
        }
        per_query.push(QueryScore {
            id: qid.clone(),
            text: text.clone(),
            ndcg10: ndcg_at(&keys, rels, 10),
            rr10: rr_at(&keys, rels, 10),
            recall100: recall_at(&keys, rels, 100),
            top: keys.first().cloned(),
        });
    }
    let search_seconds = started.elapsed().as_secs_f64();
    if let Some(path) = run_out {
        let write = || -> std::io::Result<()> { std::fs::File::create(path)?.write_all(run.as_bytes()) };
        write().map_err(|e| EvalError::Read(path.to_path_buf(), e))?;
    }
    let n = per_query.len().max(1) as f64;
    Ok(RankingEval {
        ranking: tag.to_string(),
        queries: per_query.len(),
        documents: 0,
        ndcg10: per_query.iter().map(|q| q.ndcg10).sum::<f64>() / n,
        mrr10: per_query.iter().map(|q| q.rr10).sum::<f64>() / n,
        recall100: per_query.iter().map(|q| q.recall100).sum::<f64>() / n,
        index_seconds: 0.0,
        search_seconds,
        per_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rels(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    fn docs(ds: &[&str]) -> Vec<String> {
        ds.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn metrics_match_hand_computed_values() {
        let r = rels(&[("a", 2), ("b", 1)]);
        assert!((ndcg_at(&docs(&["a", "b"]), &r, 10) - 1.0).abs() < 1e-9);
        let swapped = (1.0 + 2.0 / 3f64.log2()) / (2.0 + 1.0 / 3f64.log2());
        assert!((ndcg_at(&docs(&["b", "a"]), &r, 10) - swapped).abs() < 1e-9);
        assert_eq!(rr_at(&docs(&["x", "b"]), &r, 10), 0.5);
        assert_eq!(recall_at(&docs(&["x", "b"]), &r, 100), 0.5);
        assert_eq!(ndcg_at(&docs(&["x"]), &r, 10), 0.0);
    }

    #[test]
    fn a_query_without_text_is_an_error_with_its_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("queries.jsonl");
        std::fs::write(&path, "{\"_id\": 1, \"text\": \"flu\"}\n{\"_id\": \"2\"}\n").expect("write");
        let e = load_queries(&path).expect_err("no text");
        assert!(e.to_string().ends_with("line 2: no \"text\" string"), "{e}");
    }
}
