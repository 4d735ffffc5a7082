//! `healthsearch gen-corpus`: a deterministic synthetic corpus for scale runs, as JSON Lines
//! and/or an HTML mirror, and a line saying where each went.

use super::output::outln;
use anyhow::{Context, bail};
use clap::Args;
use healthsearch::synth::{GenDoc, generate, to_html, to_jsonl};
use healthsearch::text::count;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Arguments of `gen-corpus`.
#[derive(Args)]
pub struct GenCorpusArgs {
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
}

/// Runs `gen-corpus`.
pub fn run(args: GenCorpusArgs) -> anyhow::Result<()> {
    if args.out.is_none() && args.html.is_none() {
        bail!("give --out FILE.jsonl and/or --html DIR");
    }
    let mut jsonl = match &args.out {
        Some(p) => {
            let file = std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
            Some(BufWriter::new(file))
        }
        None => None,
    };
    let mut written = (0usize, 0usize);
    let mut failure: Option<anyhow::Error> = None;
    generate(args.docs, args.seed, |d| {
        if failure.is_some() {
            return;
        }
        match write_doc(&d, jsonl.as_mut(), args.html.as_deref()) {
            Ok((lines, pages)) => written = (written.0 + lines, written.1 + pages),
            Err(e) => failure = Some(e),
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    if let (Some(mut w), Some(path)) = (jsonl, &args.out) {
        w.flush().with_context(|| format!("cannot write {}", path.display()))?;
        outln!("wrote {} as JSON Lines to {}", count(written.0, "article", "articles"), path.display())?;
    }
    if let Some(dir) = &args.html {
        outln!("wrote {} of HTML under {}", count(written.1, "page", "pages"), dir.display())?;
    }
    Ok(())
}

/// Writes one article to each output; returns how many records and pages it wrote.
fn write_doc(
    d: &GenDoc,
    jsonl: Option<&mut BufWriter<std::fs::File>>,
    html: Option<&Path>,
) -> anyhow::Result<(usize, usize)> {
    let mut written = (0, 0);
    if let Some(w) = jsonl {
        writeln!(w, "{}", to_jsonl(d)).context("cannot write the JSON Lines file")?;
        written.0 = 1;
    }
    if let Some(dir) = html {
        let rel = d.url.trim_start_matches("https://");
        let path = dir.join(format!("{rel}.html"));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, to_html(d)).with_context(|| format!("cannot write {}", path.display()))?;
        written.1 = 1;
    }
    Ok(written)
}
