//! Fuzz target: any bytes, decoded as a fetched page would be, through the HTML extractor.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| healthsearch::fuzzing::extract(data));
