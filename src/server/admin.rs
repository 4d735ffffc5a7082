//! State-changing endpoints (reload the reader, re-ingest the configured source): off unless a
//! token is configured, and then only with `Authorization: Bearer TOKEN`, compared in constant
//! time.

use super::error::{ApiError, ErrorCode};
use super::state::AppState;
use crate::ingest::{Source, ingest};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Mutex;
use subtle::ConstantTimeEq;

/// Shortest token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;

/// The admin token and the state of the one ingest job that may run at a time.
pub struct Admin {
    /// SHA-256 of the token: digests have one length, so comparing them leaks nothing.
    token_digest: [u8; 32],
    /// What `POST /admin/ingest` ingests.
    source: Source,
    job: Mutex<Job>,
}

/// The last ingest started through the API.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Job {
    /// `idle`, `running`, `done` or `failed`.
    pub state: &'static str,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Why a token was refused at start-up.
#[derive(Debug, thiserror::Error)]
#[error("the admin token must be at least {MIN_TOKEN_CHARS} characters with no whitespace")]
pub struct WeakToken;

impl Admin {
    /// Admin access with `token`, re-ingesting `source` on request.
    pub fn new(token: &str, source: Source) -> Result<Admin, WeakToken> {
        let token = token.trim_end_matches(['\n', '\r']);
        if token.chars().count() < MIN_TOKEN_CHARS || token.chars().any(char::is_whitespace) {
            return Err(WeakToken);
        }
        let job = Job { state: "idle", ..Job::default() };
        Ok(Admin { token_digest: Sha256::digest(token.as_bytes()).into(), source, job: Mutex::new(job) })
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(given) =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let digest: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
        digest.ct_eq(&self.token_digest).into()
    }

    fn job(&self) -> Job {
        self.job.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_job(&self, job: Job) {
        *self.job.lock().unwrap_or_else(|p| p.into_inner()) = job;
    }
}

/// The admin state if the request may use it.
fn check(st: &AppState, headers: &HeaderMap) -> Result<std::sync::Arc<Admin>, ApiError> {
    let Some(admin) = st.admin.clone() else {
        let msg = "state-changing endpoints are off: start serve with an admin token to use them";
        return Err(ApiError::new(ErrorCode::AdminDisabled, msg));
    };
    if !admin.authorized(headers) {
        return Err(ApiError::new(ErrorCode::InvalidToken, "send Authorization: Bearer with the admin token"));
    }
    Ok(admin)
}

/// `POST /admin/reload`: makes the latest commit visible now (searches see it within a second
/// anyway) and drops cached answers of older index states.
pub async fn reload(State(st): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    check(&st, &headers)?;
    let state = st.clone();
    tokio::task::spawn_blocking(move || state.index.reload())
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
    let searcher = st.index.searcher();
    let generation = searcher.generation().generation_id();
    Ok(Json(json!({ "articles": searcher.num_docs(), "generation": generation })))
}

/// `POST /admin/ingest`: re-ingests the configured source in the background (one at a time).
pub async fn start_ingest(State(st): State<AppState>, headers: HeaderMap) -> Result<(StatusCode, Json<Job>), ApiError> {
    let admin = check(&st, &headers)?;
    let job = {
        let mut job = admin.job.lock().unwrap_or_else(|p| p.into_inner());
        if job.state == "running" {
            return Err(ApiError::new(ErrorCode::IngestInProgress, "an ingest is already running"));
        }
        *job = Job { state: "running", started_at: Some(Utc::now()), ..Job::default() };
        job.clone()
    };
    let index = st.index.clone();
    tokio::task::spawn_blocking(move || {
        let result = ingest(&index, &admin.source);
        let mut done = admin.job();
        done.finished_at = Some(Utc::now());
        match result {
            Ok(report) => {
                done.state = "done";
                done.report = serde_json::to_value(&report).ok();
            }
            Err(e) => {
                tracing::warn!(error = %e, "ingest through the API failed; the last good index keeps serving");
                done.state = "failed";
                done.error = Some(e.to_string());
            }
        }
        admin.set_job(done);
    });
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// `GET /admin/ingest`: the last ingest started through the API.
pub async fn ingest_status(State(st): State<AppState>, headers: HeaderMap) -> Result<Json<Job>, ApiError> {
    Ok(Json(check(&st, &headers)?.job()))
}
