//! The search path the API, the CLI and evaluation share: parse, build, collect, and render hits
//! with the best section's snippet and the article's sources.

use super::snippet::{Highlighter, SNIPPET_CHARS, plain_html};
use crate::analysis::analyze;
use crate::article::{Article, ArticleRef};
use crate::index::ranking::count::{Relation, TOTAL_LIMIT, count_up_to};
use crate::index::ranking::feedback::Scope;
use crate::index::ranking::filter::{FacetCounter, FacetValue, Filters, Sort, facet_values};
use crate::index::ranking::fusion::{FEW_WORD_MATCHES, MeaningExplain, QueryMeaning, Scores};
use crate::index::ranking::matching::{self, MatchRule, Within};
use crate::index::ranking::query::build_match;
use crate::index::ranking::stats::RequestStats;
use crate::index::storage::schema::TEXT_FIELDS;
use crate::index::storage::stored::stored_article;
use crate::index::{HealthIndex, IndexError};
use crate::query::spell::{self, Correction, Kind};
use crate::query::{Boosts, ParsedQuery, QueryPlan, is_stop_term, parse, typed_weights};
use crate::vocab::Expansion;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Query};
use tantivy::{DocAddress, Order, Score};
use tantivy::{Searcher, TantivyDocument};
use utoipa::ToSchema;

pub use crate::index::ranking::filter::Facet;
pub use crate::index::ranking::ranker::{Ranked, Ranker, Ranking, SearchError, rank};

/// Most values listed per facet.
pub const MAX_FACET_VALUES: usize = 30;
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
    /// Return how the query was read.
    pub explain: bool,
    pub filters: Filters,
    pub sort: Sort,
    /// Facets to count.
    pub facets: Vec<Facet>,
    /// Count every match, not only up to [`TOTAL_LIMIT`].
    pub exact_total: bool,
    /// Weight of meaning against words (0..1); `None` for the ranking's default.
    pub semantic_ratio: Option<f32>,
}

impl SearchParams {
    /// The first `limit` results for `q`.
    pub fn new(q: impl Into<String>, limit: usize) -> SearchParams {
        SearchParams {
            q: q.into(),
            limit,
            offset: 0,
            explain: false,
            filters: Filters::default(),
            sort: Sort::Relevance,
            facets: Vec::new(),
            exact_total: false,
            semantic_ratio: None,
        }
    }
}

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// `q` as given.
    pub query: String,
    /// Number of matching articles: exact up to 10,000 (or with `exact_total`), a lower bound
    /// above that (see `total_relation`).
    pub total: usize,
    /// `eq` when `total` is exact, `gte` when at least that many articles match.
    pub total_relation: Relation,
    /// Time spent searching, in milliseconds.
    #[schema(minimum = 0)]
    pub took_ms: f64,
    /// A corrected query, when the typed one had words the index does not know and the
    /// corrected one finds clearly more articles containing every word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
    /// Whether nothing matched the query strictly, so articles covering fewer of its words are
    /// shown (see `explain.matching`).
    pub relaxed: bool,
    /// At most `limit` hits, from `offset` on.
    pub hits: Vec<Hit>,
    /// Counts per value of each requested facet, among the articles matching the query and the
    /// other facets' filters (so several values of one facet can be chosen): at most 30 values
    /// each (plus any selected ones), by count, then value. Present when `facets` asks for some.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub facets: BTreeMap<Facet, Vec<FacetValue>>,
    /// How the query was read (with `explain=true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

/// How a query was read: the terms searched, corrections, concept expansions and weights.
#[derive(Debug, Serialize, ToSchema)]
pub struct Explain {
    /// The query's terms after analysis (lower-cased, folded, stemmed) and correction.
    pub terms: Vec<String>,
    /// Terms counted as stop words (weighted down).
    pub stop_words: Vec<String>,
    /// Words read as another word (typos and everyday spellings).
    pub corrections: Vec<Correction>,
    /// Health-vocabulary concepts the query names, whose other names were searched too.
    pub expansions: Vec<Expansion>,
    /// Field weights.
    pub fields: BTreeMap<String, f32>,
    /// Weights of the other signals.
    pub signals: BTreeMap<String, f32>,
    /// What counted as a match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching: Option<MatchRule>,
    /// How meaning took part (absent when the search ranked by words alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<MeaningExplain>,
}

/// One matching article.
#[derive(Debug, Serialize, ToSchema)]
pub struct Hit {
    /// The article: its id, title and canonical URL.
    #[serde(flatten)]
    pub article: ArticleRef,
    /// The publishing site's name (`og:site_name`, JSON-LD publisher), when the page gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// HTML: a passage of the best-matching section (or the summary), matched words in
    /// `<mark>`, everything else escaped; safe to insert as HTML.
    pub snippet_html: String,
    /// Relevance (0 when sorted by review date); comparable only within one response.
    pub score: f32,
    /// The section the snippet comes from, with a link to it (null for the summary or an
    /// untitled introduction).
    #[schema(required = true)]
    pub section: Option<SectionLink>,
    /// When a clinician last reviewed the article (its last update when the page gives no
    /// review date).
    #[schema(required = true)]
    pub reviewed: Option<NaiveDate>,
    /// The article's sources, in reference-list order.
    pub citations: Vec<CitationLink>,
    /// The lexical, semantic and fused scores (with `explain=true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scores: Option<Scores>,
}

/// A heading and the URL that opens the article at it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionLink {
    pub heading: String,
    /// The article URL with the section's anchor.
    pub url: String,
}

/// One source of an article, as shown under a hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitationLink {
    /// The reference-list entry as the page shows it.
    pub text: String,
    /// The source's link, when the entry has one.
    #[schema(required = true)]
    pub url: Option<String>,
}

/// Runs a search with the default ranking (bundled vocabulary, typo tolerance).
pub fn search(index: &HealthIndex, params: &SearchParams) -> Result<SearchResponse, SearchError> {
    search_with(index, params, &Ranker::default())
}

/// Runs a search with the given ranking.
pub fn search_with(index: &HealthIndex, params: &SearchParams, ranker: &Ranker) -> Result<SearchResponse, SearchError> {
    let started = Instant::now();
    let parsed = parse(&params.q)?;
    let searcher = index.searcher();
    let plan = ranker.plan(parsed.clone(), &searcher, index);
    // Statistics shared by ranking and the snippets' term weights.
    let stats = RequestStats::new(&searcher);
    let limit = params.limit.min(MAX_LIMIT);
    let offset = params.offset.min(MAX_WINDOW.saturating_sub(limit));
    let total_limit = (!params.exact_total).then_some(TOTAL_LIMIT);
    let meaning = ranker.meaning(&params.q, &plan, params.semantic_ratio, index, &searcher)?;
    // What the query matches, for totals, facets, pages and date sorting.
    let (matches, rule) = match_set(&searcher, index, &plan, &params.filters, meaning.as_ref(), &ranker.boosts)?;
    let meaning_floor = rule.meaning_from.unwrap_or(f32::INFINITY);
    let base = params.filters.apply(matches.box_clone(), &index.fields);
    let (top, (total, total_relation)) = match params.sort {
        Sort::Relevance => {
            let k = offset + limit;
            let within = Within { query: Arc::from(matches.box_clone()), meaning_floor };
            let found =
                ranker.retrieve(&stats, index, &plan, &params.filters, Scope::Rerank(within), k, meaning.as_ref())?;
            let total = count_up_to(&searcher, base.as_ref(), total_limit)?;
            (found.into_iter().skip(offset).collect::<Vec<_>>(), total)
        }
        Sort::Reviewed => {
            let (top, total) = newest_first(&searcher, base.as_ref(), limit, offset, total_limit)?;
            (top.into_iter().map(|(s, a)| (Scores { lexical: Some(s), semantic: None, fused: s }, a)).collect(), total)
        }
    };
    let mut facets = BTreeMap::new();
    for &facet in &params.facets {
        let query = params.filters.without(facet).apply(matches.box_clone(), &index.fields);
        let counts = searcher.search(query.as_ref(), &FacetCounter::new(facet.name())).map_err(IndexError::from)?;
        let mut values = facet_values(counts, params.filters.values(facet), MAX_FACET_VALUES);
        if facet == Facet::Site {
            label_sites(&searcher, index, &mut values)?;
        }
        facets.insert(facet, values);
    }
    let highlighter = Highlighter::new(typed_weights(&plan, &ranker.boosts, &stats.of(index.fields.body)));
    let mut hits = Vec::with_capacity(top.len());
    for (scores, addr) in top.into_iter().take(limit) {
        let doc: TantivyDocument = searcher.doc(addr).map_err(IndexError::from)?;
        let article = stored_article(index, &doc)?;
        let mut hit = to_hit(article, scores.fused, &highlighter);
        hit.scores = params.explain.then_some(scores);
        hits.push(hit);
    }
    let did_you_mean = suggestion(&searcher, index, &plan, parsed, &params.q, total)?;
    Ok(SearchResponse {
        query: params.q.clone(),
        total,
        total_relation,
        took_ms: elapsed_ms(started),
        did_you_mean,
        relaxed: rule.relaxed,
        hits,
        facets,
        explain: params.explain.then(|| {
            let mut e = explain(&plan, &ranker.boosts);
            e.matching = Some(rule);
            e.meaning = meaning.map(|m| MeaningExplain { text: m.text, ratio: m.ratio, by_meaning: rule.by_meaning });
            e
        }),
    })
}

/// Labels each site (a host) with the name its articles give the site, if any.
fn label_sites(searcher: &Searcher, index: &HealthIndex, values: &mut [FacetValue]) -> Result<(), IndexError> {
    for v in values {
        v.label = index.site_names.of(searcher, index, &v.value)?;
    }
    Ok(())
}

/// A count of matches and whether it is exact.
type Total = (usize, Relation);

/// What the query matches in the search box ([`crate::index::ranking::matching`]): articles covering the
/// important words the rule requires, or matching by meaning; when that finds nothing under the
/// filters, one word fewer is required at a time. A query of stop words alone matches any of them.
fn match_set(
    searcher: &Searcher,
    index: &HealthIndex,
    plan: &QueryPlan,
    filters: &Filters,
    meaning: Option<&QueryMeaning>,
    boosts: &Boosts,
) -> Result<(Box<dyn Query>, MatchRule), IndexError> {
    let covers = matching::covers(plan, &index.fields);
    let strict = matching::required(covers.len());
    let words_only = Arc::new(Vec::new());
    let few_word_matches = |required| -> Result<bool, IndexError> {
        let words = filters.apply(matching::matching(&covers, required, &words_only), &index.fields);
        Ok(count_up_to(searcher, words.as_ref(), Some(FEW_WORD_MATCHES))?.0 < FEW_WORD_MATCHES)
    };
    let meaning_from = match meaning {
        Some(m) => Some(m.match_floor(searcher, covers.is_empty() || few_word_matches(strict)?)),
        None => None,
    };
    let by_meaning =
        Arc::new(meaning.zip(meaning_from).map(|(m, floor)| m.matches(searcher, floor)).unwrap_or_default());
    let mut rule =
        MatchRule { words: covers.len(), required: strict, relaxed: false, by_meaning: by_meaning.len(), meaning_from };
    if covers.is_empty() {
        return Ok((build_match(plan, &index.fields, boosts), rule));
    }
    for required in (1..=strict).rev() {
        let query = matching::matching(&covers, required, &by_meaning);
        let filtered = filters.apply(query.box_clone(), &index.fields);
        if count_up_to(searcher, filtered.as_ref(), Some(1))?.0 > 0 {
            rule.required = required;
            rule.relaxed = required < strict;
            return Ok((query, rule));
        }
    }
    // Nothing matches even one word: the strict rule stands, with no results.
    Ok((matching::matching(&covers, strict, &by_meaning), rule))
}

/// The newest-reviewed matches, undated last; their score is 0.
fn newest_first(
    searcher: &Searcher,
    query: &dyn Query,
    limit: usize,
    offset: usize,
    total_limit: Option<usize>,
) -> Result<(Vec<(Score, DocAddress)>, Total), IndexError> {
    let top = TopDocs::with_limit(limit.max(1))
        .and_offset(offset)
        .order_by_fast_field::<tantivy::DateTime>(crate::index::storage::schema::name::REVIEWED, Order::Desc);
    // Sorting by date visits every match anyway, so counting them all in the same pass is free.
    let (docs, count) = searcher.search(query, &(top, Count))?;
    let total = Relation::bounded(count, total_limit);
    Ok((docs.into_iter().map(|(_, addr)| (0.0, addr)).collect(), total))
}

/// The corrected query, when a typo was corrected and the corrected query finds clearly more
/// than the query as typed would have. Everyday spellings read as meant are shown in it too, but
/// alone never make one.
fn suggestion(
    searcher: &Searcher,
    index: &HealthIndex,
    plan: &QueryPlan,
    typed: ParsedQuery,
    q: &str,
    total: usize,
) -> Result<Option<String>, IndexError> {
    if !plan.corrections.iter().any(|c| c.kind == Kind::Typo) {
        return Ok(None);
    }
    // "Much more" is judged on articles containing every word: OR-matching counts barely move.
    let as_typed = count_up_to(searcher, &all_words(&typed, index), Some(TOTAL_LIMIT))?.0;
    let corrected = count_up_to(searcher, &all_words(&plan.parsed, index), Some(TOTAL_LIMIT))?.0;
    // Clearly better: something where the typed words find nothing, or at least twice as much.
    if corrected == 0 || corrected < 2 * as_typed || total == 0 {
        return Ok(None);
    }
    Ok(Some(spell::apply(q, &plan.corrections)))
}

/// Articles containing every non-stop word of the query (in any text field).
fn all_words(parsed: &ParsedQuery, index: &HealthIndex) -> BooleanQuery {
    let fields = index.fields.texts();
    let terms = parsed.positive_terms().into_iter().filter(|t| !is_stop_term(t));
    BooleanQuery::intersection(terms.map(|t| matching::in_any(&fields, &[t.to_string()])).collect())
}

/// A word of the article that analyzes to `term`, as written (lower-cased).
pub fn surface_form(a: &Article, term: &str) -> Option<String> {
    let text = format!("{} {}", a.title, a.body());
    text.split(|c: char| !c.is_alphanumeric()).find(|w| analyze(w) == [term]).map(str::to_lowercase)
}

/// How a query was read, before what matched and how meaning took part are added.
pub fn explain(plan: &QueryPlan, b: &Boosts) -> Explain {
    // The weights of indexed fields are field weights; every other weight is a signal's.
    let (fields, signals): (BTreeMap<String, f32>, _) = b
        .named()
        .into_iter()
        .map(|(name, v)| (name, v.as_f64().unwrap_or_default() as f32))
        .partition(|(name, _)| TEXT_FIELDS.contains(&name.as_str()));
    let terms: Vec<String> = plan.parsed.positive_terms().into_iter().map(String::from).collect();
    Explain {
        stop_words: terms.iter().filter(|t| is_stop_term(t)).cloned().collect(),
        terms,
        corrections: plan.corrections.clone(),
        expansions: plan.expansions.clone(),
        fields,
        signals,
        matching: None,
        meaning: None,
    }
}

/// Milliseconds since `started`, to two decimals, as responses report them.
pub fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

/// A hit for a stored article: the best section's snippet (or the summary's), its link and the sources.
pub fn to_hit(article: Article, score: f32, hl: &Highlighter) -> Hit {
    let (snippet_html, section) = match hl.best_section(&article) {
        Some((s, Some(html))) => {
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
        article: ArticleRef { id: article.id, title: article.title, url: article.url },
        site_name: article.site_name,
        snippet_html,
        score,
        section,
        reviewed: article.reviewed,
        citations,
        scores: None,
    }
}
