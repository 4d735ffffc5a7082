//! State-changing endpoints (reload the reader, re-ingest the configured source): off unless a
//! token is configured, and then only with `Authorization: Bearer TOKEN` (see [`super::bearer`]).

use super::bearer::{BearerToken, WeakToken};
use super::error::{ApiError, ErrorCode};
use super::routes::blocking;
use super::state::AppState;
use crate::ingest::{Input, ingest};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::{Mutex, MutexGuard};

/// The admin token and the state of the one ingest job that may run at a time.
pub struct Admin {
    token: BearerToken,
    /// What `POST /admin/ingest` ingests.
    source: Input,
    job: Mutex<Job>,
}

/// Where the last ingest started through the API stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    #[default]
    Idle,
    Running,
    Done,
    Failed,
}

/// The last ingest started through the API.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Job {
    pub state: JobState,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Admin {
    /// Admin access with `token`, re-ingesting `source` on request.
    pub fn new(token: &str, source: Input) -> Result<Admin, WeakToken> {
        Ok(Admin { token: BearerToken::new(token)?, source, job: Mutex::default() })
    }

    /// The job, even if a thread panicked holding it (it is plain data).
    fn job(&self) -> MutexGuard<'_, Job> {
        self.job.lock().unwrap_or_else(|p| p.into_inner())
    }
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
pub async fn reload(State(st): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    check(&st, &headers)?;
    blocking(&st, |st| Ok(st.index.reload()?)).await?;
    let searcher = st.index.searcher();
    let generation = searcher.generation().generation_id();
    Ok(Json(json!({ "articles": searcher.num_docs(), "generation": generation })))
}

/// `POST /admin/ingest`: re-ingests the configured source in the background (one at a time).
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
    let index = st.index.clone();
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
pub async fn ingest_status(State(st): State<AppState>, headers: HeaderMap) -> Result<Json<Job>, ApiError> {
    Ok(Json(check(&st, &headers)?.job().clone()))
}
