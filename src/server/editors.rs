//! Editors' endpoints: related articles, articles citing a source, stale articles, and whole
//! stored articles.

use super::error::{ApiError, ErrorBody, ErrorCode};
use super::openapi::describe;
use super::openapi::responses::{ArticleNotFound, Internal, MethodNotAllowed, RateLimited, SearchTimeout};
use super::params::{bounded, number, parse_query, storable, truncate};
use super::routes::blocking;
use super::state::AppState;
use crate::article::{Article, ArticleRef};
use crate::cite_keys::{doi_key, pmid_key, url_key};
pub use crate::engine::ArticleKey;
use crate::index::present::editorial::{Citing, Related, Stale};
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::{IntoParams, ToSchema};

/// Articles listed when `limit` is not given, and at most.
pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 100;
/// Deepest stale article reachable by paging.
pub const MAX_STALE_OFFSET: usize = 100_000;
/// How long since review makes an article stale when `older_than` is not given.
pub const DEFAULT_OLDER_THAN: &str = "P3Y";
/// The parameters of `/api/related`, `/api/citations` and `/api/stale`.
pub const RELATED_PARAMS: &[&str] = &["url", "id", "limit"];
pub const CITATION_PARAMS: &[&str] = &["url", "doi", "pmid", "limit"];
pub const STALE_PARAMS: &[&str] = &["older_than", "limit", "offset"];

/// An article and the articles related to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedResponse {
    /// The article asked about.
    pub article: ArticleRef,
    /// Best first, at most `limit`.
    pub related: Vec<Related>,
}

/// `limit` of the editors' endpoints, as documented.
fn limit_param() -> Parameter {
    let description = format!("Articles to return, 1 to {MAX_LIMIT}; else 400 `invalid_search_limit`.");
    describe::query("limit", false, description, describe::whole(1, MAX_LIMIT, DEFAULT_LIMIT))
}

/// The query parameters of `/api/related`, as documented.
pub struct RelatedQuery;

impl IntoParams for RelatedQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let url = "The article's URL, however written (with or without `www.`, a trailing slash, tracking \
                   parameters; http or https).";
        vec![
            describe::query("url", false, url.into(), describe::string()),
            describe::query("id", false, "The article's id.".into(), describe::string()),
            limit_param(),
        ]
    }
}

/// `GET /api/related?url=|id=&limit=`
#[utoipa::path(
    get,
    path = "/api/related",
    tag = "editors",
    operation_id = "related",
    summary = "Articles related to an article",
    description = "Articles related to one, best first: by its heaviest words (MoreLikeThis-style), by the sources \
        both cite and by meaning, each with the shared words and sources. Give exactly one of `url` and `id` \
        (neither or both: 400 `invalid_url`).",
    params(RelatedQuery),
    responses(
        (status = 200, description = "The article and its related articles.", body = RelatedResponse),
        (status = 400, body = ErrorBody, description = "`invalid_url`, `invalid_search_limit`, \
            `unknown_parameter` or `duplicate_parameter`."),
        (status = 404, response = ArticleNotFound),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = SearchTimeout),
    )
)]
pub async fn api_related(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<RelatedResponse>, ApiError> {
    let p = parse_query(raw.as_deref(), RELATED_PARAMS, &[])?;
    let limit = bounded(&p, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, ErrorCode::InvalidSearchLimit)?;
    let key = article_key(p.get("url").cloned(), p.get("id").cloned())?;
    Ok(Json(related_to(&st, key, limit).await?))
}

/// The article a request names by its `url` or its `id`: exactly one of them.
pub fn article_key(url: Option<String>, id: Option<String>) -> Result<ArticleKey, ApiError> {
    match (url, id) {
        (Some(url), None) => Ok(ArticleKey::Url(url)),
        (None, Some(id)) => Ok(ArticleKey::Id(id)),
        _ => Err(ApiError::new(ErrorCode::InvalidUrl, "give the article's url or its id (one of them)")),
    }
}

/// `article_not_found` for a key no article has.
fn not_found(key: &ArticleKey) -> ApiError {
    let (what, value) = match key {
        ArticleKey::Url(url) => ("url", url),
        ArticleKey::Id(id) => ("id", id),
    };
    ApiError::new(ErrorCode::ArticleNotFound, format!("no article with {what} {:?}", truncate(value)))
}

/// The articles related to one, best first (at most `limit`), on the blocking pool.
pub async fn related_to(st: &AppState, key: ArticleKey, limit: usize) -> Result<RelatedResponse, ApiError> {
    blocking(st, move |st| {
        let (article, related) = st.engine.related(&key, limit)?.ok_or_else(|| not_found(&key))?;
        Ok(RelatedResponse { article: article.reference(), related })
    })
    .await
}

/// The whole stored article, on the blocking pool.
pub async fn article_by(st: &AppState, key: ArticleKey) -> Result<Article, ApiError> {
    blocking(st, move |st| st.engine.article(&key)?.ok_or_else(|| not_found(&key))).await
}

/// Articles citing a source.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitationsResponse {
    /// The normalized key the source was looked up by (`doi:…`, `pmid:…`, `url:…`).
    pub source: String,
    /// How many articles cite it in all.
    pub total: usize,
    /// At most `limit` of them.
    pub articles: Vec<Citing>,
}

/// The query parameters of `/api/citations`, as documented.
pub struct CitationsQuery;

impl IntoParams for CitationsQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let url = "The source's URL, matched without scheme, `www.`, fragment, tracking parameters or trailing slash.";
        vec![
            describe::query("url", false, url.into(), describe::string()),
            describe::query("doi", false, "A DOI, bare or as a doi.org link (in any case).".into(), describe::string()),
            describe::query("pmid", false, "A PubMed id.".into(), describe::string()),
            limit_param(),
        ]
    }
}

/// `GET /api/citations?url=|doi=|pmid=&limit=`
#[utoipa::path(
    get,
    path = "/api/citations",
    tag = "editors",
    operation_id = "citations",
    summary = "Articles citing a source",
    description = "Articles whose reference lists cite a source, with the entries that cite it. Give exactly one of \
        `url`, `doi` and `pmid` (otherwise 400 `missing_citation_source`); one that cannot be read is 400 \
        `invalid_url`. Sources match by normalized key, so a DOI bare and as a doi.org link find the same articles.",
    params(CitationsQuery),
    responses(
        (status = 200, description = "The articles citing the source.", body = CitationsResponse),
        (status = 400, body = ErrorBody, description = "`missing_citation_source`, `invalid_url`, \
            `invalid_search_limit`, `unknown_parameter` or `duplicate_parameter`."),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = SearchTimeout),
    )
)]
pub async fn api_citations(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<CitationsResponse>, ApiError> {
    let p = parse_query(raw.as_deref(), CITATION_PARAMS, &[])?;
    let limit = bounded(&p, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, ErrorCode::InvalidSearchLimit)?;
    let key = source_key(
        p.get("url").map(String::as_str),
        p.get("doi").map(String::as_str),
        p.get("pmid").map(String::as_str),
    )?;
    Ok(Json(citing_source(&st, key, limit).await?))
}

/// The normalized key of the one source given by URL, DOI or PubMed id.
pub fn source_key(url: Option<&str>, doi: Option<&str>, pmid: Option<&str>) -> Result<String, ApiError> {
    let given: Vec<(&str, &str)> =
        [("url", url), ("doi", doi), ("pmid", pmid)].into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
    let [(kind, value)] = given.as_slice() else {
        return Err(ApiError::new(ErrorCode::MissingCitationSource, "give exactly one of url, doi or pmid"));
    };
    match *kind {
        "url" => url_key(value),
        "doi" => doi_key(value),
        _ => pmid_key(value),
    }
    .ok_or_else(|| ApiError::new(ErrorCode::InvalidUrl, format!("{kind} is not valid: {:?}", truncate(value))))
}

/// The articles citing the source with this key (at most `limit`) and how many there are.
pub async fn citing_source(st: &AppState, key: String, limit: usize) -> Result<CitationsResponse, ApiError> {
    blocking(st, move |st| {
        let (articles, total) = st.engine.citing(&key, limit)?;
        Ok(CitationsResponse { source: key, total, articles })
    })
    .await
}

/// Articles due for review.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaleResponse {
    /// `older_than` as given (or its default).
    pub older_than: String,
    /// Reviewed or accessed before this day counts as stale: today less `older_than`.
    pub cutoff: NaiveDate,
    /// Stale articles in all.
    pub total: usize,
    /// Oldest first (by the older of the review and oldest access dates; undated last), at
    /// most `limit` from `offset` on.
    pub articles: Vec<Stale>,
}

/// The query parameters of `/api/stale`, as documented.
pub struct StaleQuery;

impl IntoParams for StaleQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let older_than = "How long ago counts as stale: an ISO 8601 duration in years, months, weeks and days \
                          (`P3Y`, `P18M`, `P2W`, `P1Y2M10D`); the cut-off is today less this. Else 400 \
                          `invalid_stale_older_than` (or `date_out_of_range` for a cut-off the index cannot hold).";
        let duration = describe::string().pattern(Some("^P[0-9YMWDT]+$")).default(Some(DEFAULT_OLDER_THAN.into()));
        let offset = format!("Articles to skip, 0 to {MAX_STALE_OFFSET}; else 400 `invalid_search_offset`.");
        vec![
            describe::query("older_than", false, older_than.into(), duration),
            limit_param(),
            describe::query("offset", false, offset, describe::whole(0, MAX_STALE_OFFSET, 0)),
        ]
    }
}

/// `GET /api/stale?older_than=P3Y&limit=&offset=`
#[utoipa::path(
    get,
    path = "/api/stale",
    tag = "editors",
    operation_id = "stale",
    summary = "Articles due for review",
    description = "Articles reviewed before the cut-off (or never), or citing sources last accessed before it, \
        oldest first, with the reasons and the stale citations.",
    params(StaleQuery),
    responses(
        (status = 200, description = "A page of stale articles.", body = StaleResponse),
        (status = 400, body = ErrorBody, description = "`invalid_stale_older_than`, `date_out_of_range`, \
            `invalid_search_limit`, `invalid_search_offset`, `unknown_parameter` or `duplicate_parameter`."),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = SearchTimeout),
    )
)]
pub async fn api_stale(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Result<Json<StaleResponse>, ApiError> {
    let p = parse_query(raw.as_deref(), STALE_PARAMS, &[])?;
    let older_than = p.get("older_than").cloned().unwrap_or_else(|| DEFAULT_OLDER_THAN.to_string());
    let today = chrono::Utc::now().date_naive();
    let cutoff = cutoff(&older_than, today)?;
    let limit = bounded(&p, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, ErrorCode::InvalidSearchLimit)?;
    let offset = number(&p, "offset", 0, MAX_STALE_OFFSET, ErrorCode::InvalidSearchOffset)?;
    blocking(&st, move |st| {
        let (articles, total) = st.engine.stale(cutoff, limit, offset)?;
        Ok(Json(StaleResponse { older_than, cutoff, total, articles }))
    })
    .await
}

/// The day `older_than` (an ISO 8601 duration such as `P3Y`, `P18M`, `P2W`) before `today`.
pub fn cutoff(older_than: &str, today: NaiveDate) -> Result<NaiveDate, ApiError> {
    let bad = || {
        ApiError::new(
            ErrorCode::InvalidOlderThan,
            format!("older_than must be an ISO 8601 duration such as P3Y or P18M, not {:?}", truncate(older_than)),
        )
    };
    let text = older_than.trim();
    let valid =
        text.starts_with('P') && text.len() > 1 && text[1..].chars().all(|c| c.is_ascii_digit() || "YMWDT".contains(c));
    if !valid {
        return Err(bad());
    }
    let (months, days) = match iso8601::duration(text).map_err(|_| bad())? {
        iso8601::Duration::YMDHMS { year, month, day, .. } => (year.saturating_mul(12).saturating_add(month), day),
        iso8601::Duration::Weeks(w) => (0, w.saturating_mul(7)),
    };
    let day = today
        .checked_sub_months(Months::new(months))
        .and_then(|d| d.checked_sub_days(chrono::Days::new(days.into())))
        .filter(|d| d.year() > 0)
        .ok_or_else(bad)?;
    storable(day, "the cut-off older_than gives")
}

/// The path parameter of `/api/articles/{id}`, as documented.
pub struct ArticlePath;

impl IntoParams for ArticlePath {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![describe::path(
            "id",
            "The article's id, as hits, passages and the editors' endpoints give it.",
            describe::string(),
        )]
    }
}

/// `GET /api/articles/{id}`: the whole normalized article as stored.
#[utoipa::path(
    get,
    path = "/api/articles/{id}",
    tag = "editors",
    operation_id = "getArticle",
    summary = "One whole stored article",
    description = "The whole normalized article as stored: sections with anchors, dates, categories and the parsed \
        reference list. Query parameters are ignored.",
    params(ArticlePath),
    responses(
        (status = 200, description = "The article.", body = Article),
        (status = 404, response = ArticleNotFound),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
        (status = 500, response = Internal),
        (status = 503, response = SearchTimeout),
    )
)]
pub async fn api_article(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Article>, ApiError> {
    // An id that does not decode to text (`%ff`) names no article: the same 404 as any unknown id.
    let Ok(Path(id)) = id else {
        return Err(ApiError::new(ErrorCode::ArticleNotFound, "no article with that id (it is not UTF-8 text)"));
    };
    Ok(Json(article_by(&st, ArticleKey::Id(id)).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_become_cutoffs() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(cutoff("P3Y", today).ok(), Some(day(2023, 11, 30)));
        assert_eq!(cutoff("P18M", today).ok(), Some(day(2025, 5, 30)));
        assert_eq!(cutoff("P2W", today).ok(), Some(day(2026, 11, 16)));
        assert_eq!(cutoff("P1Y2M10D", today).ok(), Some(day(2025, 9, 20)));
        for bad in ["3Y", "P", "PXY", "P3Yabc", "", "P99999999Y"] {
            assert!(cutoff(bad, today).is_err(), "{bad}");
        }
    }
}
