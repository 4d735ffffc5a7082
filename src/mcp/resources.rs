//! Each article as an MCP resource, `healthsearch://article/{id}`, so a client can attach one to
//! a conversation: listed a page at a time in index order, read as Markdown text (title, how to
//! cite it, summary, sections with their links, references).

use super::cite::{cite, site_label};
use crate::article::Article;
use crate::server::editors::{ArticleKey, article_by};
use crate::server::error::ApiError;
use crate::server::routes::blocking;
use crate::server::state::AppState;
use rmcp::ErrorData;
use rmcp::model::{
    ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource, ResourceContents, ResourceTemplate,
};
use std::fmt::Write as _;

/// What every article resource's URI starts with.
pub const ARTICLE_PREFIX: &str = "healthsearch://article/";
/// Resources listed per page.
pub const PAGE: usize = 100;
const MIME: &str = "text/markdown";

/// The resource URI of the article with this id.
pub fn article_uri(id: &str) -> String {
    format!("{ARTICLE_PREFIX}{id}")
}

/// The template every article's URI follows.
pub fn templates() -> ListResourceTemplatesResult {
    let template = ResourceTemplate::new(format!("{ARTICLE_PREFIX}{{id}}"), "article")
        .with_title("Health article")
        .with_description("One article in full as Markdown: title, how to cite it, summary, sections, references. The id is the one search results and passages give.")
        .with_mime_type(MIME);
    ListResourceTemplatesResult::with_all_items(vec![template])
}

/// A page of article resources; the cursor is where the next page starts.
pub async fn list(st: &AppState, cursor: Option<&str>) -> Result<ListResourcesResult, ErrorData> {
    let offset = match cursor {
        None => 0,
        Some(c) => c.parse::<usize>().map_err(|_| ErrorData::invalid_params("unknown cursor", None))?,
    };
    let (articles, total) = blocking(st, move |st| Ok(st.engine.articles(offset, PAGE)?)).await.map_err(internal)?;
    let next = offset.saturating_add(articles.len());
    let mut page = ListResourcesResult::with_all_items(articles.iter().map(listed).collect());
    page.next_cursor = (next < total && !articles.is_empty()).then(|| next.to_string());
    Ok(page)
}

fn listed(a: &Article) -> Resource {
    let site = site_label(a.site_name.as_deref(), &a.url);
    let when = a.reviewed.map_or_else(|| "no review date given".to_string(), |d| format!("reviewed {d}"));
    Resource::new(article_uri(&a.id), a.title.clone())
        .with_title(a.title.clone())
        .with_description(format!("{site}, {when}"))
        .with_mime_type(MIME)
}

/// The article a URI names, as Markdown; `resource_not_found` for any other URI.
pub async fn read(st: &AppState, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let not_found = || ErrorData::resource_not_found(format!("no article resource {uri}"), None);
    let id = uri.strip_prefix(ARTICLE_PREFIX).filter(|id| !id.is_empty()).ok_or_else(not_found)?;
    let article = article_by(st, ArticleKey::Id(id.to_string())).await.map_err(|e| match e.code {
        crate::server::error::ErrorCode::ArticleNotFound => not_found(),
        _ => internal(e),
    })?;
    let text = markdown(&article);
    Ok(ReadResourceResult::new(vec![ResourceContents::text(text, uri).with_mime_type(MIME)]))
}

/// An article as Markdown, plain text throughout.
pub fn markdown(a: &Article) -> String {
    let site = site_label(a.site_name.as_deref(), &a.url);
    let mut out = format!("# {}\n\nCite as: {}\n", a.title, cite(&a.title, &site, a.reviewed, &a.url));
    if !a.summary.is_empty() {
        let _ = write!(out, "\n{}\n", a.summary);
    }
    for s in &a.sections {
        if !s.heading.is_empty() {
            let _ = write!(out, "\n## {}\n\n<{}>\n", s.heading, a.section_url(s));
        }
        let _ = write!(out, "\n{}\n", s.text.replace('\n', "\n\n"));
    }
    if !a.citations.is_empty() {
        out.push_str("\n## References\n\n");
        for (i, c) in a.citations.iter().enumerate() {
            let ids: Vec<String> = [("DOI", &c.doi), ("PMID", &c.pmid), ("URL", &c.url)]
                .into_iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
                .collect();
            let ids = if ids.is_empty() { String::new() } else { format!(" ({})", ids.join("; ")) };
            let _ = writeln!(out, "{}. {}{ids}", i + 1, c.raw);
        }
    }
    out
}

/// An error of the index as a protocol error (resources have no tool-style error result).
fn internal(e: ApiError) -> ErrorData {
    tracing::error!(message = %e.message, "MCP resource request failed");
    ErrorData::internal_error(e.message, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Citation, Section};

    #[test]
    fn an_article_reads_as_markdown_with_links_and_references() {
        let a = Article {
            id: "abc".into(),
            url: "https://www.site.example/back".into(),
            title: "Back pain".into(),
            summary: "Why it happens.".into(),
            sections: vec![Section {
                heading: "Relief".into(),
                anchor: "relief".into(),
                level: 2,
                text: "Rest.\nMove gently.".into(),
            }],
            citations: vec![Citation {
                raw: "A trial. 2020.".into(),
                doi: Some("10.1/x".into()),
                ..Citation::default()
            }],
            ..Article::default()
        };
        let text = markdown(&a);
        assert!(text.starts_with("# Back pain\n\nCite as: Back pain. site.example, no review date given."), "{text}");
        assert!(
            text.contains("## Relief\n\n<https://www.site.example/back#relief>\n\nRest.\n\nMove gently.\n"),
            "{text}"
        );
        assert!(text.contains("1. A trial. 2020. (DOI 10.1/x)"), "{text}");
        assert_eq!(article_uri("abc"), "healthsearch://article/abc");
    }
}
