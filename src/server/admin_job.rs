//! What the admin endpoints keep between requests: the token, what to re-ingest, and the one
//! ingest job that may run at a time. The handlers are in [`super::admin`].

use super::bearer::{BearerToken, WeakToken};
use crate::ingest::Input;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::sync::{Mutex, MutexGuard};
use utoipa::ToSchema;

/// The admin token and the state of the one ingest job that may run at a time.
pub struct Admin {
    pub(super) token: BearerToken,
    /// What `POST /admin/ingest` ingests.
    pub(super) source: Input,
    job: Mutex<Job>,
}

/// Where the last ingest started through the API stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    #[default]
    Idle,
    Running,
    Done,
    Failed,
}

/// The last ingest started through the API.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = IngestJob)]
pub struct Job {
    pub state: JobState,
    #[schema(required = true)]
    pub started_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub finished_at: Option<DateTime<Utc>>,
    /// When done: the ingest's report, as `healthsearch ingest --json` prints it (added,
    /// updated, unchanged, removed, skipped and failed pages, problems, articles in all).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub report: Option<Value>,
    /// When failed: why nothing was committed (the last good index keeps serving).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Admin {
    /// Admin access with `token`, re-ingesting `source` on request.
    pub fn new(token: &str, source: Input) -> Result<Admin, WeakToken> {
        Ok(Admin { token: BearerToken::new(token)?, source, job: Mutex::default() })
    }

    /// The job, even if a thread panicked holding it (it is plain data).
    pub(super) fn job(&self) -> MutexGuard<'_, Job> {
        self.job.lock().unwrap_or_else(|p| p.into_inner())
    }
}
