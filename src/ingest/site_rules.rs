//! Optional per-site extraction rules from a TOML file: where the content, title, review date and
//! references are, and what else to drop. Sites without rules use the general method.
//!
//! ```toml
//! [[site]]
//! host = "www.example.org"        # also matches subdomains of the host
//! content = "div.article-text"
//! drop = [".promo", "#comments"]
//! title = "h1.headline"
//! date = ".last-reviewed time"    # text or `datetime` attribute
//! references = "ol.sources"
//! ```

use scraper::Selector;
use serde::Deserialize;
use std::path::Path;

/// Why a rules file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SiteRulesError {
    #[error("cannot read site rules {0}: {1}")]
    Read(String, std::io::Error),
    #[error("site rules are not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("site {host}: invalid selector {selector:?} for {field}")]
    Selector { host: String, field: &'static str, selector: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    site: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    host: String,
    content: Option<String>,
    #[serde(default)]
    drop: Vec<String>,
    title: Option<String>,
    date: Option<String>,
    references: Option<String>,
}

/// Compiled rules for one site.
#[derive(Debug)]
pub struct SiteRule {
    pub host: String,
    pub content: Option<Selector>,
    pub drop: Vec<Selector>,
    pub title: Option<Selector>,
    pub date: Option<Selector>,
    pub references: Option<Selector>,
}

/// Every site's rules.
#[derive(Debug, Default)]
pub struct SiteRules {
    rules: Vec<SiteRule>,
}

impl SiteRules {
    /// Reads rules from a TOML file.
    pub fn load(path: &Path) -> Result<SiteRules, SiteRulesError> {
        let text = std::fs::read_to_string(path).map_err(|e| SiteRulesError::Read(path.display().to_string(), e))?;
        SiteRules::parse(&text)
    }

    /// Parses rules from TOML text, checking every selector.
    pub fn parse(text: &str) -> Result<SiteRules, SiteRulesError> {
        let raw: RawFile = toml::from_str(text)?;
        let rules = raw.site.into_iter().map(compile_rule).collect::<Result<_, _>>()?;
        Ok(SiteRules { rules })
    }

    /// The rules for a host: an exact match, else the rule for its closest parent domain.
    pub fn for_host(&self, host: &str) -> Option<&SiteRule> {
        let host = host.to_ascii_lowercase();
        self.rules
            .iter()
            .filter(|r| host == r.host || host.ends_with(&format!(".{}", r.host)))
            .max_by_key(|r| r.host.len())
    }

    /// Number of sites with rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn compile_rule(r: RawRule) -> Result<SiteRule, SiteRulesError> {
    let host = r.host.trim().to_ascii_lowercase();
    let one = |field: &'static str, s: &Option<String>| -> Result<Option<Selector>, SiteRulesError> {
        s.as_deref().map(|s| parse(&host, field, s)).transpose()
    };
    Ok(SiteRule {
        content: one("content", &r.content)?,
        title: one("title", &r.title)?,
        date: one("date", &r.date)?,
        references: one("references", &r.references)?,
        drop: r.drop.iter().map(|s| parse(&host, "drop", s)).collect::<Result<_, _>>()?,
        host,
    })
}

fn parse(host: &str, field: &'static str, s: &str) -> Result<Selector, SiteRulesError> {
    Selector::parse(s).map_err(|_| SiteRulesError::Selector { host: host.to_string(), field, selector: s.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches_hosts() {
        let rules = SiteRules::parse(
            r#"
            [[site]]
            host = "example.org"
            content = "div.text"
            drop = [".promo"]
            [[site]]
            host = "news.example.org"
            content = "article"
            "#,
        );
        let rules = rules.unwrap_or_default();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules.for_host("www.example.org").map(|r| r.host.as_str()), Some("example.org"));
        assert_eq!(rules.for_host("news.example.org").map(|r| r.host.as_str()), Some("news.example.org"));
        assert!(rules.for_host("example.com").is_none());
        assert!(rules.for_host("badexample.org").is_none());
    }

    #[test]
    fn refuses_bad_files() {
        assert!(matches!(
            SiteRules::parse("[[site]]\nhost='a'\ncontent='div[['"),
            Err(SiteRulesError::Selector { .. })
        ));
        assert!(matches!(SiteRules::parse("[[site]]\nhost='a'\ncolour='red'"), Err(SiteRulesError::Toml(_))));
        assert!(matches!(SiteRules::parse("not toml ="), Err(SiteRulesError::Toml(_))));
    }
}
