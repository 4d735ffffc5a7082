//! The name each site (a host) gives itself, for labelling the site facet: read from one of its
//! articles once per index content version, not on every search that asks for facets.

use super::stored::stored_article;
use crate::index::{HealthIndex, IndexError};
use std::collections::HashMap;
use std::sync::Mutex;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

/// Site names seen in one content version; a new version starts afresh.
#[derive(Default)]
pub struct SiteNames {
    seen: Mutex<(u64, HashMap<String, Option<String>>)>,
}

impl SiteNames {
    /// The name `host`'s articles give their site, if any.
    pub fn of(&self, searcher: &Searcher, index: &HealthIndex, host: &str) -> Result<Option<String>, IndexError> {
        let generation = super::content_version(searcher);
        if let Ok(seen) = self.seen.lock()
            && seen.0 == generation
            && let Some(name) = seen.1.get(host)
        {
            return Ok(name.clone());
        }
        let name = read(searcher, index, host)?;
        if let Ok(mut seen) = self.seen.lock() {
            if seen.0 != generation {
                *seen = (generation, HashMap::new());
            }
            seen.1.insert(host.to_string(), name.clone());
        }
        Ok(name)
    }
}

fn read(searcher: &Searcher, index: &HealthIndex, host: &str) -> Result<Option<String>, IndexError> {
    let term = TermQuery::new(Term::from_field_text(index.fields.site, host), IndexRecordOption::Basic);
    let Some((_, addr)) = searcher.search(&term, &TopDocs::with_limit(1).order_by_score())?.into_iter().next() else {
        return Ok(None);
    };
    Ok(stored_article(index, &searcher.doc(addr)?)?.site_name)
}
