//! Request handlers for the JSON API.

use super::error::{ApiError, ErrorCode};
use super::params::{LIST_PARAMS, filters, flag, number, parse_query, required_q, semantic_ratio, truncate};
use super::state::AppState;
use crate::index::present::search::{Facet, MAX_LIMIT, MAX_WINDOW, SearchParams, SearchResponse, search_with};
use crate::index::ranking::filter::Sort;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderName, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Hits per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 10;

/// `GET /api/search?q=&limit=&offset=`; answers from the response cache when it can.
pub async fn api_search(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = search_params(raw.as_deref())?;
    let Some(cache) = st.cache.clone() else {
        return Ok(Json(run_search(&st, params).await?).into_response());
    };
    // Equivalent requests (parameters in another order) share an entry.
    let key = (st.index.searcher().generation().generation_id(), format!("{params:?}"));
    if let Some(body) = cache.get(&key) {
        st.metrics.cache_lookup(true);
        return Ok(json_body(body, "hit"));
    }
    st.metrics.cache_lookup(false);
    let response = run_search(&st, params).await?;
    let body =
        Bytes::from(serde_json::to_vec(&response).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?);
    cache.insert(key, body.clone());
    Ok(json_body(body, "miss"))
}

/// A JSON response from serialized bytes, saying whether it came from the cache.
fn json_body(body: Bytes, cache: &'static str) -> Response {
    let headers = [(header::CONTENT_TYPE, "application/json"), (HeaderName::from_static("x-cache"), cache)];
    (headers, body).into_response()
}

/// Reads and checks the search parameters.
pub fn search_params(raw: Option<&str>) -> Result<SearchParams, ApiError> {
    let p = parse_query(raw, SEARCH_SINGLE, LIST_PARAMS)?;
    let q = required_q(&p)?;
    let limit = number(&p, "limit", DEFAULT_LIMIT, MAX_LIMIT, ErrorCode::InvalidSearchLimit)?;
    let offset = number(&p, "offset", 0, MAX_WINDOW - limit, ErrorCode::InvalidSearchOffset)?;
    let explain = flag(&p, "explain", ErrorCode::InvalidSearchExplain)?;
    let exact_total = flag(&p, "exact_total", ErrorCode::InvalidSearchExactTotal)?;
    let sort = match p.get("sort").map(String::as_str) {
        None | Some("relevance") => Sort::Relevance,
        Some("reviewed") => Sort::Reviewed,
        Some(other) => {
            let msg = format!("sort must be relevance or reviewed, not {:?}", truncate(other));
            return Err(ApiError::new(ErrorCode::InvalidSort, msg));
        }
    };
    let facets = facet_list(p.get("facets").map(String::as_str))?;
    let semantic_ratio = semantic_ratio(&p)?;
    Ok(SearchParams { q, limit, offset, explain, filters: filters(&p)?, sort, facets, exact_total, semantic_ratio })
}

const SEARCH_SINGLE: &[&str] =
    &["q", "limit", "offset", "explain", "exact_total", "sort", "facets", "reviewed_after", "semantic_ratio"];

/// `facets=category,site`, `facets=*` (all) or nothing.
fn facet_list(v: Option<&str>) -> Result<Vec<Facet>, ApiError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    if v.trim() == "*" {
        return Ok(Facet::ALL.to_vec());
    }
    let mut out = Vec::new();
    for name in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match Facet::named(name) {
            Some(f) if !out.contains(&f) => out.push(f),
            Some(_) => {}
            None => {
                let names = Facet::ALL.map(Facet::name).join(", ");
                let msg = format!("facets must name {names} (or be *), not {:?}", truncate(name));
                return Err(ApiError::new(ErrorCode::InvalidFacets, msg));
            }
        }
    }
    Ok(out)
}

/// Runs a search on the blocking pool, bounded by the state's timeout.
pub async fn run_search(st: &AppState, params: SearchParams) -> Result<SearchResponse, ApiError> {
    blocking(st, move |st| Ok(search_with(&st.index, &params, &st.ranker)?)).await
}

/// `GET /healthz`
pub async fn healthz(State(st): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "articles": st.index.num_docs() }))
}

/// Any path no route matches.
pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such endpoint")
}

/// A known path with a method it does not take.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "this endpoint does not take that method")
}

/// Suggestions per request when `limit` is not given, and at most.
pub const DEFAULT_SUGGESTIONS: usize = 8;
const MAX_SUGGESTIONS: usize = 20;
/// Longest text completed, in characters.
const MAX_SUGGEST_CHARS: usize = 200;

/// `GET /api/suggest?q=&limit=`: completions for what has been typed.
pub async fn api_suggest(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Json<Value>, ApiError> {
    let started = std::time::Instant::now();
    let p = parse_query(raw.as_deref(), &["q", "limit"], &[])?;
    let q = required_q(&p)?;
    if q.chars().count() > MAX_SUGGEST_CHARS {
        let msg = format!("q is longer than {MAX_SUGGEST_CHARS} characters");
        return Err(ApiError::new(ErrorCode::InvalidSearchQ, msg));
    }
    let limit =
        super::params::bounded(&p, "limit", DEFAULT_SUGGESTIONS, 1, MAX_SUGGESTIONS, ErrorCode::InvalidSearchLimit)?;
    let suggestions = blocking(&st, move |st| Ok(st.suggester()?.suggest(&q, limit))).await?;
    let took_ms = crate::index::present::search::elapsed_ms(started);
    Ok(Json(json!({ "suggestions": suggestions, "took_ms": took_ms })))
}

/// Runs `f` on the blocking pool, bounded by the state's timeout.
pub async fn blocking<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let state = st.clone();
    let task = tokio::task::spawn_blocking(move || f(&state));
    match tokio::time::timeout(st.search_timeout, task).await {
        Err(_) => Err(ApiError::new(ErrorCode::SearchTimeout, "the request took too long")),
        Ok(Err(join)) => Err(ApiError::new(ErrorCode::Internal, format!("task failed: {join}"))),
        Ok(Ok(result)) => result,
    }
}
