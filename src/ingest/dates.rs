//! Date parsing for the forms health pages use: ISO dates and timestamps, "March 3, 2024",
//! "3 March 2024", "Mar 2024".

use chrono::{DateTime, NaiveDate};
use regex::Regex;
use std::sync::LazyLock;

/// A regex fragment matching one written date, for use inside larger patterns.
pub const DATE_PATTERN: &str = r"(\d{4}-\d{2}-\d{2}(?:T[0-9:.+\-Z]+)?|[A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2}(?:st|nd|rd|th)? [A-Z][a-z]{2,8}\.?,? \d{4}|[A-Z][a-z]{2,8}\.? \d{4}|\d{1,2}/\d{1,2}/\d{4})";

static FIND: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(DATE_PATTERN).ok());

/// The first written date anywhere in `text` ("Checked 4 May 2023" gives 2023-05-04).
pub fn find_date(text: &str) -> Option<NaiveDate> {
    let re = FIND.as_ref()?;
    re.find_iter(text).find_map(|m| parse_date(m.as_str()))
}

/// `text` with every written date taken out, or `None` when it has none. A match that is not a
/// date ("Published 2024" in "Published 2024-05-03") is skipped by one character, so the real
/// date after it is still found.
pub fn strip_dates(text: &str) -> Option<String> {
    let re = FIND.as_ref()?;
    let (mut rest, mut from, mut found) = (String::new(), 0, false);
    let mut at = 0;
    while let Some(m) = re.find_at(text, at) {
        if parse_date(m.as_str()).is_some() {
            rest.push_str(&text[from..m.start()]);
            rest.push(' ');
            (from, at, found) = (m.end(), m.end(), true);
        } else {
            at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
        }
    }
    rest.push_str(&text[from..]);
    found.then_some(rest)
}

static ORDINAL: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(\d)(?:st|nd|rd|th)\b").ok());

const FORMATS: &[&str] = &["%Y-%m-%d", "%B %d, %Y", "%B %d %Y", "%d %B %Y", "%b %d, %Y", "%b %d %Y", "%d %b %Y"];

/// Parses a written date; a month and year alone mean the first of that month.
/// Slash dates are read as day/month/year unless that is impossible.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim().trim_end_matches('.');
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.date_naive());
    }
    if t.len() > 10 && t.as_bytes().get(10) == Some(&b'T') {
        return t.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    }
    let cleaned = match ORDINAL.as_ref() {
        Some(re) => re.replace_all(t, "$1").into_owned(),
        None => t.to_string(),
    };
    let cleaned = cleaned.replace('.', "").replace(",,", ",");
    if let Some(d) = parse_month_year(&cleaned) {
        return Some(d);
    }
    for f in FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(&cleaned, f) {
            return Some(d);
        }
    }
    parse_slashed(&cleaned)
}

/// "February 2022" or "Feb 2022": the first of that month.
fn parse_month_year(t: &str) -> Option<NaiveDate> {
    let (month, year) = t.split_once(' ')?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || !month.chars().all(char::is_alphabetic) {
        return None;
    }
    let with_day = format!("1 {month} {year}");
    ["%d %B %Y", "%d %b %Y"].iter().find_map(|f| NaiveDate::parse_from_str(&with_day, f).ok())
}

fn parse_slashed(t: &str) -> Option<NaiveDate> {
    let parts: Vec<u32> = t.split('/').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [a, b, y] = parts.as_slice() else {
        return None;
    };
    let year = i32::try_from(*y).ok()?;
    NaiveDate::from_ymd_opt(year, *b, *a).or_else(|| NaiveDate::from_ymd_opt(year, *a, *b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn reads_common_forms() {
        assert_eq!(parse_date("2024-02-06"), d(2024, 2, 6));
        assert_eq!(parse_date("2024-02-06T09:00:00Z"), d(2024, 2, 6));
        assert_eq!(parse_date("2024-02-06T09:00:00"), d(2024, 2, 6));
        assert_eq!(parse_date("February 6, 2024"), d(2024, 2, 6));
        assert_eq!(parse_date("6 February 2024"), d(2024, 2, 6));
        assert_eq!(parse_date("Feb. 6th, 2024"), d(2024, 2, 6));
        assert_eq!(parse_date("February 2022"), d(2022, 2, 1));
        assert_eq!(parse_date("13/03/2024"), d(2024, 3, 13));
    }

    #[test]
    fn strips_dates_from_text() {
        assert_eq!(
            strip_dates("Updated 3 May 2024 by").as_deref().map(str::split_whitespace).map(Vec::from_iter),
            Some(vec!["Updated", "by"])
        );
        assert_eq!(strip_dates("No date here"), None);
        assert_eq!(strip_dates("Published 2024-05-03").as_deref().map(str::trim), Some("Published"));
    }

    #[test]
    fn rejects_nonsense() {
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("Smarch 40, 2024"), None);
        assert_eq!(parse_date(""), None);
    }
}
