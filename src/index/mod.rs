//! Index: schema, analyzer, writer and search over Tantivy.
