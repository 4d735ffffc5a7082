//! How an article or passage is quoted: one line naming the title, the site, how current the
//! article is and where exactly the words are, so an assistant can cite without composing it.

use chrono::NaiveDate;

/// The site as people know it: its name when the page gives one, else the URL's host without
/// `www.`.
pub fn site_label(site_name: Option<&str>, url: &str) -> String {
    if let Some(name) = site_name.map(str::trim).filter(|n| !n.is_empty()) {
        return name.to_string();
    }
    let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_default();
    host.strip_prefix("www.").unwrap_or(&host).to_string()
}

/// `Title. Site, reviewed 2024-05-02. https://…#section` (the review date said to be missing
/// when the article gives none: a reader should know).
pub fn cite(title: &str, site: &str, reviewed: Option<NaiveDate>, url: &str) -> String {
    let title = title.trim().trim_end_matches('.');
    let when = match reviewed {
        Some(day) => format!("reviewed {day}"),
        None => "no review date given".to_string(),
    };
    let site = if site.is_empty() { String::new() } else { format!("{site}, ") };
    format!("{title}. {site}{when}. {url}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cite_names_title_site_review_date_and_place() {
        let day = NaiveDate::from_ymd_opt(2024, 5, 2);
        let site = site_label(None, "https://www.bumptobaby.example/back-pain.html");
        assert_eq!(site, "bumptobaby.example");
        assert_eq!(
            cite("Back pain.", &site, day, "https://www.bumptobaby.example/back-pain.html#relief"),
            "Back pain. bumptobaby.example, reviewed 2024-05-02. https://www.bumptobaby.example/back-pain.html#relief"
        );
        assert_eq!(site_label(Some("Bump to Baby"), "https://x.example/"), "Bump to Baby");
        assert_eq!(
            cite("Croup", "", None, "https://x.example/croup"),
            "Croup. no review date given. https://x.example/croup"
        );
    }
}
