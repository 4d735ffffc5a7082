//! Parsing one reference-list entry into a structured [`Citation`].
//!
//! Handles the common shapes: "Authors. 2008. Title. Journal 8(19). URL [Accessed February 2022]",
//! "Authors (2008). Title. Journal. URL", and "Authors. Title. Journal, 2008. URL".
//! DOIs, PubMed and PMC ids are recognised in links and in the text.

use crate::article::Citation;
use crate::text::strip_artifacts;
use regex::Regex;
use std::sync::LazyLock;

struct Patterns {
    url: Regex,
    doi: Regex,
    pmid_url: Regex,
    pmid_text: Regex,
    pmcid: Regex,
    accessed: Regex,
    year_after_authors: Regex,
    year_in_parens: Regex,
    trailing_year: Regex,
    vancouver_authors: Regex,
    cited: Regex,
    available_from: Regex,
    person: Regex,
}

static PATTERNS: LazyLock<Option<Patterns>> = LazyLock::new(|| {
    Some(Patterns {
        url: Regex::new(r"https?://[^\s<>\[\]]+").ok()?,
        doi: Regex::new(r"(?i)\b(10\.\d{4,9}/[^\s\[\]<>]+)").ok()?,
        pmid_url: Regex::new(r"(?i)(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{4,9})").ok()?,
        pmid_text: Regex::new(r"\bPMID:?\s*(\d{4,9})\b").ok()?,
        pmcid: Regex::new(r"\b(PMC\d{4,9})\b").ok()?,
        accessed: Regex::new(r"(?i)[\[(]?\s*(?:last\s+)?accessed:?\s*(?:on\s+)?([^\])]*?\d{4})\s*[\])]?\.?").ok()?,
        year_after_authors: Regex::new(r"^(.{2,120}?)\.?\s+((?:19|20)\d{2})[a-z]?\.\s+(.*)$").ok()?,
        year_in_parens: Regex::new(r"^(.{2,200}?)\s*\(((?:19|20)\d{2})[a-z]?(?:,[^)]*)?\)\.?\s+(.*)$").ok()?,
        vancouver_authors: Regex::new(
            r"^((?:[\p{Lu}][\p{L}'’\-]+(?: [\p{Lu}][\p{L}'’\-]+)* \p{Lu}{1,3}(?:, | & )?)+(?:,? et al)?)\.\s+(.+)$",
        )
        .ok()?,
        trailing_year: Regex::new(r"[,.;]?\s*\(?((?:19|20)\d{2})\)?\.?$").ok()?,
        cited: Regex::new(r"\[cited:?\s*((?:19|20)\d{2})\s+([A-Za-z]{3,9})\.?(?:\s+\d{1,2})?\]\.?").ok()?,
        available_from: Regex::new(r"(?i)\b(?:available (?:from|at)|retrieved from)\s*:?").ok()?,
        person: Regex::new(r"^(?:[\p{Lu}][\p{L}'’\-]+ )+\p{Lu}{1,3}$|^\p{Lu}(?:\.\s?\p{Lu})*\.? [\p{Lu}][\p{L}'’\-]+$")
            .ok()?,
    })
});

/// Parses one entry. `raw` is its visible text; `links` are the absolute URLs of its links.
pub fn parse_citation(raw: &str, links: &[String]) -> Citation {
    let raw = strip_artifacts(raw);
    let mut c = Citation { raw: raw.clone(), ..Citation::default() };
    let Some(p) = PATTERNS.as_ref() else { return c };

    let text_url = p.url.find(&raw).map(|m| trim_url(m.as_str()));
    c.url = links.iter().find(|l| l.starts_with("http")).cloned().or(text_url);
    let haystack = format!("{} {}", c.url.as_deref().unwrap_or(""), raw);
    c.doi = p.doi.captures(&haystack).map(|m| trim_url(&m[1]));
    c.pmid = p.pmid_url.captures(&haystack).or_else(|| p.pmid_text.captures(&haystack)).map(|m| m[1].to_string());
    c.pmcid = p.pmcid.captures(&haystack).map(|m| m[1].to_string());
    c.accessed = p
        .accessed
        .captures(&raw)
        .map(|m| m[1].trim().to_string())
        .or_else(|| p.cited.captures(&raw).map(|m| format!("{} {}", full_month(&m[2]), &m[1])));

    // What is left once links, identifiers and the access note are taken out.
    let mut rest = p.accessed.replace_all(&raw, " ").into_owned();
    rest = p.cited.replace_all(&rest, " ").into_owned();
    rest = p.available_from.replace_all(&rest, " ").into_owned();
    rest = p.url.replace_all(&rest, " ").into_owned();
    rest = p.pmid_text.replace_all(&rest, " ").into_owned();
    let rest = crate::text::collapse_whitespace(&rest);
    let rest = rest.trim().trim_end_matches(['.', ',', ';', ' ']).trim();
    parse_body(p, rest, &mut c);
    c
}

/// Splits "authors, year, title, container" out of the entry's remaining text.
fn parse_body(p: &Patterns, rest: &str, c: &mut Citation) {
    let (authors, tail) = if let Some(m) = p.year_in_parens.captures(rest) {
        c.year = m[2].parse().ok();
        (m[1].to_string(), m[3].to_string())
    } else if let Some(m) = p.year_after_authors.captures(rest) {
        c.year = m[2].parse().ok();
        (m[1].to_string(), m[3].to_string())
    } else if let Some(m) = p.vancouver_authors.captures(rest) {
        let mut tail = m[2].to_string();
        take_trailing_year(p, &mut tail, c);
        (m[1].to_string(), tail)
    } else {
        let mut parts = split_sentences(rest);
        if parts.len() < 2 {
            c.title = non_empty(rest);
            return;
        }
        let authors = parts.remove(0);
        let mut tail = parts.join(". ");
        take_trailing_year(p, &mut tail, c);
        (authors, tail)
    };
    c.authors = split_authors(p, &authors);
    let mut parts = split_sentences(&tail).into_iter();
    c.title = parts.next().and_then(|t| non_empty(&t));
    let container: Vec<String> = parts.collect();
    c.container = non_empty(&container.join(" "));
}

/// Moves a year at the end of `tail` ("..., 2017") into the citation.
fn take_trailing_year(p: &Patterns, tail: &mut String, c: &mut Citation) {
    if let Some(m) = p.trailing_year.captures(tail) {
        c.year = m[1].parse().ok();
        let cut = m.get(0).map_or(tail.len(), |g| g.start());
        tail.truncate(cut);
    }
}

/// Splits at sentence ends (". ", "? ", "! "), not after initials or common abbreviations.
fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, ch) in text.char_indices() {
        let next_is_space = bytes.get(i + 1) == Some(&b' ');
        if matches!(ch, '.' | '?' | '!') && next_is_space {
            let word = text[start..i].rsplit(' ').next().unwrap_or("");
            let initial = (word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase())) || word.contains('.');
            let abbrev = matches!(word, "eg" | "e.g" | "i.e" | "vs" | "St" | "Dr" | "No" | "Vol" | "pp");
            if ch == '.' && (initial || abbrev) {
                continue;
            }
            let keep = if ch == '.' { i } else { i + 1 };
            push_trimmed(&mut out, &text[start..keep]);
            start = i + 1;
        }
    }
    push_trimmed(&mut out, &text[start..]);
    out
}

fn push_trimmed(out: &mut Vec<String>, s: &str) {
    let s = s.trim().trim_end_matches('.').trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
}

/// "Bastiaenen CHG, de Bie RA, et al." gives two names; an organisation ("National Heart, Lung,
/// and Blood Institute") stays whole unless every part reads as a person's name.
fn split_authors(p: &Patterns, text: &str) -> Vec<String> {
    let cleaned = text.trim().trim_end_matches('.');
    let parts: Vec<String> = cleaned
        .split([',', ';'])
        .flat_map(|s| s.split(" & "))
        .map(|s| s.trim().trim_end_matches("et al").trim_end_matches(['.', ' ']).trim())
        .map(|s| s.strip_suffix(" et al").unwrap_or(s).trim().to_string())
        .filter(|s| !s.is_empty() && s != "&")
        .collect();
    let people = parts.iter().all(|s| p.person.is_match(s) || s.starts_with(char::is_lowercase));
    if parts.len() > 1 && !people {
        return vec![cleaned.trim_end_matches("et al").trim_end_matches([',', ' ']).to_string()];
    }
    parts
}

/// "Jun" or "June" gives "June".
fn full_month(m: &str) -> String {
    const MONTHS: &[&str] = &[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let lower = m.to_lowercase();
    MONTHS.iter().find(|full| full.to_lowercase().starts_with(&lower)).map_or_else(|| m.to_string(), |f| f.to_string())
}

fn trim_url(s: &str) -> String {
    s.trim_end_matches(['.', ',', ';', ')', ']']).to_string()
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim().trim_end_matches(['.', ',']).trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_seed_entry_fully() {
        let raw = "Bastiaenen CHG et al. 2008. Long-term effectiveness and costs of a brief self-management \
                   intervention in women with pregnancy-related low back pain after delivery. BMC Pregnancy and \
                   Childbirth 8(19). https://bmcpregnancychildbirth.biomedcentral.com/articles/10.1186/1471-2393-8-19 \
                   Opens a new window [Accessed February 2022]";
        let c = parse_citation(raw, &[]);
        assert_eq!(c.authors, vec!["Bastiaenen CHG"]);
        assert_eq!(c.year, Some(2008));
        assert_eq!(
            c.title.as_deref(),
            Some(
                "Long-term effectiveness and costs of a brief self-management intervention in women with pregnancy-related low back pain after delivery"
            )
        );
        assert_eq!(c.container.as_deref(), Some("BMC Pregnancy and Childbirth 8(19)"));
        assert_eq!(c.doi.as_deref(), Some("10.1186/1471-2393-8-19"));
        assert_eq!(c.accessed.as_deref(), Some("February 2022"));
        assert!(!c.raw.contains("Opens a new window"));
        assert!(c.url.as_deref().is_some_and(|u| u.ends_with("1471-2393-8-19")));
    }

    #[test]
    fn parses_apa_style_with_parenthesised_year() {
        let raw = "Liddle SD, Pennick V (2015). Interventions for preventing and treating low-back and pelvic pain during pregnancy. Cochrane Database of Systematic Reviews. https://doi.org/10.1002/14651858.CD001139.pub4. Accessed March 2023.";
        let c = parse_citation(raw, &[]);
        assert_eq!(c.authors, vec!["Liddle SD", "Pennick V"]);
        assert_eq!(c.year, Some(2015));
        assert_eq!(c.container.as_deref(), Some("Cochrane Database of Systematic Reviews"));
        assert_eq!(c.doi.as_deref(), Some("10.1002/14651858.CD001139.pub4"));
        assert_eq!(c.accessed.as_deref(), Some("March 2023"));
    }

    #[test]
    fn parses_trailing_year_and_pubmed_link() {
        let raw = "Smith J, Jones K. Colic in infancy. BMJ Clinical Evidence, 2011. https://pubmed.ncbi.nlm.nih.gov/21375787/ (accessed June 2021)";
        let c = parse_citation(raw, &["https://pubmed.ncbi.nlm.nih.gov/21375787/".into()]);
        assert_eq!(c.authors, vec!["Smith J", "Jones K"]);
        assert_eq!(c.year, Some(2011));
        assert_eq!(c.title.as_deref(), Some("Colic in infancy"));
        assert_eq!(c.container.as_deref(), Some("BMJ Clinical Evidence"));
        assert_eq!(c.pmid.as_deref(), Some("21375787"));
        assert_eq!(c.accessed.as_deref(), Some("June 2021"));
    }

    #[test]
    fn ends_vancouver_authors_at_the_last_initials() {
        let raw = "Macknin ML, Piedmonte M, Jacobs J, Skibinski C. Symptoms associated with infant teething: a prospective study. Pediatrics 105(4):747-752, 2000.";
        let c = parse_citation(raw, &[]);
        assert_eq!(c.authors.len(), 4);
        assert_eq!(c.title.as_deref(), Some("Symptoms associated with infant teething: a prospective study"));
        assert_eq!(c.container.as_deref(), Some("Pediatrics 105(4):747-752"));
        assert_eq!(c.year, Some(2000));
    }

    #[test]
    fn parses_vancouver_with_cited_date() {
        let raw = "Mehta LS, Beckie TM, DeVon HA, et al. Acute myocardial infarction in women: a scientific statement from the American Heart Association. Circulation 133(9):916-947; 2016 [cited 2023 Jun]. Available from: https://doi.org/10.1161/CIR.0000000000000351";
        let c = parse_citation(raw, &[]);
        assert_eq!(c.authors, vec!["Mehta LS", "Beckie TM", "DeVon HA"]);
        assert_eq!(c.year, Some(2016));
        assert_eq!(c.container.as_deref(), Some("Circulation 133(9):916-947"));
        assert_eq!(c.accessed.as_deref(), Some("June 2023"));
        assert_eq!(c.doi.as_deref(), Some("10.1161/CIR.0000000000000351"));
    }

    #[test]
    fn keeps_organisations_with_commas_whole() {
        let raw = "National Heart, Lung, and Blood Institute. Heart attack. NHLBI; 2022 [cited 2023 Jun 5]. Available from: https://www.nhlbi.nih.gov/health/heart-attack";
        let c = parse_citation(raw, &[]);
        assert_eq!(c.authors, vec!["National Heart, Lung, and Blood Institute"]);
        assert_eq!(c.title.as_deref(), Some("Heart attack"));
        assert_eq!(c.container.as_deref(), Some("NHLBI"));
        assert_eq!(c.year, Some(2022));
    }

    #[test]
    fn finds_bare_urls_and_pmcids_in_text() {
        let raw = "Smith AB. Stretch marks in pregnancy. Journal of Skin 4(2). 2019. https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6470251/ Accessed March 2022.";
        let c = parse_citation(raw, &[]);
        assert_eq!(c.url.as_deref(), Some("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC6470251/"));
        assert_eq!(c.pmcid.as_deref(), Some("PMC6470251"));
        assert_eq!(c.year, Some(2019));
        assert_eq!(c.accessed.as_deref(), Some("March 2022"));
    }

    #[test]
    fn dotted_abbreviations_do_not_end_a_sentence() {
        let raw = "U.S. Food and Drug Administration. Safely soothing teething pain. FDA Consumer Updates, 2020. https://www.fda.gov/x";
        let c = parse_citation(raw, &[]);
        assert_eq!(c.authors, vec!["U.S. Food and Drug Administration"]);
        assert_eq!(c.title.as_deref(), Some("Safely soothing teething pain"));
        assert_eq!(c.year, Some(2020));
    }

    #[test]
    fn keeps_unstructured_text_as_title() {
        let c = parse_citation("Some leaflet without structure", &[]);
        assert_eq!(c.title.as_deref(), Some("Some leaflet without structure"));
        assert_eq!(c.year, None);
        let empty = parse_citation("", &[]);
        assert_eq!(empty.title, None);
    }
}
