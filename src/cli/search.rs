//! `healthsearch search`: ranked results as text, or the API's JSON.

use super::output::outln;
use clap::Args;
use healthsearch::index::present::search::{SearchParams, SearchResponse, search_with};
use healthsearch::index::present::snippet::snippet_text;
use healthsearch::index::ranking::count::Relation;
use healthsearch::index::{HealthIndex, IndexError};
use healthsearch::text::count;
use std::path::{Path, PathBuf};

/// Arguments of `search`.
#[derive(Args)]
pub struct SearchArgs {
    query: String,
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Extra vocabulary files (HPO .obo, MedQuAD synonym TSV, or our concept TSV).
    #[arg(long)]
    vocab: Vec<PathBuf>,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print the response as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    semantic: super::model::SemanticArgs,
    /// Weight of meaning against words, 0 to 1 (default: the service's).
    #[arg(long)]
    semantic_ratio: Option<f32>,
    #[command(flatten)]
    engine: super::engine::EngineArgs,
}

/// Runs `search`.
pub fn run(args: SearchArgs) -> anyhow::Result<()> {
    let mut ranker = super::ranker_with(&args.vocab)?;
    let params = SearchParams { explain: args.json, ..SearchParams::new(args.query.clone(), args.limit) };
    let res = match args.engine.opensearch()? {
        Some(os) => {
            ranker.semantic = args.semantic.ranking(args.semantic_ratio)?;
            healthsearch::engine::opensearch::search::search(&os, &params, &ranker)?
        }
        None => {
            // The index first: a missing one fails before the model loads.
            let idx = open_index(&args.index)?;
            ranker.semantic = args.semantic.ranking(args.semantic_ratio)?;
            search_with(&idx, &params, &ranker)?
        }
    };
    if args.json {
        return outln!("{}", serde_json::to_string_pretty(&res)?);
    }
    print_hits(&res)
}

/// The index to search; a missing one says how to make it.
pub fn open_index(dir: &Path) -> anyhow::Result<HealthIndex> {
    HealthIndex::open(dir).map_err(|e| match e {
        IndexError::Missing(_) => anyhow::anyhow!("no index at {} (make one with healthsearch ingest)", dir.display()),
        e => anyhow::Error::new(e).context(format!("cannot open the index at {}", dir.display())),
    })
}

fn print_hits(res: &SearchResponse) -> anyhow::Result<()> {
    let total = count(res.total, "result", "results");
    let at_least = if res.total_relation == Relation::Gte { "at least " } else { "" };
    let shown = match res.hits.len() {
        n if n > 0 && n < res.total => format!(", the first {n} shown"),
        _ => String::new(),
    };
    outln!("{at_least}{total} in {:.1} ms{shown}", res.took_ms)?;
    if let Some(better) = &res.did_you_mean {
        outln!("did you mean \"{better}\"?")?;
    }
    for (i, h) in res.hits.iter().enumerate() {
        let at = h.section.as_ref().map_or(h.article.url.as_str(), |s| s.url.as_str());
        outln!(
            "{:>2}. {} ({:.2})\n    {}\n    {}",
            i + 1,
            h.article.title,
            h.score,
            at,
            snippet_text(&h.snippet_html, "[", "]")
        )?;
    }
    Ok(())
}
