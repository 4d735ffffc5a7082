//! Finding pages: sitemaps and sitemap indexes (with `lastmod`), and links on fetched pages.

use super::CrawlConfig;
use super::fetch::{Fetched, fetch_any};
use super::frontier::Frontier;
use crate::ingest::budget::OverBudget;
use reqwest::Client;
use sitemap::reader::{SiteMapEntity, SiteMapReader};
use std::collections::HashSet;
use url::Url;

/// Deepest nesting of sitemap indexes followed.
const MAX_SITEMAP_DEPTH: usize = 3;
/// Most sitemap files read in one crawl.
const MAX_SITEMAPS: usize = 1_000;

/// Offers every page listed by the sitemap at `url` (following sitemap indexes on the crawl's
/// origins) to `frontier`, reading each sitemap once and none once the frontier is full; returns
/// the problems met on the way. A sitemap that cannot be read at all is an error with the reason.
pub(super) async fn sitemap_pages(
    client: &Client,
    url: &Url,
    cfg: &CrawlConfig,
    frontier: &mut Frontier,
) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let mut queue = vec![(url.clone(), 0usize)];
    let mut listed: HashSet<Url> = HashSet::from([url.clone()]);
    let mut read = 0;
    while let Some((sitemap, depth)) = queue.pop() {
        if frontier.is_full() {
            let left = crate::text::count(queue.len() + 1, "sitemap", "sitemaps");
            problems.push(format!("{left} not read: the crawl already holds --max-urls URLs"));
            break;
        }
        read += 1;
        if read > MAX_SITEMAPS {
            problems.push(format!("more than {MAX_SITEMAPS} sitemaps; the rest were not read"));
            break;
        }
        let body = match fetch_any(client, &sitemap, cfg).await {
            Fetched::Page(page) => page.body,
            other if read == 1 => return Err(other.reason()),
            other => {
                problems.push(format!("sitemap {sitemap}: {}", other.reason()));
                continue;
            }
        };
        for entity in SiteMapReader::new(body.as_slice()) {
            match entity {
                SiteMapEntity::Url(entry) => {
                    if let Some(u) = entry.loc.get_url() {
                        frontier.offer(u, entry.lastmod.get_time().map(|t| t.to_rfc3339()));
                    }
                }
                SiteMapEntity::SiteMap(entry) => match entry.loc.get_url() {
                    Some(u) if listed.contains(&u) => {}
                    Some(u) if depth < MAX_SITEMAP_DEPTH && frontier.on_site(&u) => {
                        listed.insert(u.clone());
                        queue.push((u, depth + 1));
                    }
                    Some(u) => problems.push(format!("{u}: sitemap not followed (too deep or off-site)")),
                    None => {}
                },
                SiteMapEntity::Err(e) => problems.push(format!("sitemap {sitemap}: {e}")),
            }
        }
    }
    Ok(problems)
}

/// The http(s) links of a page, resolved against its URL, without fragments; or why the page is
/// not read.
pub fn links(html: &str, base: &Url) -> Result<Vec<Url>, OverBudget> {
    let doc = crate::ingest::budget::parse(html)?;
    let Ok(a) = scraper::Selector::parse("a[href]") else { return Ok(Vec::new()) };
    let base = doc
        .select(&scraper::Selector::parse("base[href]").unwrap_or_else(|_| a.clone()))
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| base.join(h).ok())
        .unwrap_or_else(|| base.clone());
    let mut out = Vec::new();
    for el in doc.select(&a) {
        let Some(href) = el.value().attr("href") else { continue };
        if el.value().attr("rel").is_some_and(|r| r.split_whitespace().any(|t| t.eq_ignore_ascii_case("nofollow"))) {
            continue;
        }
        if let Ok(mut u) = base.join(href.trim()) {
            u.set_fragment(None);
            if matches!(u.scheme(), "http" | "https") && !out.contains(&u) {
                out.push(u);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_resolved_and_cleaned() {
        let base = Url::parse("https://site.example/a/b.html").expect("url");
        let html = r##"<a href="c.html#x">c</a><a href="/d">d</a><a href="mailto:x@y">m</a>
            <a href="https://other.example/e">e</a><a href="c.html">again</a><a rel="nofollow" href="/f">f</a>"##;
        let got: Vec<String> = links(html, &base).expect("parsed").into_iter().map(String::from).collect();
        assert_eq!(got, vec!["https://site.example/a/c.html", "https://site.example/d", "https://other.example/e"]);
    }
}
