//! `healthsearch mcp`: the Model Context Protocol server over standard input and output, for
//! desktop assistants that start it as a child process. The index is opened as `search` opens
//! it; standard output is the protocol's alone.

use clap::Args;
use healthsearch::server::state::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Arguments of `mcp`.
#[derive(Args)]
pub struct McpArgs {
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Extra vocabulary files (HPO .obo, MedQuAD synonym TSV, or our concept TSV).
    #[arg(long)]
    vocab: Vec<PathBuf>,
    /// Weight of meaning against words, 0 to 1 (default: the service's).
    #[arg(long)]
    semantic_ratio: Option<f32>,
    #[command(flatten)]
    semantic: super::model::SemanticArgs,
}

/// Serves one client until it closes standard input.
pub fn run(args: McpArgs) -> anyhow::Result<()> {
    let idx = super::search::open_index(&args.index)?;
    let mut ranker = super::ranker_with(&args.vocab)?;
    ranker.semantic = args.semantic.ranking(args.semantic_ratio)?;
    let mut state = AppState::new(idx);
    state.ranker = Arc::new(ranker);
    // Tool answers are shaped per call; a cache of API responses would not be read.
    state.cache = None;
    let rt = tokio::runtime::Runtime::new()?;
    let served = rt.block_on(healthsearch::mcp::serve_stdio(state));
    // A search still running on the blocking pool must not keep the process after the client left.
    rt.shutdown_timeout(Duration::from_secs(1));
    Ok(served?)
}
