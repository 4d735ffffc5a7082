//! The normalized article model shared by the ingester, the index and the API.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An article as other answers point to it: the id it is stored under, its title and its link.
/// Answers that name an article carry these three fields, flattened into their own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ArticleRef {
    /// The article's stable id (a hash of its canonical URL, or a JSON Lines record's `_id`).
    pub id: String,
    pub title: String,
    /// The article's canonical URL.
    pub url: String,
}

/// One normalized health article, as extracted from a page or a JSON Lines record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Article {
    /// Stable identifier: a hash of the canonical URL, or the record's `_id` for JSON Lines.
    pub id: String,
    /// Canonical URL; the key under which the article is stored and replaced.
    pub url: String,
    /// Host name of the publishing site (empty for records without a URL); the site filter's key.
    pub site: String,
    /// The site's name as people know it ("Harbor Health Library"), when the page gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    pub title: String,
    /// The page's description, or the body's first sentences.
    pub summary: String,
    /// Body sections in page order; the first may have an empty heading (the introduction).
    pub sections: Vec<Section>,
    /// When the page was first published.
    #[schema(required = true)]
    pub published: Option<NaiveDate>,
    /// When the page says it was last changed.
    #[schema(required = true)]
    pub updated: Option<NaiveDate>,
    /// When a clinician last reviewed it (falls back to `updated` when the page gives no review date).
    #[schema(required = true)]
    pub reviewed: Option<NaiveDate>,
    /// Categories, broad to narrow: the page's breadcrumbs, else derived from its URL's folders
    /// or the people its title names.
    // How they are derived: `crate::ingest::categories`.
    pub categories: Vec<String>,
    #[schema(required = true)]
    pub author: Option<String>,
    /// The clinician who reviewed it, when the page names one.
    #[schema(required = true)]
    pub reviewer: Option<String>,
    /// The page's language tag (e.g. `en-GB`).
    #[schema(required = true)]
    pub lang: Option<String>,
    /// Other names the topic goes by (`also_called`, `synonyms`).
    pub alt_names: Vec<String>,
    /// The reference list, in page order.
    pub citations: Vec<Citation>,
    /// Who the article is written for, inferred at ingest (empty when nothing says).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audience: Vec<Audience>,
}

/// The person a health answer is for: advice differs between them (a painkiller's dose, how to
/// sleep, which symptoms are urgent).
// The JSON schemas list the names: for MCP tool arguments (schemars) and the API (utoipa).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Someone pregnant, or trying to be.
    Pregnancy,
    /// A mother in the weeks and months after the birth.
    Postpartum,
    /// A mother feeding her baby at the breast.
    Breastfeeding,
    /// A baby in its first year.
    Baby,
    /// A child of one to three.
    Toddler,
    /// A child from about three to twelve.
    Child,
    /// Adults in general.
    Adult,
}

impl Audience {
    /// Every audience, in life order.
    pub const ALL: [Audience; 7] = [
        Audience::Pregnancy,
        Audience::Postpartum,
        Audience::Breastfeeding,
        Audience::Baby,
        Audience::Toddler,
        Audience::Child,
        Audience::Adult,
    ];

    /// The name used in the index, the API and URLs.
    pub fn name(self) -> &'static str {
        match self {
            Audience::Pregnancy => "pregnancy",
            Audience::Postpartum => "postpartum",
            Audience::Breastfeeding => "breastfeeding",
            Audience::Baby => "baby",
            Audience::Toddler => "toddler",
            Audience::Child => "child",
            Audience::Adult => "adult",
        }
    }

    /// The audience with this name.
    pub fn from_name(name: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// A heading and the text under it, up to the next heading.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Section {
    /// Empty for the introduction.
    pub heading: String,
    /// Fragment identifier linking to the heading (`url#anchor`); empty for the introduction.
    pub anchor: String,
    /// 2 for `h2`, 3 for `h3`; 0 for the introduction.
    pub level: u8,
    /// Paragraphs separated by newlines.
    pub text: String,
}

/// One entry of an article's reference list, parsed as far as it goes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Citation {
    /// The entry's text as shown on the page, normalized.
    pub raw: String,
    pub authors: Vec<String>,
    #[schema(required = true)]
    pub year: Option<u16>,
    #[schema(required = true)]
    pub title: Option<String>,
    /// Journal, publisher or organisation.
    #[schema(required = true)]
    pub container: Option<String>,
    #[schema(required = true)]
    pub url: Option<String>,
    #[schema(required = true)]
    pub doi: Option<String>,
    #[schema(required = true)]
    pub pmid: Option<String>,
    #[schema(required = true)]
    pub pmcid: Option<String>,
    /// When the source was last accessed, as written ("February 2022").
    #[schema(required = true)]
    pub accessed: Option<String>,
}

impl Article {
    /// How other answers point to this article.
    pub fn reference(&self) -> ArticleRef {
        ArticleRef { id: self.id.clone(), title: self.title.clone(), url: self.url.clone() }
    }

    /// The body text: every section's text, in order, separated by blank lines.
    pub fn body(&self) -> String {
        let parts: Vec<&str> = self.sections.iter().map(|s| s.text.as_str()).collect();
        parts.join("\n\n")
    }

    /// Section headings joined by newlines.
    pub fn headings(&self) -> String {
        let parts: Vec<&str> = self.sections.iter().map(|s| s.heading.as_str()).filter(|h| !h.is_empty()).collect();
        parts.join("\n")
    }

    /// Number of whitespace-separated words in the body.
    pub fn word_count(&self) -> usize {
        self.sections.iter().map(|s| s.text.split_whitespace().count()).sum()
    }

    /// Link to a section: the article URL with the section's anchor, if it has one.
    pub fn section_url(&self, section: &Section) -> String {
        if section.anchor.is_empty() {
            self.url.clone()
        } else {
            let base = self.url.split('#').next().unwrap_or(&self.url);
            format!("{base}#{}", section.anchor)
        }
    }
}

/// Stable article id for a canonical URL: 16 hex digits of its XXH3 hash.
pub fn id_for_url(url: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(url.as_bytes()))
}
