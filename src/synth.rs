//! Deterministic synthetic health articles for scale runs: titles, sections and references built
//! from the bundled vocabulary and a skewed list of everyday words, as JSON Lines or HTML pages.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

/// Everyday and health words, most frequent first (drawn with a skew, as real text is).
const WORDS: &[&str] = &[
    "the",
    "and",
    "of",
    "to",
    "a",
    "in",
    "is",
    "your",
    "it",
    "you",
    "for",
    "can",
    "with",
    "may",
    "be",
    "or",
    "are",
    "this",
    "that",
    "if",
    "on",
    "as",
    "not",
    "baby",
    "most",
    "some",
    "after",
    "help",
    "pain",
    "more",
    "about",
    "doctor",
    "symptoms",
    "often",
    "usually",
    "weeks",
    "days",
    "body",
    "time",
    "common",
    "treatment",
    "health",
    "should",
    "risk",
    "women",
    "children",
    "early",
    "also",
    "care",
    "feel",
    "sleep",
    "blood",
    "when",
    "signs",
    "pregnancy",
    "midwife",
    "feeding",
    "daily",
    "months",
    "water",
    "rest",
    "try",
    "normal",
    "changes",
    "advice",
    "check",
    "mild",
    "severe",
    "infection",
    "fever",
    "skin",
    "tired",
    "eat",
    "food",
    "drink",
    "safe",
    "medicine",
    "exercise",
    "gentle",
    "walking",
    "stretch",
    "muscles",
    "back",
    "legs",
    "belly",
    "heart",
    "breathing",
    "cough",
    "rash",
    "itching",
    "swelling",
    "weight",
    "iron",
    "vitamin",
    "sugar",
    "pressure",
    "tests",
    "scan",
    "hospital",
    "clinic",
    "nurse",
    "family",
    "partner",
    "support",
    "stress",
    "mood",
    "anxiety",
    "low",
    "high",
    "better",
    "worse",
    "quickly",
    "slowly",
    "night",
    "morning",
    "evening",
    "hours",
    "first",
    "second",
    "third",
    "trimester",
    "newborn",
    "toddler",
    "milk",
    "bottle",
    "breast",
    "nappy",
    "stool",
    "urine",
    "bleeding",
    "discharge",
    "cramps",
    "nausea",
    "vomiting",
    "dizziness",
    "headache",
    "joints",
    "bones",
    "teeth",
    "gums",
    "eyes",
    "ears",
    "throat",
    "chest",
    "hips",
    "pelvis",
    "spine",
    "posture",
    "lifting",
    "carrying",
    "bending",
    "sitting",
    "standing",
    "lying",
    "pillow",
    "warm",
    "cold",
    "compress",
    "bath",
    "shower",
    "massage",
    "physiotherapy",
    "paracetamol",
    "ibuprofen",
    "antibiotics",
    "cream",
    "drops",
    "tablets",
    "dose",
    "allergy",
    "asthma",
    "diabetes",
    "thyroid",
    "anaemia",
    "hormones",
    "recovery",
    "healing",
    "stitches",
    "wound",
    "scar",
    "labour",
    "delivery",
    "caesarean",
    "contractions",
    "placenta",
    "umbilical",
    "cord",
    "jaundice",
    "colic",
    "crying",
    "teething",
    "weaning",
    "growth",
    "development",
    "milestones",
    "vaccines",
    "screening",
    "guidelines",
    "evidence",
    "studies",
    "research",
    "review",
    "trial",
    "outcomes",
    "follow",
    "plan",
    "steps",
    "ways",
    "reduce",
    "prevent",
    "manage",
    "cope",
    "ease",
    "relieve",
    "avoid",
    "keep",
    "make",
    "take",
    "give",
    "call",
    "see",
    "ask",
];

/// Section headings; `{}` is the article's topic.
const HEADINGS: &[&str] = &[
    "What is {}?",
    "Symptoms of {}",
    "What causes {}?",
    "How {} is diagnosed",
    "Treatment for {}",
    "Things you can do at home",
    "{} in pregnancy",
    "{} in babies and children",
    "When to see a doctor",
    "Preventing {}",
    "Outlook: how long does {} last?",
    "Living with {}",
];

const TITLES: &[&str] = &[
    "{}: symptoms, causes and treatment",
    "{}",
    "Understanding {}",
    "{} after birth",
    "{} during pregnancy",
    "{} in children",
    "Living with {}",
    "{}: when to get help",
];

const SITES: &[&str] = &["www.gen-harbor.example", "gen-sprouts.example", "topics.gen-hearth.example"];
const JOURNALS: &[&str] = &[
    "BMJ",
    "Lancet",
    "Pediatrics",
    "Obstetrics & Gynecology",
    "BMC Pregnancy and Childbirth",
    "Cochrane Database of Systematic Reviews",
];

/// One generated article.
#[derive(Debug, Clone)]
pub struct GenDoc {
    pub id: String,
    pub title: String,
    pub url: String,
    pub site: &'static str,
    pub also_called: Vec<String>,
    pub summary: String,
    pub sections: Vec<(String, String)>,
    pub references: Vec<String>,
    pub reviewed: String,
}

/// Concept names of the bundled vocabulary (each concept's names, preferred first).
fn concepts() -> Vec<Vec<String>> {
    crate::vocab::BUNDLED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').nth(1))
        .map(|names| names.split('|').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect::<Vec<_>>())
        .filter(|names| !names.is_empty())
        .collect()
}

/// Generates `n` articles from `seed`, calling `f` with each; the same seed gives the same articles.
pub fn generate(n: usize, seed: u64, mut f: impl FnMut(GenDoc)) {
    let concepts = concepts();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for i in 0..n {
        f(article(i, &concepts, &mut rng));
    }
}

fn article(i: usize, concepts: &[Vec<String>], rng: &mut ChaCha8Rng) -> GenDoc {
    let names = &concepts[rng.random_range(0..concepts.len())];
    let topic = names[0].clone();
    let other = &concepts[rng.random_range(0..concepts.len())][0];
    let title = capitalize(&TITLES[i % TITLES.len()].replace("{}", &topic));
    let site = SITES[i % SITES.len()];
    let slug: String = crate::text::slugify(&title);
    let url = format!("https://{site}/health/{slug}-{i}");
    let mut headings: Vec<&str> = HEADINGS.to_vec();
    let n_sections = rng.random_range(4..8);
    let mut sections = Vec::with_capacity(n_sections);
    for _ in 0..n_sections {
        let h = headings.remove(rng.random_range(0..headings.len()));
        let text: Vec<String> = (0..rng.random_range(3..7)).map(|_| sentence(rng, &topic, other)).collect();
        sections.push((capitalize(&h.replace("{}", &topic)), text.join(" ")));
    }
    let references = (0..rng.random_range(3..7))
        .map(|k| {
            let year = rng.random_range(1998..2025);
            let journal = JOURNALS[rng.random_range(0..JOURNALS.len())];
            format!(
                "Author{} A, Writer{} B. ({year}). {} and {}: a review. {journal}. https://doi.org/10.5555/gen.{i}.{k} [Accessed March {}]",
                rng.random_range(1..500),
                rng.random_range(1..500),
                capitalize(&topic),
                other,
                rng.random_range(year..2026)
            )
        })
        .collect();
    GenDoc {
        id: format!("gen-{i}"),
        summary: sentence(rng, &topic, other),
        also_called: names[1..].to_vec(),
        title,
        url,
        site,
        sections,
        references,
        reviewed: format!(
            "{}-{:02}-{:02}",
            rng.random_range(2015..2026),
            rng.random_range(1..13),
            rng.random_range(1..29)
        ),
    }
}

/// A sentence of 8 to 20 words: skewed everyday words with the topic (and sometimes a related
/// concept) mixed in.
fn sentence(rng: &mut ChaCha8Rng, topic: &str, other: &str) -> String {
    let len = rng.random_range(8..21);
    let mut words: Vec<String> = Vec::with_capacity(len + 4);
    for _ in 0..len {
        let roll: f64 = rng.random();
        if roll < 0.08 {
            words.push(topic.to_string());
        } else if roll < 0.11 {
            words.push(other.to_string());
        } else {
            let u: f64 = rng.random();
            words.push(WORDS[((u * u * u) * WORDS.len() as f64) as usize % WORDS.len()].to_string());
        }
    }
    format!("{}.", capitalize(&words.join(" ")))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// The article as a BEIR-style JSON Lines record.
pub fn to_jsonl(d: &GenDoc) -> String {
    let text: Vec<String> =
        std::iter::once(d.summary.clone()).chain(d.sections.iter().map(|(h, t)| format!("{h}\n{t}"))).collect();
    json!({"_id": d.id, "title": d.title, "text": text.join("\n\n"), "url": d.url, "also_called": d.also_called})
        .to_string()
}

/// The article as an HTML page of a semantic site (canonical link, JSON-LD dates, sections with
/// ids, a reference list), as the crawler and the mirror ingest read them.
pub fn to_html(d: &GenDoc) -> String {
    let e = |s: &str| html_escape::encode_text(s).into_owned();
    let mut body = String::new();
    for (h, t) in &d.sections {
        body.push_str(&format!("<h2 id=\"{}\">{}</h2>\n<p>{}</p>\n", crate::text::slugify(h), e(h), e(t)));
    }
    let refs: String = d.references.iter().map(|r| format!("<li>{}</li>", e(r))).collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Generated Health</title>
<link rel="canonical" href="{url}"><meta name="description" content="{summary}">
<script type="application/ld+json">{{"@type":"MedicalWebPage","lastReviewed":"{reviewed}"}}</script></head>
<body><nav><a href="/">Home</a> <a href="/health/">Health A-Z</a></nav>
<main><article><h1>{title}</h1><p class="summary">{summary}</p>
{body}<h2>References</h2><ol class="references">{refs}</ol></article></main>
<footer>Was this article helpful? Yes No</footer></body></html>
"#,
        title = e(&d.title),
        url = html_escape::encode_double_quoted_attribute(&d.url),
        summary = html_escape::encode_double_quoted_attribute(&d.summary),
        reviewed = d.reviewed,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_articles() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        generate(20, 7, |d| a.push(to_jsonl(&d)));
        generate(20, 7, |d| b.push(to_jsonl(&d)));
        assert_eq!(a, b);
        let mut c = Vec::new();
        generate(20, 8, |d| c.push(to_jsonl(&d)));
        assert_ne!(a, c);
    }

    #[test]
    fn generated_pages_extract_as_articles() {
        let mut docs = Vec::new();
        generate(5, 1, |d| docs.push(d));
        for d in &docs {
            let a = crate::ingest::extract(&to_html(d), &d.url).expect("an article");
            assert_eq!(a.title, d.title);
            assert_eq!(a.url, d.url);
            assert!(a.citations.len() >= 3);
            assert!(a.reviewed.is_some());
        }
    }
}
