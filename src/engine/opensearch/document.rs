//! An article as an OpenSearch document: our analyzed tokens in the text fields (so the terms
//! are ours), keywords and dates for filters, facets and sorting, and the stored article.

use super::mapping::{REVIEW_DUE, SITE_NAME};
use super::meaning::encoded_vectors;
use crate::analysis::{analyze, folded_words};
use crate::article::Article;
use crate::cite_keys::{accessed_date, citation_keys};
use crate::index::ranking::feedback::document_terms;
use crate::index::storage::schema::name;
use crate::ingest::Serialized;
use crate::semantic::Code;
use serde_json::{Map, Value, json};

/// The text as our analysis reads it: its terms, separated by spaces.
pub fn tokens(text: &str) -> String {
    analyze(text).join(" ")
}

/// The text's words, folded but not stemmed, separated by spaces.
fn words(text: &str) -> String {
    folded_words(text).into_iter().map(|(w, _)| w).collect::<Vec<_>>().join(" ")
}

/// The document for an article written by `origin`, with its passage vectors when it was embedded.
pub fn document(a: &Article, stored: &Serialized, origin: &str, vectors: Option<&[Code]>) -> Value {
    let (headings, body) = (a.headings(), a.body());
    let mut d = Map::new();
    let mut put = |k: &str, v: Value| {
        d.insert(k.to_string(), v);
    };
    put(name::ID, json!(a.id));
    put(name::URL, json!(a.url));
    put(name::ORIGIN, json!(origin));
    put(name::CONTENT_HASH, json!(stored.hash));
    put(name::TITLE, json!(tokens(&a.title)));
    put(name::ALT_NAMES, json!(a.alt_names.iter().map(|n| tokens(n)).collect::<Vec<_>>()));
    put(name::HEADINGS, json!(tokens(&headings)));
    put(name::SUMMARY, json!(tokens(&a.summary)));
    put(name::BODY, json!(tokens(&body)));
    put(name::CITATIONS, json!(a.citations.iter().map(|c| tokens(&c.raw)).collect::<Vec<_>>()));
    let texts =
        [a.title.as_str(), &headings, &a.summary, &body].into_iter().chain(a.alt_names.iter().map(String::as_str));
    put(name::WORDS, json!(texts.map(words).collect::<Vec<_>>()));
    put(name::CATEGORY, json!(a.categories));
    if !a.site.is_empty() {
        put(name::SITE, json!(a.site));
    }
    put(name::AUDIENCE, json!(a.audience.iter().map(|w| w.name()).collect::<Vec<_>>()));
    put(name::CITE_KEY, json!(a.citations.iter().flat_map(citation_keys).collect::<Vec<_>>()));
    if let Some(d) = a.reviewed {
        put(name::REVIEWED, json!(d.to_string()));
    }
    let oldest = a.citations.iter().filter_map(accessed_date).min();
    if let Some(oldest) = oldest {
        put(name::OLDEST_ACCESS, json!(oldest.to_string()));
    }
    if let Some(due) = [a.reviewed, oldest].into_iter().flatten().min() {
        put(REVIEW_DUE, json!(due.to_string()));
    }
    put(name::DOC, json!(stored.json));
    put(name::FEEDBACK, json!(document_terms(&a.title, &body)));
    put(name::OUTLINE, json!(format!("{}\n{headings}", a.title)));
    if let Some(site_name) = &a.site_name {
        put(SITE_NAME, json!(site_name));
    }
    if let Some(codes) = vectors.filter(|c| !c.is_empty()) {
        put(name::VECTORS, json!(encoded_vectors(codes)));
    }
    Value::Object(d)
}
