//! A bare XMP packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vidi_meta::{MetaLimits, extract_xmp};

fuzz_target!(|data: &[u8]| {
    let _ = extract_xmp(data, &MetaLimits::default());
});
