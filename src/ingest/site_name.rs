//! The publishing site's name ("Harbor Health Library"), as people know it, beside its host name:
//! from `og:site_name`, else the JSON-LD publisher, else `application-name`, else the end of the
//! document title when that end spells the host's name.

use super::jsonld::LinkedData;
use super::meta::MetaTags;

/// Separators between a page's title and the site name after it.
const SEPARATORS: [&str; 5] = [" | ", " - ", " – ", " — ", " :: "];
/// A site name after a separator is at most this many words.
const MAX_NAME_WORDS: usize = 5;
/// Host labels that are not a site's name.
const GENERIC_LABELS: &[&str] = &["www", "com", "org", "net", "gov", "edu", "co", "ac", "m"];

/// The site's name as its metadata states it.
pub fn from_metadata(tags: &MetaTags, ld: &LinkedData) -> Option<String> {
    tags.get("og:site_name").or_else(|| ld.article_name("publisher")).or_else(|| tags.get("application-name"))
}

/// The site name ending `document_title` ("Croup in children - Little Sprouts"), when its
/// letters contain a label of `host` (`littlesprouts.example`): a title's last part is only
/// taken for the site's name when the host confirms it.
pub fn from_title(document_title: &str, host: &str) -> Option<String> {
    let (_, name) = split_title(document_title)?;
    let compact: String = name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    let labels = host.split('.').collect::<Vec<_>>();
    let named = labels
        .iter()
        .take(labels.len().saturating_sub(1))
        .filter(|l| l.len() >= 3 && !GENERIC_LABELS.contains(l))
        .any(|l| compact.contains(&l.to_ascii_lowercase()));
    named.then(|| name.to_string())
}

/// "Back pain | Site name" as ("Back pain", "Site name"), when there is a title before the last
/// separator and the part after it is short enough to be a name.
pub fn split_title(title: &str) -> Option<(&str, &str)> {
    let (pos, sep) = SEPARATORS.iter().filter_map(|sep| title.rfind(sep).map(|p| (p, *sep))).max_by_key(|(p, _)| *p)?;
    let (head, tail) = (title[..pos].trim(), title[pos + sep.len()..].trim());
    let words = tail.split_whitespace().count();
    (!head.is_empty() && words > 0 && words <= MAX_NAME_WORDS).then_some((head, tail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn from_page(head: &str) -> Option<String> {
        let doc = Html::parse_document(&format!("<head>{head}</head>"));
        from_metadata(&MetaTags::read(&doc), &LinkedData::read(&doc))
    }

    #[test]
    fn metadata_names_in_order() {
        let og = r#"<meta property="og:site_name" content="OG Name">"#;
        let ld = r#"<script type="application/ld+json">{"@type":"MedicalWebPage","publisher":{"@type":"Organization","name":"LD Name"}}</script>"#;
        let app = r#"<meta name="application-name" content="App Name">"#;
        assert_eq!(from_page(&format!("{app}{ld}{og}")).as_deref(), Some("OG Name"));
        assert_eq!(from_page(&format!("{app}{ld}")).as_deref(), Some("LD Name"));
        assert_eq!(from_page(app).as_deref(), Some("App Name"));
        assert_eq!(from_page("<title>Croup in children - Little Sprouts</title>"), None);
    }

    #[test]
    fn a_title_suffix_counts_only_when_the_host_spells_it() {
        let name = |t, h| from_title(t, h);
        assert_eq!(
            name("Croup in children - Little Sprouts", "littlesprouts.example").as_deref(),
            Some("Little Sprouts")
        );
        assert_eq!(
            name("Head lice | Hearthside Health Topics", "topics.hearthsidehealth.example").as_deref(),
            Some("Hearthside Health Topics")
        );
        assert_eq!(name("Mastitis | BumpToBaby", "www.bumptobaby.example").as_deref(), Some("BumpToBaby"));
        assert_eq!(name("Back pain - Treatment", "www.bumptobaby.example"), None);
        assert_eq!(name("Croup", "littlesprouts.example"), None);
        assert_eq!(
            name("Chickenpox | Hearthside Health Topics", "hearthsidehealth.example").as_deref(),
            Some("Hearthside Health Topics")
        );
        assert_eq!(name("Back pain | Example", "www.example.com"), Some("Example".to_string()));
    }
}
