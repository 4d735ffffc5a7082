//! The `healthsearch` command line: ingest, serve, search, MCP and extract. This file only parses the
//! arguments and dispatches; each command lives in `cli/`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

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
    GenCorpus(cli::gen_corpus::GenCorpusArgs),
    /// Serve the search API and page; builds the index from the corpus first if it is missing.
    Serve(cli::serve::ServeArgs),
    /// Search the index and print ranked results.
    Search(cli::search::SearchArgs),
    /// Serve the Model Context Protocol on standard input and output, for desktop assistants.
    Mcp(cli::mcp::McpArgs),
    /// Install the embedding model that ranks by meaning.
    Model {
        #[command(subcommand)]
        command: cli::model::ModelCommand,
    },
    /// Score ranking on a BEIR-layout dataset (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv).
    Eval(cli::eval::EvalArgs),
    /// Print what the extractor sees in one HTML page, or score extraction on test cases.
    Extract(cli::extract::ExtractArgs),
}

fn main() -> ExitCode {
    cli::one_kernel_thread_per_task();
    let cli = Cli::parse();
    match &cli.command {
        Command::Serve(args) => cli::output::init_logging(args.log_json(), cli::serve::DEFAULT_LOGS),
        // Other commands log only warnings (a merge that failed, a query not embedded).
        _ => cli::output::init_logging(false, "warn"),
    }
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match cli::output::failure(&e) {
            None => ExitCode::SUCCESS,
            Some(line) => {
                cli::output::note!("{line}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Ingest(args) => cli::ingest::run(args),
        Command::GenCorpus(args) => cli::gen_corpus::run(args),
        Command::Serve(args) => cli::serve::run(args),
        Command::Search(args) => cli::search::run(args),
        Command::Mcp(args) => cli::mcp::run(args),
        Command::Model { command } => cli::model::run(command),
        Command::Eval(args) => cli::eval::run(args),
        Command::Extract(args) => cli::extract::run(args),
    }
}
