//! The chatbot retrieval layer: `GET /api/passages` and `POST /api/retrieve`, the same passages
//! behind a query string or a chat-style JSON body.

use super::error::{ApiError, ErrorCode};
use super::params::{
    LIST_PARAMS, bounded, check_ratio, checked_filters, filters, parse_query, required_q, semantic_ratio, within,
};
use super::routes::blocking;
use super::state::AppState;
use crate::index::present::passages::{
    DEFAULT_K, DEFAULT_MAX_CHARS, MAX_K, MAX_MAX_CHARS, MIN_MAX_CHARS, Passage, PassageParams, passages,
};
use crate::index::ranking::filter::Filters;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{RawQuery, State};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Passages and how long they took.
#[derive(Debug, Serialize)]
pub struct PassagesResponse {
    pub query: String,
    pub took_ms: f64,
    pub passages: Vec<Passage>,
}

/// `GET /api/passages?q=&k=&max_chars=&category=&site=&reviewed_after=`
pub async fn api_passages(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PassagesResponse>, ApiError> {
    let p = parse_query(raw.as_deref(), &["q", "k", "max_chars", "reviewed_after", "semantic_ratio"], LIST_PARAMS)?;
    let q = required_q(&p)?;
    let k = bounded(&p, "k", DEFAULT_K, 1, MAX_K, ErrorCode::InvalidSearchLimit)?;
    let max_chars =
        bounded(&p, "max_chars", DEFAULT_MAX_CHARS, MIN_MAX_CHARS, MAX_MAX_CHARS, ErrorCode::InvalidMaxChars)?;
    let semantic_ratio = semantic_ratio(&p)?;
    run(&st, PassageParams { q, k, max_chars, filters: filters(&p)?, semantic_ratio }).await
}

/// The body of `POST /api/retrieve`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrieveRequest {
    pub query: String,
    pub k: Option<usize>,
    pub max_chars: Option<usize>,
    #[serde(default)]
    pub filters: Filters,
    /// Weight of meaning against words, 0 to 1.
    pub semantic_ratio: Option<f32>,
}

/// `POST /api/retrieve` with `{"query", "k", "max_chars", "filters": {"category", "site", "audience", "reviewed_after"}}`.
pub async fn api_retrieve(
    State(st): State<AppState>,
    body: Result<Json<RetrieveRequest>, JsonRejection>,
) -> Result<Json<PassagesResponse>, ApiError> {
    let Json(req) = body.map_err(json_error)?;
    let semantic_ratio = match req.semantic_ratio {
        Some(r) => check_ratio(Some(r), &r.to_string())?,
        None => None,
    };
    let params = passage_params(req.query, req.k, req.max_chars, req.filters)?;
    Ok(Json(find_passages(&st, PassageParams { semantic_ratio, ..params }).await?))
}

/// Passage parameters from a JSON request (`POST /api/retrieve`, the MCP `get_passages` tool):
/// the defaults and limits of `k` and `max_chars`, and checked filters. Ranks with the service's
/// default semantic ratio.
pub fn passage_params(
    q: String,
    k: Option<usize>,
    max_chars: Option<usize>,
    filters: Filters,
) -> Result<PassageParams, ApiError> {
    let k = within("k", k.unwrap_or(DEFAULT_K), 1, MAX_K, ErrorCode::InvalidSearchLimit)?;
    let max_chars = max_chars.unwrap_or(DEFAULT_MAX_CHARS);
    let max_chars = within("max_chars", max_chars, MIN_MAX_CHARS, MAX_MAX_CHARS, ErrorCode::InvalidMaxChars)?;
    Ok(PassageParams { q, k, max_chars, filters: checked_filters(filters)?, semantic_ratio: None })
}

async fn run(st: &AppState, params: PassageParams) -> Result<Json<PassagesResponse>, ApiError> {
    Ok(Json(find_passages(st, params).await?))
}

/// The passages for `params`, best first, found on the blocking pool within the state's timeout.
pub async fn find_passages(st: &AppState, params: PassageParams) -> Result<PassagesResponse, ApiError> {
    let started = Instant::now();
    let query = params.q.clone();
    let found = blocking(st, move |st| Ok(passages(&st.index, &params, &st.ranker)?)).await?;
    let took_ms = crate::index::present::search::elapsed_ms(started);
    Ok(PassagesResponse { query, took_ms, passages: found })
}

/// A JSON body that could not be read, as `invalid_json_body` (or `payload_too_large`).
pub fn json_error(e: JsonRejection) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large");
    }
    ApiError::new(ErrorCode::InvalidJsonBody, format!("the body is not a valid request: {}", e.body_text()))
}
