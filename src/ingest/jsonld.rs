//! A page's schema.org JSON-LD: every object of every `application/ld+json` script, `@graph`s
//! and lists flattened, with the small readers the rest of extraction uses (strings, names,
//! types, `@id` references).

use crate::text::normalize;
use scraper::Html;
use serde_json::Value;

/// JSON-LD `@type`s that describe an article page.
const ARTICLE_TYPES: &[&str] = &[
    "MedicalWebPage",
    "Article",
    "NewsArticle",
    "BlogPosting",
    "WebPage",
    "MedicalScholarlyArticle",
    "HealthTopicContent",
];

/// Every JSON-LD object on a page.
#[derive(Debug, Default)]
pub struct LinkedData {
    objects: Vec<Value>,
}

impl LinkedData {
    /// Reads every JSON-LD script of `doc`; scripts that do not parse are ignored.
    pub fn read(doc: &Html) -> LinkedData {
        let mut objects = Vec::new();
        if let Some(sel) = super::rules::sel(r#"script[type="application/ld+json"]"#) {
            for script in doc.select(&sel) {
                let text: String = script.text().collect();
                if let Ok(v) = serde_json::from_str::<Value>(strip_cdata(&text)) {
                    flatten(v, &mut objects);
                }
            }
        }
        LinkedData { objects }
    }

    /// The objects that describe an article page.
    pub fn articles(&self) -> impl Iterator<Item = &Value> {
        self.objects.iter().filter(|v| types_of(v).iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())))
    }

    /// The objects of one `@type`.
    pub fn of_type<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Value> {
        self.objects.iter().filter(move |v| types_of(v).iter().any(|t| t == ty))
    }

    /// The first string value of `key` among the article objects.
    pub fn article_str(&self, key: &str) -> Option<String> {
        self.articles().find_map(|v| v.get(key).and_then(string_of))
    }

    /// The first name under `key` among the article objects: a string, an object's `name`, or
    /// the object an `@id` reference points to.
    pub fn article_name(&self, key: &str) -> Option<String> {
        self.articles().find_map(|v| v.get(key).and_then(|x| self.resolve(x)).and_then(name_of))
    }

    /// The object `v` refers to when it is only `{"@id": …}`; else `v` itself.
    pub fn resolve<'a>(&'a self, v: &'a Value) -> Option<&'a Value> {
        let Some(id) = v.get("@id").and_then(Value::as_str).filter(|_| v.get("name").is_none()) else {
            return Some(v);
        };
        self.objects.iter().find(|o| o.get("@id").and_then(Value::as_str) == Some(id) && o.get("name").is_some())
    }
}

/// Script bodies are sometimes wrapped in `<![CDATA[ ... ]]>` (optionally behind `//`).
fn strip_cdata(text: &str) -> &str {
    let t = text.trim();
    let t = t.strip_prefix("//").map_or(t, str::trim_start);
    match t.strip_prefix("<![CDATA[") {
        Some(inner) => {
            let inner = inner.trim_end();
            let inner = inner.strip_suffix("]]>").unwrap_or(inner).trim_end();
            inner.strip_suffix("//").unwrap_or(inner)
        }
        None => t,
    }
}

fn flatten(v: Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(items) => items.into_iter().for_each(|i| flatten(i, out)),
        Value::Object(mut map) => {
            if let Some(graph) = map.remove("@graph") {
                flatten(graph, out);
            }
            out.push(Value::Object(map));
        }
        _ => {}
    }
}

/// The `@type`s of an object (one string or a list).
pub fn types_of(v: &Value) -> Vec<String> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|t| t.as_str().map(String::from)).collect(),
        _ => vec![],
    }
}

/// A non-empty string value, normalized.
pub fn string_of(v: &Value) -> Option<String> {
    v.as_str().map(normalize).filter(|s| !s.is_empty())
}

/// A person, organisation or thing: a string, an object with `name`, or the first of a list.
pub fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(normalize(s)),
        Value::Object(_) => v.get("name").and_then(string_of),
        Value::Array(a) => a.iter().find_map(name_of),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// Every name in a value that may be one string, one object or a list of either.
pub fn names_of(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().filter_map(name_of).collect(),
        other => name_of(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(json: &str) -> LinkedData {
        LinkedData::read(&Html::parse_document(&format!(r#"<script type="application/ld+json">{json}</script>"#)))
    }

    #[test]
    fn graphs_are_flattened_and_references_resolved() {
        let data = ld(r##"{"@graph": [
            {"@type": "Organization", "@id": "#org", "name": "Harbor Health"},
            {"@type": "MedicalWebPage", "headline": "Back pain", "publisher": {"@id": "#org"}}]}"##);
        assert_eq!(data.article_str("headline").as_deref(), Some("Back pain"));
        assert_eq!(data.article_name("publisher").as_deref(), Some("Harbor Health"));
        assert_eq!(data.of_type("Organization").count(), 1);
    }

    #[test]
    fn cdata_wrapped_scripts_are_read() {
        let data = ld(r#"//<![CDATA[
            {"@type": "Article", "name": "Croup"}
            //]]>"#);
        assert_eq!(data.article_str("name").as_deref(), Some("Croup"));
    }

    #[test]
    fn names_come_from_strings_objects_and_lists() {
        let v: Value = serde_json::json!(["Pregnancy", {"name": "Back pain"}, 3]);
        assert_eq!(names_of(&v), vec!["Pregnancy", "Back pain"]);
        assert_eq!(name_of(&serde_json::json!({"name": " A  B "})).as_deref(), Some("A B"));
    }
}
