//! Hybrid ranking: articles found by words and articles found by meaning in one list. Each side's
//! scores are scaled to 0..1 across the candidates (relative score fusion), then mixed by the
//! semantic ratio: 0 is lexical ranking alone, 1 meaning alone.

use super::filter::Filters;
use crate::index::storage::schema::Fields;
use crate::index::{HealthIndex, IndexError};
use crate::semantic::table::{SegmentVectors, best_of_each, keep_best};
use crate::semantic::{Code, Embedder};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};
use tantivy::collector::DocSetCollector;
use tantivy::query::AllQuery;
use tantivy::{DocAddress, Searcher};

/// The semantic ratio when a request gives none, chosen with `healthsearch eval` on the judged
/// sets (see the README's relevance table).
pub const DEFAULT_RATIO: f32 = 0.5;
/// Articles found by meaning alone are brought in only from this cosine up: below it, a query's
/// nearest articles are rarely about it.
pub const MIN_COSINE: f32 = 0.3;
/// An article whose best passage is this close to the query, and within [`MATCH_MARGIN`] of the
/// closest article, matches it in the search box even when it lacks the query's words.
/// Calibrated on the people set's test split: about 2 such articles a query, 60% of them judged
/// relevant, 87% of the answers among them (README, "What matches").
pub const MATCH_COSINE: f32 = 0.45;
/// How far below the closest article's cosine a meaning match may be.
pub const MATCH_MARGIN: f32 = 0.1;
/// When the query's words match fewer articles than this, it is likely phrased in words the
/// articles do not use ("sore noggin while expecting"): meaning then matches from [`MIN_COSINE`]
/// (still within [`MATCH_MARGIN`] of the closest article) instead of [`MATCH_COSINE`].
pub const FEW_WORD_MATCHES: usize = 3;

/// Ranking by meaning as configured for a process: the model and the default ratio.
#[derive(Debug, Clone)]
pub struct Semantic {
    pub embedder: Arc<Embedder>,
    pub ratio: f32,
}

/// One request's side of meaning: the query's vector and the index's vectors.
pub struct QueryMeaning {
    /// The text the model read (the query, then the concepts the vocabulary found in it).
    pub text: String,
    pub query: Arc<Code>,
    pub tables: Vec<Arc<SegmentVectors>>,
    pub ratio: f32,
    /// Every live article's best cosine, in index order: scanned once per request, on first use.
    scanned: OnceLock<Vec<(f32, DocAddress)>>,
}

/// How meaning took part in a search (in `explain`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeaningExplain {
    /// The text the model read.
    pub text: String,
    /// The semantic ratio used.
    pub ratio: f32,
    /// Articles matching by meaning (their best passage close enough to the query), counted in
    /// the total whether or not they also have the query's words.
    pub by_meaning: usize,
}

/// How one article's score was made (shown with `explain=true`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Scores {
    /// The lexical score (BM25 with our weights), absent when no query word matched.
    #[schema(required = true)]
    pub lexical: Option<f32>,
    /// The best cosine between the query and the article's passages.
    #[schema(required = true)]
    pub semantic: Option<f32>,
    /// The two together, as the article was ranked.
    pub fused: f32,
}

impl QueryMeaning {
    /// The query's meaning, when the ratio is above 0 and the model gives a vector.
    pub fn new(
        semantic: &Semantic,
        ratio: Option<f32>,
        q: &str,
        index: &HealthIndex,
        searcher: &Searcher,
    ) -> Result<Option<QueryMeaning>, IndexError> {
        let Some((query, ratio)) = query_vector(semantic, ratio, q) else { return Ok(None) };
        let tables = index.vector_tables(searcher)?;
        Ok(Some(QueryMeaning { text: q.to_string(), query, tables, ratio, scanned: OnceLock::new() }))
    }

    /// The `k` nearest articles passing the filters, from [`MIN_COSINE`] up.
    pub fn nearest(
        &self,
        searcher: &Searcher,
        filters: &Filters,
        fields: &Fields,
        k: usize,
    ) -> Result<Vec<(f32, DocAddress)>, IndexError> {
        let passing = filter_set(searcher, filters, fields)?;
        let allow = |a: &DocAddress| passing.as_ref().is_none_or(|s| s.contains(a));
        let mut hits: Vec<(f32, DocAddress)> =
            self.scan(searcher).iter().filter(|(c, a)| *c >= MIN_COSINE && allow(a)).copied().collect();
        keep_best(&mut hits, k);
        Ok(hits)
    }

    /// The lowest cosine that matches the query by meaning: [`MATCH_COSINE`] ([`MIN_COSINE`]
    /// when the words match fewer than [`FEW_WORD_MATCHES`] articles), or [`MATCH_MARGIN`] below
    /// the closest article when that is higher.
    pub fn match_floor(&self, searcher: &Searcher, few_word_matches: bool) -> f32 {
        let best = self.scan(searcher).iter().map(|(c, _)| *c).fold(f32::NEG_INFINITY, f32::max);
        match_floor(best, few_word_matches)
    }

    /// The live articles matching the query by meaning: from `floor` up.
    pub fn matches(&self, searcher: &Searcher, floor: f32) -> Vec<DocAddress> {
        self.scan(searcher).iter().filter(|(c, _)| *c >= floor).map(|(_, a)| *a).collect()
    }

    fn scan(&self, searcher: &Searcher) -> &[(f32, DocAddress)] {
        self.scanned.get_or_init(|| best_of_each(searcher, &self.tables, &self.query, &|_| true))
    }

    /// An article's best cosine to the query.
    pub fn cosine(&self, addr: DocAddress) -> Option<f32> {
        self.tables.get(addr.segment_ord as usize)?.best(addr.doc_id, &self.query)
    }

    /// Each of an article's vectors as (section number, cosine).
    pub fn passages(&self, addr: DocAddress) -> Vec<(u16, f32)> {
        self.tables.get(addr.segment_ord as usize).map_or_else(Vec::new, |t| t.of_doc(addr.doc_id, &self.query))
    }

    /// Fuses lexically scored candidates (`lexical`, matched ones) with the candidates found by
    /// meaning (`meaning`); `dropped` are excluded by the query. `trust` (0..1) scales the
    /// lexical side: how much of the query the best lexical match covers. Best first.
    pub fn fuse(
        &self,
        lexical: &[(f32, DocAddress)],
        meaning: &[(f32, DocAddress)],
        dropped: &HashSet<DocAddress>,
        trust: f32,
    ) -> Vec<(Scores, DocAddress)> {
        let meaning: Vec<(f32, DocAddress)> = meaning.iter().filter(|(_, a)| !dropped.contains(a)).copied().collect();
        fuse(lexical, &meaning, trust, self.ratio, |a| self.cosine(*a))
    }
}

/// The vector of the text the model reads and the ratio in force, when the ratio is above 0 and
/// the model gives one (a model that fails is logged, and the search ranks by words).
pub fn query_vector(semantic: &Semantic, ratio: Option<f32>, text: &str) -> Option<(Arc<Code>, f32)> {
    let ratio = ratio.unwrap_or(semantic.ratio).clamp(0.0, 1.0);
    if ratio == 0.0 || text.trim().is_empty() {
        return None;
    }
    match semantic.embedder.query(text) {
        Ok(code) => Some((code, ratio)),
        Err(e) => {
            tracing::warn!(error = %e, "query not embedded; lexical ranking only");
            None
        }
    }
}

/// The lowest cosine that matches by meaning, given the closest article's: [`MATCH_COSINE`]
/// ([`MIN_COSINE`] when the words match fewer than [`FEW_WORD_MATCHES`] articles), or
/// [`MATCH_MARGIN`] below the closest article when that is higher.
pub fn match_floor(best: f32, few_word_matches: bool) -> f32 {
    let floor = if few_word_matches { MIN_COSINE } else { MATCH_COSINE };
    floor.max(best - MATCH_MARGIN)
}

/// Relative score fusion of articles keyed by `K`: lexically scored candidates (`lexical`,
/// matched ones, best first) and candidates found by meaning (`meaning`, with their cosines);
/// `cosine` gives the others' cosines. `trust` (0..1) scales the lexical side, `ratio` mixes the
/// two. Best first, ties by key.
pub fn fuse<K: Clone + Eq + std::hash::Hash + Ord>(
    lexical: &[(f32, K)],
    meaning: &[(f32, K)],
    trust: f32,
    ratio: f32,
    cosine: impl Fn(&K) -> Option<f32>,
) -> Vec<(Scores, K)> {
    let mut all: HashMap<K, (Option<f32>, Option<f32>)> = HashMap::new();
    for (s, a) in lexical {
        all.entry(a.clone()).or_default().0 = Some(*s);
    }
    for (c, a) in meaning {
        all.entry(a.clone()).or_default().1 = Some(*c);
    }
    for (key, (_, sem)) in all.iter_mut() {
        if sem.is_none() {
            *sem = cosine(key);
        }
    }
    let range = |vals: &mut dyn Iterator<Item = f32>| {
        vals.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    let (_, lex_hi) = range(&mut all.values().filter_map(|v| v.0));
    let (sem_lo, sem_hi) = range(&mut all.values().filter_map(|v| v.1));
    // Lexical scores are scaled from 0 (no match), so one weak match is not made equal to
    // the best; cosines from the weakest candidate's. (Min-max on both sides, or cosines
    // over the best, moved nDCG@10 by under 0.005 on the bundled and people sets.)
    let lex = |v: Option<f32>| v.map_or(0.0, |s| if lex_hi > 0.0 { trust * s / lex_hi } else { 0.0 });
    let sem = |v: Option<f32>| v.map_or(0.0, |c| if sem_hi > sem_lo { (c - sem_lo) / (sem_hi - sem_lo) } else { 1.0 });
    let mut out: Vec<(Scores, K)> = all
        .into_iter()
        .map(|(key, (l, s))| {
            let fused = (1.0 - ratio) * lex(l) + ratio * sem(s);
            (Scores { lexical: l, semantic: s, fused }, key)
        })
        .collect();
    out.sort_by(|a, b| b.0.fused.total_cmp(&a.0.fused).then_with(|| a.1.cmp(&b.1)));
    out
}

/// The articles passing `filters`, or `None` when nothing is filtered.
fn filter_set(
    searcher: &Searcher,
    filters: &Filters,
    fields: &Fields,
) -> Result<Option<HashSet<DocAddress>>, IndexError> {
    if filters.is_empty() {
        return Ok(None);
    }
    let query = filters.apply(Box::new(AllQuery), fields);
    Ok(Some(searcher.search(query.as_ref(), &DocSetCollector)?))
}
