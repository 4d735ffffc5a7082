//! The floors our search is compared against under the same HTTP load: a bare Tantivy top-k
//! server and a SQLite FTS5 server over one JSON Lines corpus, each answering
//! `GET /api/search?q=` with ten hits and a highlighted snippet each, as JSON, through axum and
//! Tokio's blocking pool as ours does. Nothing else: no corrections, vocabulary, phrases,
//! feedback, totals, facets or limits.
//!
//! `cargo bench --bench baselines -- tantivy|fts5 CORPUS.jsonl 127.0.0.1:PORT` builds the index
//! under `target/bench-data/` (once per corpus) and serves until killed; `scripts/load_compare.sh`
//! drives it beside `healthsearch serve`.

#[path = "common/fts5.rs"]
mod fts5;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, TantivyDocument};

/// Hits per answer, as the search box asks.
const HITS: usize = 10;

/// The query string both servers read.
#[derive(Deserialize)]
struct Params {
    q: String,
}

/// One hit: the record's id, its title and a snippet with `<mark>`ed words.
#[derive(Serialize)]
struct Hit {
    id: String,
    title: String,
    snippet: String,
}

/// One record of the corpus.
#[derive(Deserialize)]
struct Record {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let [engine, corpus, addr] = args.as_slice() else {
        anyhow::bail!("usage: cargo bench --bench baselines -- tantivy|fts5 CORPUS.jsonl ADDR");
    };
    let corpus = PathBuf::from(corpus);
    let router = match engine.as_str() {
        "tantivy" => tantivy_router(&corpus)?,
        "fts5" => fts5_router(&corpus)?,
        other => anyhow::bail!("unknown engine {other}: tantivy or fts5"),
    };
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
        eprintln!("{engine} baseline on http://{addr}");
        axum::serve(listener, router).await
    })?;
    Ok(())
}

/// Where a baseline keeps its index of `corpus`.
fn data_path(corpus: &Path, what: &str) -> PathBuf {
    let stem = corpus.file_stem().and_then(|s| s.to_str()).unwrap_or("corpus");
    let parent = corpus.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str()).unwrap_or("");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    dir.join(format!("{what}-{parent}-{stem}"))
}

fn records(corpus: &Path) -> anyhow::Result<impl Iterator<Item = anyhow::Result<Record>>> {
    let file = std::io::BufReader::new(std::fs::File::open(corpus)?);
    Ok(file.lines().map(|line| Ok(serde_json::from_str(&line?)?)))
}

/// The bare Tantivy side: title and text stemmed (`en_stem`), any word matching (the query
/// parser's default), BM25 top-k with the title weighted twice, snippets from the text.
struct Bare {
    reader: IndexReader,
    parser: QueryParser,
    id: Field,
    title: Field,
    text: Field,
}

fn tantivy_router(corpus: &Path) -> anyhow::Result<Router> {
    let dir = data_path(corpus, "bare-tantivy");
    let mut schema = Schema::builder();
    let stemmed =
        TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer("en_stem")).set_stored();
    let id = schema.add_text_field("id", STRING | STORED);
    let title = schema.add_text_field("title", stemmed.clone());
    let text = schema.add_text_field("text", stemmed);
    let index = if dir.join("meta.json").exists() {
        Index::open_in_dir(&dir)?
    } else {
        std::fs::create_dir_all(&dir)?;
        let index = Index::create_in_dir(&dir, schema.build())?;
        let mut writer = index.writer::<TantivyDocument>(200_000_000)?;
        for record in records(corpus)? {
            let r = record?;
            writer.add_document(tantivy::doc!(id => r.id, title => r.title, text => r.text))?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        index
    };
    let mut parser = QueryParser::for_index(&index, vec![title, text]);
    parser.set_field_boost(title, 2.0);
    let bare = Arc::new(Bare { reader: index.reader()?, parser, id, title, text });
    Ok(Router::new().route("/api/search", get(tantivy_search)).with_state(bare))
}

async fn tantivy_search(State(bare): State<Arc<Bare>>, Query(p): Query<Params>) -> Json<Vec<Hit>> {
    let hits = tokio::task::spawn_blocking(move || bare.search(&p.q).unwrap_or_default()).await;
    Json(hits.unwrap_or_default())
}

impl Bare {
    fn search(&self, q: &str) -> anyhow::Result<Vec<Hit>> {
        let (query, _) = self.parser.parse_query_lenient(q);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(HITS).order_by_score())?;
        let snippets = SnippetGenerator::create(&searcher, &*query, self.text)?;
        let text_of =
            |doc: &TantivyDocument, f: Field| doc.get_first(f).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let mut hits = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let snippet = snippets.snippet_from_doc(&doc).to_html();
            hits.push(Hit { id: text_of(&doc, self.id), title: text_of(&doc, self.title), snippet });
        }
        Ok(hits)
    }
}

/// The SQLite side ([`fts5`]), one read-only connection per blocking thread.
fn fts5_router(corpus: &Path) -> anyhow::Result<Router> {
    let path = data_path(corpus, "fts5").with_extension("sqlite");
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    drop(fts5::open_or_build(&path, corpus)?);
    Ok(Router::new().route("/api/search", get(fts5_search)).with_state(Arc::new(path)))
}

thread_local! {
    static CONN: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

async fn fts5_search(State(path): State<Arc<PathBuf>>, Query(p): Query<Params>) -> Json<Vec<Hit>> {
    let hits = tokio::task::spawn_blocking(move || fts5_hits(&path, &p.q).unwrap_or_default()).await;
    Json(hits.unwrap_or_default())
}

fn fts5_hits(path: &Path, q: &str) -> anyhow::Result<Vec<Hit>> {
    let Some(query) = fts5::query(q) else { return Ok(Vec::new()) };
    CONN.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?);
        }
        let Some(conn) = slot.as_ref() else { return Ok(Vec::new()) };
        let mut stmt = conn.prepare_cached(fts5::SEARCH)?;
        let rows =
            stmt.query_map([query], |row| Ok(Hit { id: row.get(0)?, title: row.get(1)?, snippet: row.get(2)? }))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })
}
