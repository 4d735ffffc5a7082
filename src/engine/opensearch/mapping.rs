//! The index template, generated from our schema's field names: the text fields hold the tokens
//! of our own English analysis ([`crate::analysis`]) and OpenSearch splits them on spaces, so
//! both engines index exactly the same terms; keywords for ids, filters and facets; dates; and
//! the stored article, which snippets and passages are cut from.

use crate::index::storage::schema::{TEXT_FIELDS, name};
use serde_json::{Map, Value, json};

/// How a field is mapped.
#[derive(Clone, Copy)]
enum Kind {
    /// Our analyzed tokens, with positions (phrases, proximity) and BM25.
    Tokens,
    /// Our folded words, for spelling: document counts only.
    Words,
    /// An exact value: ids, filters, facets.
    Keyword,
    /// A calendar day.
    Day,
    /// Kept in `_source` for display, not searchable.
    Stored,
    /// Passage vectors ([`crate::semantic::vectors`] records, base64 in JSON), read by the
    /// meaning script from doc values.
    Vectors,
}

/// Fields beside the searchable text ones ([`TEXT_FIELDS`]).
const OTHER_FIELDS: &[(&str, Kind)] = &[
    (name::ID, Kind::Keyword),
    (name::URL, Kind::Keyword),
    (name::ORIGIN, Kind::Keyword),
    (name::CONTENT_HASH, Kind::Keyword),
    (name::CATEGORY, Kind::Keyword),
    (name::SITE, Kind::Keyword),
    (name::AUDIENCE, Kind::Keyword),
    (name::CITE_KEY, Kind::Keyword),
    (name::REVIEWED, Kind::Day),
    (name::OLDEST_ACCESS, Kind::Day),
    (name::WORDS, Kind::Words),
    (name::DOC, Kind::Stored),
    (name::FEEDBACK, Kind::Stored),
    (name::OUTLINE, Kind::Stored),
    (SITE_NAME, Kind::Stored),
    (REVIEW_DUE, Kind::Day),
    (name::VECTORS, Kind::Vectors),
];

/// Bumped whenever fields or their mapping change: a live version of another schema is not
/// cloned, a run rewrites everything into a new one.
pub const SCHEMA: u32 = 2;

/// The site's own name, kept for labelling the site facet.
pub const SITE_NAME: &str = "site_name";

/// The older of the review date and the oldest citation access: editors' review order.
pub const REVIEW_DUE: &str = "review_due";

/// The day format dates are written in.
pub const DAY_FORMAT: &str = "yyyy-MM-dd";

fn field(kind: Kind) -> Value {
    match kind {
        Kind::Tokens => json!({"type": "text", "analyzer": "whitespace"}),
        Kind::Words => json!({"type": "text", "analyzer": "whitespace", "index_options": "docs", "norms": false}),
        Kind::Keyword => json!({"type": "keyword"}),
        Kind::Day => json!({"type": "date", "format": DAY_FORMAT}),
        Kind::Stored => json!({"type": "text", "index": false}),
        Kind::Vectors => json!({"type": "binary", "doc_values": true}),
    }
}

/// Shards and replicas of a new index.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub shards: u32,
    pub replicas: u32,
}

impl Default for Layout {
    /// One shard (a publisher's library fits one; more spread a larger corpus over more nodes)
    /// and one replica, so losing a node loses no data.
    fn default() -> Self {
        Layout { shards: 1, replicas: 1 }
    }
}

/// The index template for indexes named `{prefix}-*`.
pub fn template(prefix: &str, layout: Layout) -> Value {
    let mut properties = Map::new();
    for f in TEXT_FIELDS {
        properties.insert(f.to_string(), field(Kind::Tokens));
    }
    for &(f, kind) in OTHER_FIELDS {
        properties.insert(f.to_string(), field(kind));
    }
    // The token fields are rebuilt from the stored article, so `_source` need not repeat them.
    let tokens: Vec<&str> = TEXT_FIELDS.iter().copied().chain([name::WORDS]).collect();
    json!({
        "index_patterns": [format!("{prefix}-*")],
        "template": {
            "settings": {
                "number_of_shards": layout.shards,
                "number_of_replicas": layout.replicas,
            },
            "mappings": {
                "_meta": {"healthsearch_schema": SCHEMA},
                "dynamic": "strict",
                "_source": {"excludes": tokens},
                "properties": properties,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_field_holds_tokens_and_facets_are_keywords() {
        let t = template("hs", Layout::default());
        let props = &t["template"]["mappings"]["properties"];
        for f in TEXT_FIELDS {
            assert_eq!(props[*f]["analyzer"], "whitespace", "{f}");
        }
        for f in [name::SITE, name::CATEGORY, name::AUDIENCE] {
            assert_eq!(props[f]["type"], "keyword");
        }
        assert_eq!(t["index_patterns"][0], "hs-*");
    }
}
