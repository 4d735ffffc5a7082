//! Writing articles: one document per article id (for pages, per canonical URL), one commit per run.

use super::schema::Fields;
use crate::article::Article;
use crate::cite_keys::{accessed_date, citation_keys};
use crate::index::{HealthIndex, IndexError};
use crate::ingest::store::{EmbedBatches, Serialized, Waiting};
use crate::semantic::vectors;
use chrono::NaiveDate;
use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};
use tantivy::indexer::NoMergePolicy;
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument, Term};

/// Memory the writer may use across its threads.
const WRITER_MEMORY: usize = 128 * 1024 * 1024;
/// Memory of a writer that adds no documents, only merges or cleans up (Tantivy's least).
const MERGER_MEMORY: usize = 20 * 1024 * 1024;
/// A run that writes at least this share of the index's articles (a bulk load) is followed by a
/// merge of every segment into one.
const BULK_SHARE: usize = 4;
/// More segments than this are merged into one after any run.
const MAX_SEGMENTS: usize = 8;

/// A write session. Nothing is visible to searchers until [`ArticleWriter::commit`]; dropping it
/// without committing leaves the index as it was.
pub struct ArticleWriter {
    writer: IndexWriter,
    fields: Fields,
    added: usize,
    /// With a model (the index's articles carry passage vectors), articles wait here to be
    /// embedded in batches, and are added (in order) once they are.
    batches: EmbedBatches,
}

impl ArticleWriter {
    /// Starts a write session (takes the index's single writer lock).
    pub fn new(index: &HealthIndex) -> Result<ArticleWriter, IndexError> {
        Ok(Self::wrap(index, index.index.writer(WRITER_MEMORY)?))
    }

    /// A write session with one indexing thread: documents keep the order they were added in,
    /// so scores that tie rank the same way on every run (for evaluation).
    pub fn deterministic(index: &HealthIndex) -> Result<ArticleWriter, IndexError> {
        Ok(Self::wrap(index, index.index.writer_with_num_threads(1, WRITER_MEMORY)?))
    }

    fn wrap(index: &HealthIndex, writer: IndexWriter) -> ArticleWriter {
        ArticleWriter { writer, fields: index.fields, added: 0, batches: EmbedBatches::new(index.embedder().cloned()) }
    }

    /// An article in its stored form, with the hash a re-ingest compares: it also names the
    /// model when this session embeds, so turning the model on or off rewrites every article.
    pub fn serialize(&self, a: &Article) -> Result<Serialized, IndexError> {
        Serialized::of(a, self.batches.model()).map_err(|e| IndexError::Corrupt(e.to_string()))
    }

    /// Adds an article (with its stored form), replacing any stored under the same id (for
    /// pages, the same canonical URL).
    pub fn upsert(&mut self, article: &Article, stored: Serialized, origin: &str) -> Result<(), IndexError> {
        self.delete(&article.id);
        if !self.batches.embeds() {
            self.writer.add_document(to_document(&self.fields, article, stored, origin, None))?;
            self.added += 1;
            return Ok(());
        }
        if self.batches.hold(Waiting { article: article.clone(), stored, origin: origin.to_string() }) {
            self.flush()?;
        }
        Ok(())
    }

    /// Embeds the waiting articles and adds them.
    fn flush(&mut self) -> Result<(), IndexError> {
        for (w, codes) in self.batches.take().map_err(|e| IndexError::Embedding(e.to_string()))? {
            let bytes = vectors::encode(&codes);
            self.writer.add_document(to_document(&self.fields, &w.article, w.stored, &w.origin, Some(&bytes)))?;
            self.added += 1;
        }
        Ok(())
    }

    /// Deletes the article with this id, if there is one.
    pub fn delete(&mut self, id: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields.id, id));
    }

    /// Makes everything written in this session visible at once. Returns how many articles it
    /// wrote and how many texts it embedded. After a bulk load (or when segments have piled up) every segment is then merged into
    /// one: a query looks each term up, and starts its top-k threshold from zero, once per
    /// segment, so one segment answers about twice as fast as four. A failed merge leaves the
    /// commit as it was (it is logged, not returned).
    pub fn commit(mut self) -> Result<(usize, usize), IndexError> {
        self.flush()?;
        self.writer.commit()?;
        let index = self.writer.index().clone();
        self.writer.wait_merging_threads()?;
        let metas = index.searchable_segment_metas()?;
        let docs: usize = metas.iter().map(|m| m.num_docs() as usize).sum();
        if metas.len() > 1 && (self.added * BULK_SHARE >= docs || metas.len() > MAX_SEGMENTS) {
            let started = Instant::now();
            match compact(&index) {
                Ok(n) => {
                    tracing::info!(segments = n, secs = started.elapsed().as_secs_f64(), "merged into one segment")
                }
                Err(e) => tracing::warn!(error = %e, "segments could not be merged; the commit stands"),
            }
        }
        Ok((self.added, self.batches.embedded))
    }
}

/// Merges every segment of the index into one, purging deleted documents. Returns how many
/// segments there were. Searchers see the merged segment once it is complete; a merge that
/// fails or is killed leaves the index as it was.
pub fn compact(index: &Index) -> Result<usize, IndexError> {
    let ids = index.searchable_segment_ids()?;
    if ids.len() < 2 {
        return Ok(ids.len());
    }
    let mut writer = small_writer(index)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let merged = writer.merge(&ids).wait();
    let finished = writer.wait_merging_threads();
    if merged.is_err() || finished.is_err() {
        collect_garbage(index);
    }
    merged?;
    finished?;
    Ok(ids.len())
}

/// A writer that adds nothing (one thread, Tantivy's least memory): for merging and cleaning up,
/// and for holding the writer lock.
fn small_writer(index: &Index) -> tantivy::Result<IndexWriter> {
    index.writer_with_num_threads(1, MERGER_MEMORY)
}

/// Removes the files the last commit does not use: what a failed write or merge left, and
/// merged segments once no searcher of this process holds them (after a reload). Skipped when
/// another writer holds the lock.
pub fn collect_garbage(index: &Index) {
    if let Ok(writer) = small_writer(index) {
        collect_with(&writer);
    }
}

fn collect_with(writer: &IndexWriter) {
    if let Err(e) = writer.garbage_collect_files().wait() {
        tracing::warn!(error = %e, "files of the failed write could not be removed");
    }
}

/// How long a cleanup waits for a failed writer's lock to be released.
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// The writer lock, waiting up to [`LOCK_WAIT`] for a failed writer to let it go.
fn wait_for_lock(index: &Index) -> Option<IndexWriter> {
    let started = Instant::now();
    loop {
        match small_writer(index) {
            Ok(writer) => return Some(writer),
            Err(_) if started.elapsed() < LOCK_WAIT => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                tracing::warn!(error = %e, "files of the failed write could not be checked");
                return None;
            }
        }
    }
}

/// Removes the segment files in `dir` that the last commit does not list: a failed run's
/// segments. Tantivy's own collection keeps every segment still tracked in memory, and a failed
/// writer's threads can hold theirs for a moment after it is dropped. The caller holds the writer
/// lock, so no other writer is adding segments.
fn remove_uncommitted(index: &Index, dir: &Path) {
    let (Ok(metas), Ok(entries)) = (index.load_metas(), std::fs::read_dir(dir)) else { return };
    let live: HashSet<String> = metas.segments.iter().map(|m| m.id().uuid_string()).collect();
    for name in entries.filter_map(|e| e.ok()?.file_name().into_string().ok()) {
        let Some((stem, _)) = name.split_once('.') else { continue };
        let segment_file = stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit());
        if segment_file
            && !live.contains(stem)
            && let Err(e) = std::fs::remove_file(dir.join(&name))
        {
            tracing::warn!(error = %e, file = name, "a file of the failed write could not be removed");
        }
    }
}

/// Below this much free space, a failed write is put down to a full disk.
const LOW_SPACE: u64 = 64 * 1024 * 1024;

/// After a write session failed (its writer dropped): removes the files it left that no commit
/// uses, and names a full disk when that is why, since Tantivy's worker threads report only that
/// they failed. The last commit is untouched either way.
pub fn after_failure(index: &HealthIndex, error: IndexError) -> IndexError {
    if let Some(writer) = wait_for_lock(&index.index) {
        collect_with(&writer);
        remove_uncommitted(&index.index, index.dir());
    }
    match (&error, fs4::available_space(index.dir())) {
        (IndexError::Tantivy(_) | IndexError::Io(_), Ok(free)) if free < LOW_SPACE => IndexError::Unwritable(format!(
            "the disk is full or nearly ({} KiB free in {}); nothing was changed",
            free / 1024,
            index.dir().display()
        )),
        _ => error,
    }
}

/// The Tantivy document for an article.
pub fn to_document(
    f: &Fields,
    a: &Article,
    stored: Serialized,
    origin: &str,
    vectors: Option<&[u8]>,
) -> TantivyDocument {
    // Joined once: the topic fields, the combined field, the outline and feedback words all use them.
    let (headings, body) = (a.headings(), a.body());
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &a.id);
    doc.add_text(f.url, &a.url);
    doc.add_text(f.origin, origin);
    doc.add_text(f.title, &a.title);
    for n in &a.alt_names {
        doc.add_text(f.alt_names, n);
    }
    doc.add_text(f.headings, &headings);
    doc.add_text(f.summary, &a.summary);
    doc.add_text(f.body, &body);
    for c in &a.citations {
        doc.add_text(f.citations, &c.raw);
    }
    doc.add_text(f.any_text, &a.title);
    for n in &a.alt_names {
        doc.add_text(f.any_text, n);
    }
    doc.add_text(f.any_text, &headings);
    doc.add_text(f.any_text, &body);
    for c in &a.categories {
        doc.add_text(f.category, c);
    }
    if !a.site.is_empty() {
        doc.add_text(f.site, &a.site);
    }
    for who in &a.audience {
        doc.add_text(f.audience, who.name());
    }
    for text in
        [a.title.as_str(), &headings, &a.summary, &body].into_iter().chain(a.alt_names.iter().map(String::as_str))
    {
        doc.add_text(f.words, text);
    }
    if let Some(d) = a.reviewed {
        doc.add_date(f.reviewed, date_value(d));
    }
    for key in a.citations.iter().flat_map(citation_keys) {
        doc.add_text(f.cite_key, key);
    }
    if let Some(oldest) = a.citations.iter().filter_map(accessed_date).min() {
        doc.add_date(f.oldest_access, date_value(oldest));
    }
    doc.add_text(f.outline, format!("{}\n{headings}", a.title));
    doc.add_text(f.content_hash, stored.hash);
    doc.add_text(f.doc, stored.json);
    doc.add_text(f.feedback, crate::index::ranking::feedback::document_terms(&a.title, &body));
    if let Some(v) = vectors {
        doc.add_bytes(f.vectors, v);
    }
    doc
}

/// The days an index date can hold: tantivy keeps nanoseconds since 1970 in an `i64`, from
/// 1677-09-21 00:12:43 to 2262-04-11 23:47:16 UTC, so these are the days whose midnight fits.
pub const DAYS: std::ops::RangeInclusive<NaiveDate> = FIRST_DAY..=LAST_DAY;
const FIRST_DAY: NaiveDate = day(1677, 9, 22);
const LAST_DAY: NaiveDate = day(2262, 4, 11);

const fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => NaiveDate::MIN,
    }
}

/// A calendar day as an index date (midnight UTC); days outside [`DAYS`] (refused from clients)
/// are held at its ends rather than overflowing.
pub fn date_value(d: NaiveDate) -> DateTime {
    let secs = d.clamp(FIRST_DAY, LAST_DAY).and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp());
    DateTime::from_timestamp_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_days_are_exactly_those_whose_midnight_fits_in_nanoseconds() {
        let fits = |d: Option<NaiveDate>| {
            d.and_then(|d| d.and_hms_opt(0, 0, 0)).and_then(|t| t.and_utc().timestamp().checked_mul(1_000_000_000))
        };
        assert!(fits(Some(FIRST_DAY)).is_some() && fits(Some(LAST_DAY)).is_some());
        assert!(fits(FIRST_DAY.pred_opt()).is_none() && fits(LAST_DAY.succ_opt()).is_none());
        let far = NaiveDate::from_ymd_opt(9999, 1, 1).unwrap_or(NaiveDate::MAX);
        assert_eq!(date_value(far), date_value(LAST_DAY), "held at the end, not overflowing");
    }
}
