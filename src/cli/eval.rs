//! `healthsearch eval`: ranking (or passage) scores on a BEIR-layout dataset.

use super::output::outln;
use anyhow::bail;
use clap::Args;
use healthsearch::eval::opensearch::evaluate_opensearch;
use healthsearch::eval::passages::{PassageRanking, evaluate_passages};
use healthsearch::eval::ranking::{Corpus, evaluate, load_qrels, load_queries};
use healthsearch::index::present::search::{Ranker, Ranking};
use healthsearch::index::ranking::feedback::Feedback;
use healthsearch::text::count;
use healthsearch::vocab::Vocabulary;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `eval`.
#[derive(Args)]
pub struct EvalArgs {
    /// The dataset directory.
    #[arg(long)]
    dataset: PathBuf,
    /// Which qrels file to use (qrels/SPLIT.tsv).
    #[arg(long, default_value = "test")]
    split: String,
    /// The corpus, if not DATASET/corpus.jsonl: a JSON Lines file, or a site mirror directory
    /// (whose qrels name articles by URL).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Write a TREC run file.
    #[arg(long)]
    run_out: Option<PathBuf>,
    /// Rank with plain BM25 over all text instead of our ranking.
    #[arg(long)]
    baseline: bool,
    /// Extra vocabulary files (HPO .obo, MedQuAD synonym TSV, or our concept TSV).
    #[arg(long)]
    vocab: Vec<PathBuf>,
    /// Override ranking weights for a tuning run, e.g. "title=4,proximity=0.5".
    #[arg(long)]
    boosts: Option<String>,
    /// Turn typo correction off.
    #[arg(long)]
    no_typos: bool,
    /// Pseudo-relevance feedback: DOCS,TERMS,WEIGHT (default 10,20,1.0), or "off".
    #[arg(long)]
    feedback: Option<String>,
    /// Turn vocabulary expansion off (no concepts at all, bundled ones included).
    #[arg(long)]
    no_vocab: bool,
    /// Score passages instead of articles: DATASET/passage-queries.jsonl judged by section
    /// (URL#anchor) in DATASET/qrels/passages.tsv. With --baseline, the lead passage of each
    /// of the best articles.
    #[arg(long)]
    passages: bool,
    /// Print per-query scores as JSON.
    #[arg(long)]
    json: bool,
    /// Rank by meaning too (`on`, installing the model if needed) or by words alone (`off`).
    /// Without it: on, unless --no-semantic or HEALTHSEARCH_NO_SEMANTIC says otherwise.
    #[arg(long, value_parser = ["on", "off"])]
    semantic: Option<String>,
    /// Weight of meaning against words, 0 to 1 (default: the service's).
    #[arg(long)]
    semantic_ratio: Option<f32>,
    #[command(flatten)]
    model: super::model::SemanticArgs,
    /// Keep the evaluation index here (reused by later runs: unchanged articles are not
    /// embedded again).
    #[arg(long)]
    index_dir: Option<PathBuf>,
    #[command(flatten)]
    engine: super::engine::EngineArgs,
}

/// Runs `eval`.
pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    let corpus = match &args.corpus {
        Some(p) if p.is_dir() => Corpus::Mirror(p.clone()),
        Some(p) => Corpus::Jsonl(p.clone()),
        None => Corpus::Jsonl(args.dataset.join("corpus.jsonl")),
    };
    // The judgements are read before the model is loaded (or installed): a wrong path fails fast.
    let (queries, qrels) = match args.passages {
        true => ("passage-queries.jsonl", "passages".to_string()),
        false => ("queries.jsonl", args.split.clone()),
    };
    let queries = load_queries(&args.dataset.join(queries))?;
    let qrels = load_qrels(&args.dataset.join("qrels").join(format!("{qrels}.tsv")))?;
    let ranker = ranker(&args)?;
    let index_dir = args.index_dir.as_deref();
    if args.passages && args.engine.engine == super::engine::EngineName::Opensearch {
        bail!("--engine opensearch evaluates article ranking only (no --passages yet)");
    }
    if args.passages {
        let how = if args.baseline { PassageRanking::LeadPassage } else { PassageRanking::Ours };
        let eval = evaluate_passages(&corpus, &queries, &qrels, &ranker, how, index_dir)?;
        if args.json {
            return outln!("{}", serde_json::to_string_pretty(&eval)?);
        }
        return outln!(
            "{}: {}: passage nDCG@10 {:.4}  MRR@10 {:.4}  answer at 1 {:.3}  (searching {:.2} s)",
            eval.ranking,
            count(eval.queries, "question", "questions"),
            eval.ndcg10,
            eval.mrr10,
            eval.answer_at_1,
            eval.search_seconds
        );
    }
    let eval = match args.engine.opensearch()? {
        Some(mut os) => {
            if args.baseline {
                bail!("--engine opensearch evaluates our ranking only (no --baseline)");
            }
            // Its own alias, so an evaluation never replaces the articles a service reads.
            os.prefix = format!("{}_eval", os.prefix);
            evaluate_opensearch(&os, &corpus, &queries, &qrels, &ranker, args.run_out.as_deref())?
        }
        None => {
            let ranking = if args.baseline { Ranking::Baseline } else { Ranking::Ours(ranker) };
            evaluate(&corpus, &queries, &qrels, &ranking, args.run_out.as_deref(), index_dir)?
        }
    };
    if args.json {
        return outln!("{}", serde_json::to_string_pretty(&eval)?);
    }
    outln!(
        "{}: {} over {}: nDCG@10 {:.4}  MRR@10 {:.4}  Recall@100 {:.4}  (indexing {:.1} s, searching {:.2} s)",
        eval.ranking,
        count(eval.queries, "query", "queries"),
        count(eval.documents, "document", "documents"),
        eval.ndcg10,
        eval.mrr10,
        eval.recall100,
        eval.index_seconds,
        eval.search_seconds
    )
}

/// The ranking the options ask for.
fn ranker(args: &EvalArgs) -> anyhow::Result<Ranker> {
    let mut ranker = super::ranker_with(&args.vocab)?;
    if let Some(spec) = &args.boosts {
        ranker.boosts.apply(spec).map_err(anyhow::Error::msg)?;
    }
    ranker.typos = !args.no_typos;
    if let Some(spec) = &args.feedback {
        ranker.feedback = if spec == "off" { None } else { Some(parse_feedback(spec)?) };
    }
    if args.no_vocab {
        ranker.vocab = Arc::new(Vocabulary::default());
    }
    let no_semantic = args.semantic.as_deref().map_or(args.model.no_semantic, |s| s == "off");
    let semantic = super::model::SemanticArgs { no_semantic, ..args.model.clone() };
    ranker.semantic = semantic.ranking(args.semantic_ratio)?;
    Ok(ranker)
}

fn parse_feedback(spec: &str) -> anyhow::Result<Feedback> {
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    let [docs, terms, weight] = parts.as_slice() else { bail!("--feedback takes DOCS,TERMS,WEIGHT") };
    let bad = || format!("--feedback {spec:?}: DOCS and TERMS are whole numbers, WEIGHT a number");
    Ok(Feedback {
        docs: docs.parse().map_err(|_| anyhow::anyhow!(bad()))?,
        terms: terms.parse().map_err(|_| anyhow::anyhow!(bad()))?,
        weight: weight.parse().map_err(|_| anyhow::anyhow!(bad()))?,
    })
}
