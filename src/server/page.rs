//! The search page at `/`: rendered on the server, so it works without JavaScript, plus the static
//! assets: the stylesheet, the page's script and the embeddable widget script.

mod help;
pub mod notice;
mod query;
mod render;

pub use help::Help;
pub use query::{MAX_PAGE, PageQuery};

use super::error::ApiError;
use super::openapi::describe;
use super::openapi::responses::{MethodNotAllowed, RateLimited};
use super::params::truncate;
use super::routes::{blocking, run_search};
use super::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
pub use notice::Notice;
use utoipa::IntoParams;
use utoipa::openapi::path::{Parameter, ParameterIn};

/// The policy the page is sent with: nothing inline, nothing from elsewhere (the service-wide
/// policy, set here too so the page carries it however it is served).
pub const CONTENT_SECURITY_POLICY: &str = super::CSP;

const STYLE: &str = include_str!("assets/style.css");

/// The page's script: the shared suggestion box and the page's wiring, in one function scope.
const APP_JS: &str = concat!(
    "(function () {\n\"use strict\";\n",
    include_str!("assets/suggest.js"),
    include_str!("assets/app.js"),
    "})();\n"
);

/// The embeddable widget: the shared suggestion box and the widget, in one function scope.
const WIDGET_JS: &str = concat!(
    "(function () {\n\"use strict\";\n",
    include_str!("assets/suggest.js"),
    include_str!("assets/widget.js"),
    "})();\n"
);

const CACHE: &str = "public, max-age=3600";
const JS_TYPE: &str = "text/javascript; charset=utf-8";

/// `GET /assets/style.css`
#[utoipa::path(
    get,
    path = "/assets/style.css",
    tag = "search box",
    operation_id = "stylesheet",
    summary = "The search page's stylesheet",
    responses(
        (status = 200, description = "CSS, cached for an hour.", body = String, content_type = "text/css"),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, CACHE)], STYLE).into_response()
}

/// `GET /assets/app.js`: suggestions as you type on the search page.
#[utoipa::path(
    get,
    path = "/assets/app.js",
    tag = "search box",
    operation_id = "appScript",
    summary = "The search page's script",
    description = "Suggestions as you type on the search page: an ARIA combobox over `/api/suggest`.",
    responses(
        (status = 200, description = "JavaScript, cached for an hour.", body = String, content_type = "text/javascript"),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub async fn app_script() -> Response {
    ([(header::CONTENT_TYPE, JS_TYPE), (header::CACHE_CONTROL, CACHE)], APP_JS).into_response()
}

/// `GET /widget.js`: the search box other sites embed; loadable from any origin.
#[utoipa::path(
    get,
    path = "/widget.js",
    tag = "search box",
    operation_id = "widgetScript",
    summary = "The embeddable search box",
    description = "For other sites: `<div id=\"healthsearch\"></div><script src=\"https://HOST/widget.js\" \
        data-target=\"#healthsearch\"></script>` gives a search box with suggestions and a short list of results \
        from the host the script came from (allowed cross-origin by the server's CORS setting); `data-limit` sets \
        how many. Nothing inline, so it works under a strict Content Security Policy.",
    responses(
        (status = 200, description = "JavaScript, cached for an hour, loadable by any site.", body = String,
            content_type = "text/javascript", headers(
                ("Cross-Origin-Resource-Policy" = String, description = "`cross-origin`.")
            )),
        (status = 405, response = MethodNotAllowed),
    )
)]
pub async fn widget_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, JS_TYPE),
            (header::CACHE_CONTROL, CACHE),
            (header::HeaderName::from_static("cross-origin-resource-policy"), "cross-origin"),
        ],
        WIDGET_JS,
    )
        .into_response()
}

/// The query parameters of the search page, as documented: read leniently, so no value is refused.
pub struct SearchPageQuery;

impl IntoParams for SearchPageQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let list = |name: &str, what: &str| {
            describe::repeated(name, format!("{what} (repeatable)."), describe::string(), None)
        };
        let page = format!("Page of results, from 1; other values are read as 1, or as {MAX_PAGE} past it.");
        let reviewed = "Only articles reviewed on or after this day (YYYY-MM-DD); other values are ignored, and the \
                        page says so.";
        vec![
            describe::query(
                "q",
                false,
                "The query, as on /api/search; without it, the search box alone.".into(),
                describe::string(),
            ),
            describe::query("page", false, page, describe::whole(1, MAX_PAGE, 1)),
            list("category", "Only articles in these categories"),
            list("site", "Only articles from these host names"),
            list("audience", "Only articles for these people"),
            describe::query(
                "sort",
                false,
                "`reviewed`: newest review first; anything else: relevance.".into(),
                describe::string(),
            ),
            describe::query("reviewed_after", false, reviewed.into(), describe::string()),
        ]
    }
}

/// `GET /?q=&page=&category=&site=&reviewed_after=&sort=`: the search box and, when there is a
/// query, a page of results with facets, filters and paging.
#[utoipa::path(
    get,
    path = "/",
    tag = "search box",
    operation_id = "searchPage",
    summary = "The search page",
    description = "The search box and, with `q`, a page of results with facets, filters, sort and paging, rendered \
        on the server (it works without JavaScript). Parameters are read leniently: unknown ones are ignored, odd \
        values fall back to their defaults, and a single-valued parameter given twice keeps its last value.",
    params(SearchPageQuery),
    responses(
        (status = 200, description = "The page.", body = String, content_type = "text/html"),
        (status = 400, description = "The query cannot be searched (e.g. too long): the page with the message.",
            body = String, content_type = "text/html"),
        (status = 405, response = MethodNotAllowed),
        (status = 429, response = RateLimited),
        (status = 503, description = "The search failed or timed out: the page with the message.", body = String,
            content_type = "text/html"),
    )
)]
pub async fn search_page(State(st): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let mut pq = PageQuery::parse(raw.as_deref());
    if pq.q.trim().is_empty() {
        return page(StatusCode::OK, layout(&st.notice, &pq, ""));
    }
    let mut found = run_search(&st, pq.search_params()).await;
    let mut extras = render::Extras::default();
    // A page past the last (an old link, a hand-edited URL) shows the last page and says so.
    if let Ok(res) = &found
        && res.hits.is_empty()
        && pq.page > 1
        && let last = render::last_page(res.total)
        && last < pq.page
    {
        extras.past_end = Some(pq.page);
        pq = pq.at_page(last);
        found = run_search(&st, pq.search_params()).await;
    }
    match found {
        Ok(res) => {
            if res.total == 0 {
                let q = pq.q.clone();
                extras.help = blocking(&st, move |state| Ok(help::help(state, &q))).await.unwrap_or_default();
            }
            page(StatusCode::OK, layout(&st.notice, &pq, &render::results(&pq, &res, &extras)))
        }
        Err(e) => {
            let status = e.code.status();
            let status = if status.is_server_error() { StatusCode::SERVICE_UNAVAILABLE } else { status };
            page(status, layout(&st.notice, &pq, &error_box(&e)))
        }
    }
}

fn notice_html(n: &Notice) -> String {
    if n.text.trim().is_empty() && n.urgent.trim().is_empty() {
        return String::new();
    }
    let mut out = String::from(r#"<aside class="notice" aria-label="About this information">"#);
    if !n.text.trim().is_empty() {
        out.push_str(&format!("<p>{}</p>", text(&n.text)));
    }
    if !n.urgent.trim().is_empty() {
        out.push_str(&format!(r#"<p class="urgent"><strong>Urgent symptoms?</strong> {}</p>"#, text(&n.urgent)));
    }
    out.push_str("</aside>");
    out
}

fn page(status: StatusCode, body: String) -> Response {
    let mut res = (status, Html(body)).into_response();
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    res
}

fn layout(notice: &Notice, pq: &PageQuery, content: &str) -> String {
    let q = pq.q.as_str();
    let mut title = if q.trim().is_empty() { String::new() } else { format!("{} – ", truncate(q)) };
    if pq.page > 1 && !title.is_empty() {
        title.push_str(&format!("page {} – ", pq.page));
    }
    title.push_str("Health search");
    format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<h1><a href="/">Health search</a></h1>
<form class="search" method="get" action="/" role="search" aria-label="Health articles">
<label for="q" class="visually-hidden">Search health articles</label>
<div class="combo">
<input type="search" id="q" name="q" value="{value}" placeholder="Search health articles, e.g. back pain after birth"{autofocus}>
</div>
<button type="submit">Search</button>
</form>
</header>
<main id="main" tabindex="-1">
{notice}
{content}
</main>
</body>
</html>
"##,
        title = text(&title),
        value = attr(q),
        autofocus = if q.is_empty() { " autofocus" } else { "" },
        notice = notice_html(notice),
    )
}

fn error_box(e: &ApiError) -> String {
    format!(r#"<p class="error" role="alert">{}</p>"#, text(&e.message))
}

/// An `href` value: http(s) URLs and fragment links only, escaped for a quoted attribute.
pub fn safe_href(url: &str) -> String {
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") { attr(url).into_owned() } else { "#".to_string() }
}
