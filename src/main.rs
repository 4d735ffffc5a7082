//! The `healthsearch` command line: ingest, serve, search and extract.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "healthsearch",
    version,
    about = "Search and retrieval for consumer health articles"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print what the extractor sees in one HTML page.
    Extract {
        /// The page to read.
        page: PathBuf,
        /// URL the page was fetched from; defaults to one derived from the mirror path.
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
        Command::Extract { page, url, json } => {
            let html = std::fs::read_to_string(&page)
                .with_context(|| format!("cannot read {}", page.display()))?;
            let url = url.unwrap_or_else(|| format!("file://{}", page.display()));
            let article = healthsearch::ingest::extract(&html, &url)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&article)?);
            } else {
                println!("{} <{}>", article.title, article.url);
            }
        }
    }
    Ok(())
}
