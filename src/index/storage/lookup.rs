//! Looking articles up by id, URL or cited source, outside ranked search.

use super::stored::stored_article;
use crate::article::Article;
use crate::index::{HealthIndex, IndexError};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

/// The stored article with this id.
pub fn article_by_id(index: &HealthIndex, id: &str) -> Result<Option<Article>, IndexError> {
    first_with(index, index.fields.id, id)
}

fn first_with(index: &HealthIndex, field: Field, value: &str) -> Result<Option<Article>, IndexError> {
    match doc_with(&index.searcher(), field, value)? {
        Some(doc) => stored_article(index, &doc).map(Some),
        None => Ok(None),
    }
}

/// The first stored document with `value` in an exact-match field (id, URL).
pub fn doc_with(searcher: &Searcher, field: Field, value: &str) -> Result<Option<TantivyDocument>, IndexError> {
    let q = TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic);
    let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
    let Some((_, addr)) = top.first() else { return Ok(None) };
    Ok(Some(searcher.doc(*addr)?))
}

/// Every article with `value` in an exact-match field, up to `limit`, with the number there are.
pub fn articles_with(
    index: &HealthIndex,
    field: Field,
    value: &str,
    limit: usize,
) -> Result<(Vec<Article>, usize), IndexError> {
    let searcher = index.searcher();
    let q = TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic);
    let (top, total): (Vec<(f32, DocAddress)>, usize) =
        searcher.search(&q, &(TopDocs::with_limit(limit.max(1)).order_by_score(), tantivy::collector::Count))?;
    let mut out = Vec::with_capacity(top.len());
    for (_, addr) in top.into_iter().take(limit) {
        let doc: TantivyDocument = searcher.doc(addr)?;
        out.push(stored_article(index, &doc)?);
    }
    Ok((out, total))
}

/// A page of every article in index order (stable for one index state): `limit` articles from
/// the `offset`-th, and how many there are in all. For listing, not ranking.
pub fn article_page(index: &HealthIndex, offset: usize, limit: usize) -> Result<(Vec<Article>, usize), IndexError> {
    let searcher = index.searcher();
    let total = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let live = searcher.segment_readers().iter().enumerate().flat_map(|(ord, segment)| {
        (0..segment.max_doc()).filter(|&doc| !segment.is_deleted(doc)).map(move |doc| DocAddress::new(ord as u32, doc))
    });
    let mut out = Vec::with_capacity(limit.min(total));
    for addr in live.skip(offset).take(limit) {
        let doc: TantivyDocument = searcher.doc(addr)?;
        out.push(stored_article(index, &doc)?);
    }
    Ok((out, total))
}
