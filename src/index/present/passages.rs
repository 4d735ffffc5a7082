//! Passages for retrieval-augmented generation: the best articles' sections cut into whole-sentence
//! passages, scored against the query (its words, corrections and vocabulary expansions) together
//! with their article's score, near-duplicates dropped.

use super::search::{Ranker, SearchError};
use crate::analysis::analyze;
use crate::article::{Article, ArticleRef, Citation};
use crate::chunk::chunk_sentences;
use crate::index::ranking::feedback::Scope;
use crate::index::ranking::filter::Filters;
use crate::index::ranking::fusion::MIN_COSINE;
use crate::index::ranking::stats::RequestStats;
use crate::index::storage::stored::stored_article;
use crate::index::{HealthIndex, IndexError};
use crate::query::{parse, term_weights};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use tantivy::TantivyDocument;
use utoipa::ToSchema;

/// Passages returned when `k` is not given, and at most.
pub const DEFAULT_K: usize = 5;
pub const MAX_K: usize = 50;
pub use crate::chunk::DEFAULT_MAX_CHARS;
/// Bounds of a request's passage length.
pub const MIN_MAX_CHARS: usize = 100;
pub const MAX_MAX_CHARS: usize = 4_000;
// Weights tuned with `healthsearch eval --dataset tests/eval/bundled --corpus corpus --passages`.
/// Weight of the article's own score (relative to the best article's) in a passage's score.
const ARTICLE_WEIGHT: f32 = 10.0;
/// Weight of query words found in the passage's heading, relative to its text.
const HEADING_WEIGHT: f32 = 2.0;
/// Weight of a passage's meaning (its cosine scaled to 0..1 among the candidates) at semantic
/// ratio 1; words weigh `1 - ratio`.
const SEMANTIC_WEIGHT: f32 = 20.0;
/// Passages sharing this share of their word trigrams are near-duplicates.
const DUPLICATE_SHARE: f32 = 0.8;

/// A passage with its query-term counts (text, heading), its article's relative score and its
/// cosine to the query (when ranking by meaning).
type Candidate = (Passage, HashMap<String, u32>, HashMap<String, u32>, f32, Option<f32>);

/// What to retrieve.
#[derive(Debug, Clone)]
pub struct PassageParams {
    pub q: String,
    pub k: usize,
    pub max_chars: usize,
    pub filters: Filters,
    /// Weight of meaning against words (0..1); `None` for the ranking's default.
    pub semantic_ratio: Option<f32>,
}

/// One passage: whole sentences of one section.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Passage {
    /// A hash (16 hex digits) of the article's id and the passage's text: stable while both
    /// are unchanged (so it changes with `max_chars`).
    pub passage_id: String,
    /// Whole sentences of one section, at most `max_chars` characters; the section's lines
    /// (paragraphs, list items) stay lines. A sentence longer than that is cut at words, each
    /// piece but the last ending with `…`.
    pub text: String,
    pub article: PassageArticle,
    /// The section's heading (the article's title for an untitled introduction).
    pub heading: String,
    /// The article URL with the section's anchor, for citing.
    pub url: String,
    /// The query's words in the text and heading, the passage's meaning and its article's
    /// relative score together; comparable only within one response.
    pub score: f32,
    /// When the article was last reviewed.
    #[schema(required = true)]
    pub reviewed: Option<NaiveDate>,
    /// Every source of the passage's article.
    pub citations: Vec<SourceRef>,
}

/// The article a passage comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PassageArticle {
    /// The article: its id, title and canonical URL.
    #[serde(flatten)]
    pub article: ArticleRef,
    /// The publishing site's name, when the page gives one (for citing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
}

/// A source of the passage's article, parsed as far as it goes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceRef {
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(required = true)]
    pub url: Option<String>,
    #[schema(required = true)]
    pub doi: Option<String>,
    #[schema(required = true)]
    pub pmid: Option<String>,
    #[schema(required = true)]
    pub year: Option<u16>,
}

/// Passages for a query, best first.
pub fn passages(index: &HealthIndex, p: &PassageParams, ranker: &Ranker) -> Result<Vec<Passage>, SearchError> {
    let parsed = parse(&p.q)?;
    let searcher = index.searcher();
    let plan = ranker.plan(parsed, &searcher, index);
    let stats = RequestStats::new(&searcher);
    let meaning = ranker.meaning(&p.q, &plan, p.semantic_ratio, index, &searcher)?;
    let top = ranker.retrieve(&stats, index, &plan, &p.filters, Scope::Expand, CANDIDATE_ARTICLES, meaning.as_ref())?;
    let weights = term_weights(&plan, &ranker.boosts, &stats.of(index.fields.body));
    let mut articles = Vec::with_capacity(top.len());
    for (scores, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr).map_err(IndexError::from)?;
        let cosines = meaning.as_ref().map(|m| Box::new(passage_cosines(m.passages(addr), p.max_chars)) as Cosines);
        articles.push(RankedArticle { score: scores.fused, article: stored_article(index, &doc)?, cosines });
    }
    Ok(cut_passages(articles, &weights, p, meaning.as_ref().map_or(0.0, |m| m.ratio)))
}

/// An article ranked for a question, with the cosine of each of its passages to the question
/// when meaning took part.
pub struct RankedArticle {
    pub score: f32,
    pub article: Article,
    pub cosines: Option<Cosines>,
}

/// The cosine of a passage (by section and chunk) to the question.
pub type Cosines = Box<dyn Fn(At) -> Option<f32>>;

/// How many of the best articles passages are drawn from.
pub const CANDIDATE_ARTICLES: usize = 20;

/// The best `p.k` passages of the ranked articles (best first): each scored by the weighted
/// query terms in its text and heading, its article's score and, at `ratio`, its meaning; on
/// every engine alike.
pub fn cut_passages(
    top: Vec<RankedArticle>,
    weights: &HashMap<String, f32>,
    p: &PassageParams,
    ratio: f32,
) -> Vec<Passage> {
    let best_article = top.first().map_or(1.0, |a| a.score.max(f32::EPSILON));
    let mut pool: Vec<Candidate> = Vec::new();
    for ranked in top {
        for (at, passage) in indexed_passages(&ranked.article, p.max_chars) {
            let text_tf = term_counts(&passage.text, weights);
            let heading_tf = term_counts(&passage.heading, weights);
            let cosine = ranked.cosines.as_ref().and_then(|c| c(at));
            pool.push((passage, text_tf, heading_tf, ranked.score / best_article, cosine));
        }
    }
    let (lo, hi) =
        pool.iter().filter_map(|c| c.4).fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), c| (l.min(c), h.max(c)));
    let mut scored: Vec<Passage> = Vec::new();
    for (mut passage, text_tf, heading_tf, article_score, cosine) in pool {
        let text_score = match_score(&text_tf, weights);
        let heading_score = match_score(&heading_tf, weights);
        let lexical = text_score + HEADING_WEIGHT * heading_score;
        let meaning = cosine.map_or(0.0, |c| if hi > lo { (c - lo) / (hi - lo) } else { 1.0 });
        passage.score = lexical * (1.0 - ratio) + SEMANTIC_WEIGHT * ratio * meaning + ARTICLE_WEIGHT * article_score;
        if lexical > 0.0 || cosine.is_some_and(|c| c >= MIN_COSINE) {
            scored.push(passage);
        }
    }
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.passage_id.cmp(&b.passage_id)));
    without_near_duplicates(scored, p.k)
}

/// How often each weighted query term occurs in `text`.
fn term_counts(text: &str, weights: &HashMap<String, f32>) -> HashMap<String, u32> {
    let mut tf: HashMap<String, u32> = HashMap::new();
    for t in analyze(text) {
        if weights.contains_key(&t) {
            *tf.entry(t).or_default() += 1;
        }
    }
    tf
}

/// A saturating term-frequency score (BM25-like, without length normalization: passages are
/// already of bounded length). Rarity among the candidate passages was tried as a second weight
/// and lowered passage nDCG@10 (0.63 to 0.57): the typed topic words matter.
fn match_score(tf: &HashMap<String, u32>, weights: &HashMap<String, f32>) -> f32 {
    tf.iter().map(|(t, &n)| weights.get(t).copied().unwrap_or(0.0) * (n as f32 * 2.2) / (n as f32 + 1.2)).sum()
}

/// Every passage of an article, in order, unscored.
pub fn article_passages(a: &Article, max_chars: usize) -> Vec<Passage> {
    indexed_passages(a, max_chars).into_iter().map(|(_, p)| p).collect()
}

/// Where a passage sits: its section's number and its place among that section's passages.
pub type At = (usize, usize);

/// Every passage of an article with where it sits.
fn indexed_passages(a: &Article, max_chars: usize) -> Vec<(At, Passage)> {
    let article = PassageArticle { article: a.reference(), site_name: a.site_name.clone() };
    let citations: Vec<SourceRef> = a.citations.iter().map(source_ref).collect();
    let mut out = Vec::new();
    for (s, section) in a.sections.iter().enumerate() {
        let heading = if section.heading.is_empty() { a.title.clone() } else { section.heading.clone() };
        for (c, text) in chunk_sentences(&section.text, max_chars).into_iter().enumerate() {
            out.push((
                (s, c),
                Passage {
                    passage_id: passage_id(&a.id, &text),
                    text,
                    article: article.clone(),
                    heading: heading.clone(),
                    url: a.section_url(section),
                    score: 0.0,
                    reviewed: a.reviewed,
                    citations: citations.clone(),
                },
            ));
        }
    }
    out
}

/// A passage's cosine from its article's stored vectors (section number, cosine; see
/// [`crate::semantic::article_texts`]): the vector of the same passage when passages are cut as
/// they were embedded, else the best of its section's.
pub fn passage_cosines(vectors: Vec<(u16, f32)>, max_chars: usize) -> impl Fn(At) -> Option<f32> {
    move |(section, chunk)| {
        let mut of_section = vectors.iter().filter(|(s, _)| usize::from(*s) == section).map(|(_, c)| *c);
        if max_chars == DEFAULT_MAX_CHARS { of_section.nth(chunk) } else { of_section.reduce(f32::max) }
    }
}

fn source_ref(c: &Citation) -> SourceRef {
    SourceRef { title: c.title.clone(), url: c.url.clone(), doi: c.doi.clone(), pmid: c.pmid.clone(), year: c.year }
}

/// 16 hex digits of the hash of the article id and the passage text.
pub fn passage_id(article_id: &str, text: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(article_id.as_bytes());
    h.update(b"\0");
    h.update(text.as_bytes());
    format!("{:016x}", h.digest())
}

/// The first `k` passages, skipping any whose word trigrams mostly repeat a kept one.
fn without_near_duplicates(ranked: Vec<Passage>, k: usize) -> Vec<Passage> {
    let mut kept: Vec<(Passage, HashSet<String>)> = Vec::with_capacity(k);
    for p in ranked {
        if kept.len() >= k {
            break;
        }
        let grams = trigrams(&p.text);
        let duplicate = kept.iter().any(|(_, g)| {
            let shared = grams.intersection(g).count() as f32;
            shared >= DUPLICATE_SHARE * grams.len().min(g.len()).max(1) as f32
        });
        if !duplicate {
            kept.push((p, grams));
        }
    }
    kept.into_iter().map(|(p, _)| p).collect()
}

fn trigrams(text: &str) -> HashSet<String> {
    let words: Vec<String> = text.split_whitespace().map(|w| w.to_lowercase()).collect();
    if words.len() < 3 {
        return std::iter::once(words.join(" ")).collect();
    }
    words.windows(3).map(|w| w.join(" ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_depend_on_article_and_text_only() {
        assert_eq!(passage_id("a", "text"), passage_id("a", "text"));
        assert_ne!(passage_id("a", "text"), passage_id("b", "text"));
        assert_ne!(passage_id("a", "text"), passage_id("a", "text."));
    }

    #[test]
    fn near_duplicates_are_dropped() {
        let mk = |id: &str, text: &str| Passage {
            passage_id: id.into(),
            text: text.into(),
            article: PassageArticle { article: ArticleRef { id: id.into(), ..ArticleRef::default() }, site_name: None },
            heading: String::new(),
            url: String::new(),
            score: 0.0,
            reviewed: None,
            citations: Vec::new(),
        };
        let same = "back pain after birth usually eases within a few months of delivery";
        let kept = without_near_duplicates(
            vec![mk("1", same), mk("2", &format!("{same}.")), mk("3", "pelvic girdle pain is different")],
            5,
        );
        assert_eq!(kept.iter().map(|p| p.passage_id.as_str()).collect::<Vec<_>>(), vec!["1", "3"]);
    }
}
