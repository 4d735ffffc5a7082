//! `healthsearch serve`: options, the index to serve, and the runtime.

use anyhow::Context;
use healthsearch::engine::opensearch::OpenSearch;
use healthsearch::index::HealthIndex;
use healthsearch::ingest::{Input, ingest};
use healthsearch::mcp::McpHttp;
use healthsearch::semantic::Embedder;
use healthsearch::server::admin::Admin;
use healthsearch::server::cache::{DEFAULT_CACHE_MIB, ResponseCache};
use healthsearch::server::limits::RateLimit;
use healthsearch::server::listen::{ConnLimits, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS};
use healthsearch::server::state::{AppState, Cors, DEFAULT_SLOW_REQUEST};
use healthsearch::server::workers::Workers;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Options of `healthsearch serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Mirror used to build the index when there is none (or it has another schema version).
    #[arg(long, default_value = "corpus")]
    corpus: PathBuf,
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Extra vocabulary files (HPO .obo, MedQuAD synonym TSV, or our concept TSV).
    #[arg(long)]
    vocab: Vec<PathBuf>,
    /// Override ranking weights, e.g. "recency=0.1,title=1.5" (see the README).
    #[arg(long)]
    boosts: Option<String>,
    /// Browser origins allowed to call the API (repeatable), e.g. https://example.org;
    /// "none" for no cross-origin access. Default: any origin (the API is public and read-only).
    #[arg(long)]
    cors_origin: Vec<String>,
    /// Log as JSON lines (one object per event, request logs included) instead of text. Logs go
    /// to standard error either way.
    #[arg(long)]
    log_json: bool,
    /// Size of the search response cache in MiB (0: no cache). Entries are per content version
    /// (a commit of the embedded index, a new version on a cluster), so a change never serves a
    /// stale answer.
    #[arg(long, default_value_t = DEFAULT_CACHE_MIB)]
    cache_mib: u64,
    /// File holding the admin token (at least 16 characters), which turns on POST /admin/reload
    /// and POST /admin/ingest (re-ingests --corpus) for requests with `Authorization: Bearer`.
    /// The environment variable HEALTHSEARCH_ADMIN_TOKEN works too. Without either, they are off.
    #[arg(long)]
    admin_token_file: Option<PathBuf>,
    /// Requests per second each client address may make to the page, the API and /mcp (0: no limit).
    #[arg(long, default_value_t = 0)]
    rate_limit: u32,
    /// Requests a client may make at once before --rate-limit applies (default: 2x the rate).
    #[arg(long)]
    rate_burst: Option<u32>,
    /// Most client connections held at once. At the cap the longest-idle connection is closed
    /// to admit a new one (logged, and counted in healthsearch_connections_dropped_total). Lowered
    /// at start if the open-file limit (raised to its hard limit first) cannot hold that many.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Seconds a client has to send a whole request head, from connecting or from the first
    /// byte of a later request on a kept-alive connection.
    #[arg(long, default_value_t = DEFAULT_HEADER_TIMEOUT.as_secs_f64())]
    header_timeout_secs: f64,
    /// Seconds a kept-alive connection may wait for its next request, or go without a byte
    /// moving while a request is answered, before it is closed.
    #[arg(long, default_value_t = DEFAULT_IDLE_TIMEOUT.as_secs_f64())]
    idle_timeout_secs: f64,
    /// Requests taking at least this many milliseconds are logged at WARN ("slow request").
    /// Every request is logged at DEBUG (`RUST_LOG=tower_http=debug`).
    #[arg(long, default_value_t = DEFAULT_SLOW_REQUEST.as_millis() as u64)]
    slow_ms: u64,
    /// Searches run at once; more wait their turn, within the search timeout. Default: two per
    /// core for the embedded index (its searches are CPU-bound), 16 per core on a cluster.
    #[arg(long)]
    search_workers: Option<usize>,
    /// Default weight of meaning against words, 0 to 1 (requests may pass `semantic_ratio`).
    #[arg(long)]
    semantic_ratio: Option<f32>,
    /// The search page's notice that it is not medical advice ("" hides it).
    #[arg(long)]
    notice: Option<String>,
    /// The search page's line on urgent symptoms, e.g. your country's emergency number ("" hides it).
    #[arg(long)]
    urgent_notice: Option<String>,
    /// Serve the Model Context Protocol (streamable HTTP) at /mcp, for assistants and agents.
    #[arg(long)]
    mcp: bool,
    /// Token /mcp requires as `Authorization: Bearer` (at least 16 characters); without one,
    /// /mcp is as open as the API.
    #[arg(long, env = "HEALTHSEARCH_MCP_TOKEN", hide_env_values = true)]
    mcp_token: Option<String>,
    #[command(flatten)]
    semantic: super::model::SemanticArgs,
    #[command(flatten)]
    engine: super::engine::EngineArgs,
}

/// What `serve` logs when `RUST_LOG` does not say.
pub const DEFAULT_LOGS: &str = "healthsearch=info,tower_http=info";

impl ServeArgs {
    /// Whether logs are JSON lines.
    pub fn log_json(&self) -> bool {
        self.log_json
    }
}

/// Runs the service until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let mut ranker = super::ranker_with(&args.vocab)?;
    if let Some(spec) = &args.boosts {
        ranker.boosts.apply(spec).map_err(anyhow::Error::msg)?;
    }
    ranker.semantic = args.semantic.ranking(args.semantic_ratio)?;
    let mut state = match args.engine.opensearch()? {
        Some(os) => on_cluster(os)?,
        None => {
            let embedder = ranker.semantic.as_ref().map(|s| s.embedder.clone());
            let mut state = AppState::new(open_or_build(&args.index, &args.corpus, embedder)?);
            state.admin = admin(&args)?.map(Arc::new);
            state
        }
    };
    if let Some(n) = args.search_workers {
        anyhow::ensure!(n > 0, "--search-workers must be at least 1");
        state.workers = Workers::new(n).observed(state.metrics.pool());
    }
    state.cache = (args.cache_mib > 0).then(|| Arc::new(ResponseCache::new(args.cache_mib)));
    state.ranker = Arc::new(ranker);
    state.cors = cors_setting(&args.cors_origin)?;
    state.mcp = mcp(&args)?.map(Arc::new);
    state.slow_request = std::time::Duration::from_millis(args.slow_ms);
    let mut notice = healthsearch::server::page::Notice::default();
    if let Some(text) = &args.notice {
        notice.text = text.clone();
    }
    if let Some(urgent) = &args.urgent_notice {
        notice.urgent = urgent.clone();
    }
    state.notice = Arc::new(notice);
    if let Some(per_second) = NonZeroU32::new(args.rate_limit) {
        let burst = NonZeroU32::new(args.rate_burst.unwrap_or(args.rate_limit.saturating_mul(2)))
            .context("--rate-burst must be at least 1")?;
        state.rate_limit = Some(Arc::new(RateLimit::new(per_second, burst)));
    }
    let limits = ConnLimits {
        max_connections: args.max_connections,
        header_timeout: seconds(args.header_timeout_secs, "--header-timeout-secs")?,
        idle_timeout: seconds(args.idle_timeout_secs, "--idle-timeout-secs")?,
    };
    anyhow::ensure!(limits.max_connections > 0, "--max-connections must be at least 1");
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(healthsearch::server::serve(state, args.addr, limits))?;
    Ok(())
}

/// State for serving from a cluster. A cluster that does not answer yet is logged, not fatal:
/// `/healthz` and every search say `engine_unavailable` until it does.
fn on_cluster(os: OpenSearch) -> anyhow::Result<AppState> {
    match os.health() {
        Ok(h) => {
            tracing::info!(nodes = h.number_of_nodes, status = %h.status, alias = %os.prefix, "OpenSearch cluster")
        }
        Err(e) => tracing::warn!(error = %e, "the OpenSearch cluster does not answer yet"),
    }
    Ok(AppState::on(Arc::new(os)))
}

/// A positive number of seconds from a flag.
fn seconds(secs: f64, flag: &str) -> anyhow::Result<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .with_context(|| format!("{flag} must be a positive number of seconds, not {secs}"))
}

/// Admin access, if a token is configured.
fn admin(args: &ServeArgs) -> anyhow::Result<Option<Admin>> {
    let token = match (&args.admin_token_file, std::env::var("HEALTHSEARCH_ADMIN_TOKEN")) {
        (Some(path), _) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the admin token file {}", path.display()))?,
        (None, Ok(token)) => token,
        (None, Err(_)) => return Ok(None),
    };
    let admin = Admin::new(&token, Input::Mirror(args.corpus.clone())).context("the admin token is refused")?;
    Ok(Some(admin))
}

/// The MCP endpoint, if `--mcp` turns it on.
fn mcp(args: &ServeArgs) -> anyhow::Result<Option<McpHttp>> {
    if !args.mcp {
        if args.mcp_token.is_some() {
            tracing::warn!("an MCP token is set but /mcp is off: start serve with --mcp to serve it");
        }
        return Ok(None);
    }
    let mcp =
        McpHttp::new(args.mcp_token.as_deref(), args.addr.ip().is_loopback()).context("the MCP token is refused")?;
    Ok(Some(mcp))
}

/// Opens the index, building it from the corpus when it is missing or from another schema version.
fn open_or_build(index: &Path, corpus: &Path, embedder: Option<Arc<Embedder>>) -> anyhow::Result<HealthIndex> {
    let new_dir = super::ingest::NewDir::before(index);
    let (idx, created) =
        HealthIndex::open_or_create(index).with_context(|| format!("cannot open the index at {}", index.display()))?;
    let idx = idx.with_embedder(embedder);
    let unembedded = idx.embedder().is_some() && idx.num_docs() > 0 && !has_vectors(&idx)?;
    if unembedded {
        tracing::info!(corpus = %corpus.display(), "the index has no passage vectors: ingesting the corpus again to embed it");
    }
    if created || idx.num_docs() == 0 || unembedded {
        tracing::info!(corpus = %corpus.display(), "building the index from the corpus");
        let report = ingest(&idx, &Input::Mirror(corpus.to_path_buf())).map_err(|e| {
            new_dir.iter().for_each(super::ingest::NewDir::remove);
            anyhow::Error::new(e).context(format!("cannot build the index from {}", corpus.display()))
        })?;
        tracing::info!(
            indexed = report.indexed,
            skipped = report.skipped.len(),
            failed = report.failed.len(),
            "index built"
        );
    }
    Ok(idx)
}

/// Whether any article of the index carries passage vectors.
fn has_vectors(idx: &HealthIndex) -> anyhow::Result<bool> {
    Ok(idx.vector_tables(&idx.searcher())?.iter().any(|t| !t.is_empty()))
}

/// The CORS setting from `--cors-origin` values.
fn cors_setting(origins: &[String]) -> anyhow::Result<Cors> {
    if origins.is_empty() {
        return Ok(Cors::Any);
    }
    if origins.iter().any(|o| o == "none") {
        return Ok(Cors::Off);
    }
    for o in origins {
        let url = url::Url::parse(o)
            .with_context(|| format!("--cors-origin {o:?} is not an origin like https://example.org"))?;
        anyhow::ensure!(
            url.path() == "/" && !o.ends_with('/') && url.query().is_none(),
            "--cors-origin {o:?} must be a bare origin like https://example.org"
        );
    }
    Ok(Cors::Origins(origins.to_vec()))
}
