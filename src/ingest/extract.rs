//! One HTML page to one [`Article`]: metadata, body sections without furniture, and references.

use super::audience;
use super::budget::{self, OverBudget};
use super::categories::categories;
use super::dates::{find_date, parse_date};
use super::general;
use super::meta::{PageMeta, read_meta};
use super::references::{citations_in, reference_lists};
use super::report::IssueKind;
use super::rules::{RULES, compile};
use super::sections::sections_of;
use super::site_name;
use super::site_rules::{SiteRule, SiteRules};
use super::summary::summary;
use super::walk::{Lines, Walk};
use crate::article::{Article, Citation, Section, id_for_url};
use crate::cite_keys::is_tracking_param;
use crate::text::normalize;
use ego_tree::NodeId;
use scraper::{ElementRef, Html};
use std::collections::HashSet;
use url::Url;

/// Pages larger than this are refused.
pub const MAX_PAGE_BYTES: usize = 5 * 1024 * 1024;
/// A page with fewer body words than this is not an article (an index page, an empty shell).
pub const MIN_ARTICLE_WORDS: usize = 120;

/// Why a page was not turned into an article.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExtractError {
    #[error("page is {0} bytes, over the {MAX_PAGE_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("not an article: {0}")]
    NotAnArticle(String),
    #[error("too complex to read: {0}")]
    TooComplex(#[from] OverBudget),
    #[error("invalid page URL {0:?}")]
    BadUrl(String),
}

impl ExtractError {
    /// Whether the page is left out for what it is (not an article, too complex), rather than
    /// having failed.
    pub fn is_skip(&self) -> bool {
        matches!(self, ExtractError::NotAnArticle(_) | ExtractError::TooComplex(_))
    }

    /// The kind of issue, for the ingest report.
    pub fn kind(&self) -> IssueKind {
        match self {
            ExtractError::TooLarge(_) => IssueKind::TooLarge,
            ExtractError::NotAnArticle(_) => IssueKind::NotAnArticle,
            ExtractError::TooComplex(_) => IssueKind::TooComplex,
            ExtractError::BadUrl(_) => IssueKind::Invalid,
        }
    }
}

/// Which method found the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The site's own rules from the rules file.
    SiteRules,
    /// Readability-style density scoring.
    General,
    /// The first known content container (`article`, `main`, ...), else `<body>`.
    Containers,
}

/// An extractor with its per-site rules. [`extract`] uses one without site rules.
#[derive(Debug, Default)]
pub struct Extractor {
    pub sites: SiteRules,
}

/// Extracts an article from `html`, fetched from (or mirrored for) `page_url`, with no site rules.
pub fn extract(html: &str, page_url: &str) -> Result<Article, ExtractError> {
    Extractor::default().extract(html, page_url)
}

impl Extractor {
    pub fn new(sites: SiteRules) -> Extractor {
        Extractor { sites }
    }

    /// Extracts an article, refusing pages that are not articles.
    pub fn extract(&self, html: &str, page_url: &str) -> Result<Article, ExtractError> {
        self.extract_with_method(html, page_url).map(|(article, _)| article)
    }

    /// [`Extractor::extract`], saying which method found the body.
    pub fn extract_with_method(&self, html: &str, page_url: &str) -> Result<(Article, Method), ExtractError> {
        let (article, method) = self.extract_any(html, page_url)?;
        let words = article.word_count();
        if article.title.is_empty() {
            return Err(ExtractError::NotAnArticle("no title".into()));
        }
        if words < MIN_ARTICLE_WORDS {
            return Err(ExtractError::NotAnArticle(format!("only {words} words of body text")));
        }
        Ok((article, method))
    }

    /// Extracts whatever the page has, article or not, and says which method found the body. A
    /// page over the parsing budget ([`budget`]) is refused part-way through parsing.
    pub fn extract_any(&self, html: &str, page_url: &str) -> Result<(Article, Method), ExtractError> {
        if html.len() > MAX_PAGE_BYTES {
            return Err(ExtractError::TooLarge(html.len()));
        }
        let base = Url::parse(page_url).map_err(|_| ExtractError::BadUrl(page_url.to_string()))?;
        let site = base.host_str().and_then(|h| self.sites.for_host(h));
        let doc = budget::parse(html)?;
        let mut meta = read_meta(&doc, &visible_lines(&doc));
        if let Some(rule) = site {
            apply_site_meta(&doc, rule, &mut meta);
        }

        let mut skip = drop_set(&doc, site);
        let refs = reference_lists(&doc, &skip, site.and_then(|r| r.references.as_ref()));
        let citations = refs.containers.iter().flat_map(|r| citations_in(*r, &skip, &base)).collect();
        skip.extend(refs.node_ids());

        let site_root = site.and_then(|r| r.content.as_ref()).and_then(|s| doc.select(s).next());
        let (sections, method) = match site_root {
            Some(root) => (sections_of(root, &skip), Method::SiteRules),
            None => match general::readable(html, page_url) {
                Some(r) if words_in(&r.sections) > 0 => (r.sections, Method::General),
                _ => (sections_of(content_root(&doc), &skip), Method::Containers),
            },
        };
        Ok((assemble(meta, sections, citations, &base), method))
    }
}

fn words_in(sections: &[Section]) -> usize {
    sections.iter().map(|s| s.text.split_whitespace().count()).sum()
}

/// The site rules' title and date selectors override what the page's metadata says.
fn apply_site_meta(doc: &Html, rule: &SiteRule, meta: &mut PageMeta) {
    if let Some(t) = rule.title.as_ref().and_then(|s| doc.select(s).next()) {
        meta.title = Some(normalize(&t.text().collect::<String>())).filter(|t| !t.is_empty()).or(meta.title.take());
    }
    if let Some(d) = rule.date.as_ref().and_then(|s| doc.select(s).next()) {
        let text = d.value().attr("datetime").map(str::to_string).unwrap_or_else(|| d.text().collect());
        meta.reviewed = parse_date(&text).or_else(|| find_date(&text)).or(meta.reviewed);
    }
}

/// Puts the parts together: what the page states, and what is derived where it states nothing
/// (summary, categories, site name, audience).
fn assemble(meta: PageMeta, sections: Vec<Section>, citations: Vec<Citation>, base: &Url) -> Article {
    let url = canonical_url(meta.canonical.as_deref(), base);
    let site = Url::parse(&url).ok().and_then(|u| u.host_str().map(String::from)).unwrap_or_default();
    let title = meta.title.clone().unwrap_or_default();
    let headings: Vec<&str> = sections.iter().map(|s| s.heading.as_str()).filter(|h| !h.is_empty()).collect();
    let site_name = meta.site_name.or_else(|| meta.document_title.and_then(|t| site_name::from_title(&t, &site)));
    let mut article = Article {
        id: id_for_url(&dedupe_key(&url)),
        categories: categories(&meta.categories, &url, &title, &headings),
        summary: summary(meta.description.as_deref(), &sections),
        site,
        site_name,
        url,
        title,
        sections,
        published: meta.published,
        updated: meta.modified,
        reviewed: meta.reviewed.or(meta.modified),
        author: meta.author,
        reviewer: meta.reviewer,
        lang: meta.lang,
        alt_names: Vec::new(),
        citations,
        audience: Vec::new(),
    };
    article.audience = audience::infer(&article, &meta.audience);
    article
}

/// The page's visible text, a block per line, for metadata found in bylines and footers.
fn visible_lines(doc: &Html) -> Vec<String> {
    let mut skip = HashSet::new();
    for sel in compile(&["script", "style", "noscript", "template", "head"]) {
        skip.extend(doc.select(&sel).map(|e| e.id()));
    }
    let mut lines = Lines::default();
    Walk { skip: &skip, drop_block: None }.run(*doc.root_element(), &mut lines);
    lines.finish()
}

/// Node ids of every element matched by a drop selector (the table's and the site's).
fn drop_set(doc: &Html, site: Option<&SiteRule>) -> HashSet<NodeId> {
    let site_drops = site.map(|r| r.drop.as_slice()).unwrap_or_default();
    std::iter::once(&RULES.drop).chain(site_drops).flat_map(|s| doc.select(s).map(|e| e.id())).collect()
}

/// The first element matched by a content selector that is not itself dropped.
fn content_root(doc: &Html) -> ElementRef<'_> {
    RULES.content.iter().find_map(|s| doc.select(s).next()).unwrap_or_else(|| doc.root_element())
}

/// Resolves the canonical link against the page URL, dropping the fragment and tracking parameters
/// (see [`is_tracking_param`]).
pub fn canonical_url(canonical: Option<&str>, base: &Url) -> String {
    let mut url = canonical
        .and_then(|c| base.join(c).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| base.clone());
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.to_string()
}

/// The form of a URL under which copies of one page coincide: no trailing slash on the path,
/// no `index.html`, query parameters sorted. Scheme and host case are already normalized.
pub fn dedupe_key(url: &str) -> String {
    let Ok(mut u) = Url::parse(url) else { return url.to_string() };
    let path = u.path().to_string();
    let path = path.strip_suffix("index.html").or_else(|| path.strip_suffix("index.htm")).unwrap_or(&path);
    let trimmed = path.trim_end_matches('/');
    u.set_path(if trimmed.is_empty() { "/" } else { trimmed });
    let mut pairs: Vec<(String, String)> = u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    pairs.sort();
    if pairs.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    if u.scheme() == "http" {
        let _ = u.set_scheme("https");
    }
    u.to_string()
}
