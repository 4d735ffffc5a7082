//! The search page at `/`: rendered on the server, so it works without JavaScript.

use super::error::ApiError;
use super::params::truncate;
use super::routes::{DEFAULT_LIMIT, run_search};
use super::state::AppState;
use crate::index::search::{Hit, MAX_WINDOW, SearchParams, SearchResponse};
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use std::fmt::Write;

const STYLE: &str = include_str!("assets/style.css");

/// `GET /assets/style.css`
pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLE)
        .into_response()
}

/// `GET /?q=&page=`: the search box and, when there is a query, a page of results.
pub async fn search_page(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let mut q = String::new();
    let mut page = 1usize;
    for (k, v) in url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "q" => q = v.into_owned(),
            "page" => page = v.parse().unwrap_or(1).clamp(1, MAX_WINDOW / DEFAULT_LIMIT),
            _ => {}
        }
    }
    if q.trim().is_empty() {
        return Html(layout("", "")).into_response();
    }
    let params = SearchParams { offset: (page - 1) * DEFAULT_LIMIT, ..SearchParams::new(q.clone(), DEFAULT_LIMIT) };
    match run_search(&st, params).await {
        Ok(res) => Html(layout(&q, &results(&res, page))).into_response(),
        Err(e) => {
            let status = e.code.status();
            let status = if status.is_server_error() { StatusCode::SERVICE_UNAVAILABLE } else { status };
            (status, Html(layout(&q, &error_box(&e)))).into_response()
        }
    }
}

fn layout(q: &str, content: &str) -> String {
    let title = if q.is_empty() { "Health search".to_string() } else { format!("{} – Health search", truncate(q)) };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<header>
<h1><a href="/">Health search</a></h1>
<form class="search" method="get" action="/" role="search">
<input type="search" name="q" value="{value}" placeholder="Search health articles, e.g. back pain after birth" aria-label="Search" autofocus>
<button type="submit">Search</button>
</form>
</header>
<main>
{content}
</main>
</body>
</html>
"#,
        title = text(&title),
        value = attr(q),
    )
}

fn error_box(e: &ApiError) -> String {
    format!(r#"<p class="error" role="alert">{}</p>"#, text(&e.message))
}

fn results(res: &SearchResponse, page: usize) -> String {
    let mut out = String::new();
    let _ = write!(out, r#"<p class="summary">{} articles match <strong>{}</strong></p>"#, res.total, text(&res.query));
    if res.hits.is_empty() {
        out.push_str("<p>Nothing matched. Try other words, or fewer of them.</p>");
        return out;
    }
    out.push_str(r#"<ol class="results">"#);
    for hit in &res.hits {
        out.push_str(&hit_html(hit));
    }
    out.push_str("</ol>");
    out.push_str(&pager(&res.query, page, res.total));
    out
}

fn hit_html(h: &Hit) -> String {
    let mut out = String::from("<li>");
    let _ = write!(out, r#"<a class="hit-title" href="{}">{}</a>"#, safe_href(&h.url), text(&h.title));
    let _ = write!(out, r#"<div class="hit-url">{}</div>"#, text(&h.url));
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
        let _ = write!(out, r#"<p class="meta">Reviewed {}</p>"#, d.format("%-d %B %Y"));
    }
    if !h.citations.is_empty() {
        let _ = write!(out, "<details><summary>Sources ({})</summary><ul>", h.citations.len());
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

fn pager(q: &str, page: usize, total: usize) -> String {
    let link = |p: usize, label: &str| {
        let qs: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q)
            .append_pair("page", &p.to_string())
            .finish();
        format!(r#"<a href="/?{}">{label}</a>"#, attr(&qs))
    };
    let prev = if page > 1 { link(page - 1, "← Previous") } else { String::new() };
    let has_next = page * DEFAULT_LIMIT < total.min(MAX_WINDOW);
    let next = if has_next { link(page + 1, "Next →") } else { String::new() };
    format!(r#"<nav class="pages">{prev}<span>Page {page}</span>{next}</nav>"#)
}

/// An `href` value: http(s) URLs and fragment links only, escaped for a quoted attribute.
pub fn safe_href(url: &str) -> String {
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") { attr(url).into_owned() } else { "#".to_string() }
}
