//! `sniff` must accept any prefix and agree with itself on the first
//! `SNIFF_LEN` bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let a = vidi_meta::sniff(data);
    let head = &data[..data.len().min(vidi_meta::SNIFF_LEN)];
    assert_eq!(a, vidi_meta::sniff(head));
    assert!(!a.mime.is_empty());
});
