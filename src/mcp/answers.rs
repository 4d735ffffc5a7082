//! The shapes of the tools' answers, made from the API's responses: plain text only (snippets
//! without highlight tags), every article with its site and review date, every passage with a
//! ready `cite`, and the primary sources behind a set of passages listed once, numbered.

use super::cite::{cite, site_label};
use super::resources::article_uri;
use crate::article::{Article, ArticleRef, Audience, Citation};
use crate::cite_keys::{doi_key, pmid_key, url_key};
use crate::index::present::passages::{Passage, SourceRef};
use crate::index::present::search::{SearchResponse, SectionLink};
use crate::index::present::snippet::snippet_text;
use crate::index::ranking::count::Relation;
use crate::server::retrieval::PassagesResponse;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// `search_health_articles`: ranked articles.
#[derive(Debug, Serialize)]
pub struct SearchAnswer {
    pub query: String,
    /// Matching articles in all; a lower bound when `total_is_lower_bound`.
    pub total: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total_is_lower_bound: bool,
    /// A corrected query, when the typed one had words the index does not know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
    /// No article matched every important word of the query: these match fewer.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub relaxed: bool,
    pub results: Vec<ArticleResult>,
}

/// One ranked article.
#[derive(Debug, Serialize)]
pub struct ArticleResult {
    #[serde(flatten)]
    pub article: ArticleRef,
    pub site: String,
    pub reviewed: Option<NaiveDate>,
    /// Plain text from the best-matching section (or the summary), cut at word boundaries.
    pub snippet: String,
    /// The section the snippet comes from, with its URL (anchor included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<SectionLink>,
    /// The article as an MCP resource.
    pub resource: String,
}

impl From<SearchResponse> for SearchAnswer {
    fn from(res: SearchResponse) -> SearchAnswer {
        let results = res
            .hits
            .into_iter()
            .map(|h| ArticleResult {
                site: site_label(h.site_name.as_deref(), &h.article.url),
                snippet: snippet_text(&h.snippet_html, "", ""),
                resource: article_uri(&h.article.id),
                article: h.article,
                reviewed: h.reviewed,
                section: h.section,
            })
            .collect();
        SearchAnswer {
            query: res.query,
            total: res.total,
            total_is_lower_bound: res.total_relation == Relation::Gte,
            did_you_mean: res.did_you_mean,
            relaxed: res.relaxed,
            results,
        }
    }
}

/// `get_passages`: passages to quote, and the sources behind them.
#[derive(Debug, Serialize)]
pub struct PassagesAnswer {
    pub question: String,
    pub passages: Vec<QuotedPassage>,
    /// Every primary source cited by the passages' articles, once, numbered by `n`.
    pub sources: Vec<SourceEntry>,
}

/// A passage with what it takes to quote it.
#[derive(Debug, Serialize)]
pub struct QuotedPassage {
    pub passage_id: String,
    /// Whole sentences of one section, plain text.
    pub text: String,
    pub heading: String,
    /// The article URL with the section's anchor.
    pub section_url: String,
    pub article: PassageArticle,
    pub reviewed: Option<NaiveDate>,
    /// `Title. Site, reviewed YYYY-MM-DD. section URL`, ready to quote.
    pub cite: String,
    /// The article's sources, each with its number in `sources`.
    pub citations: Vec<NumberedSource>,
}

/// The article a passage comes from.
#[derive(Debug, Serialize)]
pub struct PassageArticle {
    #[serde(flatten)]
    pub article: ArticleRef,
    pub site: String,
}

/// A source as a passage cites it.
#[derive(Debug, Serialize)]
pub struct NumberedSource {
    /// Its number in the answer's `sources`.
    pub n: usize,
    #[serde(flatten)]
    pub source: SourceRef,
}

/// A source in the answer's list.
#[derive(Debug, Serialize)]
pub struct SourceEntry {
    pub n: usize,
    #[serde(flatten)]
    pub source: SourceRef,
    /// The passages whose articles cite it.
    pub passages: Vec<String>,
}

impl From<PassagesResponse> for PassagesAnswer {
    fn from(res: PassagesResponse) -> PassagesAnswer {
        let mut sources: Vec<SourceEntry> = Vec::new();
        let mut numbers: HashMap<String, usize> = HashMap::new();
        let mut passages = Vec::with_capacity(res.passages.len());
        for p in res.passages {
            let mut citations = Vec::with_capacity(p.citations.len());
            for c in &p.citations {
                let Some(key) = source_key(c) else { continue };
                let n = *numbers.entry(key).or_insert_with(|| {
                    sources.push(SourceEntry { n: sources.len() + 1, source: c.clone(), passages: Vec::new() });
                    sources.len()
                });
                if let Some(entry) = sources.get_mut(n - 1)
                    && !entry.passages.contains(&p.passage_id)
                {
                    entry.passages.push(p.passage_id.clone());
                }
                citations.push(NumberedSource { n, source: c.clone() });
            }
            passages.push(quoted(p, citations));
        }
        PassagesAnswer { question: res.query, passages, sources }
    }
}

fn quoted(p: Passage, citations: Vec<NumberedSource>) -> QuotedPassage {
    let site = site_label(p.article.site_name.as_deref(), &p.article.article.url);
    QuotedPassage {
        cite: cite(&p.article.article.title, &site, p.reviewed, &p.url),
        passage_id: p.passage_id,
        text: p.text,
        heading: p.heading,
        section_url: p.url,
        article: PassageArticle { article: p.article.article, site },
        reviewed: p.reviewed,
        citations,
    }
}

/// What makes two references the same source: the DOI, else the PubMed id, else the URL, else
/// the title; `None` for a reference with none of them (nothing to list).
fn source_key(s: &SourceRef) -> Option<String> {
    s.doi
        .as_deref()
        .and_then(doi_key)
        .or_else(|| s.pmid.as_deref().and_then(pmid_key))
        .or_else(|| s.url.as_deref().and_then(url_key))
        .or_else(|| s.title.as_deref().map(|t| format!("title:{}", crate::text::collapse_whitespace(t).to_lowercase())))
}

/// `get_article`: one article in full.
#[derive(Debug, Serialize)]
pub struct ArticleAnswer {
    #[serde(flatten)]
    pub article: ArticleRef,
    pub site: String,
    pub reviewed: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    pub categories: Vec<String>,
    pub audience: Vec<Audience>,
    /// `Title. Site, reviewed YYYY-MM-DD. URL`, ready to quote.
    pub cite: String,
    pub resource: String,
    pub summary: String,
    pub sections: Vec<SectionText>,
    /// The article's reference list, parsed as far as it goes (DOI, PMID, URL, year…).
    pub sources: Vec<Citation>,
}

/// A section of an article.
#[derive(Debug, Serialize)]
pub struct SectionText {
    /// Empty for the introduction.
    pub heading: String,
    /// The article URL with the section's anchor.
    pub url: String,
    /// Paragraphs separated by newlines.
    pub text: String,
}

impl From<Article> for ArticleAnswer {
    fn from(a: Article) -> ArticleAnswer {
        let site = site_label(a.site_name.as_deref(), &a.url);
        let sections = a
            .sections
            .iter()
            .map(|s| SectionText { heading: s.heading.clone(), url: a.section_url(s), text: s.text.clone() })
            .collect();
        ArticleAnswer {
            cite: cite(&a.title, &site, a.reviewed, &a.url),
            resource: article_uri(&a.id),
            site,
            sections,
            article: ArticleRef { id: a.id, title: a.title, url: a.url },
            reviewed: a.reviewed,
            updated: a.updated,
            author: a.author,
            reviewer: a.reviewer,
            categories: a.categories,
            audience: a.audience,
            summary: a.summary,
            sources: a.citations,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::present::passages::PassageArticle;

    fn passage(id: &str, article: &str, citations: Vec<SourceRef>) -> Passage {
        Passage {
            passage_id: id.into(),
            text: "Back pain after birth is common.".into(),
            article: PassageArticle {
                article: ArticleRef {
                    id: article.into(),
                    title: format!("Article {article}"),
                    url: format!("https://www.site.example/{article}"),
                },
                site_name: None,
            },
            heading: "Relief".into(),
            url: format!("https://www.site.example/{article}#relief"),
            score: 1.0,
            reviewed: NaiveDate::from_ymd_opt(2024, 1, 31),
            citations,
        }
    }

    fn source(doi: Option<&str>, title: &str) -> SourceRef {
        SourceRef { title: Some(title.into()), url: None, doi: doi.map(String::from), pmid: None, year: None }
    }

    #[test]
    fn sources_are_listed_once_and_numbered_in_the_passages() {
        let shared = source(Some("10.1000/ABC"), "A trial");
        let res = PassagesResponse {
            query: "back pain".into(),
            took_ms: 0.0,
            passages: vec![
                passage("p1", "a", vec![shared.clone(), source(None, "A guideline")]),
                passage(
                    "p2",
                    "b",
                    vec![
                        source(Some("https://doi.org/10.1000/abc"), "Same trial"),
                        SourceRef { title: None, url: None, doi: None, pmid: None, year: None },
                    ],
                ),
            ],
        };
        let answer = PassagesAnswer::from(res);
        assert_eq!(answer.sources.len(), 2, "{:?}", answer.sources);
        assert_eq!(answer.sources[0].passages, vec!["p1", "p2"]);
        let numbers: Vec<Vec<usize>> =
            answer.passages.iter().map(|p| p.citations.iter().map(|c| c.n).collect()).collect();
        assert_eq!(numbers, vec![vec![1, 2], vec![1]]);
        assert_eq!(
            answer.passages[1].cite,
            "Article b. site.example, reviewed 2024-01-31. https://www.site.example/b#relief"
        );
    }
}
