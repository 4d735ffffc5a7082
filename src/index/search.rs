//! The search path the API, the CLI and evaluation share: parse, build, collect, and render hits
//! with the best section's snippet and the article's sources.

use super::query::{Boosts, ParsedQuery, QueryError, build, build_baseline, parse};
use super::snippet::{Highlighter, SNIPPET_CHARS, plain_html};
use super::{HealthIndex, IndexError};
use crate::article::Article;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::{Searcher, TantivyDocument, Term};

/// Largest page of hits.
pub const MAX_LIMIT: usize = 100;
/// Deepest result reachable by paging (`offset + limit`).
pub const MAX_WINDOW: usize = 1_000;

/// What to search for and which page of results to return.
#[derive(Debug, Clone)]
pub struct SearchParams {
    pub q: String,
    pub limit: usize,
    pub offset: usize,
}

/// Why a search could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// A page of results.
#[derive(Debug, Serialize)]
pub struct SearchResponse {
    pub query: String,
    /// Number of matching articles.
    pub total: usize,
    /// Time spent searching, in milliseconds.
    pub took_ms: f64,
    pub hits: Vec<Hit>,
}

/// One matching article.
#[derive(Debug, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub url: String,
    /// HTML: matched words in `<mark>`, everything else escaped.
    pub snippet_html: String,
    pub score: f32,
    /// The section the snippet comes from, with a link to it.
    pub section: Option<SectionLink>,
    pub reviewed: Option<NaiveDate>,
    pub citations: Vec<CitationLink>,
}

/// A heading and the URL that opens the article at it.
#[derive(Debug, Serialize)]
pub struct SectionLink {
    pub heading: String,
    pub url: String,
}

/// One source of an article, as shown under a hit.
#[derive(Debug, Serialize)]
pub struct CitationLink {
    pub text: String,
    pub url: Option<String>,
}

/// Runs a search with the default ranking.
pub fn search(index: &HealthIndex, params: &SearchParams) -> Result<SearchResponse, SearchError> {
    search_with(index, params, &Boosts::default())
}

/// Runs a search with the given ranking weights.
pub fn search_with(index: &HealthIndex, params: &SearchParams, boosts: &Boosts) -> Result<SearchResponse, SearchError> {
    let started = Instant::now();
    let parsed = parse(&params.q)?;
    let query = build(&parsed, &index.fields, boosts);
    let searcher = index.searcher();
    let limit = params.limit.min(MAX_LIMIT);
    let offset = params.offset.min(MAX_WINDOW.saturating_sub(limit));
    let collector = (TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_score(), Count);
    let (top, total) = searcher.search(&query, &collector).map_err(IndexError::from)?;
    let highlighter = Highlighter::new(term_weights(&searcher, index, &parsed), index.fields.body);
    let mut hits = Vec::with_capacity(top.len());
    for (score, addr) in top.into_iter().take(limit) {
        let doc: TantivyDocument = searcher.doc(addr).map_err(IndexError::from)?;
        let article = stored_article(index, &doc)?;
        hits.push(to_hit(article, score, &highlighter));
    }
    Ok(SearchResponse {
        query: params.q.clone(),
        total,
        took_ms: (started.elapsed().as_secs_f64() * 1e5).round() / 100.0,
        hits,
    })
}

/// How results are ranked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ranking {
    /// The production ranking with these weights.
    Ours(Boosts),
    /// Plain BM25 over all text, the comparison point for evaluation.
    Baseline,
}

/// One ranked article, identified without reading its stored JSON.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub id: String,
    pub url: String,
    pub score: f32,
}

/// The top `k` articles for a query, ranked as the API ranks them but without snippets.
pub fn rank(index: &HealthIndex, q: &str, k: usize, ranking: &Ranking) -> Result<Vec<Ranked>, SearchError> {
    let parsed = parse(q)?;
    let query = match ranking {
        Ranking::Ours(boosts) => build(&parsed, &index.fields, boosts),
        Ranking::Baseline => build_baseline(&parsed, &index.fields),
    };
    let searcher = index.searcher();
    let top = searcher.search(&query, &TopDocs::with_limit(k.max(1)).order_by_score()).map_err(IndexError::from)?;
    let text = |doc: &TantivyDocument, f| doc.get_first(f).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let mut out = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr).map_err(IndexError::from)?;
        out.push(Ranked { id: text(&doc, index.fields.id), url: text(&doc, index.fields.url), score });
    }
    Ok(out)
}

/// Each query term weighted by rarity in the body field, as Tantivy's own snippets do.
fn term_weights(searcher: &Searcher, index: &HealthIndex, parsed: &ParsedQuery) -> HashMap<String, f32> {
    let mut weights = HashMap::new();
    for t in parsed.positive_terms() {
        let term = Term::from_field_text(index.fields.body, t);
        let df = searcher.doc_freq(&term).unwrap_or(0);
        if df > 0 {
            weights.insert(t.to_string(), 1.0 / (1.0 + df as f32).ln().max(0.1));
        }
    }
    weights
}

/// The article stored with a document.
pub fn stored_article(index: &HealthIndex, doc: &TantivyDocument) -> Result<Article, IndexError> {
    let json = doc
        .get_first(index.fields.doc)
        .and_then(|v| v.as_str())
        .ok_or_else(|| IndexError::Corrupt("document has no stored article".into()))?;
    serde_json::from_str(json).map_err(|e| IndexError::Corrupt(e.to_string()))
}

fn to_hit(article: Article, score: f32, hl: &Highlighter) -> Hit {
    let best = hl.best_section(&article);
    let snippet = best.and_then(|s| hl.snippet_html(&s.text));
    let (snippet_html, section) = match (snippet, best) {
        (Some(html), Some(s)) => {
            let link = (!s.heading.is_empty())
                .then(|| SectionLink { heading: s.heading.clone(), url: article.section_url(s) });
            (html, link)
        }
        _ => {
            let html = hl.snippet_html(&article.summary).unwrap_or_else(|| plain_html(&article.summary, SNIPPET_CHARS));
            (html, None)
        }
    };
    let citations =
        article.citations.iter().map(|c| CitationLink { text: c.raw.clone(), url: c.url.clone() }).collect();
    Hit {
        id: article.id,
        title: article.title,
        url: article.url,
        snippet_html,
        score,
        section,
        reviewed: article.reviewed,
        citations,
    }
}
