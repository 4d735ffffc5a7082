//! The search page's query string, read leniently: unknown parameters are ignored and odd values
//! fall back to their defaults, so the page never answers a link with a raw parameter error.

use super::super::params::MAX_LIST_VALUES;
use super::super::routes::DEFAULT_LIMIT;
use crate::index::present::search::{Facet, MAX_WINDOW, SearchParams};
use crate::index::ranking::filter::{Filters, Sort};
use crate::index::storage::writer::DAYS;
use chrono::NaiveDate;

/// Deepest page reachable (the API's result window).
pub const MAX_PAGE: usize = MAX_WINDOW / DEFAULT_LIMIT;
/// Longest facet value taken from a link, in bytes; longer ones cannot be indexed values.
const MAX_VALUE_BYTES: usize = 300;

/// What the page was asked to show.
#[derive(Debug, Clone, PartialEq)]
pub struct PageQuery {
    pub q: String,
    /// 1-based page of results.
    pub page: usize,
    pub category: Vec<String>,
    pub site: Vec<String>,
    pub audience: Vec<String>,
    pub reviewed_after: Option<NaiveDate>,
    /// A `reviewed_after` value that was not a date, so the page can say it was ignored.
    pub bad_date: Option<String>,
    pub sort: Sort,
}

impl Default for PageQuery {
    fn default() -> PageQuery {
        PageQuery {
            q: String::new(),
            page: 1,
            category: Vec::new(),
            site: Vec::new(),
            audience: Vec::new(),
            reviewed_after: None,
            bad_date: None,
            sort: Sort::Relevance,
        }
    }
}

impl PageQuery {
    /// Reads `q`, `page`, `sort`, `reviewed_after` and the repeatable `category`, `site` and
    /// `audience`.
    /// Single-valued parameters given twice keep the last value.
    pub fn parse(raw: Option<&str>) -> PageQuery {
        let mut pq = PageQuery::default();
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "q" => pq.q = v.into_owned(),
                "page" => pq.page = v.trim().parse::<usize>().unwrap_or(1).clamp(1, MAX_PAGE),
                "category" => push_value(&mut pq.category, &v),
                "site" => push_value(&mut pq.site, &v),
                "audience" => push_value(&mut pq.audience, &v),
                "sort" => pq.sort = if v.trim() == "reviewed" { Sort::Reviewed } else { Sort::Relevance },
                "reviewed_after" => {
                    let v = v.trim();
                    pq.reviewed_after = None;
                    pq.bad_date = None;
                    if !v.is_empty() {
                        // A day the index cannot hold is as unusable as a non-date: ignored, and said.
                        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                            Ok(day) if DAYS.contains(&day) => pq.reviewed_after = Some(day),
                            _ => pq.bad_date = Some(v.chars().take(40).collect()),
                        }
                    }
                }
                _ => {}
            }
        }
        pq
    }

    /// The filters to search with.
    pub fn filters(&self) -> Filters {
        Filters {
            category: self.category.clone(),
            site: self.site.clone(),
            audience: self.audience.clone(),
            reviewed_after: self.reviewed_after,
        }
    }

    /// Whether any filter is on.
    pub fn is_filtered(&self) -> bool {
        !self.category.is_empty() || !self.site.is_empty() || !self.audience.is_empty() || self.reviewed_after.is_some()
    }

    /// The search for this page: its ten hits, every facet counted.
    pub fn search_params(&self) -> SearchParams {
        SearchParams {
            offset: (self.page - 1) * DEFAULT_LIMIT,
            filters: self.filters(),
            sort: self.sort,
            facets: Facet::ALL.to_vec(),
            ..SearchParams::new(self.q.clone(), DEFAULT_LIMIT)
        }
    }

    /// The values chosen for a facet.
    pub fn values(&self, facet: Facet) -> &[String] {
        match facet {
            Facet::Category => &self.category,
            Facet::Site => &self.site,
            Facet::Audience => &self.audience,
        }
    }

    /// This query with `value` of `facet` switched on or off, from the first page.
    pub fn toggled(&self, facet: Facet, value: &str) -> PageQuery {
        let mut next = PageQuery { page: 1, ..self.clone() };
        let list = match facet {
            Facet::Category => &mut next.category,
            Facet::Site => &mut next.site,
            Facet::Audience => &mut next.audience,
        };
        if let Some(at) = list.iter().position(|v| v == value) {
            list.remove(at);
        } else {
            list.push(value.to_string());
        }
        next
    }

    /// This query on another page.
    pub fn at_page(&self, page: usize) -> PageQuery {
        PageQuery { page: page.clamp(1, MAX_PAGE), ..self.clone() }
    }

    /// This query with other words and the same filters and order, from the first page.
    pub fn with_q(&self, q: &str) -> PageQuery {
        PageQuery { q: q.to_string(), page: 1, ..self.clone() }
    }

    /// This query without filters, from the first page.
    pub fn unfiltered(&self) -> PageQuery {
        PageQuery { q: self.q.clone(), sort: self.sort, ..PageQuery::default() }
    }

    /// This query without the review-date filter, from the first page.
    pub fn without_date(&self) -> PageQuery {
        PageQuery { reviewed_after: None, bad_date: None, page: 1, ..self.clone() }
    }

    /// The page's path and query string (not yet escaped for HTML); defaults are left out.
    pub fn href(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("q", &self.q);
        for v in &self.category {
            s.append_pair("category", v);
        }
        for v in &self.site {
            s.append_pair("site", v);
        }
        for v in &self.audience {
            s.append_pair("audience", v);
        }
        if let Some(day) = self.reviewed_after {
            s.append_pair("reviewed_after", &day.format("%Y-%m-%d").to_string());
        }
        if self.sort == Sort::Reviewed {
            s.append_pair("sort", "reviewed");
        }
        if self.page > 1 {
            s.append_pair("page", &self.page.to_string());
        }
        format!("/?{}", s.finish())
    }
}

/// Adds a facet value: trimmed, non-empty, not too long, once, and at most [`MAX_LIST_VALUES`].
fn push_value(list: &mut Vec<String>, v: &str) {
    let v = v.trim();
    if v.is_empty() || v.len() > MAX_VALUE_BYTES || list.len() >= MAX_LIST_VALUES || list.iter().any(|x| x == v) {
        return;
    }
    list.push(v.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_everything_leniently() {
        let pq = PageQuery::parse(Some(
            "q=back+pain&page=3&category=Pregnancy&category=Baby&category=Baby&site=a.example\
             &sort=reviewed&reviewed_after=2023-01-02&utm_source=x&explain=true",
        ));
        assert_eq!(pq.q, "back pain");
        assert_eq!(pq.page, 3);
        assert_eq!(pq.category, ["Pregnancy", "Baby"]);
        assert_eq!(pq.site, ["a.example"]);
        assert_eq!(pq.sort, Sort::Reviewed);
        assert_eq!(pq.reviewed_after, NaiveDate::from_ymd_opt(2023, 1, 2));
        let odd = PageQuery::parse(Some("q=x&page=-4&sort=sideways&reviewed_after=last+week&category="));
        assert_eq!((odd.page, odd.sort, odd.reviewed_after), (1, Sort::Relevance, None));
        assert_eq!(odd.bad_date.as_deref(), Some("last week"));
        assert!(odd.category.is_empty());
        assert_eq!(PageQuery::parse(Some("page=99999999999999999999999")).page, 1);
        assert_eq!(PageQuery::parse(Some("page=5000")).page, MAX_PAGE);
        assert_eq!(PageQuery::parse(Some("reviewed_after=")).bad_date, None);
        assert_eq!(PageQuery::parse(Some("reviewed_after=3000-01-01")).bad_date.as_deref(), Some("3000-01-01"));
    }

    #[test]
    fn links_round_trip_and_toggle() {
        let pq = PageQuery::parse(Some("q=a%26b&category=Women%27s+health&site=x.example&sort=reviewed&page=2"));
        assert_eq!(PageQuery::parse(pq.href().strip_prefix("/?")), pq);
        let off = pq.toggled(Facet::Category, "Women's health");
        assert!(off.category.is_empty());
        assert_eq!(off.page, 1);
        let on = pq.toggled(Facet::Site, "y.example");
        assert_eq!(on.site, ["x.example", "y.example"]);
        assert_eq!(PageQuery::parse(Some("q=x")).href(), "/?q=x");
        assert!(!pq.unfiltered().is_filtered());
        assert_eq!(pq.unfiltered().sort, Sort::Reviewed);
    }

    #[test]
    fn list_values_are_capped() {
        let raw: Vec<String> = (0..50).map(|i| format!("site=s{i}")).collect();
        assert_eq!(PageQuery::parse(Some(&raw.join("&"))).site.len(), MAX_LIST_VALUES);
        let long = format!("category={}", "x".repeat(MAX_VALUE_BYTES + 1));
        assert!(PageQuery::parse(Some(&long)).category.is_empty());
    }
}
