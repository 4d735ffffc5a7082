//! SQLite FTS5 as the benches compare against it: the titles and texts of a JSON Lines corpus
//! under the porter tokenizer, any word matching, bm25 with the title weighted twice, and a
//! `snippet()` of the text.

use rusqlite::Connection;
use std::io::BufRead;
use std::path::Path;

/// Ten hits for `?1` (an FTS5 query from [`query`]): id, title and a `<mark>`ed snippet.
pub const SEARCH: &str = "SELECT id, title, snippet(docs, 2, '<mark>', '</mark>', '…', 24) FROM docs \
    WHERE docs MATCH ?1 ORDER BY bm25(docs, 0.0, 2.0, 1.0) LIMIT 10";

/// The database at `path`, built from `corpus` (`_id`, `title`, `text` per line) the first time.
pub fn open_or_build(path: &Path, corpus: &Path) -> anyhow::Result<Connection> {
    let fresh = !path.exists();
    let conn = Connection::open(path)?;
    if fresh {
        conn.execute_batch(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize = 'porter unicode61');",
        )?;
        let tx = conn.unchecked_transaction()?;
        {
            let mut insert = tx.prepare("INSERT INTO docs (id, title, text) VALUES (?1, ?2, ?3)")?;
            for line in std::io::BufReader::new(std::fs::File::open(corpus)?).lines() {
                let v: serde_json::Value = serde_json::from_str(&line?)?;
                insert.execute((v["_id"].as_str(), v["title"].as_str(), v["text"].as_str()))?;
            }
        }
        tx.commit()?;
        conn.execute_batch("INSERT INTO docs(docs) VALUES ('optimize');")?;
    }
    Ok(conn)
}

/// An FTS5 query for the same words: each word quoted (so operators in text are literal), any
/// word matching; a query wholly in double quotes stays one phrase. `None` when there is no word.
pub fn query(q: &str) -> Option<String> {
    let words: Vec<String> =
        q.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| format!("\"{w}\"")).collect();
    let phrase = q.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')).filter(|p| !p.contains('"'));
    if words.is_empty() {
        None
    } else if let Some(phrase) = phrase {
        Some(format!("\"{phrase}\""))
    } else {
        Some(words.join(" OR "))
    }
}
