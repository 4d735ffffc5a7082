//! Source identity: the keys under which a citation is indexed (DOI, PubMed id, PMC id,
//! normalized URL) and the date its access note stands for.

use crate::article::Citation;
use chrono::NaiveDate;

/// Query parameters added for tracking (besides every `utm_…`), dropped when URLs are compared
/// and from canonical URLs.
const TRACKING: &[&str] = &["fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ref", "_ga", "_gl", "igshid"];

/// Whether a query parameter only tracks where a visitor came from.
pub fn is_tracking_param(key: &str) -> bool {
    key.starts_with("utm_") || TRACKING.contains(&key)
}

/// The keys a citation is found by: `doi:…`, `pmid:…`, `pmcid:…` and `url:…`, each normalized.
pub fn citation_keys(c: &Citation) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(doi) = c.doi.as_deref().and_then(doi_key) {
        keys.push(doi);
    }
    if let Some(pmid) = c.pmid.as_deref().and_then(pmid_key) {
        keys.push(pmid);
    }
    if let Some(pmcid) = c.pmcid.as_deref().and_then(pmcid_key) {
        keys.push(pmcid);
    }
    if let Some(url) = c.url.as_deref().and_then(url_key) {
        keys.push(url);
    }
    keys
}

/// `doi:` and the DOI in lower case (DOIs are case-insensitive), from a bare DOI or a doi.org URL.
pub fn doi_key(doi: &str) -> Option<String> {
    let d = doi.trim();
    let lower = d.to_ascii_lowercase();
    let start = lower.find("10.")?;
    let d = lower[start..].trim_end_matches(['.', ',', ';', ')']);
    (d.len() > 4 && d.contains('/')).then(|| format!("doi:{d}"))
}

/// `pmid:` and the PubMed id's digits.
pub fn pmid_key(pmid: &str) -> Option<String> {
    let digits: String = pmid.chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty() && digits.len() <= 10).then(|| format!("pmid:{}", digits.trim_start_matches('0')))
}

/// `pmcid:` and the PubMed Central id in upper case (`PMC1234567`).
pub fn pmcid_key(pmcid: &str) -> Option<String> {
    let digits: String = pmcid.chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("pmcid:PMC{digits}"))
}

/// `url:` and the URL without scheme, `www.`, fragment, tracking parameters or trailing slash,
/// host in lower case: two links to the same page give the same key.
pub fn url_key(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = url.path().trim_end_matches('/');
    let query: Vec<String> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| if v.is_empty() { k.into_owned() } else { format!("{k}={v}") })
        .collect();
    let mut key = format!("url:{host}{path}");
    if !query.is_empty() {
        key.push('?');
        key.push_str(&query.join("&"));
    }
    Some(key)
}

/// The day an access note stands for: "February 2022" is read as the first of the month, a
/// full date as itself.
pub fn accessed_date(c: &Citation) -> Option<NaiveDate> {
    let text = c.accessed.as_deref()?.trim();
    if let Some(d) = crate::ingest::dates::parse_date(text) {
        return Some(d);
    }
    NaiveDate::parse_from_str(&format!("1 {text}"), "%d %B %Y")
        .or_else(|_| NaiveDate::parse_from_str(&format!("1 {text}"), "%d %b %Y"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cite(url: Option<&str>, doi: Option<&str>, pmid: Option<&str>, accessed: Option<&str>) -> Citation {
        Citation {
            url: url.map(String::from),
            doi: doi.map(String::from),
            pmid: pmid.map(String::from),
            accessed: accessed.map(String::from),
            ..Citation::default()
        }
    }

    #[test]
    fn keys_are_normalized() {
        let c = cite(
            Some("https://WWW.Example.org/guide/?utm_source=x&id=3#part"),
            Some("https://doi.org/10.1186/1471-2393-8-19."),
            Some("PMID: 0012345"),
            None,
        );
        assert_eq!(citation_keys(&c), vec!["doi:10.1186/1471-2393-8-19", "pmid:12345", "url:example.org/guide?id=3"]);
        assert_eq!(url_key("http://example.org/guide"), url_key("https://www.example.org/guide/"));
        assert_eq!(doi_key("not a doi"), None);
    }

    #[test]
    fn access_notes_become_dates() {
        let d = |s| accessed_date(&cite(None, None, None, Some(s)));
        assert_eq!(d("February 2022"), NaiveDate::from_ymd_opt(2022, 2, 1));
        assert_eq!(d("Feb 2022"), NaiveDate::from_ymd_opt(2022, 2, 1));
        assert_eq!(d("3 March 2023"), NaiveDate::from_ymd_opt(2023, 3, 3));
        assert_eq!(d("2021-06-15"), NaiveDate::from_ymd_opt(2021, 6, 15));
        assert_eq!(d("sometime"), None);
    }
}
