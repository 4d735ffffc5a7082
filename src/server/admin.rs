//! State-changing endpoints (reload the reader, re-ingest the configured source): off unless a
//! token is configured, and then only with `Authorization: Bearer TOKEN` (see [`super::bearer`]).

pub use super::admin_job::{Admin, Job, JobState};
use super::bearer::BearerToken;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::openapi::responses::{AdminDisabled, Internal, InvalidToken, MethodNotAllowed, RateLimited, SearchTimeout};
use super::routes::blocking;
use super::state::AppState;
use crate::ingest::ingest;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

/// What `POST /admin/reload` made visible.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reloaded {
    /// Articles searches now see.
    pub articles: u64,
    /// The index generation they see.
    pub generation: u64,
}

/// The admin state if the request may use it.
fn check(st: &AppState, headers: &HeaderMap) -> Result<std::sync::Arc<Admin>, ApiError> {
    let Some(admin) = st.admin.clone() else {
        let msg = "state-changing endpoints are off: start serve with an admin token to use them";
        return Err(ApiError::new(ErrorCode::AdminDisabled, msg));
    };
    if !admin.token.allows(headers) {
        return Err(BearerToken::refusal("admin"));
    }
    Ok(admin)
}

/// `POST /admin/reload`: makes the latest commit visible now (searches see it within a second
/// anyway) and drops cached answers of older index states.
#[utoipa::path(
    post,
    path = "/admin/reload",
    tag = "admin",
    operation_id = "reload",
    summary = "Make the last commit visible now",
    description = "Reloads the index reader so searches see the last commit at once (they do within a second \
        anyway); answers cached from older index states are no longer served.",
    security(("adminToken" = [])),
    responses(
        (status = 200, description = "Reloaded.", body = Reloaded),
        (status = 401, response = InvalidToken),
        (status = 403, response = AdminDisabled),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = SearchTimeout),
    )
)]
pub async fn reload(State(st): State<AppState>, headers: HeaderMap) -> Result<Json<Reloaded>, ApiError> {
    check(&st, &headers)?;
    blocking(&st, |st| Ok(st.embedded()?.reload()?)).await?;
    let searcher = st.embedded()?.searcher();
    Ok(Json(Reloaded { articles: searcher.num_docs(), generation: searcher.generation().generation_id() }))
}

/// `POST /admin/ingest`: re-ingests the configured source in the background (one at a time).
#[utoipa::path(
    post,
    path = "/admin/ingest",
    tag = "admin",
    operation_id = "startIngest",
    summary = "Re-ingest the configured source",
    description = "Re-ingests the server's `--corpus` in the background, one run at a time, through the pipeline \
        of `healthsearch ingest` (pages added, updated, unchanged or removed). A failed run commits nothing: the \
        last good index keeps serving. Poll `GET /admin/ingest` for the outcome.",
    security(("adminToken" = [])),
    responses(
        (status = 202, description = "The ingest started.", body = Job),
        (status = 401, response = InvalidToken),
        (status = 403, response = AdminDisabled),
        (status = 405, response = MethodNotAllowed),
        (status = 409, body = ErrorBody, description = "`ingest_in_progress`: an ingest started through the API \
            is still running."),
        (status = 429, response = RateLimited),
    )
)]
pub async fn start_ingest(State(st): State<AppState>, headers: HeaderMap) -> Result<(StatusCode, Json<Job>), ApiError> {
    let admin = check(&st, &headers)?;
    let job = {
        let mut job = admin.job();
        if job.state == JobState::Running {
            return Err(ApiError::new(ErrorCode::IngestInProgress, "an ingest is already running"));
        }
        *job = Job { state: JobState::Running, started_at: Some(Utc::now()), ..Job::default() };
        job.clone()
    };
    let index = st.embedded()?.clone();
    tokio::task::spawn_blocking(move || {
        let result = ingest(&index, &admin.source);
        let mut done = admin.job();
        done.finished_at = Some(Utc::now());
        match result {
            Ok(report) => {
                done.state = JobState::Done;
                done.report = serde_json::to_value(&report).ok();
            }
            Err(e) => {
                tracing::warn!(error = %e, "ingest through the API failed; the last good index keeps serving");
                done.state = JobState::Failed;
                done.error = Some(e.to_string());
            }
        }
    });
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// `GET /admin/ingest`: the last ingest started through the API.
#[utoipa::path(
    get,
    path = "/admin/ingest",
    tag = "admin",
    operation_id = "ingestStatus",
    summary = "The last ingest started through the API",
    description = "Its state and, once finished, its report or why it failed (`idle` before any).",
    security(("adminToken" = [])),
    responses(
        (status = 200, description = "The job.", body = Job),
        (status = 401, response = InvalidToken),
        (status = 403, response = AdminDisabled),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
    )
)]
pub async fn ingest_status(State(st): State<AppState>, headers: HeaderMap) -> Result<Json<Job>, ApiError> {
    Ok(Json(check(&st, &headers)?.job().clone()))
}
