//! Finding pages: sitemaps and sitemap indexes (with `lastmod`), and links on fetched pages.

use super::CrawlConfig;
use super::fetch::{Fetched, fetch_any};
use reqwest::Client;
use sitemap::reader::{SiteMapEntity, SiteMapReader};
use url::Url;

/// Deepest nesting of sitemap indexes followed.
const MAX_SITEMAP_DEPTH: usize = 3;
/// Most sitemap files read in one crawl.
const MAX_SITEMAPS: usize = 1_000;

/// A page listed in a sitemap.
#[derive(Debug, Clone)]
pub struct Listed {
    pub url: Url,
    /// `lastmod`, as written.
    pub lastmod: Option<String>,
}

/// Every page listed by the sitemap at `url` (following sitemap indexes), with problems met
/// on the way. A sitemap that cannot be read at all is an error with the reason.
pub async fn sitemap_pages(
    client: &Client,
    url: &Url,
    cfg: &CrawlConfig,
) -> Result<(Vec<Listed>, Vec<String>), String> {
    let mut pages = Vec::new();
    let mut problems = Vec::new();
    let mut queue = vec![(url.clone(), 0usize)];
    let mut read = 0;
    while let Some((sitemap, depth)) = queue.pop() {
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
                        pages.push(Listed { url: u, lastmod: entry.lastmod.get_time().map(|t| t.to_rfc3339()) });
                    }
                }
                SiteMapEntity::SiteMap(entry) => match entry.loc.get_url() {
                    Some(u) if depth < MAX_SITEMAP_DEPTH && u.host_str() == sitemap.host_str() => {
                        queue.push((u, depth + 1))
                    }
                    Some(u) => problems.push(format!("{u}: sitemap not followed (too deep or on another host)")),
                    None => {}
                },
                SiteMapEntity::Err(e) => problems.push(format!("sitemap {sitemap}: {e}")),
            }
        }
    }
    Ok((pages, problems))
}

/// The http(s) links of a page, resolved against its URL, without fragments.
pub fn links(html: &str, base: &Url) -> Vec<Url> {
    let doc = scraper::Html::parse_document(html);
    let Ok(a) = scraper::Selector::parse("a[href]") else { return Vec::new() };
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_resolved_and_cleaned() {
        let base = Url::parse("https://site.example/a/b.html").expect("url");
        let html = r##"<a href="c.html#x">c</a><a href="/d">d</a><a href="mailto:x@y">m</a>
            <a href="https://other.example/e">e</a><a href="c.html">again</a><a rel="nofollow" href="/f">f</a>"##;
        let got: Vec<String> = links(html, &base).into_iter().map(String::from).collect();
        assert_eq!(got, vec!["https://site.example/a/c.html", "https://site.example/d", "https://other.example/e"]);
    }
}
