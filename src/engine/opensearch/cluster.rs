//! One healthsearch deployment on a cluster: the client, the alias searches read (`prefix`), the
//! versioned indexes behind it (`prefix-<millis>`), and the template they are made from.

use super::client::Client;
use super::error::OsError;
use super::mapping::{Layout, template};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Retries of a read that some shards failed.
const PARTIAL_RETRIES: u32 = 4;

/// Why an answer is partial: failed shards, or documents a `_mget` could not read.
fn partial(answer: &Value) -> Option<String> {
    let failed = answer["_shards"]["failed"].as_u64().unwrap_or(0);
    if failed > 0 {
        let reason = answer["_shards"]["failures"][0]["reason"]["reason"].as_str().unwrap_or("unknown");
        return Some(format!("{failed} shard(s) failed: {reason}"));
    }
    let doc_error = answer["docs"].as_array().into_iter().flatten().find_map(|d| d.get("error"));
    doc_error.map(|e| format!("a document could not be read: {}", e["reason"].as_str().unwrap_or("unknown")))
}

/// The default alias (and index name prefix).
pub const DEFAULT_PREFIX: &str = "healthsearch";

/// A deployment on a cluster.
pub struct OpenSearch {
    pub client: Client,
    /// The alias searches read; versioned indexes are named `{prefix}-<millis>`.
    pub prefix: String,
    pub layout: Layout,
    /// Whether the last ranked answer came from one shard (then each shard's statistics are the
    /// whole index's, and the extra round of `dfs_query_then_fetch` buys nothing).
    one_shard: AtomicBool,
}

/// The cluster's health, as `/healthz` reports it.
#[derive(Debug, Clone, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct ClusterHealth {
    /// `green`, `yellow` or `red`.
    pub status: String,
    pub number_of_nodes: u32,
    pub number_of_data_nodes: u32,
}

impl OpenSearch {
    /// A deployment reached through the nodes at `urls`.
    pub fn connect(urls: &[String], prefix: &str) -> Result<OpenSearch, OsError> {
        let ok = !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(OsError::Config(format!("{prefix:?} is not an index name (lower-case letters, digits, _)")));
        }
        let client = Client::new(urls)?;
        Ok(OpenSearch {
            client,
            prefix: prefix.to_string(),
            layout: Layout::default(),
            one_shard: AtomicBool::new(false),
        })
    }

    /// The cluster's health.
    pub fn health(&self) -> Result<ClusterHealth, OsError> {
        self.client.call(Method::GET, "_cluster/health", None)
    }

    /// The index the alias points to, if there is one.
    pub fn live_index(&self) -> Result<Option<String>, OsError> {
        let answer = self.client.send(Method::GET, &format!("_alias/{}", self.prefix), None)?;
        match answer.status {
            404 => Ok(None),
            200 => {
                let by_index: HashMap<String, Value> = serde_json::from_value(answer.body)
                    .map_err(|e| OsError::Unexpected { what: "the alias".into(), reason: e.to_string() })?;
                Ok(by_index.into_keys().max())
            }
            _ => Err(super::client::refused("GET the alias", &answer)),
        }
    }

    /// Creates or updates the index template, so new versions get our mapping.
    pub fn put_template(&self) -> Result<(), OsError> {
        let body = template(&self.prefix, self.layout);
        self.client.call::<Value>(Method::PUT, &format!("_index_template/{}", self.prefix), Some(&body))?;
        Ok(())
    }

    /// Runs `endpoint` (`_search`, `_count`, `_mget`, with any query string) on the alias and
    /// returns the answer only when every shard answered: while a node is lost and its shards'
    /// replicas take over, a part of the index may fail for a moment, and a partial answer is
    /// never returned as if whole. Tried again after a pause, a few times.
    pub fn read(&self, endpoint: &str, body: &Value) -> Result<Value, OsError> {
        let path = format!("{}/{endpoint}", self.prefix);
        let mut pause = Duration::from_millis(250);
        let mut attempt = 0;
        loop {
            let answer: Value = self.client.call(Method::POST, &path, Some(body))?;
            match partial(&answer) {
                None => return Ok(answer),
                Some(why) if attempt == PARTIAL_RETRIES => return Err(OsError::Partial(why)),
                Some(_) => {}
            }
            std::thread::sleep(pause);
            pause *= 2;
            attempt += 1;
        }
    }

    /// A ranked search: every shard scores with the whole index's term statistics, as one index
    /// would (`dfs_query_then_fetch`), unless the index has one shard, learnt from the answers.
    pub fn ranked(&self, body: &Value) -> Result<Value, OsError> {
        let endpoint = match self.one_shard.load(Ordering::Relaxed) {
            true => "_search",
            false => "_search?search_type=dfs_query_then_fetch",
        };
        let answer = self.read(endpoint, body)?;
        let one = answer["_shards"]["total"].as_u64() == Some(1);
        self.one_shard.store(one, Ordering::Relaxed);
        Ok(answer)
    }

    /// Articles the alias holds (0 when there is none yet).
    pub fn count(&self) -> Result<u64, OsError> {
        let answer = self.client.send(Method::GET, &format!("{}/_count", self.prefix), None)?;
        match answer.status {
            404 => Ok(0),
            200 => Ok(answer.body["count"].as_u64().unwrap_or(0)),
            _ => Err(super::client::refused("count", &answer)),
        }
    }
}
