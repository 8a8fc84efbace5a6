//! Integration tests for vidi-ocr (one binary, modules by area).

#![allow(clippy::print_stdout)] // skip messages and accuracy tables

mod cer;
mod corpus;
mod hostile;
mod render;
mod signs;

use vidi_ocr::{Ocr, OcrConfig};

/// An engine, or None (with a printed reason) when tesseract's traineddata
/// are not installed (run scripts/setup-ocr.sh).
pub(crate) fn engine_or_skip(config: OcrConfig) -> Option<Ocr> {
    match Ocr::new(config) {
        Ok(o) => Some(o),
        Err(e) => {
            // Missing traineddata is a setup problem, not a code bug; CI runs
            // scripts/setup-ocr.sh so it has them. Fail loudly under CI.
            assert!(
                std::env::var_os("CI").is_none(),
                "tesseract not usable under CI: {e}"
            );
            println!("SKIP: tesseract not usable ({e}); run scripts/setup-ocr.sh");
            None
        }
    }
}
