//! Where pages and records come from: a local site mirror (`host/path.html`) or a JSON Lines file.

use crate::article::{Article, Section};
use crate::text::normalize;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// One HTML file of a mirror and the URL it was saved from.
#[derive(Debug, Clone)]
pub struct MirrorPage {
    pub path: PathBuf,
    pub url: String,
}

/// Every `.html`/`.htm` file under `root`, sorted, with its URL. The first path component is the
/// host; `index.html` stands for the directory URL.
pub fn mirror_pages(root: &Path) -> std::io::Result<Vec<MirrorPage>> {
    if !root.is_dir() {
        // The caller names the path; the error only says what is wrong with it.
        return Err(std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"));
    }
    let mut pages = Vec::new();
    for entry in WalkDir::new(root).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::other)?;
        let path = entry.path();
        let is_html = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
        if entry.file_type().is_file()
            && is_html
            && let Some(url) = mirror_url(root, path)
        {
            pages.push(MirrorPage { path: path.to_path_buf(), url });
        }
    }
    Ok(pages)
}

/// The URL a mirrored file was saved from: `root/host/a/b.html` is `https://host/a/b.html`.
pub fn mirror_url(root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root).ok()?;
    let parts: Vec<&str> = rel.components().filter_map(|c| c.as_os_str().to_str()).collect();
    let (host, rest) = parts.split_first()?;
    let mut path = rest.join("/");
    if path == "index.html" || path.ends_with("/index.html") {
        path.truncate(path.len() - "index.html".len());
    }
    url::Url::parse(&format!("https://{host}/{path}")).ok().map(String::from)
}

/// One line of a BEIR-style JSON Lines corpus.
#[derive(Debug, Deserialize)]
pub struct Record {
    #[serde(rename = "_id")]
    pub id: IdValue,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub also_called: Names,
    #[serde(default)]
    pub synonyms: Names,
    #[serde(default)]
    pub alt_names: Names,
}

/// Record ids are strings in BEIR, numbers in some exports.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum IdValue {
    Text(String),
    Number(i64),
}

/// Alternate names: a list, or one string with names separated by commas or semicolons.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
pub enum Names {
    #[default]
    None,
    List(Vec<String>),
    One(String),
}

impl Names {
    fn into_vec(self) -> Vec<String> {
        match self {
            Names::None => Vec::new(),
            Names::List(v) => v,
            Names::One(s) => s.split([',', ';', '|']).map(str::to_string).collect(),
        }
    }
}

/// Whether a file's first record looks like JSON Lines at all (one JSON object), so that an HTML
/// page or a JSON array given as JSON Lines is refused instead of failing line by line. The
/// error completes "line N ...".
pub fn check_json_lines(line: &str) -> Result<(), String> {
    let what = match serde_json::from_str::<serde_json::Value>(line) {
        Err(e) => return Err(format!("is not JSON ({e})")),
        Ok(serde_json::Value::Object(_)) => return Ok(()),
        Ok(serde_json::Value::Array(_)) => "a JSON array",
        Ok(serde_json::Value::String(_)) => "a JSON string",
        Ok(serde_json::Value::Number(_)) => "a number",
        Ok(serde_json::Value::Bool(_)) => "a boolean",
        Ok(serde_json::Value::Null) => "null",
    };
    Err(format!("is {what}, not an object (JSON Lines holds one JSON object a line)"))
}

/// Reads one JSON Lines record into an article. Errors name what is wrong with the line.
pub fn record_to_article(line: &str) -> Result<Article, String> {
    let r: Record = serde_json::from_str(line).map_err(|e| format!("invalid record: {e}"))?;
    let id = match r.id {
        IdValue::Text(s) => normalize(&s),
        IdValue::Number(n) => n.to_string(),
    };
    if id.is_empty() {
        return Err("record has an empty _id".into());
    }
    let text: Vec<String> = r.text.lines().map(normalize).filter(|l| !l.is_empty()).collect();
    if text.is_empty() && r.title.trim().is_empty() {
        return Err("record has neither title nor text".into());
    }
    let mut alt: Vec<String> = [r.also_called, r.synonyms, r.alt_names]
        .into_iter()
        .flat_map(Names::into_vec)
        .map(|n| normalize(&n))
        .filter(|n| !n.is_empty())
        .collect();
    alt.dedup();
    let url = r.url.map(|u| normalize(&u)).filter(|u| !u.is_empty()).unwrap_or_default();
    let site = url::Url::parse(&url).ok().and_then(|u| u.host_str().map(String::from)).unwrap_or_default();
    let mut article = Article {
        id,
        url,
        site,
        title: normalize(&r.title),
        summary: String::new(),
        sections: vec![Section { heading: String::new(), anchor: String::new(), level: 0, text: text.join("\n") }],
        alt_names: alt,
        ..Article::default()
    };
    // A record has no structured data: its title, URL and text say who it is for.
    article.audience = super::audience::infer(&article, &[]);
    Ok(article)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_paths_become_urls() {
        let root = Path::new("/c");
        assert_eq!(mirror_url(root, Path::new("/c/a.example/x/y.html")).as_deref(), Some("https://a.example/x/y.html"));
        assert_eq!(mirror_url(root, Path::new("/c/a.example/x/index.html")).as_deref(), Some("https://a.example/x/"));
        assert_eq!(mirror_url(root, Path::new("/c/a.example/index.html")).as_deref(), Some("https://a.example/"));
    }

    #[test]
    fn reads_beir_records_with_alternate_names() {
        let a = record_to_article(
            r#"{"_id":"t1","title":"Back Pain","text":"Line one.\nLine two.","also_called":["Backache","Lumbago"]}"#,
        );
        let a = a.unwrap_or_default();
        assert_eq!(a.id, "t1");
        assert_eq!(a.alt_names, vec!["Backache", "Lumbago"]);
        assert_eq!(a.body(), "Line one.\nLine two.");
        assert!(
            record_to_article(r#"{"_id": 7, "title": "x", "synonyms": "a; b"}"#)
                .is_ok_and(|a| a.alt_names == ["a", "b"])
        );
        assert!(record_to_article("{not json").is_err());
        let baby = record_to_article(r#"{"_id":"c","title":"Colic in babies","url":"https://s.example/a/colic"}"#);
        assert_eq!(baby.map(|a| a.audience).unwrap_or_default(), vec![crate::article::Audience::Baby]);
        let filed =
            record_to_article(r#"{"_id":"p","title":"Back pain","url":"https://s.example/pregnancy/back-pain"}"#);
        assert_eq!(filed.map(|a| a.audience).unwrap_or_default(), vec![crate::article::Audience::Pregnancy]);
        assert!(record_to_article(r#"{"_id":"","title":"x"}"#).is_err());
    }

    #[test]
    fn only_a_json_object_starts_json_lines() {
        assert!(check_json_lines(r#"{"_id":"a"}"#).is_ok());
        let html = check_json_lines("<!doctype html>").unwrap_err();
        assert!(html.starts_with("is not JSON"), "{html}");
        let array = check_json_lines(r#"[{"_id":"a"}]"#).unwrap_err();
        assert!(array.contains("a JSON array"), "{array}");
        assert!(check_json_lines("{").is_err(), "a pretty-printed object is not JSON Lines");
    }
}
