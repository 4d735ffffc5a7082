//! `--engine tantivy|opensearch` and where the cluster is, shared by `ingest`, `serve` and `eval`,
//! resolved into the engine a command runs on.

use clap::{Args, ValueEnum};
use healthsearch::engine::opensearch::{DEFAULT_PREFIX, OpenSearch};

/// Which engine stores and ranks the articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum EngineName {
    /// The embedded Tantivy index in `--index` (nothing to install).
    #[default]
    Tantivy,
    /// An OpenSearch 2.x cluster (`--opensearch`).
    Opensearch,
}

/// Arguments choosing the engine.
#[derive(Args, Debug, Clone)]
pub struct EngineArgs {
    /// The engine: the embedded index, or an OpenSearch cluster.
    #[arg(long, value_enum, default_value_t = EngineName::Tantivy, env = "HEALTHSEARCH_ENGINE")]
    pub engine: EngineName,
    /// The cluster's node URLs, comma separated (requests are spread over them and retried on
    /// another when one fails).
    #[arg(long, value_name = "URLS")]
    pub opensearch: Option<String>,
    /// The alias searches read on the cluster; its versions are named PREFIX-<millis>.
    #[arg(long, default_value = DEFAULT_PREFIX, value_name = "PREFIX")]
    pub opensearch_index: String,
    /// Shards of a new version on the cluster.
    #[arg(long, default_value_t = 1)]
    pub opensearch_shards: u32,
    /// Replicas of a new version (at most the other data nodes).
    #[arg(long, default_value_t = 1)]
    pub opensearch_replicas: u32,
}

impl EngineArgs {
    /// The cluster deployment, with `--engine opensearch`; `None` for the embedded engine.
    pub fn opensearch(&self) -> anyhow::Result<Option<OpenSearch>> {
        if self.engine == EngineName::Tantivy {
            if self.opensearch.is_some() {
                anyhow::bail!("--opensearch needs --engine opensearch");
            }
            return Ok(None);
        }
        let Some(urls) = &self.opensearch else {
            anyhow::bail!("--engine opensearch needs --opensearch http://host:9200[,http://host2:9200...]");
        };
        let mut os = OpenSearch::connect(std::slice::from_ref(urls), &self.opensearch_index)?;
        os.layout.shards = self.opensearch_shards.max(1);
        os.layout.replicas = self.opensearch_replicas;
        Ok(Some(os))
    }
}
