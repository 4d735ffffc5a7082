//! What an ingest run tells its caller: the report, each page left out with the kind of reason,
//! what a crawl did not follow, and the words for them (counts with their nouns, error chains on
//! one line) that the CLI and the crawler's progress share.

use serde::Serialize;

/// The outcome of one ingest run.
#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    pub origin: String,
    /// Articles written (`added` + `updated`).
    pub indexed: usize,
    /// Articles new to the index.
    pub added: usize,
    /// Articles whose content changed.
    pub updated: usize,
    /// Articles read again (or answered 304) with nothing changed; not rewritten.
    pub unchanged: usize,
    /// Articles of this source that were in the index and are no longer in the source.
    pub removed: usize,
    /// Pages that are not articles (index pages, empty shells), not HTML, disallowed by
    /// robots.txt, or gone.
    pub skipped: Vec<PageIssue>,
    /// Pages or records that could not be read or parsed.
    pub failed: Vec<PageIssue>,
    /// Pages whose article was already read from another URL of the same run.
    pub duplicates: Vec<PageIssue>,
    /// Problems with the source as a whole (unreadable sitemaps, a page limit reached); when
    /// there are any, only pages known to be gone are removed.
    pub problems: Vec<String>,
    /// Articles in the index after the run.
    pub total_articles: u64,
    /// Passages (and lead texts) embedded by the model in this run; 0 without the model.
    pub embedded: usize,
    /// For a crawl: pages fetched and links not followed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crawl: Option<CrawlSummary>,
}

impl IngestReport {
    /// Articles the run read from the source, changed or not.
    pub fn articles_read(&self) -> usize {
        self.added + self.updated + self.unchanged
    }
}

/// A page or record that was not indexed, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PageIssue {
    pub page: String,
    pub kind: IssueKind,
    pub reason: String,
}

/// The kind of reason a page was left out, for counting like with like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The extractor found no article (an index page, an empty shell).
    NotAnArticle,
    /// robots.txt disallows it, or could not be read.
    Robots,
    /// Served as something other than HTML.
    NotHtml,
    /// Over the page size limit.
    TooLarge,
    /// Nested too deeply or with too many elements to parse within the per-page budget.
    TooComplex,
    /// The server says it is gone (404, 410).
    Gone,
    /// Any other HTTP error status.
    HttpError,
    /// No answer: connection errors, timeouts.
    Unreachable,
    /// A URL or redirect the crawler may not follow (private address, another origin).
    Refused,
    /// Redirects that loop or go on for too long.
    Redirect,
    /// A file that could not be read.
    Unreadable,
    /// A record or page that could not be parsed.
    Invalid,
    /// The same article as another page of the run.
    Duplicate,
}

impl IssueKind {
    /// A few words for people.
    pub fn label(self) -> &'static str {
        match self {
            IssueKind::NotAnArticle => "not an article",
            IssueKind::Robots => "robots.txt",
            IssueKind::NotHtml => "not HTML",
            IssueKind::TooLarge => "too large",
            IssueKind::TooComplex => "too complex",
            IssueKind::Gone => "gone",
            IssueKind::HttpError => "HTTP error",
            IssueKind::Unreachable => "unreachable",
            IssueKind::Refused => "refused",
            IssueKind::Redirect => "bad redirect",
            IssueKind::Unreadable => "unreadable",
            IssueKind::Invalid => "invalid",
            IssueKind::Duplicate => "duplicate",
        }
    }
}

/// What a crawl fetched and which links it left alone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrawlSummary {
    /// Pages requested (robots.txt and sitemaps aside).
    pub fetched: usize,
    /// Links and sitemap entries not followed, by reason, most frequent first.
    pub not_followed: Vec<Tally>,
    /// URLs left out because the crawl already held `--max-urls` of them.
    pub dropped: usize,
}

/// How many URLs were left out for one reason, with the first few of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    pub reason: String,
    pub count: usize,
    pub examples: Vec<String>,
}

/// An error with its causes on one line, each cause once: a cause whose text the message so far
/// already holds (some libraries print their source inside their own message) is left out.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer: {0}")]
    struct Echo(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read source")]
    struct Wrap(#[source] std::io::Error);

    #[test]
    fn each_cause_appears_once_on_one_line() {
        let io = || std::io::Error::other("Is a directory\n(os error 21)");
        assert_eq!(error_chain(&Echo(io())), "outer: Is a directory (os error 21)");
        assert_eq!(error_chain(&Wrap(io())), "cannot read source: Is a directory (os error 21)");
    }
}
