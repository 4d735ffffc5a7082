//! The article's summary: the page's own description unless that is furniture, else the first
//! real sentences of the body, never a byline, a date line, a navigation label or a link title.

use super::furniture::is_furniture_text;
use crate::article::Section;

/// Summaries taken from the body are cut at a sentence end near this many characters.
const SUMMARY_CHARS: usize = 300;
/// A body line shorter than this (in words) is a label or a title, not a sentence...
const MIN_SENTENCE_WORDS: usize = 5;
/// ...and so is one this long or shorter that does not end like a sentence ("Bleeding gums in
/// pregnancy" in a list of links).
const MAX_UNPUNCTUATED_WORDS: usize = 12;

/// The summary for a page with `description` (from its metadata, if any) and these sections.
pub fn summary(description: Option<&str>, sections: &[Section]) -> String {
    if let Some(d) = description.map(str::trim).filter(|d| !d.is_empty() && !is_furniture_text(d)) {
        return d.to_string();
    }
    let lines = || sections.iter().flat_map(|s| s.text.lines()).map(str::trim);
    let first = lines().find(|l| is_sentence(l)).or_else(|| lines().find(|l| !l.is_empty() && !is_furniture_text(l)));
    first.map(|l| first_sentences(l, SUMMARY_CHARS)).unwrap_or_default()
}

/// Whether a body line reads as prose: long enough, ending like a sentence unless it is long,
/// and not furniture.
fn is_sentence(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let ends = line.trim_end_matches(['"', '”', '’', ')']).ends_with(['.', '!', '?', ':']);
    words >= MIN_SENTENCE_WORDS && (ends || words > MAX_UNPUNCTUATED_WORDS) && !is_furniture_text(line)
}

/// The first sentences of `line` up to about `max` characters (at least one sentence).
fn first_sentences(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        return line.to_string();
    }
    let mut out = String::new();
    for sentence in line.split_inclusive(". ") {
        if !out.is_empty() && out.chars().count() + sentence.chars().count() > max {
            break;
        }
        out.push_str(sentence);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intro(text: &str) -> Vec<Section> {
        vec![Section { text: text.to_string(), ..Section::default() }]
    }

    #[test]
    fn skips_bylines_labels_and_link_titles() {
        let body = "More articles\nBleeding gums in pregnancy\nHome\n\
                    Written by Jo Bloggs. Last reviewed 3 May 2024 by Dr Ann Lee.\n\
                    Leg cramps are common in pregnancy. They often strike at night.";
        assert_eq!(summary(None, &intro(body)), "Leg cramps are common in pregnancy. They often strike at night.");
    }

    #[test]
    fn a_furniture_description_gives_way_to_the_body() {
        let body = "Leg cramps are common in pregnancy.";
        assert_eq!(summary(Some("By Jo Bloggs | Updated 3 May 2024"), &intro(body)), body);
        assert_eq!(summary(Some("Why cramps happen."), &intro(body)), "Why cramps happen.");
    }

    #[test]
    fn long_first_paragraphs_are_cut_at_a_sentence() {
        let body = "One sentence about cramps here. ".repeat(20);
        let s = summary(None, &intro(body.trim()));
        assert!(s.chars().count() <= SUMMARY_CHARS && s.ends_with("here."), "{s}");
    }

    #[test]
    fn a_body_of_labels_only_gives_its_first_non_furniture_line() {
        assert_eq!(summary(None, &intro("Home\nCramps")), "Cramps");
        assert_eq!(summary(None, &intro("Home")), "");
    }
}
