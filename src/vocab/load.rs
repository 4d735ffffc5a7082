//! Reading vocabularies: our concept TSV, MedQuAD's focus-synonym TSV, and the HPO OBO file's
//! layperson and exact synonyms.

use super::Vocabulary;
use std::collections::BTreeMap;
use std::path::Path;

/// Why an outside vocabulary could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    #[error("cannot read vocabulary {0}: {1}")]
    Read(String, std::io::Error),
    #[error(
        "vocabulary {0}: unrecognised format (expected an .obo file, a MedQuAD focus/synonym TSV, or our concept TSV)"
    )]
    Format(String),
}

/// Adds a vocabulary file, recognising its format from its content.
pub fn add_file(v: &mut Vocabulary, path: &Path) -> Result<usize, VocabError> {
    let text = std::fs::read_to_string(path).map_err(|e| VocabError::Read(path.display().to_string(), e))?;
    let before = v.len();
    let first = text.lines().find(|l| !l.trim().is_empty() && !l.starts_with('#')).unwrap_or("");
    if text.contains("[Term]") {
        add_obo(v, &text);
    } else if first.starts_with("focus\tsynonym") {
        add_medquad_tsv(v, &text);
    } else if first.split('\t').count() >= 2 {
        add_concept_tsv(v, &text);
    } else {
        return Err(VocabError::Format(path.display().to_string()));
    }
    Ok(v.len() - before)
}

/// Our format: `id<TAB>name|name|...<TAB>note`, `#` comments.
pub fn add_concept_tsv(v: &mut Vocabulary, text: &str) {
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let (Some(id), Some(names)) = (cols.next(), cols.next()) else { continue };
        v.add(id.trim(), names.split('|').map(str::to_string));
    }
}

/// MedQuAD: `focus<TAB>synonym<TAB>source<TAB>umls_cuis<TAB>url`, a header line first. Each focus
/// and its synonyms form one concept.
pub fn add_medquad_tsv(v: &mut Vocabulary, text: &str) {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let mut cols = line.split('\t');
        let (Some(focus), Some(syn)) = (cols.next(), cols.next()) else { continue };
        let (focus, syn) = (focus.trim(), syn.trim());
        if focus.is_empty() || syn.is_empty() {
            continue;
        }
        let names = groups.entry(focus.to_lowercase()).or_insert_with(|| vec![focus.to_string()]);
        names.push(syn.to_string());
    }
    for (focus, names) in groups {
        v.add(&format!("medquad:{focus}"), names);
    }
}

/// HPO OBO: each `[Term]`'s `name` with its `EXACT` synonyms (layperson ones included).
pub fn add_obo(v: &mut Vocabulary, text: &str) {
    for stanza in text.split("\n[").filter(|s| s.starts_with("Term]")) {
        let mut id = "";
        let mut names = Vec::new();
        let mut obsolete = false;
        for line in stanza.lines() {
            if let Some(rest) = line.strip_prefix("id: ") {
                id = rest.trim();
            } else if let Some(rest) = line.strip_prefix("name: ") {
                names.insert(0, rest.trim().to_string());
            } else if let Some(rest) = line.strip_prefix("synonym: \"") {
                if let Some((syn, kind)) = rest.split_once('"')
                    && kind.trim_start().starts_with("EXACT")
                {
                    names.push(syn.to_string());
                }
            } else if line.starts_with("is_obsolete: true") {
                obsolete = true;
            }
        }
        if !obsolete && !id.is_empty() {
            v.add(id, names);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;

    #[test]
    fn reads_medquad_pairs() {
        let mut v = Vocabulary::default();
        add_medquad_tsv(
            &mut v,
            "focus\tsynonym\tsource\tumls_cuis\turl\nBack Pain\tBackache\tX\t\t\nBack Pain\tLumbago\tX\t\t\n",
        );
        assert_eq!(v.len(), 1);
        let e = v.expansions(&analyze("lumbago"), 10);
        assert_eq!(e[0].to, vec!["Back Pain", "Backache"]);
    }

    #[test]
    fn reads_obo_exact_and_layperson_synonyms() {
        let obo = "format-version: 1.2\n\n[Term]\nid: HP:0000010\nname: Recurrent urinary tract infections\nsynonym: \"Frequent urinary tract infections\" EXACT layperson []\nsynonym: \"Recurrent UTIs\" EXACT []\nsynonym: \"Bladder trouble\" RELATED []\n\n[Term]\nid: HP:9\nname: Old\nsynonym: \"Older\" EXACT []\nis_obsolete: true\n";
        let mut v = Vocabulary::default();
        add_obo(&mut v, obo);
        assert_eq!(v.len(), 1);
        let e = v.expansions(&analyze("recurrent utis"), 10);
        assert_eq!(e[0].to.len(), 2);
        assert!(!e[0].to.iter().any(|n| n.contains("Bladder")));
    }
}
