//! The one place that names the index's fields, sets their options and versions the schema.

use super::analyzer::{ANALYZER, SURFACE};
use crate::index::IndexError;
use tantivy::schema::{
    DateOptions, FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Bumped whenever fields, their options or the analyzer change; an index built with another
/// version is rebuilt rather than read.
pub const SCHEMA_VERSION: u32 = 8;

/// Field names, as stored in the index.
pub mod name {
    pub const ID: &str = "id";
    pub const URL: &str = "url";
    pub const ORIGIN: &str = "origin";
    pub const TITLE: &str = "title";
    pub const ALT_NAMES: &str = "alt_names";
    pub const HEADINGS: &str = "headings";
    pub const SUMMARY: &str = "summary";
    pub const BODY: &str = "body";
    pub const CITATIONS: &str = "citations";
    pub const ANY_TEXT: &str = "any_text";
    pub const CATEGORY: &str = "category";
    pub const SITE: &str = "site";
    pub const REVIEWED: &str = "reviewed";
    pub const DOC: &str = "doc";
    pub const FEEDBACK: &str = "feedback_terms";
    pub const CITE_KEY: &str = "cite_key";
    pub const OLDEST_ACCESS: &str = "oldest_access";
    pub const OUTLINE: &str = "outline";
    pub const CONTENT_HASH: &str = "content_hash";
    pub const VECTORS: &str = "vectors";
    pub const AUDIENCE: &str = "audience";
    pub const WORDS: &str = "words";
}

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Article id (exact, stored).
    pub id: Field,
    /// Canonical URL: the key an article is replaced under (exact, stored).
    pub url: Field,
    /// Which ingest source wrote the article, so a source can be replaced whole (exact).
    pub origin: Field,
    pub title: Field,
    pub alt_names: Field,
    pub headings: Field,
    pub summary: Field,
    pub body: Field,
    pub citations: Field,
    /// Title, other names, headings and body as one field, with frequencies but no positions:
    /// the first phase of ranking looks each word up once here instead of once per field.
    pub any_text: Field,
    /// Breadcrumb categories (exact, fast, for filters and facets).
    pub category: Field,
    /// Publishing host (exact, fast).
    pub site: Field,
    /// Review date (fast, for sorting and recency).
    pub reviewed: Field,
    /// The whole normalized article as JSON, for display.
    pub doc: Field,
    /// The article's most frequent words with their share of its text, precomputed at ingest
    /// for pseudo-relevance feedback.
    pub feedback: Field,
    /// Normalized keys of every cited source (`doi:`, `pmid:`, `pmcid:`, `url:`), exact.
    pub cite_key: Field,
    /// The oldest access date among the article's citations (fast, for staleness).
    pub oldest_access: Field,
    /// Title then section headings, one per line (stored, for suggestions).
    pub outline: Field,
    /// Hash of the stored article, so a re-ingest can tell unchanged articles (exact, stored).
    pub content_hash: Field,
    /// The article's passage vectors (see [`crate::semantic::vectors`]), stored; absent when it
    /// was written without the model.
    pub vectors: Field,
    /// Who the article is for ([`crate::article::Audience`] names; exact, fast, for filters,
    /// facets and ranking).
    pub audience: Field,
    /// Title, other names, headings, summary and body as written (folded, not stemmed), with
    /// document counts only: the words spelling correction may correct to.
    pub words: Field,
}

/// The searchable text fields, in the order of their default boosts.
pub const TEXT_FIELDS: &[&str] =
    &[name::TITLE, name::ALT_NAMES, name::HEADINGS, name::SUMMARY, name::BODY, name::CITATIONS];

fn analyzed() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Builds the schema.
pub fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field(name::ID, STRING | STORED);
    b.add_text_field(name::URL, STRING | STORED);
    b.add_text_field(name::ORIGIN, STRING);
    for f in TEXT_FIELDS {
        b.add_text_field(f, analyzed());
    }
    b.add_text_field(
        name::ANY_TEXT,
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqs),
        ),
    );
    b.add_text_field(name::CATEGORY, STRING | FAST);
    b.add_text_field(name::SITE, STRING | FAST);
    b.add_date_field(name::REVIEWED, DateOptions::default().set_indexed().set_fast());
    b.add_text_field(name::DOC, STORED);
    b.add_text_field(name::FEEDBACK, STORED);
    b.add_text_field(name::CITE_KEY, STRING);
    b.add_date_field(name::OLDEST_ACCESS, DateOptions::default().set_indexed().set_fast());
    b.add_text_field(name::OUTLINE, STORED);
    b.add_text_field(name::CONTENT_HASH, STRING | STORED);
    b.add_bytes_field(name::VECTORS, STORED);
    b.add_text_field(name::AUDIENCE, STRING | FAST);
    b.add_text_field(
        name::WORDS,
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(SURFACE).set_index_option(IndexRecordOption::Basic),
        ),
    );
    b.build()
}

impl Fields {
    /// The fields holding an article's own words (title, other names, headings, summary, body):
    /// where a word counts as found, for matching and spelling.
    pub fn texts(&self) -> [Field; 5] {
        [self.title, self.alt_names, self.headings, self.summary, self.body]
    }

    /// Looks every field up in `schema`; fails if the schema is not ours.
    pub fn new(schema: &Schema) -> Result<Fields, IndexError> {
        let f = |n: &str| schema.get_field(n).map_err(|_| IndexError::SchemaMismatch(format!("field {n} missing")));
        Ok(Fields {
            id: f(name::ID)?,
            url: f(name::URL)?,
            origin: f(name::ORIGIN)?,
            title: f(name::TITLE)?,
            alt_names: f(name::ALT_NAMES)?,
            headings: f(name::HEADINGS)?,
            summary: f(name::SUMMARY)?,
            body: f(name::BODY)?,
            citations: f(name::CITATIONS)?,
            any_text: f(name::ANY_TEXT)?,
            category: f(name::CATEGORY)?,
            site: f(name::SITE)?,
            reviewed: f(name::REVIEWED)?,
            doc: f(name::DOC)?,
            feedback: f(name::FEEDBACK)?,
            cite_key: f(name::CITE_KEY)?,
            oldest_access: f(name::OLDEST_ACCESS)?,
            outline: f(name::OUTLINE)?,
            content_hash: f(name::CONTENT_HASH)?,
            vectors: f(name::VECTORS)?,
            audience: f(name::AUDIENCE)?,
            words: f(name::WORDS)?,
        })
    }
}
