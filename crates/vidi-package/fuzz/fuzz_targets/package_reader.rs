//! Fuzz the package reader: `verify` and `open` must never panic, and a
//! package that opens must verify.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = vidi_package::verify(data, None);
    if let Ok(p) = vidi_package::open(data, None) {
        assert!(report.is_ok());
        assert!(p.report.is_ok());
    }
});
