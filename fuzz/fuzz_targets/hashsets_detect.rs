//! `vidi_hashsets::detect` on any bytes: never panics; a detected line or
//! JSON format then reads without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vidi_hashsets::{Format, ReadOptions};

fuzz_target!(|data: &[u8]| {
    if let Some(format) = vidi_hashsets::detect(data)
        && format != Format::Nsrl3
    {
        let _ = vidi_hashsets::read_with(
            format,
            ReadOptions::default(),
            data,
            &mut |_e| {},
            &mut |_r| {},
        );
    }
});
