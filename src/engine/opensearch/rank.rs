//! Ranking on the cluster: a query read by our own planner (against the cluster's words), its
//! DSL run with filters as a `post_filter` and facets as aggregations, then the recency boost
//! and the people the query names applied by our own formulas to the best hits.

use super::cluster::OpenSearch;
use super::dsl;
use super::error::OsError;
use super::lexicon::{Knows, Prefetched};
use super::mapping::SITE_NAME;
use super::meaning::{self, Meaning, Near, audience_of};
use crate::article::Audience;
use crate::index::ranking::count::Relation;
use crate::index::ranking::coverage::coverage_by;
use crate::index::ranking::feedback;
use crate::index::ranking::filter::{Facet, Filters, Sort};
use crate::index::ranking::fusion::{FEW_WORD_MATCHES, MIN_COSINE, Scores, fuse, match_floor};
use crate::index::ranking::matching::MatchRule;
use crate::index::ranking::ranker::{Ranker, freshness};
use crate::index::ranking::retrieve::{CANDIDATES, SEARCH_BOX_CANDIDATES};
use crate::index::storage::schema::name;
use crate::index::storage::writer::date_value;
use crate::query::audience::multiplier;
use crate::query::{ParsedQuery, QueryPlan, plan};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Hits beyond the page fetched so that recency and audience can lift them into it.
const RERANK_EXTRA: usize = 20;
/// Facet values counted per facet (more than are shown, so selected ones can be found).
const FACET_BUCKETS: usize = 100;

/// One ranked article.
#[derive(Debug, Clone)]
pub struct OsHit {
    pub id: String,
    pub url: String,
    /// How the score was made: by words, by meaning, and the two fused (what it ranks by).
    pub scores: Scores,
}

impl OsHit {
    /// The score the hit ranks by.
    pub fn score(&self) -> f32 {
        self.scores.fused
    }
}

/// A facet value, its count, and what to show for it (a site's own name).
pub type Bucket = (String, u64, Option<String>);

/// One page of a ranked query.
pub struct Found {
    pub hits: Vec<OsHit>,
    pub total: usize,
    pub relation: Relation,
    /// Facet value counts (with a site's own name for the site facet), per facet.
    pub facets: Vec<(Facet, Vec<Bucket>)>,
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

/// A query read against the cluster: its plan, the term counts fetched for it, and its meaning.
pub struct Planned {
    pub plan: QueryPlan,
    pub stats: Prefetched,
    pub meaning: Option<Meaning>,
}

/// Reads `parsed` (the query `q`) against the cluster's words: corrections and concepts, as on
/// the embedded engine; and its meaning at `ratio` when the ranking uses the model.
pub fn plan_on(
    os: &OpenSearch,
    q: &str,
    parsed: ParsedQuery,
    ranker: &Ranker,
    ratio: Option<f32>,
) -> Result<Planned, OsError> {
    // The typed terms' counts come along: snippets weigh terms by them.
    let typed: Vec<String> = parsed.positive_terms().into_iter().map(String::from).collect();
    let prefetched = Prefetched::fetch(os, &parsed, &typed)?;
    let model = ranker.semantic.as_ref().map(|s| s.embedder.clone());
    let knows = model.map(|m| Box::new(move |w: &str| m.model().knows_word(w)) as Knows);
    let stats = prefetched.with_language(knows);
    let lexicon = ranker.typos.then_some(&stats as &dyn crate::query::Lexicon);
    let plan = plan(parsed, lexicon, Some(&ranker.vocab));
    let meaning = Meaning::of(ranker, q, &plan, ratio);
    Ok(Planned { plan, stats, meaning })
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

/// The meaning side of one retrieval: the nearest articles and the cosine candidates start at.
struct Side<'a> {
    meaning: &'a Meaning,
    near: Vec<Near>,
    floor: f32,
}

/// Ranks a planned query on the cluster. In the search box (`strict`), what matches is the
/// embedded engine's rule: enough of the important words, or close enough in meaning; when
/// nothing matches under the filters, one word fewer is required at a time. Returns the page and
/// how the search box decided what matches.
pub fn retrieve(os: &OpenSearch, q: &Planned, ranker: &Ranker, r: &Retrieve) -> Result<(Found, MatchRule), OsError> {
    let plan = &q.plan;
    let covers = dsl::covers(plan);
    let strict = if r.strict { dsl::strict(&covers) } else { 1 };
    let side = match &q.meaning {
        Some(m) => {
            let exclude = dsl::exclusions(plan, &ranker.boosts);
            let near = meaning::nearest(os, &m.query, filter_clauses(r.filters), exclude, pool(r))?;
            let floor = match r.strict {
                true => {
                    let best = near.first().map_or(f32::NEG_INFINITY, |n| n.cosine);
                    match_floor(best, covers.is_empty() || few_word_matches(os, plan, &covers, strict, r.filters)?)
                }
                false => MIN_COSINE,
            };
            Some(Side { meaning: m, near, floor })
        }
        None => None,
    };
    let by_meaning: Vec<&str> = match (&side, r.strict) {
        (Some(s), true) => s.near.iter().filter(|n| n.cosine >= s.floor).map(|n| n.id.as_str()).collect(),
        _ => Vec::new(),
    };
    let mut rule = MatchRule {
        words: covers.len(),
        required: strict,
        relaxed: false,
        by_meaning: by_meaning.len(),
        meaning_from: side.as_ref().filter(|_| r.strict).map(|s| s.floor),
    };
    let mut required = strict;
    loop {
        let matches = dsl::or_ids(dsl::matching(plan, &covers, required), &by_meaning);
        let found = run(os, q, ranker, r, matches, side.as_ref())?;
        if found.total > 0 || required <= 1 {
            rule.relaxed = required < strict && found.total > 0;
            rule.required = if rule.relaxed { required } else { strict };
            return Ok((found, rule));
        }
        required -= 1;
    }
}

/// Candidates drawn from each side for ranking, as on the embedded engine.
fn pool(r: &Retrieve) -> usize {
    let base = if r.strict { SEARCH_BOX_CANDIDATES } else { CANDIDATES };
    base.max(r.offset + r.limit + RERANK_EXTRA)
}

/// Whether the query's words strictly match fewer than [`FEW_WORD_MATCHES`] articles under the
/// filters (meaning then matches from a lower cosine).
fn few_word_matches(
    os: &OpenSearch,
    plan: &QueryPlan,
    covers: &[Value],
    strict: usize,
    filters: &Filters,
) -> Result<bool, OsError> {
    let mut all = filter_clauses(filters);
    all.push(dsl::matching(plan, covers, strict));
    let answer = os.read("_count", &json!({"query": {"bool": {"filter": all}}}))?;
    Ok(answer["count"].as_u64().unwrap_or(0) < FEW_WORD_MATCHES as u64)
}

fn run(
    os: &OpenSearch,
    q: &Planned,
    ranker: &Ranker,
    r: &Retrieve,
    matches: Value,
    side: Option<&Side>,
) -> Result<Found, OsError> {
    let plan = &q.plan;
    // Relevance reranks a window from the top; date order pages on the cluster.
    let (from, size) = match (r.sort, side) {
        (Sort::Relevance, None) => (0, r.offset + r.limit + RERANK_EXTRA),
        (Sort::Relevance, Some(_)) => (0, pool(r)),
        (Sort::Reviewed, _) => (r.offset, r.limit),
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
    } else if let Some(side) = side {
        // Each hit's cosine, and which query words it holds (how much the best one covers).
        body["script_fields"] = json!({COSINE: {"script": side.meaning.script()}});
        if let Some(should) = body["query"]["bool"]["should"].as_array_mut() {
            should.extend(dsl::term_probes(plan));
        }
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
    let answer = os.ranked(&body)?;
    let total = answer["hits"]["total"]["value"].as_u64().unwrap_or(0) as usize;
    let relation = if answer["hits"]["total"]["relation"] == "gte" { Relation::Gte } else { Relation::Eq };
    let mut hits = parse_hits(&answer, r.sort);
    if r.sort == Sort::Relevance {
        if let Some(again) = with_feedback(os, plan, ranker, r.strict, &body, &hits)? {
            hits = again;
        }
        match side {
            Some(side) => hits = fused(hits, q, ranker, side, r.strict),
            None => rerank(&mut hits, plan, ranker),
        }
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
    Ok(Found { hits, total, relation, facets })
}

/// The script field holding each hit's cosine to the query.
const COSINE: &str = "cosine";

/// The hits of a search answer, each with the whole hit (its `_source`, fields, named queries).
fn parse_hits(answer: &Value, sort: Sort) -> Vec<(OsHit, Value)> {
    let hits = answer["hits"]["hits"].as_array().into_iter().flatten();
    hits.map(|h| {
        let text = |f: &str| h["_source"][f].as_str().unwrap_or_default().to_string();
        let score = if sort == Sort::Reviewed { 0.0 } else { h["_score"].as_f64().unwrap_or(0.0) as f32 };
        let scores = Scores { lexical: Some(score), semantic: None, fused: score };
        (OsHit { id: text(name::ID), url: text(name::URL), scores }, h.clone())
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
    let stored = first.iter().map(|(h, hit)| (h.score(), hit["_source"][name::FEEDBACK].as_str().unwrap_or_default()));
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
    let answer = os.ranked(&again)?;
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

/// The recency boost by the embedded engine's formula: how much a hit's words score is raised.
fn recency(hit: &Value, ranker: &Ranker, now: tantivy::DateTime) -> f32 {
    match hit["_source"][name::REVIEWED].as_str().and_then(|d| d.parse().ok()) {
        Some(day) if ranker.boosts.recency > 0.0 => 1.0 + ranker.boosts.recency * freshness(date_value(day), now),
        _ => 1.0,
    }
}

/// The recency boost and the people the query names, by the formulas the embedded engine uses.
fn rerank(hits: &mut [(OsHit, Value)], plan: &QueryPlan, ranker: &Ranker) {
    let now = tantivy::DateTime::from_timestamp_secs(chrono::Utc::now().timestamp());
    for (hit, raw) in hits.iter_mut() {
        let score = hit.score() * recency(raw, ranker, now) * multiplier(&plan.audience, &audience_of(&raw["_source"]));
        hit.scores = Scores { lexical: Some(score), semantic: None, fused: score };
    }
    hits.sort_by(|a, b| b.0.score().total_cmp(&a.0.score()));
}

/// The words' ranking (with recency) fused with the articles nearest in meaning, by the embedded
/// engine's rules: the lexical side trusted as far as the best match covers the query, meaning
/// candidates from the side's floor, then the people the query names.
fn fused(hits: Vec<(OsHit, Value)>, q: &Planned, ranker: &Ranker, side: &Side, strict: bool) -> Vec<(OsHit, Value)> {
    let now = tantivy::DateTime::from_timestamp_secs(chrono::Utc::now().timestamp());
    let mut cosines: HashMap<String, f32> = HashMap::new();
    let mut known: HashMap<String, (String, Vec<Audience>)> = HashMap::new();
    // The words' side: matched hits (a score above 0) with recency, by their place in `hits`.
    let mut lexical: Vec<(f32, usize)> = Vec::new();
    for (i, (hit, raw)) in hits.iter().enumerate() {
        if let Some(c) = raw["fields"][COSINE][0].as_f64() {
            cosines.insert(hit.id.clone(), c as f32);
        }
        known.insert(hit.id.clone(), (hit.url.clone(), audience_of(&raw["_source"])));
        if hit.score() > 0.0 {
            lexical.push((hit.score() * recency(raw, ranker, now), i));
        }
    }
    lexical.sort_by(|a, b| b.0.total_cmp(&a.0));
    let trust = lexical.first().map_or(0.0, |&(_, i)| {
        let held = dsl::probed_terms(&hits[i].1);
        coverage_by(&q.plan, &q.stats, |t| held.iter().any(|h| h == t))
    });
    let lexical: Vec<(f32, String)> = lexical.into_iter().map(|(s, i)| (s, hits[i].0.id.clone())).collect();
    let floor = if strict { side.floor } else { MIN_COSINE };
    let near = side.near.iter().filter(|n| n.passes && n.cosine >= floor);
    let meaning: Vec<(f32, String)> = near.clone().map(|n| (n.cosine, n.id.clone())).collect();
    for n in near {
        known.entry(n.id.clone()).or_insert_with(|| (n.url.clone(), n.audience.clone()));
    }
    let mut out: Vec<(OsHit, Value)> =
        fuse(&lexical, &meaning, trust, side.meaning.ratio, |id| cosines.get(id).copied())
            .into_iter()
            .filter_map(|(mut scores, id)| {
                let (url, audience) = known.get(&id)?;
                scores.fused *= multiplier(&q.plan.audience, audience);
                Some((OsHit { id, url: url.clone(), scores }, Value::Null))
            })
            .collect();
    out.sort_by(|a, b| b.0.score().total_cmp(&a.0.score()).then_with(|| a.0.id.cmp(&b.0.id)));
    out
}
