//! `vidi_hashsets::read_with(Format::Nsrl2)` on any bytes: never panics, and the
//! summary agrees with the callbacks. The first byte picks the read buffer
//! size (1–256) so records straddle buffer boundaries, and the plain kind.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vidi_hashsets::{Format, PlainKind, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&knob, input)) = data.split_first() else {
        return;
    };
    let options = ReadOptions {
        plain_kind: if knob & 1 == 1 { PlainKind::Pdq } else { PlainKind::Auto },
    };
    let reader = std::io::BufReader::with_capacity(usize::from(knob) + 1, input);
    let (mut accepted, mut rejected) = (0u64, 0u64);
    if let Ok(s) = vidi_hashsets::read_with(
        Format::Nsrl2,
        options,
        reader,
        &mut |_e| accepted += 1,
        &mut |_r| rejected += 1,
    ) {
        assert_eq!(s.accepted, accepted);
        assert_eq!(s.rejected, rejected);
        assert_eq!(s.read, accepted + rejected);
    }
});
