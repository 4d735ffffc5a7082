//! Who a query is about: the person it names ("when pregnant", "my toddler", "while
//! breastfeeding", "my 6 week old") decides which of several articles on one symptom answers it.
//! Articles for that person are preferred in every ranking ([`multiplier`]); the others stay,
//! lower.

use crate::analysis::folded_words;
use crate::article::Audience;

/// Score multiplier for an article written for the person the query names. Chosen with `eval` on
/// the audience set's passages (1.25/0.85 and 1.5/0.7 lost more on the people set than they won;
/// see the README).
pub const PREFERRED: f32 = 1.1;
/// Score multiplier for an article written only for other people.
pub const OTHERS: f32 = 0.95;

/// The people a query names, in [`Audience::ALL`] order; empty when it names none.
pub fn of_query(q: &str) -> Vec<Audience> {
    let words: Vec<String> = folded_words(q).into_iter().map(|(w, _)| w).collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let has = |set: &[&str]| w.iter().any(|x| set.contains(x));
    let mut found = Vec::new();
    let pregnant = has(&["pregnant", "pregnancy", "preggo", "preggers", "expecting", "trimester", "gestation", "ttc"])
        || has(&["antenatal", "prenatal", "bump"])
        || pregnancy_weeks(&w);
    let after_birth = has(&["postpartum", "postnatal", "pp", "newmum", "lochia"])
        || phrase(&w, &["after", "birth"])
        || phrase(&w, &["after", "giving", "birth"])
        || phrase(&w, &["after", "the", "birth"])
        || phrase(&w, &["since", "birth"])
        || phrase(&w, &["since", "giving", "birth"])
        || phrase(&w, &["after", "having"])
        || phrase(&w, &["after", "delivery"])
        || phrase(&w, &["after", "c", "section"])
        || phrase(&w, &["post", "partum"])
        || phrase(&w, &["new", "mum"])
        || phrase(&w, &["new", "mom"]);
    let feeding = has(&["breastfeeding", "breastfeed", "breastfed", "bf", "ebf", "nursing", "pumping", "expressing"])
        || phrase(&w, &["breast", "feeding"])
        || phrase(&w, &["breast", "milk"]);
    let age = stated_age(&w);
    let baby = has(&["baby", "babies", "babys", "newborn", "newborns", "infant", "infants", "bub", "bubs", "formula"])
        || age == Some(Age::Baby);
    let toddler = has(&["toddler", "toddlers"]) || age == Some(Age::Toddler);
    let child = has(&["child", "children", "childs", "kid", "kids", "school", "nursery", "preschool"])
        || age == Some(Age::Child);
    let adult =
        has(&["husband", "wife", "boyfriend", "girlfriend", "adult", "adults", "menopause", "grandad", "grandma"])
            || age == Some(Age::Adult);
    if pregnant {
        found.push(Audience::Pregnancy);
    }
    if after_birth && !pregnant {
        found.push(Audience::Postpartum);
    }
    if feeding {
        found.push(Audience::Breastfeeding);
    }
    // "Baby" in a pregnancy or after-birth question is usually the unborn or newborn child of
    // the person asking about herself ("baby moving less", "after having a baby").
    if baby && !pregnant && !after_birth {
        found.push(Audience::Baby);
    }
    if toddler {
        found.push(Audience::Toddler);
    }
    if child && !toddler && !baby {
        found.push(Audience::Child);
    }
    if adult && found.is_empty() {
        found.push(Audience::Adult);
    }
    found
}

/// How much to scale the score of an article for `article` people, for a query about `query`
/// people.
pub fn multiplier(query: &[Audience], article: &[Audience]) -> f32 {
    if query.is_empty() || article.is_empty() {
        1.0
    } else if article.iter().any(|a| query.contains(a)) {
        PREFERRED
    } else {
        OTHERS
    }
}

/// An age stated in a query, as the stage of life it falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Age {
    Baby,
    Toddler,
    Child,
    Adult,
}

/// "6 week old", "8 months", "2 year old", "2yo", "im 48": the first age stated, if any.
fn stated_age(w: &[&str]) -> Option<Age> {
    for (i, word) in w.iter().enumerate() {
        let (n, unit) = match number_and_unit(word) {
            Some((n, Some(unit))) => (n, unit),
            // "im 48", "aged 30": a person's own age, in years.
            Some((n, None)) if i > 0 && matches!(w[i - 1], "im" | "am" | "aged" | "age") => (n, "years"),
            Some((n, None)) => match w.get(i + 1) {
                Some(next) => (n, *next),
                None => continue,
            },
            None => continue,
        };
        let stage = match unit {
            "day" | "days" | "week" | "weeks" | "wk" | "wks" | "wo" => Age::Baby,
            "month" | "months" | "mo" | "mos" | "mth" | "mths" | "mnth" | "mnths" if n < 12 => Age::Baby,
            "month" | "months" | "mo" | "mos" | "mth" | "mths" | "mnth" | "mnths" if n < 36 => Age::Toddler,
            "year" | "years" | "yr" | "yrs" | "yo" if n < 1 => Age::Baby,
            "year" | "years" | "yr" | "yrs" | "yo" if n < 4 => Age::Toddler,
            "year" | "years" | "yr" | "yrs" | "yo" if n < 13 => Age::Child,
            "year" | "years" | "yr" | "yrs" | "yo" if n < 120 => Age::Adult,
            _ => continue,
        };
        // "34 weeks" alone is a pregnancy; a baby's age says "old" or names the baby.
        if stage == Age::Baby && matches!(unit, "week" | "weeks" | "wk" | "wks") && !old_follows(w, i) {
            continue;
        }
        return Some(stage);
    }
    None
}

/// Whether "old" follows the number at `i` (directly or after its unit).
fn old_follows(w: &[&str], i: usize) -> bool {
    w.iter().skip(i + 1).take(2).any(|x| *x == "old")
}

/// "34 weeks" or "34wks" without "old" after it, or "weeks pregnant".
fn pregnancy_weeks(w: &[&str]) -> bool {
    w.iter().enumerate().any(|(i, word)| {
        let unit = match number_and_unit(word) {
            Some((n, Some(unit))) if (4..=42).contains(&n) => unit,
            Some((n, None)) if (4..=42).contains(&n) => w.get(i + 1).copied().unwrap_or(""),
            _ => return false,
        };
        matches!(unit, "week" | "weeks" | "wk" | "wks" | "wkspregnant") && !old_follows(w, i) && !after_the_birth(w, i)
    })
}

/// Whether words before `i` put the time after a birth ("6 weeks after birth", "baby is 6 weeks").
fn after_the_birth(w: &[&str], i: usize) -> bool {
    let before = &w[i.saturating_sub(3)..i];
    let after = w.iter().skip(i + 1).take(3).copied().collect::<Vec<_>>();
    // "baby 10 weeks", "baby is 6 weeks": the number is the baby's age, so the birth is past.
    let babys_age = i > 0 && matches!(w[i - 1], "baby" | "babys" | "son" | "daughter" | "lo" | "is");
    babys_age
        || before.contains(&"since")
        || after.iter().any(|x| matches!(*x, "postpartum" | "pp" | "after" | "since" | "postnatal"))
}

/// A word that is a number, alone ("34") or glued to a unit ("34wks", "2yo").
fn number_and_unit(word: &str) -> Option<(u32, Option<&str>)> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let n: u32 = word[..digits].parse().ok()?;
    let rest = &word[digits..];
    Some((n, (!rest.is_empty()).then_some(rest)))
}

/// Whether `phrase` occurs in `w` as consecutive words.
fn phrase(w: &[&str], phrase: &[&str]) -> bool {
    w.windows(phrase.len()).any(|win| win == phrase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Audience::*;

    #[test]
    fn names_the_person_asked_about() {
        assert_eq!(of_query("is it ok to sleep on my back at 34 weeks"), [Pregnancy]);
        assert_eq!(of_query("cant stop scratching pregnant"), [Pregnancy]);
        assert_eq!(of_query("dont feel baby move 30 weeks"), [Pregnancy]);
        assert_eq!(of_query("back pain after birth"), [Postpartum]);
        assert_eq!(of_query("sciatica 6 weeks after birth"), [Postpartum]);
        assert_eq!(of_query("can i take ibuprofen while breastfeeding"), [Breastfeeding]);
        assert_eq!(of_query("my 6 week old wont stop crying"), [Baby]);
        assert_eq!(of_query("my 2 year old has a barking cough"), [Toddler]);
        assert_eq!(of_query("8yo with chicken pox back to school"), [Child]);
        assert_eq!(of_query("my husband gets heartburn"), [Adult]);
        assert_eq!(of_query("im 48 and periods are irregular"), [Adult]);
        assert!(of_query("headache").is_empty());
    }

    #[test]
    fn prefers_the_persons_articles() {
        assert_eq!(multiplier(&[Pregnancy], &[Pregnancy]), PREFERRED);
        assert_eq!(multiplier(&[Pregnancy], &[Baby]), OTHERS);
        assert_eq!(multiplier(&[], &[Baby]), 1.0);
        assert_eq!(multiplier(&[Baby], &[]), 1.0);
    }
}
