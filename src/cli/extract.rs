//! `healthsearch extract`: what the extractor makes of one page, as text for people or as JSON,
//! and a failing exit for a page that is not an article; or scores on a directory of cases.

use super::output::outln;
use anyhow::Context;
use clap::Args;
use healthsearch::article::Article;
use healthsearch::eval::extraction::evaluate;
use healthsearch::ingest::decode::decode;
use healthsearch::ingest::{Extractor, Method};
use healthsearch::text::count;
use std::path::{Path, PathBuf};

/// Arguments of `extract`.
#[derive(Args)]
pub struct ExtractArgs {
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
}

/// Runs `extract`.
pub fn run(args: ExtractArgs) -> anyhow::Result<()> {
    let extractor = Extractor::new(super::load_sites(args.sites.as_deref())?);
    if let Some(dir) = &args.eval {
        return print_eval(&extractor, dir, args.json);
    }
    let page = args.page.context("give a page or --eval DIR")?;
    let bytes = std::fs::read(&page).with_context(|| format!("cannot read {}", page.display()))?;
    let (html, encoding) = decode(&bytes, None);
    let url = match args.url {
        Some(url) => url,
        None => file_url(&page)?,
    };
    // The verdict is the ingester's: a page it would skip is reported as such, with its reason.
    let (article, method) = extractor.extract_with_method(&html, &url).with_context(|| page.display().to_string())?;
    let method = serde_json::to_value(method)?;
    if args.json {
        let mut v = serde_json::to_value(&article)?;
        v["method"] = method;
        v["encoding"] = encoding.into();
        return outln!("{}", serde_json::to_string_pretty(&v)?);
    }
    let how = format!("{} method, {} encoding", method.as_str().unwrap_or_default().replace('_', " "), encoding);
    print_article(&article, &how)
}

/// The file:// URL of a page on disk.
fn file_url(page: &Path) -> anyhow::Result<String> {
    let abs = std::fs::canonicalize(page).with_context(|| format!("cannot read {}", page.display()))?;
    url::Url::from_file_path(&abs)
        .map(String::from)
        .map_err(|()| anyhow::anyhow!("{} has no file:// URL; give --url", abs.display()))
}

/// The article as text: what it is, then its summary, sections and citations.
fn print_article(a: &Article, how: &str) -> anyhow::Result<()> {
    outln!("{}\n{}", a.title, a.url)?;
    let dates: Vec<String> = [("published", a.published), ("updated", a.updated), ("reviewed", a.reviewed)]
        .into_iter()
        .filter_map(|(what, date)| date.map(|d| format!("{what} {d}")))
        .collect();
    let audience: Vec<&str> = a.audience.iter().map(|x| x.name()).collect();
    let fields = [
        ("site", a.site.clone()),
        ("dates", dates.join(", ")),
        ("categories", a.categories.join(" > ")),
        ("audience", audience.join(", ")),
        ("author", a.author.clone().unwrap_or_default()),
        ("reviewer", a.reviewer.clone().unwrap_or_default()),
        ("language", a.lang.clone().unwrap_or_default()),
        ("also called", a.alt_names.join(", ")),
        ("read with", how.to_string()),
    ];
    for (name, value) in fields.iter().filter(|(_, v)| !v.is_empty()) {
        outln!("{name}: {value}")?;
    }
    outln!("\nsummary: {}", a.summary)?;
    outln!(
        "\n{} ({} of body text)",
        count(a.sections.len(), "section", "sections"),
        count(a.word_count(), "word", "words")
    )?;
    for s in &a.sections {
        let heading = if s.heading.is_empty() { "(introduction)" } else { s.heading.as_str() };
        let anchor = if s.anchor.is_empty() { String::new() } else { format!("  #{}", s.anchor) };
        outln!("\n{} {heading}{anchor}", "#".repeat(usize::from(s.level.max(1))))?;
        for para in s.text.lines() {
            outln!("    {para}")?;
        }
    }
    outln!("\n{}", count(a.citations.len(), "citation", "citations"))?;
    for (i, c) in a.citations.iter().enumerate() {
        outln!("{:>3}. {}", i + 1, c.raw)?;
        let ids = [("doi", &c.doi), ("pmid", &c.pmid), ("pmcid", &c.pmcid), ("url", &c.url)];
        let ids: Vec<String> = ids.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}"))).collect();
        if !ids.is_empty() {
            outln!("     {}", ids.join(", "))?;
        }
    }
    Ok(())
}

/// Scores extraction on a directory of cases and prints the means and the worst cases.
fn print_eval(extractor: &Extractor, dir: &Path, json: bool) -> anyhow::Result<()> {
    let eval = evaluate(extractor, dir).with_context(|| format!("cannot read cases in {}", dir.display()))?;
    if json {
        return outln!("{}", serde_json::to_string_pretty(&eval)?);
    }
    let mut worst: Vec<_> = eval.cases.iter().collect();
    worst.sort_by(|a, b| a.f1.total_cmp(&b.f1));
    outln!("worst cases by body F1:")?;
    for c in worst.iter().take(10) {
        let why = c.error.clone().unwrap_or_else(|| method_name(c.method));
        outln!("  {:<40} F1 {:.3}  P {:.3}  R {:.3}  ({why})", c.name, c.f1, c.precision, c.recall)?;
    }
    outln!("titles that differ:")?;
    for c in eval.cases.iter().filter(|c| !c.title_match).take(15) {
        outln!("  {:<40} got \"{}\", expected \"{}\"", c.name, c.title, c.expected_title)?;
    }
    outln!(
        "{}: body precision {:.3}, recall {:.3}, F1 {:.3}; title exact match {:.3}",
        count(eval.cases.len(), "case", "cases"),
        eval.mean_precision,
        eval.mean_recall,
        eval.mean_f1,
        eval.title_accuracy
    )
}

/// How the body was found, in words.
fn method_name(method: Option<Method>) -> String {
    let name = serde_json::to_value(method).ok().and_then(|v| v.as_str().map(str::to_string));
    name.map_or_else(|| "no method".to_string(), |n| format!("{} method", n.replace('_', " ")))
}
