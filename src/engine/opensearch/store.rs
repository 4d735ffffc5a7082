//! Ingest into OpenSearch as one commit: a run writes a new versioned index (a clone of the live
//! one, so unchanged articles cost nothing), in bulk with retries on overload, then moves the
//! alias to it in one atomic step and drops the old one. Searches see the old index or the new
//! one, never half of a run; a run that fails leaves the live index as it was, and a run that
//! changes nothing makes no version at all.

use super::cluster::OpenSearch;
use super::document::document;
use super::error::OsError;
use super::mapping::SCHEMA;
use crate::article::Article;
use crate::index::IndexError;
use crate::index::storage::schema::name;
use crate::ingest::store::{EmbedBatches, Waiting};
use crate::ingest::{Committed, IngestError, Serialized, Store};
use crate::semantic::{Code, Embedder};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Documents sent in one bulk request.
const BULK_DOCS: usize = 500;
/// Bytes after which a bulk request is sent early.
const BULK_BYTES: usize = 8 << 20;
/// Retries of the documents a bulk request was refused for overload (429, 503).
const BULK_RETRIES: u32 = 6;
/// Documents read per page when listing an origin's articles.
const PAGE: usize = 5_000;

/// A run's write session on a new index version.
pub struct OsStore<'a> {
    os: &'a OpenSearch,
    /// The version this run writes.
    target: String,
    /// The live version when the run began (write-blocked until the run ends).
    live: Option<String>,
    /// Bulk lines waiting to be sent, and how many documents they hold.
    batch: Vec<u8>,
    pending: usize,
    state_dir: PathBuf,
    committed: bool,
    /// Whether the new version starts as a copy of the live one.
    clone: bool,
    /// Whether the new version exists yet (it is made at the run's first write).
    created: bool,
    /// With a model, articles wait here to be embedded in batches (meaning on the cluster).
    batches: EmbedBatches,
}

impl<'a> OsStore<'a> {
    /// Starts a run: a new version, cloned from the live one when there is one, so articles of
    /// other sources and unchanged ones carry over.
    pub fn begin(os: &'a OpenSearch, state_dir: &Path) -> Result<OsStore<'a>, OsError> {
        Self::start(os, state_dir, true)
    }

    /// Embeds each written article's passages with `embedder` (meaning on the cluster). The
    /// stored hash names the model, so turning it on or off rewrites every article.
    pub fn with_embedder(mut self, embedder: Option<Arc<Embedder>>) -> OsStore<'a> {
        self.batches = EmbedBatches::new(embedder);
        self
    }

    /// Starts a run into an empty version: after the swap, the alias holds only this run's
    /// articles (a rebuild).
    pub fn rebuild(os: &'a OpenSearch, state_dir: &Path) -> Result<OsStore<'a>, OsError> {
        Self::start(os, state_dir, false)
    }

    fn start(os: &'a OpenSearch, state_dir: &Path, clone: bool) -> Result<OsStore<'a>, OsError> {
        os.put_template()?;
        let live = os.live_index()?;
        let clone = clone && live.as_deref().is_some_and(|l| same_schema(os, l));
        let target = new_version(&os.prefix, live.as_deref());
        let mut store = OsStore {
            os,
            target,
            live,
            batch: Vec::new(),
            pending: 0,
            state_dir: state_dir.to_path_buf(),
            committed: false,
            clone,
            created: false,
            batches: EmbedBatches::new(None),
        };
        if !store.clone {
            // A rebuild starts from nothing: even a run that writes nothing replaces the live one.
            store.ensure()?;
        }
        Ok(store)
    }

    /// Makes the new version, once.
    fn ensure(&mut self) -> Result<(), OsError> {
        if !self.created {
            self.create()?;
            self.created = true;
        }
        Ok(())
    }

    fn create(&mut self) -> Result<(), OsError> {
        let c = &self.os.client;
        let replicas = self.replicas()?;
        // Refreshing while a run writes only costs: nobody searches this version yet.
        let settings = json!({"index.number_of_replicas": replicas, "index.refresh_interval": "-1"});
        match self.live.as_ref().filter(|_| self.clone) {
            Some(live) => {
                c.call::<Value>(Method::PUT, &format!("{live}/_settings"), Some(&json!({"index.blocks.write": true})))?;
                let body = json!({"settings": {"index.blocks.write": false, "index.number_of_replicas": replicas}});
                c.call::<Value>(Method::POST, &format!("{live}/_clone/{}", self.target), Some(&body))?;
                c.call::<Value>(
                    Method::PUT,
                    &format!("{}/_settings", self.target),
                    Some(&json!({"index.refresh_interval": "-1"})),
                )?;
            }
            None => {
                c.call::<Value>(Method::PUT, &self.target, Some(&json!({ "settings": settings })))?;
            }
        }
        Ok(())
    }

    /// Replicas for a new version: as configured, but no more than the other data nodes can hold,
    /// so a one-node cluster is green.
    fn replicas(&self) -> Result<u32, OsError> {
        let nodes = self.os.health()?.number_of_data_nodes;
        Ok(self.os.layout.replicas.min(nodes.saturating_sub(1)))
    }

    fn push(&mut self, action: Value, doc: Option<&Value>) -> Result<(), OsError> {
        self.ensure()?;
        for line in std::iter::once(&action).chain(doc) {
            serde_json::to_writer(&mut self.batch, line).map_err(|e| OsError::Config(e.to_string()))?;
            self.batch.push(b'\n');
        }
        self.pending += 1;
        if self.pending >= BULK_DOCS || self.batch.len() >= BULK_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Embeds the articles waiting for the model and queues their documents.
    fn embed_waiting(&mut self) -> Result<(), IngestError> {
        for (w, codes) in self.batches.take().map_err(|e| IndexError::Embedding(e.to_string()))? {
            self.put(&w.article, &w.stored, &w.origin, Some(&codes))?;
        }
        Ok(())
    }

    fn put(&mut self, a: &Article, stored: &Serialized, origin: &str, codes: Option<&[Code]>) -> Result<(), OsError> {
        let action = json!({"index": {"_index": self.target, "_id": a.id}});
        self.push(action, Some(&document(a, stored, origin, codes)))
    }

    /// Sends the waiting documents; those refused for overload are sent again after a pause.
    fn flush(&mut self) -> Result<(), OsError> {
        let mut lines = std::mem::take(&mut self.batch);
        self.pending = 0;
        let mut pause = Duration::from_millis(100);
        for attempt in 0..=BULK_RETRIES {
            if lines.is_empty() {
                return Ok(());
            }
            let body = Some((lines.clone(), "application/x-ndjson"));
            let answer = self.os.client.send_bytes(Method::POST, "_bulk", body)?;
            if !(200..300).contains(&answer.status) {
                return Err(super::client::refused("a bulk write", &answer));
            }
            let (retry, failed) = refused_items(&lines, &answer.body);
            if let Some((count, first)) = failed {
                return Err(OsError::Bulk { failed: count, first });
            }
            lines = retry;
            if !lines.is_empty() && attempt < BULK_RETRIES {
                std::thread::sleep(pause);
                pause *= 2;
            }
        }
        let left = lines.iter().filter(|&&b| b == b'\n').count() / 2;
        Err(OsError::Bulk { failed: left.max(1), first: "the cluster stayed overloaded".into() })
    }

    /// Puts the live version back as it was (the run failed or was dropped).
    fn abandon(&mut self) {
        let c = &self.os.client;
        if let Err(e) = c.send(Method::DELETE, &self.target, None) {
            tracing::warn!(index = %self.target, error = %e, "the abandoned version could not be deleted");
        }
        if let Some(live) = &self.live {
            let unblock = json!({"index.blocks.write": null});
            if let Err(e) = c.send(Method::PUT, &format!("{live}/_settings"), Some(&unblock)) {
                tracing::warn!(index = %live, error = %e, "the live version is still write-blocked");
            }
        }
    }

    fn finish(&mut self) -> Result<u64, OsError> {
        if !self.created {
            // Nothing changed: the live version stays.
            self.committed = true;
            return self.os.count();
        }
        self.flush()?;
        let c = &self.os.client;
        let t = &self.target;
        c.call::<Value>(Method::PUT, &format!("{t}/_settings"), Some(&json!({"index.refresh_interval": null})))?;
        c.call::<Value>(Method::POST, &format!("{t}/_refresh"), None)?;
        let health = format!("_cluster/health/{t}?wait_for_status=green&timeout=60s");
        let h: Value = c.call(Method::GET, &health, None)?;
        if h["timed_out"].as_bool() == Some(true) {
            return Err(OsError::Unexpected { what: format!("version {t}"), reason: "not green after 60 s".into() });
        }
        let count: Value = c.call(Method::GET, &format!("{t}/_count"), None)?;
        let mut actions = vec![json!({"add": {"index": t, "alias": self.os.prefix}})];
        if let Some(live) = &self.live {
            actions.push(json!({"remove": {"index": live, "alias": self.os.prefix}}));
        }
        c.call::<Value>(Method::POST, "_aliases", Some(&json!({ "actions": actions })))?;
        self.committed = true;
        if let Some(live) = &self.live
            && let Err(e) = c.call::<Value>(Method::DELETE, live, None)
        {
            tracing::warn!(index = %live, error = %e, "the previous version could not be deleted");
        }
        Ok(count["count"].as_u64().unwrap_or(0))
    }
}

impl Drop for OsStore<'_> {
    fn drop(&mut self) {
        if !self.committed && self.created {
            self.abandon();
        }
    }
}

impl Store for OsStore<'_> {
    fn previous(&self, origin: &str) -> Result<HashMap<String, String>, IngestError> {
        // A rebuild rewrites every article; otherwise the new version is the live one so far.
        match self.live.as_ref().filter(|_| self.clone) {
            Some(live) => Ok(origin_articles(self.os, live, origin)?),
            None => Ok(HashMap::new()),
        }
    }

    fn serialize(&self, a: &Article) -> Result<Serialized, IngestError> {
        Serialized::of(a, self.batches.model()).map_err(|e| IngestError::Index(IndexError::Corrupt(e.to_string())))
    }

    fn upsert(&mut self, a: &Article, stored: Serialized, origin: &str) -> Result<(), IngestError> {
        if !self.batches.embeds() {
            return Ok(self.put(a, &stored, origin, None)?);
        }
        if self.batches.hold(Waiting { article: a.clone(), stored, origin: origin.to_string() }) {
            self.embed_waiting()?;
        }
        Ok(())
    }

    fn delete(&mut self, id: &str) -> Result<(), IngestError> {
        Ok(self.push(json!({"delete": {"_index": self.target, "_id": id}}), None)?)
    }

    fn commit(mut self) -> Result<Committed, IngestError> {
        self.embed_waiting()?;
        let total = self.finish()?;
        Ok(Committed { embedded: self.batches.embedded, total_articles: total })
    }

    fn state_dir(&self) -> &Path {
        &self.state_dir
    }
}

/// Whether `index` was made with this build's schema (else it is rebuilt, not cloned).
fn same_schema(os: &OpenSearch, index: &str) -> bool {
    let mapping: Result<Value, OsError> = os.client.call(Method::GET, &format!("{index}/_mapping"), None);
    let schema = mapping.ok().and_then(|m| m[index]["mappings"]["_meta"]["healthsearch_schema"].as_u64());
    if schema != Some(u64::from(SCHEMA)) {
        tracing::warn!(index, ?schema, current = SCHEMA, "the live version has another schema; this run rebuilds it");
        return false;
    }
    true
}

/// A version name newer than `live`'s: the prefix and the time in milliseconds.
fn new_version(prefix: &str, live: Option<&str>) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let after = live.and_then(|l| l.rsplit('-').next()).and_then(|n| n.parse::<u128>().ok()).map_or(0, |n| n + 1);
    // Zero-padded, so names sort as their numbers do.
    format!("{prefix}-{:016}", now.max(after))
}

/// The bulk lines to send again (refused for overload) and, if some were refused for good, how
/// many and the first reason.
fn refused_items(lines: &[u8], answer: &Value) -> (Vec<u8>, Option<(usize, String)>) {
    let mut retry = Vec::new();
    let (mut failed, mut first) = (0, None);
    if answer["errors"].as_bool() != Some(true) {
        return (retry, None);
    }
    let items = answer["items"].as_array().cloned().unwrap_or_default();
    let mut lines = lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()).peekable();
    for item in items {
        let Some(action) = lines.next() else { break };
        let op = item.as_object().and_then(|o| o.values().next()).cloned().unwrap_or_default();
        let is_delete = item.get("delete").is_some();
        let doc = if is_delete { None } else { lines.next() };
        let status = op["status"].as_u64().unwrap_or(0);
        match status {
            200..=299 => {}
            // A delete of an article already gone is what was wanted.
            404 if is_delete => {}
            429 | 503 => {
                for l in std::iter::once(action).chain(doc) {
                    retry.extend_from_slice(l);
                    retry.push(b'\n');
                }
            }
            _ => {
                failed += 1;
                first.get_or_insert_with(|| op["error"]["reason"].as_str().unwrap_or("refused").to_string());
            }
        }
    }
    (retry, first.map(|f| (failed, f)))
}

/// The articles `origin` wrote into `index`: id to content hash.
fn origin_articles(os: &OpenSearch, index: &str, origin: &str) -> Result<HashMap<String, String>, OsError> {
    let mut out = HashMap::new();
    let mut after: Option<Value> = None;
    loop {
        let mut body = json!({
            "size": PAGE,
            "query": {"term": {name::ORIGIN: origin}},
            "_source": false,
            "docvalue_fields": [name::ID, name::CONTENT_HASH],
            "sort": [{name::ID: "asc"}],
        });
        if let Some(a) = &after {
            body["search_after"] = a.clone();
        }
        let page: Value = os.client.call(Method::POST, &format!("{index}/_search"), Some(&body))?;
        let hits = page["hits"]["hits"].as_array().cloned().unwrap_or_default();
        for h in &hits {
            let field = |f: &str| h["fields"][f][0].as_str().map(String::from);
            if let (Some(id), Some(hash)) = (field(name::ID), field(name::CONTENT_HASH)) {
                out.insert(id, hash);
            }
        }
        match hits.last() {
            Some(last) if hits.len() == PAGE => after = Some(last["sort"].clone()),
            _ => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overloaded_items_are_sent_again_and_missing_deletes_are_fine() {
        let lines = b"{\"index\":{\"_id\":\"a\"}}\n{\"x\":1}\n{\"delete\":{\"_id\":\"b\"}}\n{\"index\":{\"_id\":\"c\"}}\n{\"x\":2}\n";
        let answer = json!({"errors": true, "items": [
            {"index": {"status": 429}}, {"delete": {"status": 404}}, {"index": {"status": 201}}]});
        let (retry, failed) = refused_items(lines, &answer);
        assert_eq!(String::from_utf8_lossy(&retry), "{\"index\":{\"_id\":\"a\"}}\n{\"x\":1}\n");
        assert!(failed.is_none());
        let bad = json!({"errors": true, "items": [
            {"index": {"status": 400, "error": {"reason": "mapping"}}}, {"delete": {"status": 200}}, {"index": {"status": 201}}]});
        assert_eq!(refused_items(lines, &bad).1, Some((1, "mapping".to_string())));
    }

    #[test]
    fn versions_sort_after_the_live_one() {
        assert!(new_version("hs", Some("hs-0099999999999999")).as_str() > "hs-0099999999999999");
        assert!(new_version("hs", Some("hs-9999999999999998")).as_str() > "hs-9999999999999998");
        assert!(new_version("hs", None).starts_with("hs-"));
    }
}
