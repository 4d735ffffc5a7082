//! API errors: one JSON shape `{code, message}` and one table from code to HTTP status.

use crate::index::IndexError;
use crate::index::query::QueryError;
use crate::index::search::SearchError;
use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Every error code the API returns. Codes are stable: clients may match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    MissingSearchQ,
    InvalidSearchQ,
    InvalidSearchLimit,
    InvalidSearchOffset,
    InvalidSearchExplain,
    InvalidSearchExactTotal,
    InvalidFilter,
    InvalidSort,
    InvalidFacets,
    InvalidMaxChars,
    InvalidSemanticRatio,
    InvalidUrl,
    MissingCitationSource,
    InvalidOlderThan,
    InvalidJsonBody,
    PayloadTooLarge,
    ArticleNotFound,
    UnknownParameter,
    DuplicateParameter,
    TooManyValues,
    DateOutOfRange,
    NotFound,
    MethodNotAllowed,
    SearchTimeout,
    RateLimited,
    AdminDisabled,
    InvalidToken,
    IngestInProgress,
    SuggestionsNotReady,
    MalformedRequest,
    UriTooLong,
    HeadersTooLarge,
    Internal,
}

/// The table: code, its name on the wire, and its HTTP status.
pub const TABLE: &[(ErrorCode, &str, StatusCode)] = &[
    (ErrorCode::MissingSearchQ, "missing_search_q", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidSearchQ, "invalid_search_q", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidSearchLimit, "invalid_search_limit", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidSearchOffset, "invalid_search_offset", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidSearchExplain, "invalid_search_explain", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidSearchExactTotal, "invalid_search_exact_total", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidFilter, "invalid_search_filter", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidSort, "invalid_search_sort", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidFacets, "invalid_search_facets", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidMaxChars, "invalid_passage_max_chars", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidSemanticRatio, "invalid_semantic_ratio", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidUrl, "invalid_url", StatusCode::BAD_REQUEST),
    (ErrorCode::MissingCitationSource, "missing_citation_source", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidOlderThan, "invalid_stale_older_than", StatusCode::BAD_REQUEST),
    (ErrorCode::InvalidJsonBody, "invalid_json_body", StatusCode::BAD_REQUEST),
    (ErrorCode::PayloadTooLarge, "payload_too_large", StatusCode::PAYLOAD_TOO_LARGE),
    (ErrorCode::ArticleNotFound, "article_not_found", StatusCode::NOT_FOUND),
    (ErrorCode::UnknownParameter, "unknown_parameter", StatusCode::BAD_REQUEST),
    (ErrorCode::DuplicateParameter, "duplicate_parameter", StatusCode::BAD_REQUEST),
    (ErrorCode::TooManyValues, "too_many_values", StatusCode::BAD_REQUEST),
    (ErrorCode::DateOutOfRange, "date_out_of_range", StatusCode::BAD_REQUEST),
    (ErrorCode::NotFound, "not_found", StatusCode::NOT_FOUND),
    (ErrorCode::MethodNotAllowed, "method_not_allowed", StatusCode::METHOD_NOT_ALLOWED),
    (ErrorCode::SearchTimeout, "search_timeout", StatusCode::SERVICE_UNAVAILABLE),
    (ErrorCode::RateLimited, "rate_limited", StatusCode::TOO_MANY_REQUESTS),
    (ErrorCode::AdminDisabled, "admin_disabled", StatusCode::FORBIDDEN),
    (ErrorCode::InvalidToken, "invalid_token", StatusCode::UNAUTHORIZED),
    (ErrorCode::IngestInProgress, "ingest_in_progress", StatusCode::CONFLICT),
    (ErrorCode::SuggestionsNotReady, "suggestions_not_ready", StatusCode::SERVICE_UNAVAILABLE),
    (ErrorCode::MalformedRequest, "malformed_request", StatusCode::BAD_REQUEST),
    (ErrorCode::UriTooLong, "uri_too_long", StatusCode::URI_TOO_LONG),
    (ErrorCode::HeadersTooLarge, "headers_too_large", StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
    (ErrorCode::Internal, "internal", StatusCode::INTERNAL_SERVER_ERROR),
];

impl ErrorCode {
    fn entry(self) -> (&'static str, StatusCode) {
        TABLE
            .iter()
            .find(|(c, _, _)| *c == self)
            .map_or(("internal", StatusCode::INTERNAL_SERVER_ERROR), |(_, n, s)| (*n, *s))
    }

    /// The code's name in responses.
    pub fn name(self) -> &'static str {
        self.entry().0
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> StatusCode {
        self.entry().1
    }
}

/// An error answered as `{code, message}` with the code's status.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Headers the answer carries besides the body (`Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into(), headers: Vec::new() }
    }

    /// The same error with a header on its answer.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> ApiError {
        self.headers.push((name, value));
        self
    }

    /// The JSON body alone, for answers written below the router (see [`super::wire`]).
    pub fn json_body(&self) -> Vec<u8> {
        serde_json::to_vec(&Body { code: self.code.name(), message: &self.message }).unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.code == ErrorCode::Internal {
            tracing::error!(message = %self.message, "internal error");
        }
        let body = Body { code: self.code.name(), message: &self.message };
        let mut res = (self.code.status(), Json(body)).into_response();
        res.headers_mut().extend(self.headers);
        res
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        ApiError::new(ErrorCode::InvalidSearchQ, format!("invalid q: {e}"))
    }
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> Self {
        ApiError::new(ErrorCode::Internal, e.to_string())
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Query(q) => q.into(),
            SearchError::Index(i) => i.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_in_the_table_once() {
        for (code, name, _) in TABLE {
            assert_eq!(TABLE.iter().filter(|(c, _, _)| c == code).count(), 1, "{name}");
            assert_eq!(code.name(), *name);
        }
    }
}
