//! Who an article is for, inferred at ingest: someone pregnant, after the birth, breastfeeding,
//! a baby, a toddler, a child or an adult.
//!
//! What counts, strongest first:
//! 1. what the page declares: JSON-LD `audience` (`audienceType`, a `PeopleAudience`'s ages or
//!    `healthCondition`) and `about`;
//! 2. where the site files it: its categories (breadcrumbs) and the folders of its URL path;
//! 3. its title.
//!
//! The article is for everyone these name ("Fever in babies and children" is for both). Only
//! when none names anyone do its sections decide, and only on an age (baby, toddler, child,
//! adult): a person named in at least half of them, and clearly more often than anyone else. A
//! general article's sections often give advice for pregnancy or breastfeeding as a special
//! case ("UTIs in pregnancy"), which does not make it a pregnancy article. Otherwise the article
//! has no audience: saying nothing is better than sending an answer to the wrong person.
//!
//! Decisions, each in one place below:
//! - "Breastfeeding" is the mother who breastfeeds. A breastfeeding article is not also for the
//!   baby unless it is filed or titled so: advice for a baby (doses, symptoms) differs.
//! - A baby named in a text about pregnancy, the birth or breastfeeding is part of the mother's
//!   story ("your baby's movements in pregnancy", "contraception after having a baby"), not a
//!   second reader: in such a text it does not count. Nor are the women of
//!   "pregnant women" or "breastfeeding mothers" adults in general: the phrase names the stage.
//! - "After pregnancy", "after (the) birth" and "after having a baby" mean after the birth.
//! - Labour and birth count as pregnancy.
//! - Adults only when named (adults, women, men, women's health), never by default.

use super::jsonld::{LinkedData, names_of, string_of};
use crate::article::{Article, Audience};
use foldhash::fast::RandomState;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

/// Phrases naming each audience, as lower-case words ("women's" is read as "women"). The longest
/// phrase at a position wins, so "after having a baby" is after the birth, not a baby.
const PHRASES: &[(&str, Audience)] = &[
    ("pregnancy", Audience::Pregnancy),
    ("pregnancies", Audience::Pregnancy),
    ("pregnant", Audience::Pregnancy),
    ("antenatal", Audience::Pregnancy),
    ("prenatal", Audience::Pregnancy),
    ("trimester", Audience::Pregnancy),
    ("gestational", Audience::Pregnancy),
    ("labour", Audience::Pregnancy),
    ("labor", Audience::Pregnancy),
    ("trying to conceive", Audience::Pregnancy),
    ("expectant mother", Audience::Pregnancy),
    ("expectant mothers", Audience::Pregnancy),
    ("pregnant woman", Audience::Pregnancy),
    ("pregnant women", Audience::Pregnancy),
    ("pregnant people", Audience::Pregnancy),
    ("postpartum", Audience::Postpartum),
    ("postnatal", Audience::Postpartum),
    ("post natal", Audience::Postpartum),
    ("post partum", Audience::Postpartum),
    ("puerperium", Audience::Postpartum),
    ("after birth", Audience::Postpartum),
    ("after the birth", Audience::Postpartum),
    ("after giving birth", Audience::Postpartum),
    ("after childbirth", Audience::Postpartum),
    ("after delivery", Audience::Postpartum),
    ("after pregnancy", Audience::Postpartum),
    ("after a baby", Audience::Postpartum),
    ("after having a baby", Audience::Postpartum),
    ("after having your baby", Audience::Postpartum),
    ("after your baby is born", Audience::Postpartum),
    ("new mother", Audience::Postpartum),
    ("new mothers", Audience::Postpartum),
    ("new mum", Audience::Postpartum),
    ("new mums", Audience::Postpartum),
    ("new mom", Audience::Postpartum),
    ("new moms", Audience::Postpartum),
    ("fourth trimester", Audience::Postpartum),
    ("breastfeeding", Audience::Breastfeeding),
    ("breastfeed", Audience::Breastfeeding),
    ("breastfed", Audience::Breastfeeding),
    ("breast feeding", Audience::Breastfeeding),
    ("chestfeeding", Audience::Breastfeeding),
    ("lactation", Audience::Breastfeeding),
    ("lactating", Audience::Breastfeeding),
    ("nursing mother", Audience::Breastfeeding),
    ("nursing mothers", Audience::Breastfeeding),
    ("breastfeeding mother", Audience::Breastfeeding),
    ("breastfeeding mothers", Audience::Breastfeeding),
    ("breastfeeding women", Audience::Breastfeeding),
    ("baby", Audience::Baby),
    ("babies", Audience::Baby),
    ("newborn", Audience::Baby),
    ("newborns", Audience::Baby),
    ("infant", Audience::Baby),
    ("infants", Audience::Baby),
    ("infantile", Audience::Baby),
    ("neonate", Audience::Baby),
    ("neonates", Audience::Baby),
    ("toddler", Audience::Toddler),
    ("toddlers", Audience::Toddler),
    ("child", Audience::Child),
    ("children", Audience::Child),
    ("childhood", Audience::Child),
    ("kid", Audience::Child),
    ("kids", Audience::Child),
    ("adult", Audience::Adult),
    ("adults", Audience::Adult),
    ("adulthood", Audience::Adult),
    ("woman", Audience::Adult),
    ("women", Audience::Adult),
    ("men", Audience::Adult),
];

/// The mother's own stages: in a text naming one, a baby is part of her story.
const MOTHER: [Audience; 3] = [Audience::Pregnancy, Audience::Postpartum, Audience::Breastfeeding];

/// Share of an article's sections that must name a person for the sections alone to decide.
const SECTION_SHARE: f32 = 0.5;
/// ...and by how much that person must lead the next one.
const SECTION_LEAD: f32 = 0.25;

/// Age bands in years, from (inclusive) to (exclusive), for a `PeopleAudience`'s ages.
const AGE_BANDS: [(f64, f64, Audience); 4] = [
    (0.0, 1.0, Audience::Baby),
    (1.0, 3.0, Audience::Toddler),
    (3.0, 13.0, Audience::Child),
    (18.0, f64::INFINITY, Audience::Adult),
];

/// Who `article` is for, in life order. `declared` is what its page's structured data says
/// (see [`declared`]); records without a page pass none.
pub fn infer(article: &Article, declared: &[Audience]) -> Vec<Audience> {
    let mut found: BTreeSet<Audience> = declared.iter().copied().collect();
    let folders = folders(&article.url);
    let filed = article.categories.iter().map(String::as_str).chain([folders.as_str(), article.title.as_str()]);
    for text in filed {
        found.extend(named_in(text));
    }
    if found.is_empty() {
        found.extend(by_sections(article));
    }
    found.into_iter().collect()
}

/// The people a text names, in life order, with the mother's-story rule applied.
pub fn named_in(text: &str) -> Vec<Audience> {
    let lower = lowered(text);
    let words = words_of(&lower);
    let mut found = BTreeSet::new();
    let mut i = 0;
    while i < words.len() {
        // Longest first, so the first phrase that fits is the longest at this position.
        let best = PHRASES_BY_FIRST_WORD.get(words[i]).and_then(|phrases| {
            phrases.iter().find(|(p, _)| words.get(i..i + p.len()).is_some_and(|w| w.iter().eq(p.iter())))
        });
        match best {
            Some((p, who)) => {
                found.insert(*who);
                i += p.len();
            }
            None => i += 1,
        }
    }
    if MOTHER.iter().any(|m| found.contains(m)) {
        found.remove(&Audience::Baby);
    }
    found.into_iter().collect()
}

/// A phrase of [`PHRASES`] as its words, with the audience it names.
type Phrase = (Vec<&'static str>, Audience);

/// [`PHRASES`] by their first word, each list longest first: a text is read once, a position
/// looking up only the phrases that can start there. Every word of every article is looked up,
/// so the hasher is a fast one (seeded per process).
static PHRASES_BY_FIRST_WORD: LazyLock<HashMap<&'static str, Vec<Phrase>, RandomState>> = LazyLock::new(|| {
    let mut longest_first: Vec<&(&'static str, Audience)> = PHRASES.iter().collect();
    longest_first.sort_by_key(|(phrase, _)| std::cmp::Reverse(phrase.len()));
    let mut by_first: HashMap<&'static str, Vec<Phrase>, RandomState> = HashMap::default();
    for (phrase, who) in longest_first {
        let words: Vec<&'static str> = phrase.split(' ').collect();
        by_first.entry(words[0]).or_default().push((words, *who));
    }
    by_first
});

/// A category name for an audience, for pages that give no other (see [`super::categories`]).
pub fn category_name(who: Audience) -> &'static str {
    match who {
        Audience::Pregnancy => "Pregnancy",
        Audience::Postpartum => "After the birth",
        Audience::Breastfeeding => "Breastfeeding",
        Audience::Baby => "Babies",
        Audience::Toddler => "Toddlers",
        Audience::Child => "Children",
        Audience::Adult => "Adults",
    }
}

/// `text` lower-cased, with one kind of apostrophe.
fn lowered(text: &str) -> String {
    let lower = text.to_lowercase();
    if lower.contains('’') { lower.replace('’', "'") } else { lower }
}

/// The words of a [`lowered`] text, a trailing "'s" dropped, hyphens splitting words ("post-natal").
fn words_of(lower: &str) -> Vec<&str> {
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_end_matches("'s").trim_matches('\''))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The folders of a URL's path, as words ("/after-the-birth/your-body/lochia" gives "after the
/// birth / your body"): the page's own name is its title's business.
fn folders(url: &str) -> String {
    super::categories::path_folders(url).join(" / ")
}

/// The age most of the article's sections name, when one clearly leads.
fn by_sections(article: &Article) -> Option<Audience> {
    let sections: Vec<_> = article.sections.iter().filter(|s| !s.text.is_empty()).collect();
    if sections.is_empty() {
        return None;
    }
    let mut counts = [0usize; Audience::ALL.len()];
    for s in &sections {
        for who in named_in(&format!("{}\n{}", s.heading, s.text)) {
            counts[who as usize] += 1;
        }
    }
    let share = |n: usize| n as f32 / sections.len() as f32;
    let ages = Audience::ALL.iter().filter(|a| !MOTHER.contains(a));
    let mut ranked: Vec<(usize, Audience)> = ages.map(|a| (counts[*a as usize], *a)).collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    let (top, who) = ranked[0];
    let second = ranked.get(1).map_or(0, |r| r.0);
    (share(top) >= SECTION_SHARE && share(top) - share(second) >= SECTION_LEAD).then_some(who)
}

/// Who a page's JSON-LD says it is for: its article objects' `audience` and `about`.
pub fn declared(ld: &LinkedData) -> Vec<Audience> {
    let mut found = BTreeSet::new();
    for article in ld.articles() {
        for aud in article.get("audience").map(as_list).unwrap_or_default() {
            found.extend(of_audience(ld.resolve(aud).unwrap_or(aud)));
        }
        for name in article.get("about").map(names_of).unwrap_or_default() {
            found.extend(named_in(&name));
        }
    }
    found.into_iter().collect()
}

fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// One `audience` value: a type name ("Patient", "Pregnant women"), or an `Audience`,
/// `PeopleAudience` or `MedicalAudience` object.
fn of_audience(v: &Value) -> Vec<Audience> {
    if let Some(text) = string_of(v) {
        return named_in(&text);
    }
    let mut found: BTreeSet<Audience> = BTreeSet::new();
    let texts = ["audienceType", "name", "healthCondition"].iter().filter_map(|k| v.get(*k)).flat_map(names_of);
    for text in texts {
        found.extend(named_in(&text));
    }
    found.extend(by_age(v));
    found.into_iter().collect()
}

/// The age bands a `PeopleAudience`'s suggested (or required) ages overlap.
fn by_age(v: &Value) -> Vec<Audience> {
    let years = |keys: [&str; 2]| keys.iter().find_map(|k| v.get(*k).and_then(number));
    let mut lo = years(["suggestedMinAge", "requiredMinAge"]);
    let mut hi = years(["suggestedMaxAge", "requiredMaxAge"]);
    if let Some(age) = v.get("suggestedAge") {
        let per_year = if age.get("unitCode").and_then(Value::as_str) == Some("MON") { 12.0 } else { 1.0 };
        lo = lo.or_else(|| age.get("minValue").and_then(number).map(|n| n / per_year));
        hi = hi.or_else(|| age.get("maxValue").and_then(number).map(|n| n / per_year));
    }
    if lo.is_none() && hi.is_none() {
        return Vec::new();
    }
    let (lo, hi) = (lo.unwrap_or(0.0), hi.unwrap_or(f64::INFINITY));
    AGE_BANDS.iter().filter(|(from, to, _)| lo < *to && hi > *from).map(|(_, _, who)| *who).collect()
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())).filter(|n: &f64| n.is_finite() && *n >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Section;
    use Audience::*;
    use scraper::Html;

    fn article(title: &str, url: &str, categories: &[&str]) -> Article {
        Article {
            title: title.into(),
            url: url.into(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            ..Article::default()
        }
    }

    #[test]
    fn titles_name_people() {
        assert_eq!(named_in("Fever in babies and children"), vec![Baby, Child]);
        assert_eq!(named_in("Picky eating in toddlers"), vec![Toddler]);
        assert_eq!(named_in("Heart attack in women"), vec![Adult]);
        assert_eq!(named_in("Your child's vaccination schedule"), vec![Child]);
        assert_eq!(named_in("Getting a good latch when breastfeeding"), vec![Breastfeeding]);
        assert_eq!(named_in("Delivering the placenta: the third stage of labour"), vec![Pregnancy]);
        assert_eq!(named_in("Back pain"), vec![]);
        assert_eq!(named_in("Childbirth classes"), vec![], "childbirth is not a child");
    }

    #[test]
    fn after_the_birth_phrases_are_not_pregnancy_or_a_baby() {
        assert_eq!(named_in("Hair loss after pregnancy"), vec![Postpartum]);
        assert_eq!(named_in("Contraception after having a baby"), vec![Postpartum]);
        assert_eq!(named_in("Bleeding after birth (lochia)"), vec![Postpartum]);
        assert_eq!(named_in("after-the-birth / your-body"), vec![Postpartum]);
        assert_eq!(named_in("Post-natal depression"), vec![Postpartum]);
    }

    #[test]
    fn babies_and_women_in_the_mothers_story_do_not_count() {
        assert_eq!(named_in("Your baby’s movements in pregnancy"), vec![Pregnancy]);
        assert_eq!(named_in("Breastfeeding your baby"), vec![Breastfeeding]);
        assert_eq!(named_in("Pregnant women and flu"), vec![Pregnancy]);
        assert_eq!(named_in("Flu in pregnancy and in older women"), vec![Pregnancy, Adult]);
    }

    #[test]
    fn filing_and_title_add_up() {
        let a = article("Newborn jaundice", "https://s.example/baby/health/newborn-jaundice.html", &["Baby", "Health"]);
        assert_eq!(infer(&a, &[]), vec![Baby]);
        let a = article("Mastitis", "https://s.example/feeding/breastfeeding/mastitis", &[]);
        assert_eq!(infer(&a, &[]), vec![Breastfeeding]);
        let a = article("Breastfeeding and your baby's sleep", "https://s.example/baby/sleep/feeds", &[]);
        assert_eq!(infer(&a, &[]), vec![Breastfeeding, Baby], "filed under baby by the site");
        let a = article("Back pain", "https://s.example/conditions/back-pain", &[]);
        assert_eq!(infer(&a, &[Adult]), vec![Adult]);
        assert_eq!(infer(&a, &[]), vec![]);
    }

    #[test]
    fn the_slug_is_not_a_folder() {
        let a = article("Group B strep", "https://s.example/topics/baby-care-in-pregnancy", &[]);
        assert_eq!(infer(&a, &[]), vec![]);
    }

    fn with_sections(texts: &[&str]) -> Article {
        let sections = texts.iter().map(|t| Section { text: t.to_string(), ..Section::default() }).collect();
        Article { title: "Head lice".into(), sections, ..Article::default() }
    }

    #[test]
    fn sections_decide_only_with_a_clear_lead() {
        let a = with_sections(&["Check your child's hair.", "Lice spread by contact.", "Comb your child's hair wet."]);
        assert_eq!(infer(&a, &[]), vec![Child]);
        let mixed = with_sections(&["Children get it.", "Adults get it too.", "It spreads.", "Children and adults."]);
        assert_eq!(infer(&mixed, &[]), vec![]);
        let rare = with_sections(&["Children get it.", "It spreads.", "It itches.", "It goes."]);
        assert_eq!(infer(&rare, &[]), vec![]);
        let special_case =
            with_sections(&["If you are pregnant, see a GP.", "Pregnancy raises the risk.", "It spreads."]);
        assert_eq!(infer(&special_case, &[]), vec![], "pregnancy is a title's or a filing's to say");
        let special_case =
            with_sections(&["If you are pregnant, see a GP.", "Pregnancy raises the risk.", "It spreads."]);
        assert_eq!(infer(&special_case, &[]), vec![], "pregnancy is a title's or a filing's to say");
    }

    fn declared_by(json: &str) -> Vec<Audience> {
        let html = format!(r#"<script type="application/ld+json">{json}</script>"#);
        declared(&LinkedData::read(&Html::parse_document(&html)))
    }

    #[test]
    fn json_ld_audience_types_ages_and_topics() {
        let page = |aud: &str| format!(r#"{{"@type":"MedicalWebPage","audience":{aud}}}"#);
        assert_eq!(
            declared_by(&page(r#"{"@type":"PeopleAudience","audienceType":"Pregnant women"}"#)),
            vec![Pregnancy]
        );
        assert_eq!(
            declared_by(&page(r#"{"@type":"PeopleAudience","suggestedMinAge":1,"suggestedMaxAge":3}"#)),
            vec![Toddler]
        );
        assert_eq!(declared_by(&page(r#"{"@type":"PeopleAudience","suggestedMinAge":"18"}"#)), vec![Adult]);
        assert_eq!(
            declared_by(&page(r#"{"@type":"PeopleAudience","suggestedAge":{"maxValue":6,"unitCode":"MON"}}"#)),
            vec![Baby]
        );
        assert_eq!(
            declared_by(&page(
                r#"{"@type":"PeopleAudience","healthCondition":{"@type":"MedicalCondition","name":"Pregnancy"}}"#
            )),
            vec![Pregnancy]
        );
        assert_eq!(
            declared_by(&page(r#"[{"@type":"MedicalAudience","audienceType":"Patient"}, "Clinician"]"#)),
            vec![]
        );
        assert_eq!(declared_by(&page(r#"{"@type":"PeopleAudience","suggestedMinAge":-4}"#)), vec![]);
        let about = r#"{"@type":"MedicalWebPage","about":[{"@type":"MedicalCondition","name":"Breastfeeding"}]}"#;
        assert_eq!(declared_by(about), vec![Breastfeeding]);
    }
}
