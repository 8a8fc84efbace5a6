//! Image decoding with the production limits: any input gives an image or
//! a typed error, never a panic (outside the contained decoder panics), a
//! hang or an oversized allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = vidi_media::Limits {
        max_pixels: 16_000_000,
        max_dimension: 8_192,
        max_bytes: 256 << 20,
    };
    if let Ok(img) = vidi_media::decode_image(data, &limits) {
        assert_eq!(img.rgb.len(), img.width as usize * img.height as usize * 3);
        let _ = vidi_media::pdq_of(&img, false);
    }
});
