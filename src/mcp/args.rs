//! The arguments of each MCP tool: their JSON schemas (from these types, their doc comments and
//! the API's own limits) and how they become the API's parameters. Unknown arguments are
//! refused, so a misspelt one is reported rather than silently ignored.

use crate::article::Audience;
use crate::index::present::passages::{DEFAULT_K, DEFAULT_MAX_CHARS, MAX_K, MAX_MAX_CHARS, MIN_MAX_CHARS};
use crate::index::present::search::MAX_LIMIT;
use crate::index::ranking::filter::Filters;
use crate::query::MAX_QUERY_CHARS;
use crate::server::editors;
use crate::server::routes::DEFAULT_LIMIT;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;

/// Arguments of `search_health_articles`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// What to look for, in plain words: a question, symptoms or a condition (e.g. "back pain
    /// after birth"). "Quoted words" must appear together; a leading minus excludes a word.
    #[schemars(length(min = 1, max = MAX_QUERY_CHARS))]
    pub query: String,
    /// Only articles matching all of these restrictions.
    #[serde(default)]
    pub filters: FilterArgs,
    /// How many articles to return, best first.
    #[schemars(range(min = 1, max = MAX_LIMIT), extend("default" = DEFAULT_LIMIT))]
    pub limit: Option<usize>,
}

/// Arguments of `get_passages`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassagesArgs {
    /// The reader's health question, in their words (e.g. "back pain after birth").
    #[schemars(length(min = 1, max = MAX_QUERY_CHARS))]
    pub question: String,
    /// How many passages to return, best first.
    #[schemars(range(min = 1, max = MAX_K), extend("default" = DEFAULT_K))]
    pub k: Option<usize>,
    /// Longest passage, in characters; passages are whole sentences of one section.
    #[schemars(range(min = MIN_MAX_CHARS, max = MAX_MAX_CHARS), extend("default" = DEFAULT_MAX_CHARS))]
    pub max_chars: Option<usize>,
    /// Only passages of articles matching all of these restrictions.
    #[serde(default)]
    pub filters: FilterArgs,
}

/// Restrictions on which articles count. Values of one field are alternatives; different
/// fields must all match.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterArgs {
    /// Sites, by host name as in article URLs (e.g. "www.bumptobaby.example").
    #[serde(default)]
    pub site: Vec<String>,
    /// Categories, as the sites name them (e.g. "Pregnancy").
    #[serde(default)]
    pub category: Vec<String>,
    /// Who the article is written for.
    #[serde(default)]
    pub audience: Vec<Audience>,
    /// Only articles clinically reviewed on or after this day (YYYY-MM-DD).
    pub reviewed_after: Option<NaiveDate>,
}

impl From<FilterArgs> for Filters {
    fn from(f: FilterArgs) -> Filters {
        Filters {
            site: f.site,
            category: f.category,
            audience: f.audience.into_iter().map(|a| a.name().to_string()).collect(),
            reviewed_after: f.reviewed_after,
        }
    }
}

/// Arguments naming one article: `get_article`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleArgs {
    /// The article's id, as search results and passages give it. Give this or `url`.
    pub id: Option<String>,
    /// The article's URL, however written (with or without www., a trailing slash or an
    /// #anchor). Give this or `id`.
    pub url: Option<String>,
}

/// Arguments of `related_articles`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedArgs {
    /// The article's id, as search results and passages give it. Give this or `url`.
    pub id: Option<String>,
    /// The article's URL, however written. Give this or `id`.
    pub url: Option<String>,
    /// How many related articles to return, most related first.
    #[schemars(range(min = 1, max = editors::MAX_LIMIT), extend("default" = editors::DEFAULT_LIMIT))]
    pub limit: Option<usize>,
}

/// Arguments of `who_cites`: exactly one of `doi`, `pmid` or `url`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CitesArgs {
    /// The source's DOI, bare or as a doi.org link (e.g. "10.1186/1471-2393-8-19").
    pub doi: Option<String>,
    /// The source's PubMed id (e.g. "18366705").
    pub pmid: Option<String>,
    /// The source's URL, however written.
    pub url: Option<String>,
    /// How many citing articles to return.
    #[schemars(range(min = 1, max = editors::MAX_LIMIT), extend("default" = editors::DEFAULT_LIMIT))]
    pub limit: Option<usize>,
}
