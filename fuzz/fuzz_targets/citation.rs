//! Fuzz target: any text through the citation parser.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| healthsearch::fuzzing::citation(data));
