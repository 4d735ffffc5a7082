//! An article's categories, broad to narrow, named as people write them ("Aches and pains", not
//! "aches-and-pains"). A page's stated categories come first (breadcrumbs, JSON-LD; see
//! [`super::meta`]); a page that states none is filed by the folders of its URL path, and a page
//! without folders by the people its title and headings name.

use super::audience::{category_name, named_in};
use url::Url;

/// Folders that hold a whole site rather than one subject: not categories.
const CONTAINER_FOLDERS: &[&str] = &[
    "topics",
    "topic",
    "articles",
    "article",
    "health-a-z",
    "health-topics",
    "a-z",
    "az",
    "content",
    "pages",
    "page",
    "blog",
    "blogs",
    "post",
    "posts",
    "news",
    "category",
    "categories",
    "tag",
    "tags",
    "amp",
    "wiki",
    "library",
    "index",
    "www",
    "en",
    "html",
];
/// File names that stand for their folder.
const INDEX_FILES: &[&str] = &["index", "default", "home"];
/// Words that lose their apostrophe in URL slugs.
const POSSESSIVES: &[(&str, &str)] =
    &[("womens", "women's"), ("mens", "men's"), ("childrens", "children's"), ("parents", "parents'")];

/// The article's categories: `stated` ones tidied, else its URL's folders, else the people its
/// title and headings name. Names equal to the title and repeats are left out.
pub fn categories(stated: &[String], url: &str, title: &str, headings: &[&str]) -> Vec<String> {
    let keep = |names: Vec<String>| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in names.iter().map(|n| tidy(n)) {
            let repeated = out.iter().any(|o| o.eq_ignore_ascii_case(&name));
            if !name.is_empty() && !name.eq_ignore_ascii_case(title.trim()) && !repeated {
                out.push(name);
            }
        }
        out
    };
    let from_stated = keep(stated.to_vec());
    if !from_stated.is_empty() {
        return from_stated;
    }
    let from_path = keep(path_folders(url).into_iter().filter(|f| is_subject(f)).collect());
    if !from_path.is_empty() {
        return from_path;
    }
    let text = std::iter::once(title).chain(headings.iter().copied()).collect::<Vec<_>>().join("\n");
    named_in(&text).into_iter().map(|who| category_name(who).to_string()).collect()
}

/// The folders of a web URL's path, decoded and without file extensions, leaving out the page
/// itself: `/pregnancy/your-body/back-pain` and `/pregnancy/your-body/back-pain/index.html` both
/// give `pregnancy`, `your-body`.
pub fn path_folders(url: &str) -> Vec<String> {
    // A local file's folders are wherever it was saved, not the site's.
    let Some(u) = Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https")) else { return Vec::new() };
    let mut parts: Vec<String> = u
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(|p| stem(&percent_decode(p)).to_string()).collect())
        .unwrap_or_default();
    if parts.last().is_some_and(|last| INDEX_FILES.contains(&last.to_ascii_lowercase().as_str())) {
        parts.pop();
    }
    parts.pop();
    parts
}

/// Whether a folder names a subject: not a site-wide container, a language, a date or an id.
fn is_subject(folder: &str) -> bool {
    let f = folder.to_ascii_lowercase();
    let has_digit = f.chars().any(|c| c.is_ascii_digit());
    let language = f.len() == 2 || (f.len() == 5 && f.as_bytes().get(2) == Some(&b'-'));
    let id_like = has_digit && (f.chars().all(|c| c.is_ascii_hexdigit() || c == '-') || !f.contains('-'));
    let letters = f.chars().filter(|c| c.is_alphabetic()).count();
    !CONTAINER_FOLDERS.contains(&f.as_str()) && !language && !id_like && letters >= 3
}

/// A name with any file extension removed (`back-pain.html` is `back-pain`).
fn stem(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphabetic()) => stem,
        _ => name,
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// A category name as people write it: slugs become words ("aches-and-pains" is "Aches and
/// pains"), shouting and all-lower-case names get a capital first letter, others stay as written.
pub fn tidy(name: &str) -> String {
    let name = crate::text::normalize(name);
    let is_slug = !name.contains(' ') && (name.contains('-') || name.contains('_')) && !has_upper(&name);
    let name = if is_slug { unslug(&name) } else { name };
    let shouting = has_upper(&name) && !name.chars().any(char::is_lowercase) && name.chars().count() > 4;
    if shouting || !has_upper(&name) { sentence_case(&name.to_lowercase()) } else { name }
}

fn has_upper(s: &str) -> bool {
    s.chars().any(char::is_uppercase)
}

fn unslug(slug: &str) -> String {
    let words = slug.split(['-', '_']).filter(|w| !w.is_empty());
    let words = words.map(|w| POSSESSIVES.iter().find(|(from, _)| *from == w).map_or(w, |(_, to)| *to));
    words.collect::<Vec<_>>().join(" ")
}

fn sentence_case(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn stated_categories_are_tidied_not_replaced() {
        let url = "https://s.example/x/y/page";
        assert_eq!(
            categories(&strings(&["Pregnancy", "your-body"]), url, "Back pain", &[]),
            vec!["Pregnancy", "Your body"]
        );
        assert_eq!(
            categories(&strings(&["PREGNANCY", "PCOS", "Back pain"]), url, "Back pain", &[]),
            vec!["Pregnancy", "PCOS"]
        );
        assert_eq!(categories(&strings(&["Baby", "baby"]), url, "Colic", &[]), vec!["Baby"]);
    }

    #[test]
    fn url_folders_when_nothing_is_stated() {
        let cats = |url| categories(&[], url, "Title", &[]);
        assert_eq!(cats("https://s.example/pregnancy/your-body/back-pain"), vec!["Pregnancy", "Your body"]);
        assert_eq!(
            cats("https://s.example/pregnancy/aches-and-pains/carpal-tunnel.htm"),
            vec!["Pregnancy", "Aches and pains"]
        );
        assert_eq!(cats("https://s.example/pregnancy/complications/preeclampsia/"), vec!["Pregnancy", "Complications"]);
        assert_eq!(
            cats("https://s.example/pregnancy/complications/preeclampsia/index.html"),
            vec!["Pregnancy", "Complications"]
        );
        assert_eq!(cats("https://s.example/topics/lungs/bronchiolitis"), vec!["Lungs"]);
        assert_eq!(cats("https://s.example/en-gb/womens-health/2024/05/12/8f3a9c21/menopause"), vec!["Women's health"]);
        assert_eq!(cats("https://s.example/kids_health/page.php?id=3"), vec!["Kids health"]);
    }

    #[test]
    fn headings_name_people_when_there_is_nothing_else() {
        let cats =
            categories(&[], "https://s.example/back-pain", "Back pain", &["Back pain in pregnancy", "Exercises"]);
        assert_eq!(cats, vec!["Pregnancy"]);
        assert!(categories(&[], "file:///tmp/page.html", "Back pain", &["Exercises"]).is_empty());
    }

    #[test]
    fn tidy_keeps_names_written_by_people() {
        assert_eq!(tidy("Women's health"), "Women's health");
        assert_eq!(tidy("Iron-deficiency anaemia"), "Iron-deficiency anaemia");
        assert_eq!(tidy("hormones-and-metabolism"), "Hormones and metabolism");
        assert_eq!(tidy("  after   the birth "), "After the birth");
    }
}
