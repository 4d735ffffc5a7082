//! API errors: one JSON shape `{code, message}`, and an exhaustive `match` from each code to its
//! name, HTTP status and meaning, so a code without a status does not compile. The OpenAPI
//! schema of the codes is made from the same table.

use crate::engine::opensearch::OsError;
use crate::index::IndexError;
use crate::index::present::search::SearchError;
use crate::query::QueryError;
use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

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
    EngineUnavailable,
    NotSupportedByEngine,
    Internal,
}

/// Every code, in declaration order (checked below and by a test), for listings such as the
/// OpenAPI schema.
pub const ALL: [ErrorCode; 35] = [
    ErrorCode::MissingSearchQ,
    ErrorCode::InvalidSearchQ,
    ErrorCode::InvalidSearchLimit,
    ErrorCode::InvalidSearchOffset,
    ErrorCode::InvalidSearchExplain,
    ErrorCode::InvalidSearchExactTotal,
    ErrorCode::InvalidFilter,
    ErrorCode::InvalidSort,
    ErrorCode::InvalidFacets,
    ErrorCode::InvalidMaxChars,
    ErrorCode::InvalidSemanticRatio,
    ErrorCode::InvalidUrl,
    ErrorCode::MissingCitationSource,
    ErrorCode::InvalidOlderThan,
    ErrorCode::InvalidJsonBody,
    ErrorCode::PayloadTooLarge,
    ErrorCode::ArticleNotFound,
    ErrorCode::UnknownParameter,
    ErrorCode::DuplicateParameter,
    ErrorCode::TooManyValues,
    ErrorCode::DateOutOfRange,
    ErrorCode::NotFound,
    ErrorCode::MethodNotAllowed,
    ErrorCode::SearchTimeout,
    ErrorCode::RateLimited,
    ErrorCode::AdminDisabled,
    ErrorCode::InvalidToken,
    ErrorCode::IngestInProgress,
    ErrorCode::SuggestionsNotReady,
    ErrorCode::MalformedRequest,
    ErrorCode::UriTooLong,
    ErrorCode::HeadersTooLarge,
    ErrorCode::EngineUnavailable,
    ErrorCode::NotSupportedByEngine,
    ErrorCode::Internal,
];

// A variant added after `Internal` or left out of `ALL` fails here.
const _: () = assert!(ALL.len() == ErrorCode::Internal as usize + 1);

impl ErrorCode {
    /// The code's name in responses.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::MissingSearchQ => "missing_search_q",
            ErrorCode::InvalidSearchQ => "invalid_search_q",
            ErrorCode::InvalidSearchLimit => "invalid_search_limit",
            ErrorCode::InvalidSearchOffset => "invalid_search_offset",
            ErrorCode::InvalidSearchExplain => "invalid_search_explain",
            ErrorCode::InvalidSearchExactTotal => "invalid_search_exact_total",
            ErrorCode::InvalidFilter => "invalid_search_filter",
            ErrorCode::InvalidSort => "invalid_search_sort",
            ErrorCode::InvalidFacets => "invalid_search_facets",
            ErrorCode::InvalidMaxChars => "invalid_passage_max_chars",
            ErrorCode::InvalidSemanticRatio => "invalid_semantic_ratio",
            ErrorCode::InvalidUrl => "invalid_url",
            ErrorCode::MissingCitationSource => "missing_citation_source",
            ErrorCode::InvalidOlderThan => "invalid_stale_older_than",
            ErrorCode::InvalidJsonBody => "invalid_json_body",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::ArticleNotFound => "article_not_found",
            ErrorCode::UnknownParameter => "unknown_parameter",
            ErrorCode::DuplicateParameter => "duplicate_parameter",
            ErrorCode::TooManyValues => "too_many_values",
            ErrorCode::DateOutOfRange => "date_out_of_range",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::SearchTimeout => "search_timeout",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::AdminDisabled => "admin_disabled",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::IngestInProgress => "ingest_in_progress",
            ErrorCode::SuggestionsNotReady => "suggestions_not_ready",
            ErrorCode::MalformedRequest => "malformed_request",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::EngineUnavailable => "engine_unavailable",
            ErrorCode::NotSupportedByEngine => "not_supported_by_engine",
            ErrorCode::Internal => "internal",
        }
    }

    /// What the code means, for the API's description.
    pub fn meaning(self) -> &'static str {
        match self {
            ErrorCode::MissingSearchQ => "no `q` parameter",
            ErrorCode::InvalidSearchQ => "`q` is empty, too long or has nothing to search for (or an unbalanced `\"`)",
            ErrorCode::InvalidSearchLimit => "`limit` (or `k`) is not a whole number within its bounds",
            ErrorCode::InvalidSearchOffset => "`offset` is not a whole number within its bounds (the result window)",
            ErrorCode::InvalidSearchExplain => "`explain` is not `true`, `false`, `1` or `0`",
            ErrorCode::InvalidSearchExactTotal => "`exact_total` is not `true`, `false`, `1` or `0`",
            ErrorCode::InvalidFilter => "`reviewed_after` is not a YYYY-MM-DD day, or `audience` names no audience",
            ErrorCode::InvalidSort => "`sort` is neither `relevance` nor `reviewed`",
            ErrorCode::InvalidFacets => "`facets` names no facet (and is not `*`)",
            ErrorCode::InvalidMaxChars => "`max_chars` is not a whole number within its bounds",
            ErrorCode::InvalidSemanticRatio => "`semantic_ratio` is not a number from 0 to 1",
            ErrorCode::InvalidUrl => {
                "a `url`, `doi` or `pmid` that cannot be read, or not exactly one of `url` and `id` on /api/related"
            }
            ErrorCode::MissingCitationSource => "not exactly one of `url`, `doi` and `pmid` on /api/citations",
            ErrorCode::InvalidOlderThan => "`older_than` is not an ISO 8601 duration such as `P3Y`, `P18M` or `P2W`",
            ErrorCode::InvalidJsonBody => "the body is not JSON of the request's shape (or not sent as JSON)",
            ErrorCode::PayloadTooLarge => "the request body is larger than the server takes",
            ErrorCode::ArticleNotFound => "no stored article has that id or URL",
            ErrorCode::UnknownParameter => "a query parameter the endpoint does not take",
            ErrorCode::DuplicateParameter => "a single-valued query parameter given twice",
            ErrorCode::TooManyValues => {
                "a list filter (`category`, `site`, `audience`) with too many values (a query string's \
                 counted after splitting at commas)"
            }
            ErrorCode::DateOutOfRange => {
                "a day the index cannot hold (`reviewed_after`, or the cut-off `older_than` gives)"
            }
            ErrorCode::NotFound => "no endpoint at that path",
            ErrorCode::MethodNotAllowed => "the endpoint does not take that method",
            ErrorCode::SearchTimeout => "the request took longer than the server's time limit; try again",
            ErrorCode::RateLimited => "this client sent more requests than its limit; see `Retry-After`",
            ErrorCode::AdminDisabled => "state-changing endpoints are off: the server has no admin token",
            ErrorCode::InvalidToken => "no `Authorization: Bearer` header with the right token",
            ErrorCode::IngestInProgress => "an ingest started through the API is still running",
            ErrorCode::SuggestionsNotReady => "the suggestions are still being built; see `Retry-After`",
            ErrorCode::MalformedRequest => "the request is not readable HTTP/1.1 (the connection is then closed)",
            ErrorCode::UriTooLong => "the request's URI is too long (the connection is then closed)",
            ErrorCode::HeadersTooLarge => {
                "too many request headers, or too large a head (the connection is then closed)"
            }
            ErrorCode::EngineUnavailable => "no node of the search cluster answered; retry later",
            ErrorCode::NotSupportedByEngine => "the engine this service runs on does not offer this endpoint",
            ErrorCode::Internal => "a fault on the server's side, never the request's",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::MissingSearchQ
            | ErrorCode::InvalidSearchQ
            | ErrorCode::InvalidSearchLimit
            | ErrorCode::InvalidSearchOffset
            | ErrorCode::InvalidSearchExplain
            | ErrorCode::InvalidSearchExactTotal
            | ErrorCode::InvalidFilter
            | ErrorCode::InvalidSort
            | ErrorCode::InvalidFacets
            | ErrorCode::InvalidMaxChars
            | ErrorCode::InvalidSemanticRatio
            | ErrorCode::InvalidUrl
            | ErrorCode::MissingCitationSource
            | ErrorCode::InvalidOlderThan
            | ErrorCode::InvalidJsonBody
            | ErrorCode::UnknownParameter
            | ErrorCode::DuplicateParameter
            | ErrorCode::TooManyValues
            | ErrorCode::DateOutOfRange
            | ErrorCode::MalformedRequest => StatusCode::BAD_REQUEST,
            ErrorCode::UriTooLong => StatusCode::URI_TOO_LONG,
            ErrorCode::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::ArticleNotFound | ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::SearchTimeout | ErrorCode::SuggestionsNotReady | ErrorCode::EngineUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::AdminDisabled => StatusCode::FORBIDDEN,
            ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorCode::IngestInProgress => StatusCode::CONFLICT,
            ErrorCode::NotSupportedByEngine => StatusCode::NOT_IMPLEMENTED,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Every code's name, described with its status and meaning.
impl PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        let mut description = String::from("A stable error code: clients may match on it. Each has one HTTP status:\n");
        for code in ALL {
            description.push_str(&format!("\n- `{}` ({}): {}.", code.name(), code.status().as_u16(), code.meaning()));
        }
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(ALL.map(ErrorCode::name)))
            .description(Some(description))
            .into()
    }
}

impl ToSchema for ErrorCode {}

/// An error answered as `{code, message}` with the code's status.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Headers the answer carries besides the body (`Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody<'a> {
    pub code: ErrorCode,
    /// What went wrong, for people (the wording may change: match on `code`).
    pub message: &'a str,
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
        serde_json::to_vec(&ErrorBody { code: self.code, message: &self.message }).unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.code == ErrorCode::Internal {
            tracing::error!(message = %self.message, "internal error");
        }
        let body = ErrorBody { code: self.code, message: &self.message };
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
            SearchError::Engine(e @ (OsError::Unreachable { .. } | OsError::Partial(_))) => {
                ApiError::new(ErrorCode::EngineUnavailable, e.to_string())
            }
            SearchError::Engine(e) => ApiError::new(ErrorCode::Internal, e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_code_once_with_distinct_names() {
        for (i, code) in ALL.iter().enumerate() {
            assert_eq!(*code as usize, i, "{}", code.name());
            assert_eq!(ALL.iter().filter(|c| c.name() == code.name()).count(), 1, "{}", code.name());
        }
    }
}
