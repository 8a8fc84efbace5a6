//! A bare TIFF/EXIF block, and the same bytes as a JPEG APP1 segment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vidi_meta::{Format, MetaLimits, extract_bytes, extract_exif};

fuzz_target!(|data: &[u8]| {
    let limits = MetaLimits::default();
    let _ = extract_exif(data, &limits);
    if data.len() <= 65_000 {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&((data.len() + 8) as u16).to_be_bytes());
        jpeg.extend_from_slice(b"Exif\0\0");
        jpeg.extend_from_slice(data);
        let _ = extract_bytes(&jpeg, Format::Jpeg, &limits);
    }
});
