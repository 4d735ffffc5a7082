//! Reading a document's stored fields: one text field, or the whole article it was written from.

use crate::article::Article;
use crate::index::{HealthIndex, IndexError};
use tantivy::TantivyDocument;
use tantivy::schema::Value;

/// A stored text field of a document ("" when it has none).
pub fn stored_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> &str {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default()
}

/// The article stored with a document.
pub fn stored_article(index: &HealthIndex, doc: &TantivyDocument) -> Result<Article, IndexError> {
    let json = doc
        .get_first(index.fields.doc)
        .and_then(|v| v.as_str())
        .ok_or_else(|| IndexError::Corrupt("document has no stored article".into()))?;
    serde_json::from_str(json).map_err(|e| IndexError::Corrupt(e.to_string()))
}
