//! Command implementations too long for `main.rs`.

pub mod ingest;
pub mod model;
pub mod serve;

use anyhow::{Context, bail};
use healthsearch::synth::{generate, to_html, to_jsonl};
use std::io::{BufWriter, Write};
use std::path::Path;

/// `gen-corpus`: writes `docs` synthetic articles as JSON Lines and/or an HTML mirror.
pub fn gen_corpus(docs: usize, out: Option<&Path>, html: Option<&Path>, seed: u64) -> anyhow::Result<()> {
    if out.is_none() && html.is_none() {
        bail!("give --out FILE.jsonl and/or --html DIR");
    }
    let mut jsonl = match out {
        Some(p) => {
            Some(BufWriter::new(std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?))
        }
        None => None,
    };
    let mut failure: Option<anyhow::Error> = None;
    generate(docs, seed, |d| {
        if failure.is_some() {
            return;
        }
        let result = (|| -> anyhow::Result<()> {
            if let Some(w) = jsonl.as_mut() {
                writeln!(w, "{}", to_jsonl(&d))?;
            }
            if let Some(dir) = html {
                let rel = d.url.trim_start_matches("https://");
                let path = dir.join(format!("{rel}.html"));
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, to_html(&d))?;
            }
            Ok(())
        })();
        if let Err(e) = result {
            failure = Some(e);
        }
    });
    if let Some(e) = failure {
        return Err(e.context("cannot write the corpus"));
    }
    if let Some(mut w) = jsonl {
        w.flush()?;
    }
    eprintln!("generated {docs} articles");
    Ok(())
}
