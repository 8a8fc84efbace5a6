//! ISO BMFF / QuickTime box trees, read through `Read + Seek`, as MP4,
//! HEIF and CR3.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use vidi_meta::{Format, MetaLimits, extract};

fuzz_target!(|data: &[u8]| {
    let limits = MetaLimits::default();
    for f in [Format::Mov, Format::Heif, Format::Cr3] {
        let _ = extract(Cursor::new(data), f, &limits);
    }
});
