//! The `healthsearch` command line: ingest, serve, search and extract.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use healthsearch::eval::extraction::evaluate;
use healthsearch::eval::passages::{PassageRanking, evaluate_passages};
use healthsearch::eval::ranking::{Corpus as EvalCorpus, evaluate as evaluate_ranking, load_qrels, load_queries};
use healthsearch::index::HealthIndex;
use healthsearch::index::feedback::Feedback;
use healthsearch::index::search::SearchParams;
use healthsearch::index::search::{Ranker, Ranking, search_with};
use healthsearch::ingest::Extractor;
use healthsearch::ingest::decode::decode;
use healthsearch::ingest::site_rules::SiteRules;
use healthsearch::vocab::Vocabulary;
use healthsearch::vocab::load::add_file;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod cli;

#[derive(Parser)]
#[command(name = "healthsearch", version, about = "Search and retrieval for consumer health articles")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ingest a site mirror, a JSON Lines file or a crawled site into the index (one commit per run).
    Ingest(cli::ingest::IngestArgs),
    /// Generate a deterministic synthetic corpus for scale runs (JSON Lines and/or an HTML mirror).
    GenCorpus {
        /// Number of articles.
        #[arg(long)]
        docs: usize,
        /// Write JSON Lines here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write an HTML mirror (HOST/health/SLUG.html) under this directory.
        #[arg(long)]
        html: Option<PathBuf>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Serve the search API and page; builds the index from the corpus first if it is missing.
    Serve(cli::serve::ServeArgs),
    /// Search the index and print ranked results.
    Search {
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
        semantic: cli::model::SemanticArgs,
        /// Weight of meaning against words, 0 to 1 (default: the service's).
        #[arg(long)]
        semantic_ratio: Option<f32>,
    },
    /// Install the embedding model that ranks by meaning.
    Model {
        #[command(subcommand)]
        command: cli::model::ModelCommand,
    },
    /// Score ranking on a BEIR-layout dataset (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv).
    Eval {
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
        #[arg(long, default_value = "on", value_parser = ["on", "off"])]
        semantic: String,
        /// Weight of meaning against words, 0 to 1 (default: the service's).
        #[arg(long)]
        semantic_ratio: Option<f32>,
        #[command(flatten)]
        models: cli::model::ModelsArgs,
        /// Keep the evaluation index here (reused by later runs: unchanged articles are not
        /// embedded again).
        #[arg(long)]
        index_dir: Option<PathBuf>,
    },
    /// Print what the extractor sees in one HTML page, or score extraction on test cases.
    Extract {
        /// The page to read.
        #[arg(required_unless_present = "eval")]
        page: Option<PathBuf>,
        /// Score extraction on a directory of cases (CASE/source.html, expected.html,
        /// expected-metadata.json) and print the means and the worst cases.
        #[arg(long, conflicts_with = "page")]
        eval: Option<PathBuf>,
        /// Per-site extraction rules (TOML).
        #[arg(long)]
        sites: Option<PathBuf>,
        /// URL the page was fetched from; defaults to a file:// URL of the page.
        #[arg(long)]
        url: Option<String>,
        /// Print the whole article as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Ingest(args) => cli::ingest::run(args)?,
        Command::GenCorpus { docs, out, html, seed } => cli::gen_corpus(docs, out.as_deref(), html.as_deref(), seed)?,
        Command::Serve(args) => cli::serve::run(args)?,
        Command::Model { command } => cli::model::run(command)?,
        Command::Search { query, index, vocab, limit, json, semantic, semantic_ratio } => {
            let idx =
                HealthIndex::open(&index).with_context(|| format!("cannot open the index at {}", index.display()))?;
            let mut ranker = ranker_with(&vocab)?;
            ranker.semantic = semantic.ranking(semantic_ratio)?;
            let params = SearchParams { explain: json, ..SearchParams::new(query, limit) };
            let res = search_with(&idx, &params, &ranker)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&res)?);
            } else {
                println!("{} results in {} ms", res.total, res.took_ms);
                for (i, h) in res.hits.iter().enumerate() {
                    let at = h.section.as_ref().map_or(h.url.as_str(), |s| s.url.as_str());
                    println!(
                        "{:>2}. {} ({:.2})\n    {}\n    {}",
                        i + 1,
                        h.title,
                        h.score,
                        at,
                        strip_marks(&h.snippet_html)
                    );
                }
            }
        }
        Command::Eval {
            dataset,
            split,
            corpus,
            run_out,
            baseline,
            vocab,
            boosts,
            no_typos,
            feedback,
            no_vocab,
            passages,
            json,
            semantic,
            semantic_ratio,
            models,
            index_dir,
        } => {
            let corpus = match corpus {
                Some(p) if p.is_dir() => EvalCorpus::Mirror(p),
                Some(p) => EvalCorpus::Jsonl(p),
                None => EvalCorpus::Jsonl(dataset.join("corpus.jsonl")),
            };
            let queries = load_queries(&dataset.join("queries.jsonl"))?;
            let qrels = load_qrels(&dataset.join("qrels").join(format!("{split}.tsv")))?;
            let mut ranker = ranker_with(&vocab)?;
            if let Some(spec) = boosts {
                ranker.boosts.apply(&spec).map_err(anyhow::Error::msg)?;
            }
            ranker.typos = !no_typos;
            if let Some(spec) = feedback {
                ranker.feedback = if spec == "off" { None } else { Some(parse_feedback(&spec)?) };
            }
            if no_vocab {
                ranker.vocab = Arc::new(Vocabulary::default());
            }
            let semantic = cli::model::SemanticArgs { models, no_semantic: semantic == "off" };
            ranker.semantic = semantic.ranking(semantic_ratio)?;
            let index_dir = index_dir.as_deref();
            if passages {
                let queries = load_queries(&dataset.join("passage-queries.jsonl"))?;
                let qrels = load_qrels(&dataset.join("qrels").join("passages.tsv"))?;
                let how = if baseline { PassageRanking::LeadPassage } else { PassageRanking::Ours };
                let eval = evaluate_passages(&corpus, &queries, &qrels, &ranker, how, index_dir)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&eval)?);
                } else {
                    println!(
                        "{}: {} questions: passage nDCG@10 {:.4}  MRR@10 {:.4}  answer at 1 {:.3}  (searching {:.2} s)",
                        eval.ranking, eval.queries, eval.ndcg10, eval.mrr10, eval.answer_at_1, eval.search_seconds
                    );
                }
                return Ok(());
            }
            let ranking = if baseline { Ranking::Baseline } else { Ranking::Ours(ranker) };
            let eval = evaluate_ranking(&corpus, &queries, &qrels, &ranking, run_out.as_deref(), index_dir)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&eval)?);
            } else {
                println!(
                    "{}: {} queries over {} documents: nDCG@10 {:.4}  MRR@10 {:.4}  Recall@100 {:.4}  (indexing {:.1} s, searching {:.2} s)",
                    eval.ranking,
                    eval.queries,
                    eval.documents,
                    eval.ndcg10,
                    eval.mrr10,
                    eval.recall100,
                    eval.index_seconds,
                    eval.search_seconds
                );
            }
        }
        Command::Extract { page, eval, sites, url, json } => {
            let extractor = Extractor::new(load_sites(sites.as_deref())?);
            if let Some(dir) = eval {
                return print_extraction_eval(&extractor, &dir, json);
            }
            let page = page.context("give a page or --eval DIR")?;
            let bytes = std::fs::read(&page).with_context(|| format!("cannot read {}", page.display()))?;
            let (html, encoding) = decode(&bytes, None);
            let abs = std::fs::canonicalize(&page).unwrap_or(page);
            let url = url.unwrap_or_else(|| format!("file://{}", abs.display()));
            let (article, method) = extractor.extract_any(&html, &url)?;
            if json {
                let mut v = serde_json::to_value(&article)?;
                v["method"] = serde_json::to_value(method)?;
                v["encoding"] = encoding.into();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!(
                    "{}\n{}\nreviewed {:?}, {} sections, {} citations",
                    article.title,
                    article.url,
                    article.reviewed,
                    article.sections.len(),
                    article.citations.len()
                );
            }
        }
    }
    Ok(())
}

/// The default ranking with the bundled vocabulary plus any given files.
fn ranker_with(vocab: &[PathBuf]) -> anyhow::Result<Ranker> {
    let mut ranker = Ranker::default();
    if !vocab.is_empty() {
        let mut v = (*ranker.vocab).clone();
        for path in vocab {
            let added = add_file(&mut v, path)?;
            eprintln!("vocabulary {}: {added} concepts", path.display());
        }
        ranker.vocab = Arc::new(v);
    }
    Ok(ranker)
}

fn parse_feedback(spec: &str) -> anyhow::Result<Feedback> {
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    let [docs, terms, weight] = parts.as_slice() else { bail!("--feedback takes DOCS,TERMS,WEIGHT") };
    Ok(Feedback { docs: docs.parse()?, terms: terms.parse()?, weight: weight.parse()? })
}

pub(crate) fn load_sites(path: Option<&Path>) -> anyhow::Result<SiteRules> {
    Ok(match path {
        Some(p) => SiteRules::load(p)?,
        None => SiteRules::default(),
    })
}

fn print_extraction_eval(extractor: &Extractor, dir: &Path, json: bool) -> anyhow::Result<()> {
    let eval = evaluate(extractor, dir).with_context(|| format!("cannot read cases in {}", dir.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&eval)?);
        return Ok(());
    }
    let mut worst: Vec<_> = eval.cases.iter().collect();
    worst.sort_by(|a, b| a.f1.total_cmp(&b.f1));
    println!("worst cases by body F1:");
    for c in worst.iter().take(10) {
        let why = c.error.clone().unwrap_or_else(|| format!("{:?}", c.method));
        println!("  {:<40} F1 {:.3}  P {:.3}  R {:.3}  ({why})", c.name, c.f1, c.precision, c.recall);
    }
    println!("titles that differ:");
    for c in eval.cases.iter().filter(|c| !c.title_match).take(15) {
        println!("  {:<40} got {:?}, expected {:?}", c.name, c.title, c.expected_title);
    }
    println!(
        "{} cases: body precision {:.3}, recall {:.3}, F1 {:.3}; title exact match {:.3}",
        eval.cases.len(),
        eval.mean_precision,
        eval.mean_recall,
        eval.mean_f1,
        eval.title_accuracy
    );
    Ok(())
}

fn strip_marks(html: &str) -> String {
    html.replace("<mark>", "[").replace("</mark>", "]")
}
