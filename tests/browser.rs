//! Browser tests: the search page, its suggestions and the embeddable widget in headless Chromium,
//! driven over WebDriver (chromedriver) against the real server on a loopback port.

#[path = "common/browser.rs"]
mod browser;
mod common;

use axum::http::header;
use browser::*;
use fantoccini::Locator;
use fantoccini::key::Key;
use healthsearch::server::router;
use healthsearch::server::state::AppState;
use serde_json::Value;
use std::net::SocketAddr;

const POSTPARTUM_URL: &str = "https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain";
const POSTPARTUM_TITLE: &str = "Postpartum back pain: How to get relief";

/// The API server on a loopback port, with CORS open for the widget's cross-origin requests.
async fn start_server() -> SocketAddr {
    let app = router(AppState::shared(common::corpus_index()));
    serve(app).await
}

#[tokio::test(flavor = "multi_thread")]
async fn suggestions_open_an_article_from_the_keyboard() {
    let addr = start_server().await;
    with_browser(move |c| async move {
        c.goto(&format!("http://{addr}/")).await.expect("open the page");
        let input = c.find(Locator::Css("#q")).await.expect("search box");
        eventually("the script to make the box a combobox", || async {
            (input.attr("role").await.ok()?.as_deref() == Some("combobox")).then_some(())
        })
        .await;
        assert_eq!(input.attr("aria-expanded").await.expect("attr").as_deref(), Some("false"));
        input.send_keys("back pa").await.expect("type");
        let opts = eventually("suggestions for \"back pa\"", || async {
            let o = options(&c, "#q").await;
            o.iter().any(|(_, t)| t.contains("Postpartum back pain")).then_some(o)
        })
        .await;
        let listbox = input.attr("aria-controls").await.expect("attr").expect("aria-controls");
        let role = js(&c, &format!("return document.getElementById('{listbox}').getAttribute('role')")).await;
        assert_eq!(role, "listbox");
        let at = opts.iter().position(|(_, t)| t.contains("Postpartum back pain")).expect("the article");
        // Escape closes the list; ArrowDown opens it again on the first option.
        input.send_keys(&key(Key::Escape)).await.expect("escape");
        assert_eq!(input.attr("aria-expanded").await.expect("attr").as_deref(), Some("false"));
        for _ in 0..=at {
            input.send_keys(&key(Key::Down)).await.expect("arrow down");
        }
        let active = input.attr("aria-activedescendant").await.expect("attr");
        assert_eq!(active.as_deref(), Some(opts[at].0.as_str()), "options: {opts:?}");
        let selected = format!("return document.getElementById('{}').getAttribute('aria-selected')", opts[at].0);
        assert_eq!(js(&c, &selected).await, "true");
        input.send_keys(&key(Key::Up)).await.expect("arrow up");
        input.send_keys(&key(Key::Down)).await.expect("arrow down");
        assert_eq!(input.attr("aria-activedescendant").await.expect("attr"), active);
        input.send_keys(&key(Key::Enter)).await.expect("enter");
        eventually("the article to open", || async {
            c.current_url().await.ok().filter(|u| u.as_str().starts_with(POSTPARTUM_URL))
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn results_show_marks_and_facets_filter_by_site() {
    let addr = start_server().await;
    with_browser(move |c| async move {
        c.goto(&format!("http://{addr}/?q=back+pain+after+birth")).await.expect("open results");
        let first = c.find(Locator::Css("ol.results > li .hit-title a")).await.expect("a first hit");
        assert_eq!(first.text().await.expect("title"), POSTPARTUM_TITLE);
        assert_eq!(first.attr("href").await.expect("href").as_deref(), Some(POSTPARTUM_URL));
        c.find(Locator::Css("ol.results > li:first-child .snippet mark")).await.expect("a <mark> in the snippet");
        let total = js(&c, "return document.querySelectorAll('ol.results > li').length").await;
        assert!(total.as_u64().unwrap_or(0) > 1, "{total}");
        for facet in ["category", "site"] {
            let script = format!(
                "return Array.from(document.querySelectorAll('.facet[data-facet={facet}] .facet-link .count'))\
                 .map(c => c.textContent)"
            );
            let counts = js(&c, &script).await;
            let counts: Vec<&str> = counts.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            assert!(!counts.is_empty(), "no {facet} facet");
            for count in counts {
                let n: u64 = count.split_whitespace().next().unwrap_or("").parse().unwrap_or(0);
                assert!(n > 0, "{facet} count {count:?}");
            }
        }
        // A site other than the top hit's, so the filter visibly changes the results.
        let sites = c.find_all(Locator::Css(".facet[data-facet=site] .facet-link")).await.expect("site facets");
        let mut chosen = None;
        for link in sites {
            let value = link.attr("data-value").await.expect("attr").unwrap_or_default();
            if !POSTPARTUM_URL.contains(&value) {
                chosen = Some((link, value));
                break;
            }
        }
        let (link, site) = chosen.expect("a second site");
        link.click().await.expect("click the site facet");
        let url = eventually("the filtered page", || async {
            c.current_url().await.ok().filter(|u| u.query_pairs().any(|(k, v)| k == "site" && v == site.as_str()))
        })
        .await;
        assert!(url.query_pairs().any(|(k, v)| k == "q" && v == "back pain after birth"), "{url}");
        let hrefs = js(&c, "return Array.from(document.querySelectorAll('.hit-title a')).map(a => a.href)").await;
        let hrefs: Vec<&str> = hrefs.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        assert!(!hrefs.is_empty(), "no results after filtering by {site}");
        for href in hrefs {
            let host = url::Url::parse(href).ok().and_then(|u| u.host_str().map(String::from));
            assert_eq!(host.as_deref(), Some(site.as_str()), "{href}");
        }
        let on = c.find(Locator::Css(".facet[data-facet=site] .facet-link.selected")).await.expect("selected");
        assert_eq!(on.attr("data-value").await.expect("attr"), Some(site.clone()));
    })
    .await;
}

/// The no-JavaScript path: the same server, plain HTTP, the HTML as served.
#[tokio::test(flavor = "multi_thread")]
async fn the_page_works_without_javascript() {
    let addr = start_server().await;
    let res = reqwest::get(format!("http://{addr}/?q=back+pain+after+birth&site=www.bumptobaby.example&sort=reviewed"))
        .await
        .expect("page");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let csp = res.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).map(String::from);
    let csp = csp.unwrap_or_default();
    assert!(csp.starts_with("default-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let html = res.text().await.expect("body");
    assert!(html.contains(POSTPARTUM_TITLE));
    assert!(html.contains("<mark>"));
    assert!(html.contains(r#"class="facet-link selected" href="/?q=back+pain+after+birth&amp;sort=reviewed""#));
    assert!(html.contains(r#"<option value="reviewed" selected>"#));
    for part in html.split(r#"class="hit-title"><a href=""#).skip(1) {
        assert!(part.starts_with("https://www.bumptobaby.example/"), "{}", &part[..80.min(part.len())]);
    }
    // Nothing inline for the CSP to block: one external script, no handlers, no style attributes.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains(r#"<script src="/assets/app.js" defer></script>"#));
    assert!(!html.contains(" style=") && !html.contains(" onclick=") && !html.contains(" onload="));
    // Odd parameters never become a raw error page.
    let odd = format!("http://{addr}/?q=back+pain&page=abc&sort=sideways&utm_source=x&reviewed_after=last+week&site=");
    let res = reqwest::get(odd).await.expect("page");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("is not a date") && html.contains(r#"<ol class="results" start="1">"#), "{html}");
    let past = reqwest::get(format!("http://{addr}/?q=back+pain&page=100")).await.expect("page");
    let past = past.text().await.expect("body");
    assert!(past.contains("There is no page 100 of these results"), "{past}");
    assert!(past.contains(r#"<ol class="results""#) && !past.contains(r#"rel="next""#), "{past}");
    for path in ["/assets/app.js", "/widget.js"] {
        let res = reqwest::get(format!("http://{addr}{path}")).await.expect("script");
        let ctype = res.headers().get(header::CONTENT_TYPE.as_str()).and_then(|v| v.to_str().ok()).map(String::from);
        assert_eq!(ctype.as_deref(), Some("text/javascript; charset=utf-8"), "{path}");
        let body = res.text().await.expect("script body");
        assert!(body.contains("attachSuggestions") && !body.contains(".innerHTML"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_searches_from_another_origin() {
    let api = start_server().await;
    let host = start_host(api).await;
    assert_ne!(api.port(), host.port());
    with_browser(move |c| async move {
        c.goto(&format!("http://{host}/")).await.expect("open the host page");
        let input = c.wait().at_most(PATIENCE).for_element(Locator::Css("#healthsearch .hs-input")).await;
        let input = input.expect("the widget's search box");
        assert_eq!(input.attr("role").await.expect("attr").as_deref(), Some("combobox"));
        input.send_keys("back pain after birth").await.expect("type");
        c.find(Locator::Css("#healthsearch .hs-button")).await.expect("button").click().await.expect("submit");
        let first = eventually("widget results", || async {
            let titles = js(&c, "return Array.from(document.querySelectorAll('.hs-result .hs-title')).map(a => [a.textContent, a.href])").await;
            let first = titles.get(0)?.clone();
            Some((first[0].as_str()?.to_string(), first[1].as_str()?.to_string()))
        })
        .await;
        assert_eq!(first, (POSTPARTUM_TITLE.to_string(), POSTPARTUM_URL.to_string()));
        let marks = js(&c, "return document.querySelectorAll('.hs-result .hs-snippet mark').length").await;
        assert!(marks.as_u64().unwrap_or(0) > 0, "no marks in the widget's snippets");
        let message = c.find(Locator::Css(".hs-message")).await.expect("message").text().await.expect("text");
        assert!(message.contains("articles match"), "{message}");
        assert_eq!(c.current_url().await.expect("url").as_str(), format!("http://{host}/"));

        // Suggestions come cross-origin too; choosing a query suggestion searches for it.
        input.clear().await.expect("clear");
        input.send_keys("sciati").await.expect("type");
        let opts = eventually("widget suggestions", || async {
            let o = options(&c, "#healthsearch .hs-input").await;
            (!o.is_empty()).then_some(o)
        })
        .await;
        assert!(opts.iter().any(|(_, t)| t.to_lowercase().contains("sciatica")), "{opts:?}");
        input.send_keys(&key(Key::Down)).await.expect("arrow down");
        let text = opts[0].1.trim_end_matches("Article").trim().to_string();
        input.send_keys(&key(Key::Enter)).await.expect("enter");
        if opts[0].1.ends_with("Article") {
            eventually("the article to open", || async {
                c.current_url().await.ok().filter(|u| u.host_str() != Some("127.0.0.1"))
            })
            .await;
        } else {
            eventually("results for the chosen suggestion", || async {
                let m = js(&c, "return document.querySelector('.hs-message').textContent").await;
                m.as_str().is_some_and(|m| m.contains(&format!("“{text}”"))).then_some(())
            })
            .await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn counts_pages_and_relaxed_matches_agree_on_the_page() {
    let addr = start_server().await;
    with_browser(move |c| async move {
        c.goto(&format!("http://{addr}/?q=pain")).await.expect("open results");
        let summary = c.find(Locator::Css(".summary")).await.expect("summary").text().await.expect("text");
        let total: usize = summary.split_whitespace().next().and_then(|n| n.parse().ok()).expect("a count first");
        // Walk the pages by their Next links: every page has results and they add up to the count.
        let mut seen = 0;
        let mut pages = 0;
        loop {
            let on_page = js(&c, "return document.querySelectorAll('ol.results > li').length").await;
            let on_page = on_page.as_u64().unwrap_or(0) as usize;
            assert!(on_page > 0, "page {} is empty: {summary}", pages + 1);
            seen += on_page;
            pages += 1;
            match c.find(Locator::Css("nav.pages a[rel=next]")).await {
                Ok(next) => next.click().await.expect("next"),
                Err(_) => break,
            }
        }
        assert_eq!(seen, total, "{summary}");
        assert!(pages > 1, "pain matches more than one page");
        c.goto(&format!("http://{addr}/?q=pain&page=100")).await.expect("past the end");
        let note = c.find(Locator::Css(".note")).await.expect("a note").text().await.expect("text");
        assert!(note.contains("There is no page 100"), "{note}");
        assert!(c.find(Locator::Css("nav.pages a[rel=next]")).await.is_err(), "no Next past the end");
        let current = c.find(Locator::Css("nav.pages [aria-current=page]")).await.expect("pager");
        assert_eq!(current.text().await.expect("text"), format!("Page {pages} of {pages}"));
        c.goto(&format!("http://{addr}/?q=placenta+eczema+toddler")).await.expect("relaxed");
        let relaxed = c.find(Locator::Css(".note.relaxed")).await.expect("relaxed note");
        assert!(relaxed.is_displayed().await.expect("displayed"));
        c.find(Locator::Css("ol.results > li")).await.expect("close matches shown");
        let notice = c.find(Locator::Css(".notice")).await.expect("notice").text().await.expect("text");
        assert!(notice.contains("not medical advice") && notice.contains("emergency"), "{notice}");
    })
    .await;
}
