//! Request handlers for the JSON API.

use super::error::{ApiError, ErrorCode};
use super::params::{number, parse_query};
use super::state::AppState;
use crate::index::search::{MAX_LIMIT, MAX_WINDOW, SearchParams, SearchResponse, search_with};
use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};

/// Hits per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 10;

/// `GET /api/search?q=&limit=&offset=`
pub async fn api_search(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Json<SearchResponse>, ApiError> {
    let params = search_params(raw.as_deref())?;
    run_search(&st, params).await.map(Json)
}

/// Reads and checks the search parameters.
pub fn search_params(raw: Option<&str>) -> Result<SearchParams, ApiError> {
    let p = parse_query(raw, &["q", "limit", "offset", "explain"])?;
    let q = p.get("q").cloned().ok_or_else(|| ApiError::new(ErrorCode::MissingSearchQ, "q is required"))?;
    let limit = number(&p, "limit", DEFAULT_LIMIT, MAX_LIMIT, ErrorCode::InvalidSearchLimit)?;
    let offset = number(&p, "offset", 0, MAX_WINDOW - limit, ErrorCode::InvalidSearchOffset)?;
    let explain = match p.get("explain").map(String::as_str) {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") | Some("") => true,
        Some(other) => {
            let msg = format!("explain must be true or false, not {:?}", super::params::truncate(other));
            return Err(ApiError::new(ErrorCode::InvalidSearchExplain, msg));
        }
    };
    Ok(SearchParams { q, limit, offset, explain })
}

/// Runs a search on the blocking pool, bounded by the state's timeout.
pub async fn run_search(st: &AppState, params: SearchParams) -> Result<SearchResponse, ApiError> {
    let index = st.index.clone();
    let ranker = st.ranker.clone();
    let task = tokio::task::spawn_blocking(move || search_with(&index, &params, &ranker));
    match tokio::time::timeout(st.search_timeout, task).await {
        Err(_) => Err(ApiError::new(ErrorCode::SearchTimeout, "the search took too long; try a shorter query")),
        Ok(Err(join)) => Err(ApiError::new(ErrorCode::Internal, format!("search task failed: {join}"))),
        Ok(Ok(result)) => result.map_err(ApiError::from),
    }
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
