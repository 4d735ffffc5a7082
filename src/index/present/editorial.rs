//! Editors' tools: related articles (shared words and shared sources) of an article found by its
//! URL however written, the articles that cite a source, and articles due for review (old review
//! dates or old citation access dates).

use super::search::surface_form;
use crate::article::{Article, ArticleRef, Citation};
use crate::cite_keys::{accessed_date, citation_keys, is_tracking_param, url_key};
use crate::index::ranking::feedback::{body_term, stored_terms};
use crate::index::ranking::fusion::MIN_COSINE;
use crate::index::storage::lookup::{articles_with, doc_with};
use crate::index::storage::stored::stored_article;
use crate::index::storage::writer::date_value;
use crate::index::{HealthIndex, IndexError};
use crate::semantic::table::nearest;
use crate::semantic::vectors;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::{DateTime, DocAddress, Searcher, TantivyDocument, Term};
use url::Url;
use utoipa::ToSchema;

/// Words of an article used to find related ones.
pub const RELATED_TERMS: usize = 25;
/// Candidates considered by shared words.
pub const RELATED_CANDIDATES: usize = 50;
/// Score of one shared source, relative to the best shared-words score (1.0).
pub const SHARED_SOURCE_WEIGHT: f32 = 0.25;
/// Score of an article's likeness in meaning (the cosine of the two articles' title-and-summary
/// vectors' nearest passages), relative to the best shared-words score (1.0).
pub const MEANING_WEIGHT: f32 = 1.0;
/// Shared words reported per related article.
const WHY_TERMS: usize = 6;

/// A related article and why it is related.
#[derive(Debug, Serialize, ToSchema)]
pub struct Related {
    /// The article: its id, title and canonical URL.
    #[serde(flatten)]
    pub article: ArticleRef,
    /// Shared words (the best related article scores 1.0), plus a quarter per shared source,
    /// plus the likeness in meaning. Only comparable within one response.
    pub score: f32,
    /// The heaviest words both articles use, as the related article writes them (lower-cased),
    /// at most six.
    #[schema(max_items = 6)]
    pub shared_terms: Vec<String>,
    /// Sources both articles cite.
    pub shared_citations: Vec<SharedSource>,
    /// How close the two articles are in meaning (cosine, when the index has passage vectors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<f32>,
}

/// A source two articles both cite.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharedSource {
    /// The source's normalized key (`doi:…`, `pmid:…`, `pmcid:…` or `url:…`).
    pub key: String,
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(required = true)]
    pub url: Option<String>,
}

/// The article stored in `doc` and the articles related to it: by its heaviest words
/// (MoreLikeThis-style) and by the sources they share with it, best first.
pub fn related(
    index: &HealthIndex,
    searcher: &Searcher,
    doc: &TantivyDocument,
    limit: usize,
) -> Result<(Article, Vec<Related>), IndexError> {
    let article = stored_article(index, doc)?;
    let own_terms: Vec<(&str, f32)> = stored_terms(doc, &index.fields).collect();
    let own_keys: HashMap<String, &Citation> =
        article.citations.iter().flat_map(|c| citation_keys(c).into_iter().map(move |k| (k, c))).collect();
    let mut scores: HashMap<DocAddress, f32> = HashMap::new();
    let clauses: Vec<_> =
        own_terms.iter().take(RELATED_TERMS).map(|(t, share)| body_term(index, t, share.sqrt())).collect();
    if !clauses.is_empty() {
        let top = searcher
            .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(RELATED_CANDIDATES + 1).order_by_score())?;
        let best = top.iter().map(|(s, _)| *s).fold(f32::EPSILON, f32::max);
        for (s, addr) in top {
            scores.insert(addr, s / best);
        }
    }
    for key in own_keys.keys() {
        let q = TermQuery::new(Term::from_field_text(index.fields.cite_key, key), IndexRecordOption::Basic);
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(RELATED_CANDIDATES).order_by_score())? {
            *scores.entry(addr).or_default() += SHARED_SOURCE_WEIGHT;
        }
    }
    let meaning = by_meaning(index, searcher, doc)?;
    for (cosine, addr) in &meaning {
        *scores.entry(*addr).or_default() += MEANING_WEIGHT * cosine;
    }
    let meaning: HashMap<DocAddress, f32> = meaning.into_iter().map(|(c, a)| (a, c)).collect();
    let mut ranked: Vec<(DocAddress, f32)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let own: HashMap<&str, f32> = own_terms.iter().copied().collect();
    let mut out = Vec::new();
    for (addr, score) in ranked {
        let other_doc: TantivyDocument = searcher.doc(addr)?;
        let other = stored_article(index, &other_doc)?;
        if other.id == article.id {
            continue;
        }
        let meaning = meaning.get(&addr).copied();
        let other_terms = stored_terms(&other_doc, &index.fields);
        out.push(why_related(other, score, &own, other_terms, &own_keys, meaning));
        if out.len() >= limit {
            break;
        }
    }
    Ok((article, out))
}

/// A related article with why: the heaviest words both use (as `other` writes them) and the
/// sources both cite (keys to the first article's citations in `own_keys`).
pub fn why_related<'a>(
    other: Article,
    score: f32,
    own: &HashMap<&str, f32>,
    other_terms: impl Iterator<Item = (&'a str, f32)>,
    own_keys: &HashMap<String, &Citation>,
    meaning: Option<f32>,
) -> Related {
    let mut shared: Vec<(String, f32)> =
        other_terms.filter_map(|(t, s)| own.get(t).map(|o| (t.to_string(), o.min(s)))).collect();
    shared.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut seen = HashSet::new();
    let shared_citations = other
        .citations
        .iter()
        .flat_map(citation_keys)
        .filter_map(|k| own_keys.get(&k).map(|c| (k, *c)))
        .filter(|(_, c)| seen.insert(c.raw.clone()))
        .map(|(key, c)| SharedSource { key, title: c.title.clone(), url: c.url.clone() })
        .collect();
    let shared_terms =
        shared.iter().take(WHY_TERMS).map(|(t, _)| surface_form(&other, t).unwrap_or_else(|| t.clone())).collect();
    Related {
        shared_terms,
        article: ArticleRef { id: other.id, title: other.title, url: other.url },
        score,
        shared_citations,
        meaning,
    }
}

/// The articles nearest in meaning to the one stored in `doc` (by its title-and-summary vector
/// against every passage), when it has vectors.
fn by_meaning(
    index: &HealthIndex,
    searcher: &Searcher,
    doc: &TantivyDocument,
) -> Result<Vec<(f32, DocAddress)>, IndexError> {
    let codes = doc.get_first(index.fields.vectors).and_then(|v| v.as_bytes()).and_then(vectors::decode);
    let Some(lead) = codes.and_then(|c| c.into_iter().find(|c| c.section == vectors::LEAD)) else {
        return Ok(Vec::new());
    };
    let tables = index.vector_tables(searcher)?;
    let mut near = nearest(searcher, &tables, &lead, RELATED_CANDIDATES + 1, &|_| true);
    near.retain(|(c, _)| *c >= MIN_COSINE);
    Ok(near)
}

/// The stored article at `url` however the link is written: with or without `www.`, a trailing
/// slash, a fragment or tracking parameters, over http or https. Two links name the same page
/// when their [`url_key`]s agree, the key `/api/citations` finds sources by.
pub fn doc_by_url(index: &HealthIndex, searcher: &Searcher, url: &str) -> Result<Option<TantivyDocument>, IndexError> {
    if let Some(doc) = doc_with(searcher, index.fields.url, url)? {
        return Ok(Some(doc));
    }
    let Some(key) = url_key(url) else { return Ok(None) };
    for stored in stored_forms(url).iter().filter(|s| url_key(s).as_ref() == Some(&key)) {
        if let Some(doc) = doc_with(searcher, index.fields.url, stored)? {
            return Ok(Some(doc));
        }
    }
    Ok(None)
}

/// The ways an article's stored (canonical) URL can spell the page `url` names: http or https,
/// with or without `www.`, with or without a trailing slash, query parameters as given (minus
/// tracking ones), no fragment.
pub fn stored_forms(url: &str) -> Vec<String> {
    let Ok(u) = Url::parse(url.trim()) else { return Vec::new() };
    let Some(host) = u.host_str().map(str::to_ascii_lowercase) else { return Vec::new() };
    let bare = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    let kept: Vec<(String, String)> =
        u.query_pairs().filter(|(k, _)| !is_tracking_param(k)).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let path = u.path().trim_end_matches('/');
    let paths = if path.is_empty() { vec!["/".to_string()] } else { vec![path.to_string(), format!("{path}/")] };
    let mut out = Vec::new();
    for scheme in ["https", "http"] {
        for h in [bare.clone(), format!("www.{bare}")] {
            for p in &paths {
                let Ok(mut form) = Url::parse(&format!("{scheme}://{h}{port}{p}")) else { continue };
                if !kept.is_empty() {
                    form.query_pairs_mut().extend_pairs(&kept);
                }
                out.push(form.to_string());
            }
        }
    }
    out
}

/// An article citing a source, with the entries that cite it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Citing {
    /// The article: its id, title and canonical URL.
    #[serde(flatten)]
    pub article: ArticleRef,
    /// When the article was last reviewed.
    #[schema(required = true)]
    pub reviewed: Option<NaiveDate>,
    /// The entries of its reference list that cite the source.
    pub citations: Vec<Citation>,
}

/// Articles citing the source with this key (see [`crate::cite_keys`]), up to `limit`, and how many
/// there are in all.
pub fn citing(index: &HealthIndex, key: &str, limit: usize) -> Result<(Vec<Citing>, usize), IndexError> {
    let (articles, total) = articles_with(index, index.fields.cite_key, key, limit)?;
    Ok((articles.into_iter().map(|a| Citing::of(a, key)).collect(), total))
}

impl Citing {
    /// An article citing the source with `key`, with the entries that cite it.
    pub fn of(a: Article, key: &str) -> Citing {
        Citing {
            citations: a.citations.iter().filter(|c| citation_keys(c).iter().any(|k| k == key)).cloned().collect(),
            article: ArticleRef { id: a.id, title: a.title, url: a.url },
            reviewed: a.reviewed,
        }
    }
}

/// An article due for review, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stale {
    /// The article: its id, title and canonical URL.
    #[serde(flatten)]
    pub article: ArticleRef,
    /// When the article was last reviewed; null when it never was.
    #[schema(required = true)]
    pub reviewed: Option<NaiveDate>,
    /// The oldest access date among its citations ("February 2022" counts as its first day).
    #[schema(required = true)]
    pub oldest_access: Option<NaiveDate>,
    /// Why it is due (at least one reason).
    pub reasons: Vec<StaleReason>,
    /// Citations last accessed before the cut-off.
    pub stale_citations: Vec<Citation>,
}

/// Why an article is due for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaleReason {
    /// Reviewed before the cut-off.
    ReviewDate,
    /// Never reviewed (no review date).
    NoReviewDate,
    /// Cites sources last accessed before the cut-off.
    CitationsAccessed,
}

/// Articles reviewed before `cutoff` (or never), or citing sources last accessed before it:
/// oldest first (by the older of the two dates; undated last), a page of them and the total.
pub fn stale(
    index: &HealthIndex,
    cutoff: NaiveDate,
    limit: usize,
    offset: usize,
) -> Result<(Vec<Stale>, usize), IndexError> {
    let searcher = index.searcher();
    let limit_date = date_value(cutoff);
    let mut found: Vec<(DateTime, DocAddress)> = Vec::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let fast = segment.fast_fields();
        let reviewed = fast.date(crate::index::storage::schema::name::REVIEWED)?;
        let accessed = fast.date(crate::index::storage::schema::name::OLDEST_ACCESS)?;
        for doc in 0..segment.max_doc() {
            if segment.is_deleted(doc) {
                continue;
            }
            let r = reviewed.first(doc);
            let a = accessed.first(doc);
            let old = |d: Option<DateTime>| d.is_some_and(|d| d < limit_date);
            if r.is_none() || old(r) || old(a) {
                let key = [r, a].into_iter().flatten().min().unwrap_or(DateTime::MAX);
                found.push((key, DocAddress::new(ord as u32, doc)));
            }
        }
    }
    found.sort();
    let total = found.len();
    let mut out = Vec::new();
    for (_, addr) in found.into_iter().skip(offset).take(limit) {
        let doc: TantivyDocument = searcher.doc(addr)?;
        out.push(why_stale(stored_article(index, &doc)?, cutoff));
    }
    Ok((out, total))
}

/// Why an article is due for review at `cutoff`.
pub fn why_stale(a: Article, cutoff: NaiveDate) -> Stale {
    let stale_citations: Vec<Citation> =
        a.citations.iter().filter(|c| accessed_date(c).is_some_and(|d| d < cutoff)).cloned().collect();
    let mut reasons = Vec::new();
    match a.reviewed {
        None => reasons.push(StaleReason::NoReviewDate),
        Some(d) if d < cutoff => reasons.push(StaleReason::ReviewDate),
        Some(_) => {}
    }
    if !stale_citations.is_empty() {
        reasons.push(StaleReason::CitationsAccessed);
    }
    Stale {
        oldest_access: a.citations.iter().filter_map(accessed_date).min(),
        article: ArticleRef { id: a.id, title: a.title, url: a.url },
        reviewed: a.reviewed,
        reasons,
        stale_citations,
    }
}
