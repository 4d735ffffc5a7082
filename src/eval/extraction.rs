//! Extraction evaluation on a directory of cases (`CASE/source.html`, `CASE/expected.html`,
//! `CASE/expected-metadata.json`), as in Mozilla Readability's test pages: token-level precision,
//! recall and F1 of the body text, and exact match of the title.

use super::ranking::EvalError;
use crate::article::Article;
use crate::ingest::decode::decode;
use crate::ingest::{Extractor, Method};
use scraper::Html;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// The URL the test pages were saved from (Readability's test suite uses this host).
const CASE_URL: &str = "http://fakehost/test/page.html";

/// One case's scores.
#[derive(Debug, Serialize)]
pub struct CaseScore {
    pub name: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub title_match: bool,
    pub expected_title: String,
    pub title: String,
    pub method: Option<Method>,
    pub error: Option<String>,
}

/// All cases and their means.
#[derive(Debug, Serialize)]
pub struct ExtractionEval {
    pub cases: Vec<CaseScore>,
    pub mean_precision: f64,
    pub mean_recall: f64,
    pub mean_f1: f64,
    pub title_accuracy: f64,
}

/// Scores every case directory under `dir`.
pub fn evaluate(extractor: &Extractor, dir: &Path) -> Result<ExtractionEval, EvalError> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| EvalError::Read(dir.to_path_buf(), e))?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("source.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let cases = names.iter().map(|n| score_case(extractor, &dir.join(n), n)).collect::<Result<Vec<_>, _>>()?;
    let n = cases.len().max(1) as f64;
    let mean = |f: fn(&CaseScore) -> f64| cases.iter().map(f).sum::<f64>() / n;
    Ok(ExtractionEval {
        mean_precision: mean(|c| c.precision),
        mean_recall: mean(|c| c.recall),
        mean_f1: mean(|c| c.f1),
        title_accuracy: mean(|c| f64::from(u8::from(c.title_match))),
        cases,
    })
}

/// A case missing its expected text or metadata is an error: scoring it against nothing would
/// lower the means unnoticed. A metadata file without a title is allowed (some pages have none).
fn score_case(extractor: &Extractor, dir: &Path, name: &str) -> Result<CaseScore, EvalError> {
    let read = |f: &str| {
        let path = dir.join(f);
        std::fs::read(&path).map_err(|e| EvalError::Read(path, e))
    };
    let (source, _) = decode(&read("source.html")?, None);
    let (expected_html, _) = decode(&read("expected.html")?, None);
    let metadata = read("expected-metadata.json")?;
    let metadata: serde_json::Value = serde_json::from_slice(&metadata)
        .map_err(|e| EvalError::Format(dir.join("expected-metadata.json"), e.line(), e.to_string()))?;
    let expected_title = metadata.get("title").and_then(|t| t.as_str()).unwrap_or_default().to_string();
    let truth = tokens(&html_text(&expected_html));
    let (article, method, error) = match extractor.extract_any(&source, CASE_URL) {
        Ok((a, m)) => (a, Some(m), None),
        Err(e) => (Article::default(), None, Some(e.to_string())),
    };
    let (precision, recall, f1) = prf(&tokens(&article_text(&article)), &truth);
    Ok(CaseScore {
        name: name.to_string(),
        precision,
        recall,
        f1,
        title_match: normalize_title(&article.title) == normalize_title(&expected_title),
        expected_title,
        title: article.title,
        method,
        error,
    })
}

/// What the extractor says the article's text is: headings, body and reference entries.
pub fn article_text(a: &Article) -> String {
    let mut out = String::new();
    for s in &a.sections {
        out.push_str(&s.heading);
        out.push('\n');
        out.push_str(&s.text);
        out.push('\n');
    }
    for c in &a.citations {
        out.push_str(&c.raw);
        out.push('\n');
    }
    out
}

fn html_text(html: &str) -> String {
    Html::parse_fragment(html).root_element().text().collect::<Vec<_>>().join(" ")
}

fn normalize_title(t: &str) -> String {
    crate::text::normalize(t)
}

/// Lower-cased word tokens (runs of letters and digits).
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase).collect()
}

/// Precision, recall and F1 of the multiset of `got` tokens against `truth`.
pub fn prf(got: &[String], truth: &[String]) -> (f64, f64, f64) {
    if got.is_empty() && truth.is_empty() {
        return (1.0, 1.0, 1.0);
    }
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for t in truth {
        *counts.entry(t).or_default() += 1;
    }
    let mut common = 0usize;
    for t in got {
        if let Some(c) = counts.get_mut(t.as_str())
            && *c > 0
        {
            *c -= 1;
            common += 1;
        }
    }
    let p = if got.is_empty() { 0.0 } else { common as f64 / got.len() as f64 };
    let r = if truth.is_empty() { 0.0 } else { common as f64 / truth.len() as f64 };
    let f = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
    (p, r, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_scores() {
        let t = |s: &str| tokens(s);
        assert_eq!(prf(&t("a b c"), &t("a b c")), (1.0, 1.0, 1.0));
        let (p, r, f) = prf(&t("a b"), &t("a b c d"));
        assert_eq!((p, r), (1.0, 0.5));
        assert!((f - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(prf(&t(""), &t("a")), (0.0, 0.0, 0.0));
        assert_eq!(tokens("Back-pain, AFTER birth!"), vec!["back", "pain", "after", "birth"]);
    }
}
