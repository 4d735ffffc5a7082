//! Strict query-string reading: known parameters only, single-valued ones at most once, values
//! checked, and the filter parameters every search-like endpoint shares.

use super::error::{ApiError, ErrorCode};
use crate::index::filter::Filters;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Most values a list parameter (`category`, `site`) may carry.
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

    /// Every value of a list parameter: repeated (`site=a&site=b`) or comma-separated values.
    pub fn list(&self, name: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in self.values.get(name).into_iter().flatten() {
            out.extend(v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from));
        }
        out
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
        if values.len() >= MAX_LIST_VALUES {
            let msg = format!("parameter {:?} is given more than {MAX_LIST_VALUES} times", truncate(&k));
            return Err(ApiError::new(ErrorCode::DuplicateParameter, msg));
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

/// Reads the filter parameters `category`, `site`, `audience` and `reviewed_after` (YYYY-MM-DD).
pub fn filters(p: &Params) -> Result<Filters, ApiError> {
    let reviewed_after = match p.get("reviewed_after") {
        None => None,
        Some(v) => Some(date(v, "reviewed_after")?),
    };
    checked_filters(Filters {
        category: p.list("category"),
        site: p.list("site"),
        audience: p.list("audience"),
        reviewed_after,
    })
}

/// Filters from any request, checked: known audiences, and at most [`MAX_LIST_VALUES`] values
/// per field.
pub fn checked_filters(f: Filters) -> Result<Filters, ApiError> {
    if let Some(bad) = f.audience.iter().find(|a| crate::article::Audience::from_name(a).is_none()) {
        let names: Vec<&str> = crate::article::Audience::ALL.iter().map(|a| a.name()).collect();
        return Err(ApiError::new(
            ErrorCode::InvalidFilter,
            format!("audience must be one of {}, not {:?}", names.join(", "), truncate(bad)),
        ));
    }
    for (name, values) in [("category", &f.category), ("site", &f.site), ("audience", &f.audience)] {
        if values.len() > MAX_LIST_VALUES {
            let msg = format!("{name} may list at most {MAX_LIST_VALUES} values");
            return Err(ApiError::new(ErrorCode::InvalidFilter, msg));
        }
    }
    Ok(f)
}

/// A `YYYY-MM-DD` day.
pub fn date(v: &str, name: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::new(ErrorCode::InvalidFilter, format!("{name} must be a date as YYYY-MM-DD, not {:?}", truncate(v)))
    })
}

/// Cuts a user-supplied value for quoting in an error message.
pub fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX { s.to_string() } else { format!("{}…", s.chars().take(MAX).collect::<String>()) }
}
