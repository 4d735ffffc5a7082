//! Engines beside the embedded Tantivy index ([`crate::index`]): OpenSearch, for users who
//! outgrow one machine. Query understanding ([`crate::query`]), extraction, snippets and passages
//! stay ours; an engine stores articles and ranks a [`crate::query::QueryPlan`].

pub mod opensearch;
