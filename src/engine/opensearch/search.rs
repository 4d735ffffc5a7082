//! `/api/search` on the cluster: the same response as the embedded engine's, with snippets,
//! sections and sources cut by our own code from the stored articles.

use super::cluster::OpenSearch;
use super::dsl::in_any;
use super::error::OsError;
use super::meaning::stored_vectors;
use super::rank::{Planned, Retrieve, plan_on, retrieve};
use crate::article::Article;
use crate::index::present::search::{
    MAX_FACET_VALUES, MAX_LIMIT, MAX_WINDOW, Ranker, SearchError, SearchParams, SearchResponse, elapsed_ms, explain,
    to_hit,
};
use crate::index::present::snippet::Highlighter;
use crate::index::ranking::count::TOTAL_LIMIT;
use crate::index::ranking::filter::{FacetValue, facet_values};
use crate::index::ranking::fusion::MeaningExplain;
use crate::index::storage::schema::name;
use crate::query::spell::{self, Kind};
use crate::query::{ParsedQuery, QueryPlan, is_stop_term, parse, typed_weights};
use crate::semantic::Code;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Runs a search on the cluster.
pub fn search(os: &OpenSearch, params: &SearchParams, ranker: &Ranker) -> Result<SearchResponse, SearchError> {
    let started = Instant::now();
    let parsed = parse(&params.q)?;
    let mut planned = plan_on(os, &params.q, parsed.clone(), ranker, params.semantic_ratio)?;
    let limit = params.limit.min(MAX_LIMIT);
    let offset = params.offset.min(MAX_WINDOW.saturating_sub(limit));
    let total_limit = (!params.exact_total).then_some(TOTAL_LIMIT);
    let r = Retrieve {
        filters: &params.filters,
        sort: params.sort,
        offset,
        limit,
        facets: &params.facets,
        total_limit,
        strict: true,
    };
    let (found, rule) = retrieve(os, &planned, ranker, &r)?;
    planned.stats.add_doc_freqs(os, &plan_terms(&planned.plan))?;
    let Planned { plan, stats, meaning } = planned;
    let highlighter = Highlighter::new(typed_weights(&plan, &ranker.boosts, &stats));
    let articles = articles(os, found.hits.iter().map(|h| h.id.as_str()))?;
    let mut hits = Vec::with_capacity(found.hits.len());
    for h in &found.hits {
        let Some(article) = articles.get(&h.id) else { continue };
        let mut hit = to_hit(article.clone(), h.score(), &highlighter);
        hit.scores = params.explain.then_some(h.scores);
        hits.push(hit);
    }
    let mut facets = BTreeMap::new();
    for (facet, values) in found.facets {
        let counts: HashMap<String, u64> = values.iter().map(|(v, n, _)| (v.clone(), *n)).collect();
        let labels: HashMap<String, Option<String>> = values.into_iter().map(|(v, _, l)| (v, l)).collect();
        let mut shown: Vec<FacetValue> = facet_values(counts, params.filters.values(facet), MAX_FACET_VALUES);
        for v in &mut shown {
            v.label = labels.get(&v.value).cloned().flatten();
        }
        facets.insert(facet, shown);
    }
    let did_you_mean = suggestion(os, &plan, parsed, &params.q, found.total)?;
    Ok(SearchResponse {
        query: params.q.clone(),
        total: found.total,
        total_relation: found.relation,
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

/// Every term the plan searches: typed (or corrected) and other names of its concepts.
pub fn plan_terms(plan: &QueryPlan) -> Vec<String> {
    let mut terms: Vec<String> = plan.parsed.positive_terms().into_iter().map(String::from).collect();
    terms.extend(plan.expansions.iter().flat_map(|e| e.alternatives.iter().flatten().cloned()));
    terms.sort();
    terms.dedup();
    terms
}

/// The stored articles with these ids.
pub fn articles<'a>(os: &OpenSearch, ids: impl Iterator<Item = &'a str>) -> Result<HashMap<String, Article>, OsError> {
    let stored = stored(os, ids, false)?;
    Ok(stored.into_iter().map(|(id, (article, _))| (id, article)).collect())
}

/// The stored articles with these ids, each with its passage vectors (empty when it has none).
pub fn articles_with_vectors<'a>(
    os: &OpenSearch,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, (Article, Vec<Code>)>, OsError> {
    stored(os, ids, true)
}

fn stored<'a>(
    os: &OpenSearch,
    ids: impl Iterator<Item = &'a str>,
    with_vectors: bool,
) -> Result<HashMap<String, (Article, Vec<Code>)>, OsError> {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let fields = if with_vectors { format!("{},{}", name::DOC, name::VECTORS) } else { name::DOC.to_string() };
    let answer: Value = os.read(&format!("_mget?_source={fields}"), &json!({"ids": ids}))?;
    let mut out = HashMap::new();
    for d in answer["docs"].as_array().into_iter().flatten() {
        let Some(json) = d["_source"][name::DOC].as_str() else { continue };
        let article: Article = serde_json::from_str(json)
            .map_err(|e| OsError::Unexpected { what: "a stored article".into(), reason: e.to_string() })?;
        let codes = if with_vectors { stored_vectors(&d["_source"]).unwrap_or_default() } else { Vec::new() };
        out.insert(article.id.clone(), (article, codes));
    }
    Ok(out)
}

/// The corrected query, when a typo was corrected and the corrected words find clearly more
/// articles than the typed ones (the embedded engine's rule).
fn suggestion(
    os: &OpenSearch,
    plan: &QueryPlan,
    typed: ParsedQuery,
    q: &str,
    total: usize,
) -> Result<Option<String>, OsError> {
    if !plan.corrections.iter().any(|c| c.kind == Kind::Typo) || total == 0 {
        return Ok(None);
    }
    let as_typed = count_all_words(os, &typed)?;
    let corrected = count_all_words(os, &plan.parsed)?;
    if corrected == 0 || corrected < 2 * as_typed {
        return Ok(None);
    }
    Ok(Some(spell::apply(q, &plan.corrections)))
}

/// Articles containing every non-stop word of the query in some text field.
fn count_all_words(os: &OpenSearch, parsed: &ParsedQuery) -> Result<u64, OsError> {
    let all: Vec<Value> =
        parsed.positive_terms().into_iter().filter(|t| !is_stop_term(t)).map(|t| in_any(&[t.to_string()])).collect();
    let body = json!({"query": {"bool": {"filter": all}}});
    let answer = os.read("_count", &body)?;
    Ok(answer["count"].as_u64().unwrap_or(0))
}
