//! `vidi_hashsets::read_with(Format::Plain)` on any bytes, through the shared
//! harness [`vidi_fuzz::hashset_read`] (first byte: buffer size and plain kind).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vidi_hashsets::Format;

fuzz_target!(|data: &[u8]| vidi_fuzz::hashset_read(Format::Plain, data));
