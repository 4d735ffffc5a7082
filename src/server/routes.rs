//! Request handlers for the JSON API.

use super::error::{ApiError, ErrorBody, ErrorCode};
use super::openapi::describe;
use super::openapi::responses::{Internal, MethodNotAllowed, RateLimited, SearchTimeout};
use super::params::{LIST_PARAMS, filters, flag, number, parse_query, required_q, semantic_ratio, truncate};
use super::state::AppState;
use super::workers::NotRun;
use crate::engine::{Engine, EngineHealth};
use crate::index::present::search::{Facet, MAX_LIMIT, MAX_WINDOW, SearchParams, SearchResponse};
use crate::index::present::suggest::Suggestion;
use crate::index::ranking::filter::Sort;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderName, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::{IntoParams, ToSchema};

/// Hits per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 10;

/// `GET /api/search?q=&limit=&offset=`; answers from the response cache when it can.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search box",
    operation_id = "search",
    summary = "Search articles",
    description = "Ranked articles for a query, each with a highlighted snippet of its best section, a link to \
        that section and the article's sources; optionally filtered, sorted by review date, with counts per facet \
        value and an account of how the query was read. An article matches when it covers enough of the query's \
        important words (or their vocabulary names), or is close enough in meaning; when nothing matches, fewer \
        words are required and the answer says `relaxed`.",
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of results.", body = SearchResponse, headers(
            ("X-Cache" = String, description = "With the response cache on: `hit` or `miss`.")
        )),
        (status = 400, body = ErrorBody, description = "`missing_search_q`, `invalid_search_q`, \
            `invalid_search_limit`, `invalid_search_offset`, `invalid_search_explain`, `invalid_search_exact_total`, \
            `invalid_search_sort`, `invalid_search_facets`, `invalid_search_filter`, `invalid_semantic_ratio`, \
            `too_many_values`, `date_out_of_range`, `unknown_parameter` or `duplicate_parameter`."),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = SearchTimeout),
    )
)]
pub async fn api_search(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = search_params(raw.as_deref())?;
    let Some(cache) = st.cache.clone() else {
        return Ok(Json(run_search(&st, params).await?).into_response());
    };
    let seen = match &st.index {
        // The embedded index tells its version in microseconds: no trip through the blocking pool.
        Some(index) => Engine::content_version(index.as_ref())?,
        None => blocking(&st, |st| Ok(st.engine.content_version()?)).await?,
    };
    // Equivalent requests (parameters in another order) share an entry.
    let request = format!("{params:?}");
    if let Some(body) = cache.get(seen, &request) {
        st.metrics.cache_lookup(true);
        return Ok(json_body(body, "hit"));
    }
    st.metrics.cache_lookup(false);
    let response = run_search(&st, params).await?;
    let body =
        Bytes::from(serde_json::to_vec(&response).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?);
    cache.insert(seen, request, body.clone());
    Ok(json_body(body, "miss"))
}

/// A JSON response from serialized bytes, saying whether it came from the cache.
fn json_body(body: Bytes, cache: &'static str) -> Response {
    let headers = [(header::CONTENT_TYPE, "application/json"), (HeaderName::from_static("x-cache"), cache)];
    (headers, body).into_response()
}

/// Reads and checks the search parameters.
pub fn search_params(raw: Option<&str>) -> Result<SearchParams, ApiError> {
    let p = parse_query(raw, SEARCH_PARAMS, LIST_PARAMS)?;
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

/// The query parameters of `/api/search`, as documented.
pub struct SearchQuery;

impl IntoParams for SearchQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let names = Facet::ALL.map(Facet::name);
        let facets = format!(
            "Facets to count, comma-separated ({}), or `*` for all; otherwise 400 `invalid_search_facets`. Without \
             it the answer has no `facets`.",
            names.join(", ")
        );
        let pattern = format!("^\\*$|^({0})(,({0}))*$", names.join("|"));
        let flag = |name: &str, what: &str| {
            let description =
                format!("{what}: `true` or `1` (or the bare name), `false` or `0`; else 400 `invalid_search_{name}`.");
            describe::query(name, false, description, describe::flag())
        };
        let limit =
            format!("Hits per page, 0 to {MAX_LIMIT} (0: only `total` and facets); else 400 `invalid_search_limit`.");
        let offset = format!(
            "Hits to skip: `offset + limit` may be at most {MAX_WINDOW} (the result window); else 400 \
             `invalid_search_offset`."
        );
        let sort = "`relevance` (the default) or `reviewed` (newest review first, undated last; every score is \
                    then 0); else 400 `invalid_search_sort`.";
        let mut params = vec![
            describe::search_q("The query"),
            describe::query("limit", false, limit, describe::whole(0, MAX_LIMIT, DEFAULT_LIMIT)),
            describe::query("offset", false, offset, describe::whole(0, MAX_WINDOW, 0)),
            flag("explain", "Add `explain` (how the query was read) and each hit's `scores`"),
            flag("exact_total", "Count every match rather than stopping at 10,000 (see `total_relation`)"),
            describe::query("sort", false, sort.into(), describe::inline::<Sort>()),
            describe::query("facets", false, facets, describe::string().pattern(Some(pattern))),
        ];
        params.extend(describe::filters());
        params.push(describe::semantic_ratio());
        params
    }
}

/// The single-valued parameters of `/api/search` (the filters' lists besides).
pub const SEARCH_PARAMS: &[&str] =
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
    blocking(st, move |st| Ok(st.engine.search(&params, &st.ranker)?)).await
}

/// That the service is up, how many articles it serves, and from which engine.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: Status,
    #[serde(flatten)]
    pub engine: EngineHealth,
}

/// Always `ok`: an answer at all means the service is up.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = HealthStatus)]
pub enum Status {
    Ok,
}

/// `GET /healthz`
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    operation_id = "healthz",
    summary = "Liveness and index size",
    description = "200 while the service runs and its engine answers (not rate limited): the articles it \
        serves and, on OpenSearch, the cluster's health and nodes. 503 `engine_unavailable` when no node of the \
        cluster answers. Query parameters are ignored.",
    responses(
        (status = 200, description = "The service is up.", body = Health),
        (status = 405, response = MethodNotAllowed),
        (status = 503, response = SearchTimeout),
    )
)]
pub async fn healthz(State(st): State<AppState>) -> Result<Json<Health>, ApiError> {
    let engine = blocking(&st, |st| Ok(st.engine.health()?)).await?;
    Ok(Json(Health { status: Status::Ok, engine }))
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
pub const MAX_SUGGESTIONS: usize = 20;
/// Longest text completed, in characters.
pub const MAX_SUGGEST_CHARS: usize = 200;
/// The parameters of `/api/suggest`.
pub const SUGGEST_PARAMS: &[&str] = &["q", "limit"];

/// Suggestions and how long they took.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// Queries first, then articles, each kind taking at least half the places when it has
    /// enough; empty when `q` has no words.
    pub suggestions: Vec<Suggestion>,
    /// Time spent, in milliseconds.
    pub took_ms: f64,
}

/// The query parameters of `/api/suggest`, as documented.
pub struct SuggestQuery;

impl IntoParams for SuggestQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let q = format!(
            "What has been typed, at most {MAX_SUGGEST_CHARS} characters (absent: 400 `missing_search_q`; longer: \
             400 `invalid_search_q`). The last word is completed as a prefix unless a space follows it; blank gives \
             no suggestions."
        );
        let limit = format!("Suggestions to return, 1 to {MAX_SUGGESTIONS}; else 400 `invalid_search_limit`.");
        vec![
            describe::query("q", true, q, describe::string().max_length(Some(MAX_SUGGEST_CHARS))),
            describe::query("limit", false, limit, describe::whole(1, MAX_SUGGESTIONS, DEFAULT_SUGGESTIONS)),
        ]
    }
}

/// `GET /api/suggest?q=&limit=`: completions for what has been typed.
#[utoipa::path(
    get,
    path = "/api/suggest",
    tag = "search box",
    operation_id = "suggest",
    summary = "Suggestions as you type",
    description = "Completions of what has been typed: health-vocabulary names and section headings (queries to \
        run) and article titles (opened directly), matched word by word from any word on, the last word as a \
        prefix. When the text as typed finds few, misspelt words are corrected and the corrected text's \
        completions fill the list.",
    params(SuggestQuery),
    responses(
        (status = 200, description = "Suggestions.", body = SuggestResponse),
        (status = 400, body = ErrorBody, description = "`missing_search_q`, `invalid_search_q`, \
            `invalid_search_limit`, `unknown_parameter` or `duplicate_parameter`."),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, body = ErrorBody, description = "`search_timeout`, or `suggestions_not_ready`: the \
            suggestions are still being built after a start (see `Retry-After`).", headers(
            ("Retry-After" = u64, description = "With `suggestions_not_ready`: seconds to wait.")
        )),
    )
)]
pub async fn api_suggest(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SuggestResponse>, ApiError> {
    let started = std::time::Instant::now();
    let p = parse_query(raw.as_deref(), SUGGEST_PARAMS, &[])?;
    let q = required_q(&p)?;
    if q.chars().count() > MAX_SUGGEST_CHARS {
        let msg = format!("q is longer than {MAX_SUGGEST_CHARS} characters");
        return Err(ApiError::new(ErrorCode::InvalidSearchQ, msg));
    }
    let limit =
        super::params::bounded(&p, "limit", DEFAULT_SUGGESTIONS, 1, MAX_SUGGESTIONS, ErrorCode::InvalidSearchLimit)?;
    let suggestions = blocking(&st, move |st| Ok(st.suggester()?.suggest(&q, limit))).await?;
    let took_ms = crate::index::present::search::elapsed_ms(started);
    Ok(Json(SuggestResponse { suggestions, took_ms }))
}

/// Runs `f` in the state's search pool, bounded by its timeout (the wait for a turn included).
pub async fn blocking<T: Send + 'static>(
    st: &AppState,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let state = st.clone();
    let deadline = tokio::time::Instant::now() + st.search_timeout;
    match st.workers.run(deadline, move || f(&state)).await {
        Err(NotRun::TimedOut) => Err(ApiError::new(ErrorCode::SearchTimeout, "the request took too long")),
        Err(NotRun::Failed(join)) => Err(ApiError::new(ErrorCode::Internal, format!("task failed: {join}"))),
        Ok(result) => result,
    }
}
