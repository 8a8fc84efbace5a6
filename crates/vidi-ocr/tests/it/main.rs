//! Integration tests for vidi-ocr (one binary, modules by area).

#![allow(clippy::print_stdout)] // skip messages and accuracy tables

mod cer;
mod corpus;
mod hostile;
mod render;
mod signs;

use std::path::PathBuf;

use vidi_ocr::{Ocr, OcrConfig};

/// `../shared` beside the workspace, or `VIDI_SHARED_DIR`.
pub(crate) fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("VIDI_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    dir.is_dir().then_some(dir)
}

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
