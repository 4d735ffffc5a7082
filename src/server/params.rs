//! Strict query-string reading: known parameters only, single-valued ones at most once, values
//! checked, and the filter parameters every search-like endpoint shares.

use super::error::{ApiError, ErrorCode};
use crate::index::ranking::filter::Filters;
use crate::index::storage::writer::DAYS;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Most values a list filter (`category`, `site`, `audience`) may carry, counted as the search
/// uses them: a query string's values after splitting on commas, a JSON list's items as they are.
pub const MAX_LIST_VALUES: usize = 20;

/// Parameters of a query string.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, Vec<String>>,
}

impl Params {
    /// The value of a single-valued parameter.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.values.get(name).and_then(|v| v.first())
    }

    /// Every value given for a parameter, as given (list parameters are split by [`filters`]).
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }
}

/// `semantic_ratio`: the weight of meaning against words, from 0 to 1.
pub fn semantic_ratio(p: &Params) -> Result<Option<f32>, ApiError> {
    let Some(v) = p.get("semantic_ratio") else { return Ok(None) };
    check_ratio(v.trim().parse::<f32>().ok(), v)
}

/// A ratio from a request, refused outside 0..=1.
pub fn check_ratio(r: Option<f32>, shown: &str) -> Result<Option<f32>, ApiError> {
    match r {
        Some(r) if (0.0..=1.0).contains(&r) => Ok(Some(r)),
        _ => Err(ApiError::new(
            ErrorCode::InvalidSemanticRatio,
            format!("semantic_ratio must be a number from 0 to 1, not {:?}", truncate(shown)),
        )),
    }
}

/// Reads a query string. Refuses names not in `single` or `multi`, and repeated `single` names.
pub fn parse_query(raw: Option<&str>, single: &[&str], multi: &[&str]) -> Result<Params, ApiError> {
    let mut p = Params::default();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let is_single = single.contains(&k.as_ref());
        if !is_single && !multi.contains(&k.as_ref()) {
            let all: Vec<&str> = single.iter().chain(multi).copied().collect();
            return Err(ApiError::new(
                ErrorCode::UnknownParameter,
                format!("unknown parameter {:?}; this endpoint takes {}", truncate(&k), all.join(", ")),
            ));
        }
        let values = p.values.entry(k.to_string()).or_default();
        if is_single && !values.is_empty() {
            return Err(ApiError::new(
                ErrorCode::DuplicateParameter,
                format!("parameter {:?} is given more than once", truncate(&k)),
            ));
        }
        values.push(v.into_owned());
    }
    Ok(p)
}

/// The `q` parameter, which search-like endpoints require.
pub fn required_q(p: &Params) -> Result<String, ApiError> {
    p.get("q").cloned().ok_or_else(|| ApiError::new(ErrorCode::MissingSearchQ, "q is required"))
}

/// Reads an optional whole-number parameter within `0..=max`.
pub fn number(p: &Params, name: &str, default: usize, max: usize, code: ErrorCode) -> Result<usize, ApiError> {
    bounded(p, name, default, 0, max, code)
}

/// Reads an optional whole-number parameter within `min..=max`.
pub fn bounded(
    p: &Params,
    name: &str,
    default: usize,
    min: usize,
    max: usize,
    code: ErrorCode,
) -> Result<usize, ApiError> {
    let Some(v) = p.get(name) else {
        return Ok(default);
    };
    match v.trim().parse::<usize>() {
        Ok(n) => within(name, n, min, max, code),
        Err(_) => Err(out_of_range(name, min, max, &format!("{:?}", truncate(v)), code)),
    }
}

/// A whole number from a request (a query string or a JSON body) refused outside `min..=max`.
pub fn within(name: &str, n: usize, min: usize, max: usize, code: ErrorCode) -> Result<usize, ApiError> {
    if (min..=max).contains(&n) { Ok(n) } else { Err(out_of_range(name, min, max, &n.to_string(), code)) }
}

fn out_of_range(name: &str, min: usize, max: usize, shown: &str, code: ErrorCode) -> ApiError {
    ApiError::new(code, format!("{name} must be a whole number from {min} to {max}, not {shown}"))
}

/// Reads an optional `true`/`false` parameter (`1`/`0`, or present without a value for true).
pub fn flag(p: &Params, name: &str, code: ErrorCode) -> Result<bool, ApiError> {
    match p.get(name).map(String::as_str) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") | Some("") => Ok(true),
        Some(other) => Err(ApiError::new(code, format!("{name} must be true or false, not {:?}", truncate(other)))),
    }
}

/// The parameters that may be given several times (or as comma-separated lists): the filters.
pub const LIST_PARAMS: &[&str] = &["category", "site", "audience"];

/// Reads the filter parameters `category`, `site`, `audience` (each repeated or comma-separated)
/// and `reviewed_after` (YYYY-MM-DD).
pub fn filters(p: &Params) -> Result<Filters, ApiError> {
    let reviewed_after = match p.get("reviewed_after") {
        None => None,
        Some(v) => Some(date(v, "reviewed_after")?),
    };
    let list = |name| -> Vec<String> {
        let values = p.all(name).iter().flat_map(|v| v.split(',')).map(str::trim).filter(|v| !v.is_empty());
        // One past the cap is enough for `checked_filters` to refuse: 30,000 commas cost nothing.
        values.take(MAX_LIST_VALUES + 1).map(String::from).collect()
    };
    checked_filters(Filters {
        category: list("category"),
        site: list("site"),
        audience: list("audience"),
        reviewed_after,
    })
}

/// Filters as a search may run them, from a query string or a JSON body alike: at most
/// [`MAX_LIST_VALUES`] values per list (counted as the search will use them: after a query
/// string's commas are split; a JSON list's items as they are), audiences known, and the review
/// date one the index can hold.
pub fn checked_filters(given: Filters) -> Result<Filters, ApiError> {
    for (name, values) in [("category", &given.category), ("site", &given.site), ("audience", &given.audience)] {
        if values.len() > MAX_LIST_VALUES {
            let msg = format!("{name} takes at most {MAX_LIST_VALUES} values");
            return Err(ApiError::new(ErrorCode::TooManyValues, msg));
        }
    }
    if let Some(bad) = given.audience.iter().find(|a| crate::article::Audience::from_name(a).is_none()) {
        let names: Vec<&str> = crate::article::Audience::ALL.iter().map(|a| a.name()).collect();
        return Err(ApiError::new(
            ErrorCode::InvalidFilter,
            format!("audience must be one of {}, not {:?}", names.join(", "), truncate(bad)),
        ));
    }
    if let Some(day) = given.reviewed_after {
        storable(day, "reviewed_after")?;
    }
    Ok(given)
}

/// A `YYYY-MM-DD` day.
pub fn date(v: &str, name: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::new(ErrorCode::InvalidFilter, format!("{name} must be a date as YYYY-MM-DD, not {:?}", truncate(v)))
    })
}

/// `day` if the index can hold it (see [`DAYS`]), else `date_out_of_range`: outside that range a
/// date filter cannot be expressed, and silently ignoring it would answer another question.
pub fn storable(day: NaiveDate, name: &str) -> Result<NaiveDate, ApiError> {
    if DAYS.contains(&day) {
        return Ok(day);
    }
    let msg = format!("{name} ({day}) must be from {} to {}, the days the index holds", DAYS.start(), DAYS.end());
    Err(ApiError::new(ErrorCode::DateOutOfRange, msg))
}

/// Cuts a user-supplied value for quoting in an error message.
pub fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX { s.to_string() } else { format!("{}…", s.chars().take(MAX).collect::<String>()) }
}
