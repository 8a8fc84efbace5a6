//! Harness code shared by the fuzz targets (each target in `fuzz_targets/`
//! is a `fuzz_target!` calling one of these).

use vidi_hashsets::{Format, PlainKind, ReadOptions};

/// `vidi_hashsets::read_with(format)` on any bytes: must never panic, and
/// the summary must agree with the callbacks. The first byte is a knob: it
/// picks the read buffer size (1–256, so records straddle buffer refills)
/// and, by its low bit, the plain kind.
pub fn hashset_read(format: Format, data: &[u8]) {
    let Some((&knob, input)) = data.split_first() else {
        return;
    };
    let options = ReadOptions {
        plain_kind: if knob & 1 == 1 {
            PlainKind::Pdq
        } else {
            PlainKind::Auto
        },
    };
    let reader = std::io::BufReader::with_capacity(usize::from(knob) + 1, input);
    let (mut accepted, mut rejected) = (0u64, 0u64);
    if let Ok(s) = vidi_hashsets::read_with(
        format,
        options,
        reader,
        &mut |_e| accepted += 1,
        &mut |_r| rejected += 1,
    ) {
        assert_eq!(s.accepted, accepted);
        assert_eq!(s.rejected, rejected);
        assert_eq!(s.read, accepted + rejected);
    }
}
