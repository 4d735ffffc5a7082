//! Ranking on the cluster: a query read by our own planner (against the cluster's words), its
//! DSL run with filters as a `post_filter` and facets as aggregations, then the recency boost
//! and the people the query names applied by our own formulas to the best hits.

use super::cluster::OpenSearch;
use super::dsl;
use super::error::OsError;
use super::lexicon::{Knows, Prefetched};
use super::mapping::SITE_NAME;
use crate::article::Audience;
use crate::index::ranking::count::Relation;
use crate::index::ranking::feedback;
use crate::index::ranking::filter::{Facet, Filters, Sort};
use crate::index::ranking::ranker::{Ranker, freshness};
use crate::index::storage::schema::name;
use crate::index::storage::writer::date_value;
use crate::query::audience::multiplier;
use crate::query::{ParsedQuery, QueryPlan, plan};
use serde_json::{Map, Value, json};

/// Hits beyond the page fetched so that recency and audience can lift them into it.
const RERANK_EXTRA: usize = 20;
/// Facet values counted per facet (more than are shown, so selected ones can be found).
const FACET_BUCKETS: usize = 100;

/// One ranked article.
#[derive(Debug, Clone)]
pub struct OsHit {
    pub id: String,
    pub url: String,
    pub score: f32,
}

/// A facet value, its count, and what to show for it (a site's own name).
pub type Bucket = (String, u64, Option<String>);

/// One page of a ranked query.
pub struct Found {
    pub hits: Vec<OsHit>,
    pub total: usize,
    pub relation: Relation,
    /// Whether fewer words were required than the rule asks, because nothing matched strictly.
    pub relaxed: bool,
    /// Facet value counts (with a site's own name for the site facet), per facet.
    pub facets: Vec<(Facet, Vec<Bucket>)>,
    /// Important words in the query, and how many of them a match covers.
    pub words: usize,
    pub required: usize,
}

/// What to retrieve.
pub struct Retrieve<'a> {
    pub filters: &'a Filters,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    pub facets: &'a [Facet],
    /// Count at most this many matches (`None`: all).
    pub total_limit: Option<usize>,
    /// Whether matches must cover the query's words as the search box requires; without it,
    /// any article with one of them is ranked (evaluation and retrieval, as on the embedded
    /// engine's `Scope::Expand`).
    pub strict: bool,
}

/// Reads `parsed` against the cluster's words: corrections and concepts, as on the embedded engine.
pub fn plan_on(os: &OpenSearch, parsed: ParsedQuery, ranker: &Ranker) -> Result<(QueryPlan, Prefetched), OsError> {
    // The typed terms' counts come along: snippets weigh terms by them.
    let typed: Vec<String> = parsed.positive_terms().into_iter().map(String::from).collect();
    let prefetched = Prefetched::fetch(os, &parsed, &typed)?;
    let model = ranker.semantic.as_ref().map(|s| s.embedder.clone());
    let knows = model.map(|m| Box::new(move |w: &str| m.model().knows_word(w)) as Knows);
    let prefetched = prefetched.with_language(knows);
    let lexicon = ranker.typos.then_some(&prefetched as &dyn crate::query::Lexicon);
    Ok((plan(parsed, lexicon, Some(&ranker.vocab)), prefetched))
}

fn filter_clauses(f: &Filters) -> Vec<Value> {
    let mut out = Vec::new();
    for (field, values) in [(name::CATEGORY, &f.category), (name::SITE, &f.site), (name::AUDIENCE, &f.audience)] {
        if !values.is_empty() {
            out.push(json!({"terms": {field: values}}));
        }
    }
    if let Some(day) = f.reviewed_after {
        out.push(json!({"range": {name::REVIEWED: {"gte": day.to_string()}}}));
    }
    out
}

/// Ranks `plan` on the cluster.
pub fn retrieve(os: &OpenSearch, plan: &QueryPlan, ranker: &Ranker, r: &Retrieve) -> Result<Found, OsError> {
    let covers = dsl::covers(plan);
    let strict = if r.strict { dsl::strict(&covers) } else { 1 };
    let mut required = strict;
    loop {
        let found = run(os, plan, ranker, r, dsl::matching(plan, &covers, required))?;
        if found.total > 0 || required <= 1 {
            let relaxed = required < strict && found.total > 0;
            return Ok(Found {
                relaxed,
                words: covers.len(),
                required: if relaxed { required } else { strict },
                ..found
            });
        }
        required -= 1;
    }
}

fn run(os: &OpenSearch, plan: &QueryPlan, ranker: &Ranker, r: &Retrieve, matches: Value) -> Result<Found, OsError> {
    // Relevance reranks a window from the top; date order pages on the cluster.
    let (from, size) = match r.sort {
        Sort::Relevance => (0, r.offset + r.limit + RERANK_EXTRA),
        Sort::Reviewed => (r.offset, r.limit),
    };
    let mut body = json!({
        "query": dsl::full(plan, &ranker.boosts, matches),
        "post_filter": {"bool": {"filter": filter_clauses(r.filters)}},
        "from": from,
        "size": size,
        "_source": [name::ID, name::URL, name::REVIEWED, name::AUDIENCE, name::FEEDBACK],
        "track_total_hits": r.total_limit.map_or(json!(true), |l| json!(l)),
    });
    if r.sort == Sort::Reviewed {
        body["sort"] = json!([{name::REVIEWED: {"order": "desc", "missing": "_last"}}, {name::ID: "asc"}]);
    }
    let mut aggs = Map::new();
    for &facet in r.facets {
        let others = filter_clauses(&r.filters.without(facet));
        aggs.insert(
            facet.name().to_string(),
            json!({"filter": {"bool": {"filter": others}}, "aggs": {"v": facet_terms(facet)}}),
        );
    }
    if !aggs.is_empty() {
        body["aggs"] = Value::Object(aggs);
    }
    // Every shard scores with the whole index's term statistics, as one index would.
    let answer = os.read("_search?search_type=dfs_query_then_fetch", &body)?;
    let total = answer["hits"]["total"]["value"].as_u64().unwrap_or(0) as usize;
    let relation = if answer["hits"]["total"]["relation"] == "gte" { Relation::Gte } else { Relation::Eq };
    let mut hits = parse_hits(&answer, r.sort);
    if r.sort == Sort::Relevance {
        if let Some(again) = with_feedback(os, plan, ranker, r.strict, &body, &hits)? {
            hits = again;
        }
        rerank(&mut hits, plan, ranker);
    }
    let skip = r.offset - from;
    let hits: Vec<OsHit> = hits.into_iter().skip(skip).take(r.limit).map(|(h, _)| h).collect();
    let mut facets = Vec::new();
    for &facet in r.facets {
        let buckets = answer["aggregations"][facet.name()]["v"]["buckets"].as_array().cloned().unwrap_or_default();
        let values = buckets
            .iter()
            .filter_map(|b| {
                let label = b["name"]["hits"]["hits"][0]["_source"][SITE_NAME].as_str().map(String::from);
                Some((b["key"].as_str()?.to_string(), b["doc_count"].as_u64().unwrap_or(0), label))
            })
            .collect();
        facets.push((facet, values));
    }
    Ok(Found { hits, total, relation, relaxed: false, facets, words: 0, required: 0 })
}

/// The hits of a search answer with their stored fields.
fn parse_hits(answer: &Value, sort: Sort) -> Vec<(OsHit, Value)> {
    let hits = answer["hits"]["hits"].as_array().into_iter().flatten();
    hits.map(|h| {
        let source = h["_source"].clone();
        let text = |f: &str| source[f].as_str().unwrap_or_default().to_string();
        let score = if sort == Sort::Reviewed { 0.0 } else { h["_score"].as_f64().unwrap_or(0.0) as f32 };
        (OsHit { id: text(name::ID), url: text(name::URL), score }, source)
    })
    .collect()
}

/// The hits again with the first results' feedback words added to the query (the embedded
/// engine's rule, [`feedback::weigh`]): they only reorder the search box's matches, and may also
/// bring in articles for evaluation and retrieval (`strict` off). `None` without feedback.
fn with_feedback(
    os: &OpenSearch,
    plan: &QueryPlan,
    ranker: &Ranker,
    strict: bool,
    body: &Value,
    first: &[(OsHit, Value)],
) -> Result<Option<Vec<(OsHit, Value)>>, OsError> {
    let Some(fb) = ranker.feedback.filter(|_| first.len() >= feedback::MIN_HITS) else { return Ok(None) };
    let stored = first.iter().map(|(h, source)| (h.score, source[name::FEEDBACK].as_str().unwrap_or_default()));
    let words = feedback::weigh(stored, plan.parsed.positive_terms().len(), &fb);
    if words.is_empty() {
        return Ok(None);
    }
    let mut again = body.clone();
    let query = &mut again["query"]["bool"];
    if let Some(should) = query["should"].as_array_mut() {
        should.extend(words.iter().map(|(t, w)| json!({"term": {name::BODY: {"value": t, "boost": w}}})));
    }
    if !strict {
        let terms: Vec<&str> = words.iter().map(|(t, _)| t.as_str()).collect();
        let matches = query["filter"][0].take();
        query["filter"][0] = json!({"bool": {"should": [matches, {"terms": {name::BODY: terms}}]}});
    }
    if let Some(o) = again.as_object_mut() {
        o.remove("aggs");
    }
    again["track_total_hits"] = json!(false);
    let answer = os.read("_search?search_type=dfs_query_then_fetch", &again)?;
    Ok(Some(parse_hits(&answer, Sort::Relevance)))
}

/// Counts per value of a facet; for sites, with the name one of the site's articles gives it.
fn facet_terms(facet: Facet) -> Value {
    let mut terms = json!({"terms": {"field": facet.name(), "size": FACET_BUCKETS}});
    if facet == Facet::Site {
        terms["aggs"] = json!({"name": {"top_hits": {"size": 1, "_source": [SITE_NAME]}}});
    }
    terms
}

/// The recency boost and the people the query names, by the formulas the embedded engine uses.
fn rerank(hits: &mut [(OsHit, Value)], plan: &QueryPlan, ranker: &Ranker) {
    let now = tantivy::DateTime::from_timestamp_secs(chrono::Utc::now().timestamp());
    for (hit, source) in hits.iter_mut() {
        if ranker.boosts.recency > 0.0
            && let Some(day) = source[name::REVIEWED].as_str().and_then(|d| d.parse().ok())
        {
            hit.score *= 1.0 + ranker.boosts.recency * freshness(date_value(day), now);
        }
        let audience: Vec<Audience> = source[name::AUDIENCE]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| Audience::from_name(a.as_str()?))
            .collect();
        hit.score *= multiplier(&plan.audience, &audience);
    }
    hits.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
}
