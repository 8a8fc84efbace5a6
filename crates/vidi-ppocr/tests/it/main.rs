//! Integration tests for vidi-ppocr: rendered signs (CER per language),
//! tesseract's test pages, hostile inputs. They need the models installed by
//! `scripts/models/install-ppocr.sh` (skipped with a message otherwise).

#![allow(clippy::print_stdout)] // skip messages and accuracy tables

mod corpus;
mod signs;

use std::sync::OnceLock;

use vidi_ppocr::{PpOcr, PpOcrConfig, PpOcrError, RgbView};

/// The pipeline loaded once for the whole binary, or None (with a printed
/// reason) when the models are not installed.
pub(crate) fn engine() -> Option<&'static PpOcr> {
    static ENGINE: OnceLock<Option<PpOcr>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let dir = vidi_models::default_models_dir();
            match PpOcr::from_models_dir(&dir, PpOcrConfig::default()) {
                Ok(e) => Some(e),
                Err(e) => {
                    assert!(
                        std::env::var_os("CI").is_none(),
                        "PP-OCR not usable under CI: {e}"
                    );
                    println!("SKIP: {e}; run scripts/models/install-ppocr.sh");
                    None
                }
            }
        })
        .as_ref()
}

#[test]
fn missing_models_are_a_clear_error() {
    let tmp = std::env::temp_dir().join(format!("vidi-ppocr-none-{}", std::process::id()));
    let err = PpOcr::from_models_dir(&tmp, PpOcrConfig::default()).unwrap_err();
    assert!(matches!(err, PpOcrError::ModelMissing { .. }), "{err:?}");
    assert!(err.to_string().contains("model ppocr-v4 missing"), "{err}");
}

#[test]
fn hostile_inputs_are_typed_errors_or_nothing() {
    let Some(ocr) = engine() else { return };
    assert!(matches!(
        RgbView::new(10, 10, &[0; 299]),
        Err(PpOcrError::BufferSize { .. })
    ));
    // Empty and flat images: no lines.
    assert!(
        ocr.recognize(RgbView::new(0, 0, &[]).unwrap(), None)
            .unwrap()
            .is_empty()
    );
    let flat = vec![128u8; 300 * 200 * 3];
    assert!(
        ocr.recognize(RgbView::new(300, 200, &flat).unwrap(), None)
            .unwrap()
            .is_empty()
    );
    // A one-pixel-high strip and a tall sliver are resized to the bounded
    // detector size, not refused.
    let strip = vec![0u8; 5000 * 3];
    assert!(
        ocr.recognize(RgbView::new(5000, 1, &strip).unwrap(), None)
            .is_ok()
    );
    let sliver = vec![255u8; 2 * 6000 * 3];
    assert!(
        ocr.recognize(RgbView::new(2, 6000, &sliver).unwrap(), None)
            .is_ok()
    );
    // Cancellation.
    let c = vidi_types::Cancel::new();
    c.cancel();
    let img = vidi_testkit::signs::sign(
        "en",
        &["CANCEL ME"],
        vidi_testkit::signs::SignStyle::default(),
    )
    .unwrap();
    let r = ocr.recognize(
        RgbView::new(img.width, img.height, &img.rgb).unwrap(),
        Some(&c),
    );
    assert!(matches!(r, Err(PpOcrError::Cancelled)), "{r:?}");
}

#[test]
fn too_many_pixels_are_refused() {
    let dir = vidi_models::default_models_dir();
    let config = PpOcrConfig {
        max_pixels: 1000,
        ..PpOcrConfig::default()
    };
    let Ok(ocr) = PpOcr::from_models_dir(&dir, config) else {
        println!("SKIP: PP-OCR models not installed");
        return;
    };
    let img = vec![0u8; 100 * 100 * 3];
    let r = ocr.recognize(RgbView::new(100, 100, &img).unwrap(), None);
    assert!(matches!(r, Err(PpOcrError::TooLarge { .. })), "{r:?}");
}
