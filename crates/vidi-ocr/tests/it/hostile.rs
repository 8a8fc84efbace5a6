//! Hostile and degenerate inputs: typed errors or empty results, no panic.

use std::time::Duration;

use vidi_ocr::{OcrConfig, OcrError, RgbImageRef};
use vidi_types::Cancel;

use crate::engine_or_skip;
use crate::render::sign_photo;

#[test]
fn degenerate_images_give_empty_results() {
    let Some(mut ocr) = engine_or_skip(OcrConfig::default()) else {
        return;
    };
    let cases: Vec<(u32, u32, Vec<u8>)> = vec![
        (0, 0, vec![]),
        (1, 1, vec![0, 0, 0]),
        (3, 2, vec![255; 18]),
        (640, 480, vec![0; 640 * 480 * 3]),
        (640, 480, vec![255; 640 * 480 * 3]),
        (1, 5000, vec![0; 5000 * 3]),
        (5000, 1, vec![128; 5000 * 3]),
    ];
    for (w, h, rgb) in cases {
        let img = RgbImageRef::new(w, h, &rgb).unwrap();
        let r = ocr.recognize(img, None).unwrap();
        assert!(r.is_empty(), "{w}x{h}: {:?}", r.text);
        assert!(r.languages.is_empty());
    }
}

#[test]
fn wrong_buffer_and_language_lists_are_typed_errors() {
    assert!(matches!(
        RgbImageRef::new(10, 10, &[0; 10]),
        Err(OcrError::BufferSize { .. })
    ));
    let Some(mut ocr) = engine_or_skip(OcrConfig::default()) else {
        return;
    };
    let rgb = vec![255u8; 30 * 30 * 3];
    let img = RgbImageRef::new(30, 30, &rgb).unwrap();
    assert!(matches!(
        ocr.recognize_with(img, "../../etc/passwd", None),
        Err(OcrError::LanguageList { .. })
    ));
    assert!(matches!(
        ocr.recognize_with(img, "xx_no_such_lang", None),
        Err(OcrError::Init { .. })
    ));
    let missing = OcrConfig {
        tessdata: Some("/nonexistent/tessdata".into()),
        ..OcrConfig::default()
    };
    assert!(matches!(
        vidi_ocr::Ocr::new(missing),
        Err(OcrError::Init { .. })
    ));
}

#[test]
fn noise_is_bounded_and_large_images_are_downscaled() {
    let Some(mut ocr) = engine_or_skip(OcrConfig {
        max_side: 1200,
        ..OcrConfig::default()
    }) else {
        return;
    };
    // 6000x4000 of hash noise: downscaled to 1200 on the long side first.
    let (w, h) = (6000u32, 4000u32);
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    let mut s = 0x9E37_79B9u32;
    for px in rgb.chunks_exact_mut(3) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        let v = if s & 1 == 0 { 0 } else { 255 };
        px.copy_from_slice(&[v, v, v]);
    }
    let r = ocr
        .recognize(RgbImageRef::new(w, h, &rgb).unwrap(), None)
        .unwrap();
    for word in &r.words {
        assert!(word.bbox.x + word.bbox.w <= w && word.bbox.y + word.bbox.h <= h);
    }
}

#[test]
fn cancel_and_deadline_are_typed_errors() {
    let Some(mut ocr) = engine_or_skip(OcrConfig {
        deadline: Duration::from_millis(1),
        ..OcrConfig::default()
    }) else {
        return;
    };
    let img = sign_photo(
        "en",
        &["Welcome to the city library", "Please keep the door closed"],
        3,
    )
    .unwrap();
    let pixels = RgbImageRef::new(img.width, img.height, &img.rgb).unwrap();
    assert!(matches!(
        ocr.recognize(pixels, None),
        Err(OcrError::Timeout { .. })
    ));

    let Some(mut ocr) = engine_or_skip(OcrConfig::default()) else {
        return;
    };
    let cancel = Cancel::new();
    cancel.cancel();
    assert!(matches!(
        ocr.recognize(pixels, Some(&cancel)),
        Err(OcrError::Cancelled)
    ));
}
