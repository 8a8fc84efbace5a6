//! Sniff, then extract with the sniffed format: the ingest path.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use vidi_meta::{MetaLimits, extract, sniff};

fuzz_target!(|data: &[u8]| {
    let s = sniff(data);
    let _ = extract(Cursor::new(data), s.format, &MetaLimits::default());
});
