//! The results part of the search page: hits, "did you mean", active filters, facets, the sort
//! and date form, and paging. Every value from the index or the query is escaped.

use super::help::Help;
use super::query::{MAX_PAGE, PageQuery};
use super::safe_href;
use crate::index::present::search::{Facet, Hit, MAX_WINDOW, SearchResponse};
use crate::index::ranking::count::Relation;
use crate::index::ranking::filter::{FacetValue, Sort};
use crate::server::routes::DEFAULT_LIMIT;
use crate::text::plural;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use std::fmt::Write;

/// Facet values shown before the rest are folded under "More".
const SHOWN_VALUES: usize = 8;

/// What the page adds to a search's response.
#[derive(Debug, Default)]
pub struct Extras {
    /// The page asked for, when it was past the last and the last is shown instead.
    pub past_end: Option<usize>,
    /// Ways on when nothing matched.
    pub help: Help,
}

/// The last page of `total` results (1 when there are none).
pub fn last_page(total: usize) -> usize {
    total.min(MAX_WINDOW).div_ceil(DEFAULT_LIMIT).clamp(1, MAX_PAGE)
}

/// The results column and the refine column for one search.
pub fn results(pq: &PageQuery, res: &SearchResponse, extras: &Extras) -> String {
    let mut out = String::from(r#"<div class="layout"><section class="hits" aria-labelledby="results-heading">"#);
    out.push_str(r#"<h2 id="results-heading" class="visually-hidden">Results</h2>"#);
    if let Some(dym) = &res.did_you_mean {
        let _ = write!(
            out,
            r#"<p class="did-you-mean">Did you mean <a href="{}">{}</a>?</p>"#,
            attr(&pq.with_q(dym).href()),
            text(dym)
        );
    }
    out.push_str(&summary(pq, res));
    if let Some(asked) = extras.past_end {
        let _ = write!(
            out,
            r#"<p class="note">There is no page {asked} of these results; this is the last page, page {}.</p>"#,
            pq.page
        );
    }
    if res.relaxed && !res.hits.is_empty() {
        out.push_str(
            r#"<p class="note relaxed">No article matches all of these words, so articles matching some of them are shown.</p>"#,
        );
    }
    if let Some(bad) = &pq.bad_date {
        let _ = write!(
            out,
            r#"<p class="note">“{}” is not a date from 1677 to 2262 (use the form YYYY-MM-DD), so review dates were not filtered.</p>"#,
            text(bad)
        );
    }
    out.push_str(&active_filters(pq));
    if res.hits.is_empty() {
        out.push_str(&nothing(pq, res, &extras.help));
    } else {
        let start = (pq.page - 1) * DEFAULT_LIMIT + 1;
        let _ = write!(out, r#"<ol class="results" start="{start}">"#);
        for hit in &res.hits {
            out.push_str(&hit_html(hit));
        }
        out.push_str("</ol>");
    }
    out.push_str(&pager(pq, res.total));
    out.push_str("</section>");
    out.push_str(&refine(pq, res));
    out.push_str("</div>");
    out
}

fn summary(pq: &PageQuery, res: &SearchResponse) -> String {
    let noun = plural(res.total, "article matches", "articles match");
    let count = match res.total_relation {
        Relation::Eq => res.total.to_string(),
        Relation::Gte => format!("More than {}", res.total),
    };
    let mut out = format!(r#"<p class="summary">{count} {noun} <strong>{}</strong>"#, text(&res.query));
    if !res.hits.is_empty() {
        let first = (pq.page - 1) * DEFAULT_LIMIT + 1;
        let _ = write!(out, ", showing {first}–{}", first + res.hits.len() - 1);
    }
    if pq.sort == Sort::Reviewed {
        out.push_str(", most recently reviewed first");
    }
    out.push_str(r##". <a class="to-refine" href="#refine">Refine results</a></p>"##);
    out
}

fn nothing(pq: &PageQuery, res: &SearchResponse, help: &Help) -> String {
    if res.total > 0 {
        let first = pq.at_page(1).href();
        return format!(r#"<p>No results on this page. <a href="{}">Back to the first page</a>.</p>"#, attr(&first));
    }
    let mut out = if pq.is_filtered() {
        let all = pq.unfiltered().href();
        format!(r#"<p>Nothing matched with these filters. <a href="{}">Search without filters</a>.</p>"#, attr(&all))
    } else {
        "<p>Nothing matched. Check the spelling, or try other words, or fewer of them.</p>".to_string()
    };
    out.push_str(&searches("Related searches", pq, help.related.iter().map(String::as_str)));
    out.push_str(&searches("Popular topics", pq, help.topics.iter().map(|t| t.value.as_str())));
    out
}

/// A headed list of searches to run instead, each a link (nothing when there are none).
fn searches<'a>(heading: &str, pq: &PageQuery, queries: impl Iterator<Item = &'a str>) -> String {
    let mut items = String::new();
    for q in queries {
        let href = pq.unfiltered().with_q(q).href();
        let _ = write!(items, r#"<li><a class="chip" href="{}">{}</a></li>"#, attr(&href), text(q));
    }
    if items.is_empty() {
        return items;
    }
    format!(r#"<section class="help"><h3>{heading}</h3><ul class="chips">{items}</ul></section>"#)
}

/// The filters in force, each a link that removes it.
fn active_filters(pq: &PageQuery) -> String {
    if !pq.is_filtered() {
        return String::new();
    }
    let mut out = String::from(r#"<ul class="chips" aria-label="Active filters">"#);
    for facet in Facet::ALL {
        for v in pq.values(facet) {
            let _ = write!(
                out,
                r#"<li><a class="chip" href="{}">{}: {}<span aria-hidden="true"> ×</span><span class="visually-hidden"> (remove this filter)</span></a></li>"#,
                attr(&pq.toggled(facet, v).href()),
                facet_label(facet).0,
                text(shown_value(facet, v))
            );
        }
    }
    if let Some(day) = pq.reviewed_after {
        let _ = write!(
            out,
            r#"<li><a class="chip" href="{}">Reviewed on or after {}<span aria-hidden="true"> ×</span><span class="visually-hidden"> (remove this filter)</span></a></li>"#,
            attr(&pq.without_date().href()),
            day.format("%-d %B %Y")
        );
    }
    let _ =
        write!(out, r#"<li><a class="clear" href="{}">Clear all filters</a></li></ul>"#, attr(&pq.unfiltered().href()));
    out
}

fn hit_html(h: &Hit) -> String {
    let mut out = String::from(r#"<li class="hit">"#);
    let _ = write!(
        out,
        r#"<h3 class="hit-title"><a href="{}">{}</a></h3>"#,
        safe_href(&h.article.url),
        text(&h.article.title)
    );
    match &h.site_name {
        Some(name) => {
            let _ = write!(
                out,
                r#"<div class="hit-url"><span class="site-name">{}</span> · {}</div>"#,
                text(name),
                text(&h.article.url)
            );
        }
        None => {
            let _ = write!(out, r#"<div class="hit-url">{}</div>"#, text(&h.article.url));
        }
    }
    // The API's snippet is already HTML: text escaped, matches in <mark>.
    let _ = write!(out, r#"<p class="snippet">{}</p>"#, h.snippet_html);
    if let Some(s) = &h.section {
        let _ = write!(
            out,
            r#"<p class="section">From the section <a href="{}">{}</a></p>"#,
            safe_href(&s.url),
            text(&s.heading)
        );
    }
    if let Some(d) = h.reviewed {
        let _ = write!(
            out,
            r#"<p class="meta">Reviewed <time datetime="{}">{}</time></p>"#,
            d.format("%Y-%m-%d"),
            d.format("%-d %B %Y")
        );
    }
    if !h.citations.is_empty() {
        let _ = write!(out, r#"<details class="sources"><summary>Sources ({})</summary><ul>"#, h.citations.len());
        for c in &h.citations {
            match c.url.as_deref() {
                Some(u) => {
                    let _ = write!(
                        out,
                        r#"<li><a href="{}" rel="nofollow noopener">{}</a></li>"#,
                        safe_href(u),
                        text(&c.text)
                    );
                }
                None => {
                    let _ = write!(out, "<li>{}</li>", text(&c.text));
                }
            }
        }
        out.push_str("</ul></details>");
    }
    out.push_str("</li>");
    out
}

fn pager(pq: &PageQuery, total: usize) -> String {
    let pages = last_page(total);
    if pages <= 1 && pq.page == 1 {
        return String::new();
    }
    let link = |p: usize, rel: &str, label: &str| {
        format!(r#"<a href="{}" rel="{rel}">{label}</a>"#, attr(&pq.at_page(p).href()))
    };
    let prev = if pq.page > 1 { link(pq.page - 1, "prev", "← Previous") } else { String::new() };
    let next = if pq.page < pages { link(pq.page + 1, "next", "Next →") } else { String::new() };
    format!(
        r#"<nav class="pages" aria-label="Result pages">{prev}<span aria-current="page">Page {} of {}</span>{next}</nav>"#,
        pq.page.min(pages),
        pages
    )
}

/// The refine column: order and review date (a form that keeps the query and facets), then the
/// facets as links that switch one value on or off.
fn refine(pq: &PageQuery, res: &SearchResponse) -> String {
    let mut out = String::from(r#"<aside class="filters" id="refine" aria-labelledby="refine-heading">"#);
    out.push_str(r#"<h2 id="refine-heading">Refine</h2><form class="refine" method="get" action="/">"#);
    let _ = write!(out, r#"<input type="hidden" name="q" value="{}">"#, attr(&pq.q));
    for facet in Facet::ALL {
        for v in pq.values(facet) {
            let _ = write!(out, r#"<input type="hidden" name="{facet}" value="{}">"#, attr(v));
        }
    }
    let sel = |on: bool| if on { " selected" } else { "" };
    let _ = write!(
        out,
        r#"<div class="field"><label for="sort">Sort by</label><select id="sort" name="sort"><option value="relevance"{}>Best match</option><option value="reviewed"{}>Most recently reviewed</option></select></div>"#,
        sel(pq.sort == Sort::Relevance),
        sel(pq.sort == Sort::Reviewed)
    );
    let day = pq.reviewed_after.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let _ = write!(
        out,
        r#"<div class="field"><label for="reviewed-after">Reviewed on or after</label><input type="date" id="reviewed-after" name="reviewed_after" value="{day}" aria-describedby="reviewed-after-hint"><span id="reviewed-after-hint" class="hint">Leave empty for any date</span></div>"#
    );
    out.push_str(r#"<button type="submit">Apply</button></form>"#);
    for facet in Facet::ALL {
        if let Some(values) = res.facets.get(&facet) {
            out.push_str(&facet_html(pq, facet, values));
        }
    }
    out.push_str("</aside>");
    out
}

/// The label of a facet and its plural.
fn facet_label(facet: Facet) -> (&'static str, &'static str) {
    match facet {
        Facet::Category => ("Category", "categories"),
        Facet::Site => ("Site", "sites"),
        Facet::Audience => ("Audience", "audiences"),
    }
}

/// A facet value as shown: site names without a leading `www.`.
fn shown_value(facet: Facet, value: &str) -> &str {
    if facet == Facet::Site { value.strip_prefix("www.").filter(|v| !v.is_empty()).unwrap_or(value) } else { value }
}

fn facet_html(pq: &PageQuery, facet: Facet, values: &[FacetValue]) -> String {
    if values.is_empty() {
        return String::new();
    }
    let (label, plural) = facet_label(facet);
    let mut out = format!(
        r#"<section class="facet" data-facet="{facet}" aria-labelledby="facet-{facet}"><h3 id="facet-{facet}">{label}</h3><ul>"#
    );
    let (shown, folded): (Vec<_>, Vec<_>) =
        values.iter().enumerate().partition(|(i, v)| *i < SHOWN_VALUES || v.selected);
    for (_, v) in &shown {
        out.push_str(&facet_value(pq, facet, v));
    }
    out.push_str("</ul>");
    if !folded.is_empty() {
        let _ = write!(out, r#"<details class="more"><summary>{} more {plural}</summary><ul>"#, folded.len());
        for (_, v) in &folded {
            out.push_str(&facet_value(pq, facet, v));
        }
        out.push_str("</ul></details>");
    }
    out.push_str("</section>");
    out
}

fn facet_value(pq: &PageQuery, facet: Facet, v: &FacetValue) -> String {
    let selected = pq.values(facet).contains(&v.value);
    let noun = plural(v.count, "article", "articles");
    format!(
        r#"<li><a class="facet-link{cls}" href="{href}" rel="nofollow" data-value="{data}"><span class="check" aria-hidden="true"></span><span class="facet-name">{name}</span> <span class="count">{count}<span class="visually-hidden"> {noun}</span></span>{state}</a></li>"#,
        cls = if selected { " selected" } else { "" },
        href = attr(&pq.toggled(facet, &v.value).href()),
        data = attr(&v.value),
        name = text(v.label.as_deref().unwrap_or_else(|| shown_value(facet, &v.value))),
        count = v.count,
        state = if selected { r#"<span class="visually-hidden">, filter on (select to remove)</span>"# } else { "" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::present::search::{CitationLink, SectionLink};
    use std::collections::BTreeMap;

    fn response(hits: Vec<Hit>, facets: BTreeMap<Facet, Vec<FacetValue>>) -> SearchResponse {
        SearchResponse {
            query: "<b>q</b>".into(),
            total: 25,
            total_relation: Relation::Eq,
            took_ms: 1.0,
            did_you_mean: Some("a \"b\" <c>".into()),
            relaxed: false,
            hits,
            facets,
            explain: None,
        }
    }

    fn hostile_hit() -> Hit {
        Hit {
            article: crate::article::ArticleRef {
                id: "x".into(),
                title: "<script>alert(1)</script>".into(),
                url: "javascript:alert(1)".into(),
            },
            site_name: Some("<i>Site</i>".into()),
            snippet_html: "safe <mark>text</mark>".into(),
            score: 1.0,
            section: Some(SectionLink { heading: "<i>h</i>".into(), url: "https://a.example/#\"x".into() }),
            reviewed: None,
            citations: vec![CitationLink { text: "<img src=x>".into(), url: Some("data:text/html,x".into()) }],
            scores: None,
        }
    }

    #[test]
    fn everything_from_data_is_escaped() {
        let facets = BTreeMap::from([(
            Facet::Category,
            vec![FacetValue { value: "<b>\"Baby\"</b>".into(), count: 3, selected: false, label: None }],
        )]);
        let pq = PageQuery::parse(Some("q=%3Cb%3Eq%3C%2Fb%3E&category=%22%3E%3Cx"));
        let html = results(&pq, &response(vec![hostile_hit()], facets), &Extras::default());
        for bad in ["<script", "<b>", "<i>", "<img", "<c>", "<x", "href=\"javascript:", "href=\"data:", "#\"x"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("safe <mark>text</mark>"));
        assert!(html.contains("&lt;b&gt;&quot;Baby&quot;&lt;/b&gt;") || html.contains("&lt;b&gt;\"Baby\"&lt;/b&gt;"));
        assert!(html.contains(r##"href="#""##));
    }

    #[test]
    fn facets_link_to_toggled_filters_and_fold_long_lists() {
        let values: Vec<FacetValue> = (0..12)
            .map(|i| FacetValue { value: format!("v{i}"), count: 20 - i, selected: i == 11, label: None })
            .collect();
        let sites = vec![FacetValue {
            value: "www.a.example".into(),
            count: 2,
            selected: false,
            label: Some("A Example".into()),
        }];
        let facets = BTreeMap::from([(Facet::Category, values), (Facet::Site, sites)]);
        let pq = PageQuery::parse(Some("q=back&category=v11&page=2"));
        let html = results(&pq, &response(Vec::new(), facets), &Extras::default());
        assert!(
            html.contains(r#"class="facet-link selected" href="/?q=back" rel="nofollow" data-value="v11""#),
            "{html}"
        );
        assert!(html.contains(r#"href="/?q=back&amp;category=v11&amp;category=v0""#));
        assert!(html.contains(r#"<summary>3 more categories</summary>"#));
        assert!(html.contains(r#"data-value="www.a.example"><span class="check" aria-hidden="true"></span><span class="facet-name">A Example</span>"#));
        assert!(html.contains("No results on this page"));
        assert!(html.contains(r#"<span aria-current="page">Page 2 of 3</span>"#));
    }
}
