//! The tools: each one's name, description and argument schema, and running it through the same
//! functions the JSON API's handlers call (same ranking, validation, limits and timeout). Bad
//! arguments and refused requests come back as tool errors (`isError`) the model can read and
//! correct, never as a failed call.

use super::answers::{ArticleAnswer, PassagesAnswer, SearchAnswer};
use super::args::{ArticleArgs, CitesArgs, PassagesArgs, RelatedArgs, SearchArgs};
use crate::index::present::search::{MAX_LIMIT, SearchParams};
use crate::server::editors::{self, article_by, citing_source, related_to, source_key};
use crate::server::error::{ApiError, ErrorCode};
use crate::server::params::{checked_filters, within};
use crate::server::retrieval::{find_passages, passage_params};
use crate::server::routes::{DEFAULT_LIMIT, run_search};
use crate::server::state::AppState;
use rmcp::handler::server::tool::schema_for_type;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

const SEARCH: &str = "search_health_articles";
const PASSAGES: &str = "get_passages";
const ARTICLE: &str = "get_article";
const RELATED: &str = "related_articles";
const CITES: &str = "who_cites";

/// Every tool, as `tools/list` describes it.
pub fn catalogue() -> Vec<Tool> {
    vec![
        tool::<SearchArgs>(
            SEARCH,
            "Search health articles",
            "Search consumer health articles (written for patients and families, clinically reviewed) \
             by a question or keywords. Returns the best-matching articles first, each with its id, \
             title, URL, site, the date it was last reviewed, and a plain-text snippet from its \
             best-matching section with that section's URL. Use get_passages instead for text to \
             quote in an answer, and get_article to read one article in full.",
        ),
        tool::<PassagesArgs>(
            PASSAGES,
            "Passages answering a health question",
            "Find the passages of health articles that best answer a question, ready to quote. Each \
             passage is whole sentences of one section, with its passage_id, heading, section_url \
             (the article URL with the section's #anchor), the article's title, site and review \
             date, a `cite` line to show with it, and the article's primary sources (title, DOI, \
             PMID, URL, year), each numbered. `sources` lists every primary source behind the \
             passages once, by the same numbers, for a Sources section. Answer from the passages' \
             words and cite each passage you use.",
        ),
        tool::<ArticleArgs>(
            ARTICLE,
            "Read a health article",
            "Read one article in full, by its id (from search results or passages) or its URL: \
             title, site, review date, a `cite` line, summary, every section as plain text with \
             its URL (#anchor included), and its reference list with DOI and PMID where given.",
        ),
        tool::<RelatedArgs>(
            RELATED,
            "Articles related to an article",
            "For editors: the articles most related to one article (by id or URL), because they \
             share its important words, its cited sources or its meaning; each with the shared \
             words and shared sources that explain why.",
        ),
        tool::<CitesArgs>(
            CITES,
            "Articles citing a source",
            "For editors: which articles cite a source, given exactly one of its DOI, PubMed id \
             (PMID) or URL (e.g. to find every article resting on a retracted study); each with \
             its review date and the reference entries that cite the source.",
        ),
    ]
}

/// A read-only tool over this index only.
fn tool<A: JsonSchema + 'static>(name: &'static str, title: &str, description: &'static str) -> Tool {
    let hints =
        ToolAnnotations::with_title(title).read_only(true).destructive(false).idempotent(true).open_world(false);
    Tool::new(name, description, schema_for_type::<A>()).with_title(title).with_annotations(hints)
}

/// Runs the tool `name`; `None` when there is no such tool.
pub async fn call(st: &AppState, name: &str, arguments: Option<JsonObject>) -> Option<CallToolResult> {
    let args = arguments.unwrap_or_default();
    let result = match name {
        SEARCH => search(st, args).await,
        PASSAGES => get_passages(st, args).await,
        ARTICLE => get_article(st, args).await,
        RELATED => related_articles(st, args).await,
        CITES => who_cites(st, args).await,
        _ => return None,
    };
    Some(result.unwrap_or_else(|e| {
        if e.code == ErrorCode::Internal {
            tracing::error!(tool = name, message = %e.message, "MCP tool failed");
        }
        CallToolResult::error(vec![ContentBlock::text(format!("{}: {}", e.code.name(), e.message))])
    }))
}

async fn search(st: &AppState, args: JsonObject) -> Result<CallToolResult, ApiError> {
    let a: SearchArgs = parse(args)?;
    let limit = within("limit", a.limit.unwrap_or(DEFAULT_LIMIT), 1, MAX_LIMIT, ErrorCode::InvalidSearchLimit)?;
    let params = SearchParams { filters: checked_filters(a.filters.into())?, ..SearchParams::new(a.query, limit) };
    answer(&SearchAnswer::from(run_search(st, params).await?))
}

async fn get_passages(st: &AppState, args: JsonObject) -> Result<CallToolResult, ApiError> {
    let a: PassagesArgs = parse(args)?;
    let params = passage_params(a.question, a.k, a.max_chars, a.filters.into())?;
    answer(&PassagesAnswer::from(find_passages(st, params).await?))
}

async fn get_article(st: &AppState, args: JsonObject) -> Result<CallToolResult, ApiError> {
    let a: ArticleArgs = parse(args)?;
    let key = editors::article_key(a.url, a.id)?;
    answer(&ArticleAnswer::from(article_by(st, key).await?))
}

async fn related_articles(st: &AppState, args: JsonObject) -> Result<CallToolResult, ApiError> {
    let a: RelatedArgs = parse(args)?;
    let limit = editor_limit(a.limit)?;
    answer(&related_to(st, editors::article_key(a.url, a.id)?, limit).await?)
}

async fn who_cites(st: &AppState, args: JsonObject) -> Result<CallToolResult, ApiError> {
    let a: CitesArgs = parse(args)?;
    let limit = editor_limit(a.limit)?;
    let key = source_key(a.url.as_deref(), a.doi.as_deref(), a.pmid.as_deref())?;
    answer(&citing_source(st, key, limit).await?)
}

/// The editors' endpoints' `limit`, with their default and bounds.
fn editor_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    within("limit", limit.unwrap_or(editors::DEFAULT_LIMIT), 1, editors::MAX_LIMIT, ErrorCode::InvalidSearchLimit)
}

/// A tool's arguments as its type, or an error saying what is wrong with them.
fn parse<A: DeserializeOwned>(args: JsonObject) -> Result<A, ApiError> {
    serde_json::from_value(serde_json::Value::Object(args))
        .map_err(|e| ApiError::new(ErrorCode::InvalidJsonBody, format!("the arguments are not valid: {e}")))
}

/// A successful answer: the JSON as structured content and as text (for clients that show only
/// text). The text is written from the answer itself, so its fields keep their order (most
/// telling first) where a JSON value would sort them, and the structured content is read back
/// from it, so the two carry the same numbers (a score as written, not widened to 64 bits).
fn answer<T: Serialize>(value: &T) -> Result<CallToolResult, ApiError> {
    let failed = |e: serde_json::Error| ApiError::new(ErrorCode::Internal, e.to_string());
    let text = serde_json::to_string(value).map_err(failed)?;
    let mut result = CallToolResult::structured(serde_json::from_str(&text).map_err(failed)?);
    result.content = vec![ContentBlock::text(text)];
    Ok(result)
}
