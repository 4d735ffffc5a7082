//! Search-box completions on the cluster: the embedded engine's suggester, built from every
//! article's stored outline (read in pages sorted by id) and the vocabulary's names whose terms
//! the articles' bodies hold; rebuilt when the alias moves to a new version. The version's number
//! is also what the response cache keys on.

use super::cluster::OpenSearch;
use super::error::OsError;
use super::lexicon::Prefetched;
use crate::engine::ContentVersion;
use crate::index::present::suggest::{Gather, Suggester};
use crate::index::storage::schema::name;
use crate::query::{ParsedQuery, TermStats};
use crate::vocab::Vocabulary;
use serde_json::{Value, json};

/// Outlines read per request.
const PAGE: usize = 5_000;

/// The version the alias points at, by its number (the milliseconds in its name; 0 when there is
/// none yet): each ingest run that changes something makes a newer one.
pub fn content_version(os: &OpenSearch) -> Result<ContentVersion, OsError> {
    let live = os.live_index()?;
    let number = live.as_deref().and_then(|v| v.rsplit('-').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    Ok(ContentVersion { generation: number, version: number })
}

/// The suggester for the articles the alias holds now.
pub fn suggester(os: &OpenSearch, vocab: &Vocabulary) -> Result<Suggester, OsError> {
    let version = content_version(os)?.version;
    let mut gather = Gather::default();
    let mut after: Option<Value> = None;
    loop {
        let mut body = json!({
            "size": PAGE,
            "query": {"match_all": {}},
            "_source": [name::OUTLINE, name::URL],
            "sort": [{name::ID: "asc"}],
            "track_total_hits": false,
        });
        if let Some(a) = &after {
            body["search_after"] = a.clone();
        }
        let page = os.read("_search", &body)?;
        let hits = page["hits"]["hits"].as_array().cloned().unwrap_or_default();
        for h in &hits {
            let text = |f: &str| h["_source"][f].as_str().unwrap_or_default().to_string();
            gather.article(&text(name::OUTLINE), &text(name::URL));
        }
        match hits.last() {
            Some(last) if hits.len() == PAGE => after = Some(last["sort"].clone()),
            _ => break,
        }
    }
    let mut terms: Vec<String> = vocab.names().flat_map(|(_, terms)| terms.iter().cloned()).collect();
    terms.sort();
    terms.dedup();
    let counts = Prefetched::fetch(os, &ParsedQuery::default(), &terms)?;
    Ok(gather.finish(vocab, |t| counts.doc_freq(t), version))
}
