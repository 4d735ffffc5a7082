//! Replays the fuzz targets' seeds and every input that once crashed one (`fuzz/seeds/TARGET`,
//! `fuzz/regressions/TARGET`) through the same entry points, so a fixed crash stays fixed
//! without a fuzzer installed.

mod common;

use healthsearch::fuzzing;
use healthsearch::index::present::suggest::Suggester;
use healthsearch::vocab::Vocabulary;
use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for dir in ["seeds", "regressions"] {
        for entry in walkdir::WalkDir::new(root.join(dir).join(target)).into_iter().filter_map(Result::ok) {
            if entry.file_type().is_file() {
                out.push((entry.path().to_path_buf(), std::fs::read(entry.path()).expect("read")));
            }
        }
    }
    assert!(!out.is_empty(), "no inputs for {target}");
    out
}

#[test]
fn extract_inputs_return() {
    for (path, data) in inputs("extract") {
        eprintln!("{}", path.display());
        fuzzing::extract(&data);
    }
}

#[test]
fn citation_inputs_return() {
    for (path, data) in inputs("citation") {
        eprintln!("{}", path.display());
        fuzzing::citation(&data);
    }
}

#[test]
fn query_inputs_return() {
    let index = common::corpus_index();
    let suggester = Suggester::build(&index, &Vocabulary::bundled()).expect("suggester");
    for (path, data) in inputs("query") {
        eprintln!("{}", path.display());
        fuzzing::query(&index, &suggester, &data);
    }
}
