//! Strict query-string reading: known parameters only, each at most once, values checked.

use super::error::{ApiError, ErrorCode};
use std::collections::HashMap;

/// Parameters of a query string, by name. Refuses names not in `allowed` and repeated names.
pub fn parse_query(raw: Option<&str>, allowed: &[&str]) -> Result<HashMap<String, String>, ApiError> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if !allowed.contains(&k.as_ref()) {
            return Err(ApiError::new(
                ErrorCode::UnknownParameter,
                format!("unknown parameter {:?}; this endpoint takes {}", truncate(&k), allowed.join(", ")),
            ));
        }
        if out.insert(k.to_string(), v.into_owned()).is_some() {
            return Err(ApiError::new(
                ErrorCode::DuplicateParameter,
                format!("parameter {k:?} is given more than once"),
            ));
        }
    }
    Ok(out)
}

/// Reads an optional whole-number parameter within `0..=max`.
pub fn number(
    params: &HashMap<String, String>,
    name: &str,
    default: usize,
    max: usize,
    code: ErrorCode,
) -> Result<usize, ApiError> {
    let Some(v) = params.get(name) else {
        return Ok(default);
    };
    match v.trim().parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(ApiError::new(code, format!("{name} must be a whole number from 0 to {max}, not {:?}", truncate(v)))),
    }
}

/// Cuts a user-supplied value for quoting in an error message.
pub fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX { s.to_string() } else { format!("{}…", s.chars().take(MAX).collect::<String>()) }
}
