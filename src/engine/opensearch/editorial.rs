//! Editors' lists on the cluster: articles by id or URL (however written), the articles citing a
//! source, articles due for review, and related articles by shared words, shared sources and
//! meaning.
//! Each answer is built by the same code as on the embedded engine from the stored articles.

use super::cluster::OpenSearch;
use super::error::OsError;
use super::mapping::REVIEW_DUE;
use super::meaning::nearest;
use super::search::{articles, articles_with_vectors};
use crate::article::{Article, Citation};
use crate::cite_keys::{citation_keys, url_key};
use crate::engine::ArticleKey;
use crate::index::present::editorial::{
    Citing, MEANING_WEIGHT, RELATED_CANDIDATES, RELATED_TERMS, Related, SHARED_SOURCE_WEIGHT, Stale, stored_forms,
    why_related, why_stale,
};
use crate::index::ranking::feedback::parse_terms;
use crate::index::ranking::filter::{FacetValue, facet_values};
use crate::index::storage::schema::name;
use crate::semantic::vectors;
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Ids and stored fields of the articles a query finds, best first (or in `sort` order), with
/// how many match.
fn find(
    os: &OpenSearch,
    query: Value,
    size: usize,
    from: usize,
    sort: Option<Value>,
) -> Result<(Vec<Value>, usize), OsError> {
    let mut body = json!({"query": query, "size": size, "from": from, "track_total_hits": true,
        "_source": [name::ID, name::FEEDBACK]});
    if let Some(sort) = sort {
        body["sort"] = sort;
    }
    let answer = os.read("_search", &body)?;
    let total = answer["hits"]["total"]["value"].as_u64().unwrap_or(0) as usize;
    Ok((answer["hits"]["hits"].as_array().cloned().unwrap_or_default(), total))
}

fn id_of(hit: &Value) -> String {
    hit["_source"][name::ID].as_str().unwrap_or_default().to_string()
}

/// A page of every article, by id, and how many there are. Pages end at the cluster's result
/// window (`index.max_result_window`, 10,000 by default).
pub fn page(os: &OpenSearch, offset: usize, limit: usize) -> Result<(Vec<Article>, usize), OsError> {
    let (hits, total) = find(os, json!({"match_all": {}}), limit, offset, Some(json!([{name::ID: "asc"}])))?;
    Ok((in_order(os, &hits)?, total))
}

/// The stored articles of `hits`, in their order.
fn in_order(os: &OpenSearch, hits: &[Value]) -> Result<Vec<Article>, OsError> {
    let ids: Vec<String> = hits.iter().map(id_of).collect();
    let mut found = articles(os, ids.iter().map(String::as_str))?;
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// The id of the article a key names.
fn id_for(os: &OpenSearch, key: &ArticleKey) -> Result<Option<String>, OsError> {
    let query = match key {
        ArticleKey::Id(id) => json!({"term": {name::ID: id.trim()}}),
        ArticleKey::Url(url) => {
            let url = url.trim();
            let mut forms = vec![url.to_string()];
            if let Some(key) = url_key(url) {
                forms.extend(stored_forms(url).into_iter().filter(|s| url_key(s).as_ref() == Some(&key)));
            }
            json!({"terms": {name::URL: forms}})
        }
    };
    let (hits, _) = find(os, query, 1, 0, None)?;
    Ok(hits.first().map(id_of))
}

/// The stored article a key names.
pub fn article(os: &OpenSearch, key: &ArticleKey) -> Result<Option<Article>, OsError> {
    let Some(id) = id_for(os, key)? else { return Ok(None) };
    Ok(articles(os, std::iter::once(id.as_str()))?.remove(&id))
}

/// Articles citing the source with `key`, up to `limit`, and how many there are.
pub fn citing(os: &OpenSearch, key: &str, limit: usize) -> Result<(Vec<Citing>, usize), OsError> {
    let (hits, total) = find(os, json!({"term": {name::CITE_KEY: key}}), limit, 0, Some(json!([{name::ID: "asc"}])))?;
    Ok((in_order(os, &hits)?.into_iter().map(|a| Citing::of(a, key)).collect(), total))
}

/// Articles reviewed before `cutoff` (or never), or citing sources last accessed before it,
/// oldest first (undated last): a page and the total.
pub fn stale(os: &OpenSearch, cutoff: NaiveDate, limit: usize, offset: usize) -> Result<(Vec<Stale>, usize), OsError> {
    let before = json!({"lt": cutoff.to_string()});
    let query = json!({"bool": {"should": [
        {"bool": {"must_not": {"exists": {"field": name::REVIEWED}}}},
        {"range": {name::REVIEWED: before}},
        {"range": {name::OLDEST_ACCESS: before}},
    ], "minimum_should_match": 1}});
    let sort = json!([{REVIEW_DUE: {"order": "asc", "missing": "_last"}}, {name::ID: "asc"}]);
    let (hits, total) = find(os, query, limit, offset, Some(sort))?;
    Ok((in_order(os, &hits)?.into_iter().map(|a| why_stale(a, cutoff)).collect(), total))
}

/// The categories with the most articles, at most `limit`, most first.
pub fn topics(os: &OpenSearch, limit: usize) -> Result<Vec<FacetValue>, OsError> {
    let body = json!({"size": 0, "aggs": {"c": {"terms": {"field": name::CATEGORY, "size": limit}}}});
    let answer = os.read("_search", &body)?;
    let counts = answer["aggregations"]["c"]["buckets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| Some((b["key"].as_str()?.to_string(), b["doc_count"].as_u64()?)))
        .collect();
    Ok(facet_values(counts, &[], limit))
}

/// The article a key names and the articles related to it: by its heaviest words and by the
/// sources they share, best first.
pub fn related(os: &OpenSearch, key: &ArticleKey, limit: usize) -> Result<Option<(Article, Vec<Related>)>, OsError> {
    let Some(id) = id_for(os, key)? else { return Ok(None) };
    let (own_hit, _) = find(os, json!({"term": {name::ID: id}}), 1, 0, None)?;
    let Some((article, codes)) = articles_with_vectors(os, std::iter::once(id.as_str()))?.remove(&id) else {
        return Ok(None);
    };
    let own_terms = terms_of(own_hit.first());
    let mut scores: HashMap<String, f32> = HashMap::new();
    let mut feedback: HashMap<String, Vec<(String, f32)>> = HashMap::new();
    let clauses: Vec<Value> = own_terms
        .iter()
        .take(RELATED_TERMS)
        .map(|(t, share)| json!({"term": {name::BODY: {"value": t, "boost": share.sqrt()}}}))
        .collect();
    if !clauses.is_empty() {
        let (hits, _) = find(os, json!({"bool": {"should": clauses}}), RELATED_CANDIDATES + 1, 0, None)?;
        let best = hits.iter().filter_map(|h| h["_score"].as_f64()).fold(f64::EPSILON, f64::max) as f32;
        for h in &hits {
            scores.insert(id_of(h), h["_score"].as_f64().unwrap_or(0.0) as f32 / best);
            feedback.insert(id_of(h), terms_of(Some(h)));
        }
    }
    let own_keys: HashMap<String, &Citation> =
        article.citations.iter().flat_map(|c| citation_keys(c).into_iter().map(move |k| (k, c))).collect();
    for k in own_keys.keys() {
        let (hits, _) = find(os, json!({"term": {name::CITE_KEY: k}}), RELATED_CANDIDATES, 0, None)?;
        for h in &hits {
            *scores.entry(id_of(h)).or_default() += SHARED_SOURCE_WEIGHT;
            feedback.entry(id_of(h)).or_insert_with(|| terms_of(Some(h)));
        }
    }
    // Near in meaning: by the article's title-and-summary vector against every passage.
    let mut meaning: HashMap<String, f32> = HashMap::new();
    if let Some(lead) = codes.iter().find(|c| c.section == vectors::LEAD) {
        for n in nearest(os, lead, Vec::new(), Vec::new(), RELATED_CANDIDATES + 1)? {
            *scores.entry(n.id.clone()).or_default() += MEANING_WEIGHT * n.cosine;
            meaning.insert(n.id, n.cosine);
        }
    }
    scores.remove(&article.id);
    let mut ranked: Vec<(String, f32)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(limit);
    let unread: Vec<&str> = ranked.iter().map(|(id, _)| id.as_str()).filter(|id| !feedback.contains_key(*id)).collect();
    if !unread.is_empty() {
        for h in find(os, json!({"ids": {"values": unread}}), unread.len(), 0, None)?.0 {
            feedback.insert(id_of(&h), terms_of(Some(&h)));
        }
    }
    let mut others = articles(os, ranked.iter().map(|(id, _)| id.as_str()))?;
    let own: HashMap<&str, f32> = own_terms.iter().map(|(t, s)| (t.as_str(), *s)).collect();
    let mut out = Vec::new();
    for (other_id, score) in ranked {
        let Some(other) = others.remove(&other_id) else { continue };
        let other_terms = feedback.get(&other_id).into_iter().flatten().map(|(t, s)| (t.as_str(), *s));
        let cosine = meaning.get(&other_id).copied();
        out.push(why_related(other, score, &own, other_terms, &own_keys, cosine));
    }
    Ok(Some((article, out)))
}

/// An article's precomputed feedback words with their shares, from a hit's `_source`.
fn terms_of(hit: Option<&Value>) -> Vec<(String, f32)> {
    let text = hit.and_then(|h| h["_source"][name::FEEDBACK].as_str()).unwrap_or_default();
    parse_terms(text).map(|(t, s)| (t.to_string(), s)).collect()
}
