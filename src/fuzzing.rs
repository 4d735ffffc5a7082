//! Entry points shared by the fuzz targets (`fuzz/`) and the tests that replay their seeds and
//! every input that once crashed: each must return, whatever the bytes.

use crate::index::HealthIndex;
use crate::index::present::passages::{PassageParams, passages};
use crate::index::present::search::{Facet, Ranker, SearchParams, search_with};
use crate::index::present::suggest::Suggester;
use crate::index::ranking::filter::Sort;
use crate::ingest::citation::parse_citation;
use crate::ingest::decode::decode;
use crate::ingest::{Extractor, IngestError, Input, ingest};
use std::path::Path;
use std::sync::LazyLock;

const PAGE_URL: &str = "https://www.example.org/health/page";

static EXTRACTOR: LazyLock<Extractor> = LazyLock::new(Extractor::default);
static RANKER: LazyLock<Ranker> = LazyLock::new(Ranker::default);

/// Decodes bytes as a fetched page (charset sniffing included) and extracts an article.
pub fn extract(data: &[u8]) {
    let (html, _) = decode(data, Some("text/html"));
    let _ = EXTRACTOR.extract_any(&html, PAGE_URL);
}

/// Parses text as one entry of a reference list, with and without links beside it.
pub fn citation(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = parse_citation(&text, &[]);
    let links: Vec<String> = text.split_whitespace().filter(|w| w.contains("://")).map(String::from).collect();
    let _ = parse_citation(&text, &links);
}

/// Uses text as a search box query (ranked, sorted by date with facets), a passage query and a
/// typed prefix for suggestions.
pub fn query(index: &HealthIndex, suggester: &Suggester, data: &[u8]) {
    let q = String::from_utf8_lossy(data).into_owned();
    let _ = search_with(index, &SearchParams::new(q.clone(), 10), &RANKER);
    let by_date = SearchParams { sort: Sort::Reviewed, facets: Facet::ALL.to_vec(), ..SearchParams::new(q.clone(), 5) };
    let _ = search_with(index, &by_date, &RANKER);
    let _ = suggester.suggest(&q, 8);
    let p = PassageParams { q, k: 5, max_chars: 300, filters: Default::default(), semantic_ratio: None };
    let _ = passages(index, &p, &RANKER);
}

/// The bundled corpus indexed in `dir`, with its suggester, for [`query`].
pub fn corpus_index(dir: &Path, corpus: &Path) -> Result<(HealthIndex, Suggester), IngestError> {
    let index = HealthIndex::create(dir)?;
    ingest(&index, &Input::Mirror(corpus.to_path_buf()))?;
    let suggester = Suggester::build(&index, &RANKER.vocab)?;
    Ok((index, suggester))
}
