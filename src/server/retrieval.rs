//! The chatbot retrieval layer: `GET /api/passages` and `POST /api/retrieve`, the same passages
//! behind a query string or a chat-style JSON body.

use super::error::{ApiError, ErrorCode};
use super::params::{
    LIST_PARAMS, bounded, check_ratio, checked_filters, filters, parse_query, required_q, semantic_ratio,
};
use super::routes::blocking;
use super::state::AppState;
use crate::index::filter::Filters;
use crate::index::passages::{
    DEFAULT_K, DEFAULT_MAX_CHARS, MAX_K, MAX_MAX_CHARS, MIN_MAX_CHARS, Passage, PassageParams, passages,
};
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
    let k = req.k.unwrap_or(DEFAULT_K);
    if !(1..=MAX_K).contains(&k) {
        return Err(ApiError::new(ErrorCode::InvalidSearchLimit, format!("k must be from 1 to {MAX_K}, not {k}")));
    }
    let max_chars = req.max_chars.unwrap_or(DEFAULT_MAX_CHARS);
    if !(MIN_MAX_CHARS..=MAX_MAX_CHARS).contains(&max_chars) {
        let msg = format!("max_chars must be from {MIN_MAX_CHARS} to {MAX_MAX_CHARS}, not {max_chars}");
        return Err(ApiError::new(ErrorCode::InvalidMaxChars, msg));
    }
    let semantic_ratio = match req.semantic_ratio {
        Some(r) => check_ratio(Some(r), &r.to_string())?,
        None => None,
    };
    let filters = checked_filters(req.filters)?;
    run(&st, PassageParams { q: req.query, k, max_chars, filters, semantic_ratio }).await
}

async fn run(st: &AppState, params: PassageParams) -> Result<Json<PassagesResponse>, ApiError> {
    let started = Instant::now();
    let query = params.q.clone();
    let found = blocking(st, move |st| Ok(passages(&st.index, &params, &st.ranker)?)).await?;
    let took_ms = crate::index::search::elapsed_ms(started);
    Ok(Json(PassagesResponse { query, took_ms, passages: found }))
}

/// A JSON body that could not be read, as `invalid_json_body` (or `payload_too_large`).
pub fn json_error(e: JsonRejection) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large");
    }
    ApiError::new(ErrorCode::InvalidJsonBody, format!("the body is not a valid request: {}", e.body_text()))
}
