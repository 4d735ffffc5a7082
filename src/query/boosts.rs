//! The weights every ranking phase reads, on every engine: each searchable field's, and each
//! signal's (typed words, stop words, corrections, concept expansions, proximity, phrase,
//! recency). Their names are those `--boosts` takes and `explain` shows, through serde.

/// The most another name of a concept weighs, below a typed word's 1.
const MAX_EXPANSION: f32 = 0.9;

/// Weights of the searchable fields and of the ranking signals. The field names are the names
/// `--boosts` takes and `explain` shows (through serde).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Boosts {
    pub title: f32,
    pub alt_names: f32,
    pub headings: f32,
    pub summary: f32,
    pub body: f32,
    pub citations: f32,
    /// Weight of a pair of query words found within a few words of each other.
    pub proximity: f32,
    /// Weight of the whole query found as an exact phrase.
    pub phrase: f32,
    /// Multiplier for stop words.
    pub stop_word: f32,
    /// Share of the non-best fields' scores added to the best field's (dismax tie-breaker).
    pub tie_breaker: f32,
    /// Weight of a concept's other names when the query names the concept.
    pub expansion: f32,
    /// Weight of a typo's correction.
    pub correction: f32,
    /// Largest relative boost for a recently reviewed article (0 turns recency off).
    pub recency: f32,
}

impl Default for Boosts {
    /// Weights tuned with `healthsearch eval` on the bundled query set, our MedlinePlus lay
    /// queries and NFCorpus dev (see the README's relevance section).
    fn default() -> Self {
        Boosts {
            title: 1.2,
            alt_names: 1.2,
            headings: 1.0,
            summary: 1.0,
            body: 1.0,
            citations: 0.3,
            proximity: 0.3,
            phrase: 1.0,
            stop_word: 0.2,
            tie_breaker: 0.3,
            expansion: 0.3,
            correction: 0.8,
            recency: 0.05,
        }
    }
}

impl Boosts {
    /// What a typed word (or phrase) weighs before its rarity: a stop word and a word the
    /// speller changed count less. Candidates, full scoring, passages and snippets all weigh
    /// typed words by this one rule.
    pub fn typed(&self, stop: bool, corrected: bool) -> f32 {
        let stop = if stop { self.stop_word } else { 1.0 };
        if corrected { stop * self.correction } else { stop }
    }

    /// What another name of a concept weighs, for a concept named by `words` typed words: a lay
    /// phrase of several words stands for the clinical name as a whole, so its other names weigh
    /// more than a one-word synonym's, still below the typed words.
    pub fn expansion_weight(&self, words: usize) -> f32 {
        (self.expansion * words as f32).min(MAX_EXPANSION)
    }

    /// Applies `name=value` pairs separated by commas ("title=4,recency=0"), for tuning runs.
    /// The names are the struct's fields, read through serde: an unknown one is refused.
    pub fn apply(&mut self, spec: &str) -> Result<(), String> {
        let mut weights = self.named();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').ok_or_else(|| format!("{pair:?} is not name=value"))?;
            let value: f32 = value.trim().parse().map_err(|_| format!("{value:?} is not a number"))?;
            // f32 to f64 and back is exact: the weight is the number as typed.
            let number = serde_json::Number::from_f64(f64::from(value))
                .ok_or_else(|| format!("{value:?} is not a finite number"))?;
            weights.insert(name.trim().to_string(), number.into());
        }
        *self = serde_json::from_value(serde_json::Value::Object(weights)).map_err(|e| format!("--boosts: {e}"))?;
        Ok(())
    }

    /// Every weight by its name (the field's), for [`Boosts::apply`] and `explain`.
    pub fn named(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(m)) => m,
            // A struct of numbers always serializes to an object.
            _ => serde_json::Map::new(),
        }
    }
}
