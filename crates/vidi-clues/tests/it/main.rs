//! Integration tests of vidi-clues.
// Tests say what they skipped and print what they measured.
#![allow(clippy::print_stdout)]

mod geoclip;
mod ocr_signs;
mod scene;

use std::path::PathBuf;

/// The installed models directory, when the test models are installed.
pub(crate) fn models_dir(model: &str) -> Option<(PathBuf, vidi_models::Model)> {
    let dir = vidi_models::default_models_dir();
    let reg = vidi_models::Registry::open(&dir).ok()?;
    match reg.get(model) {
        Ok(m) => Some((dir, m.clone())),
        Err(_) => {
            println!(
                "skipped: model {model} is not installed in {} (run scripts/models/install.sh)",
                dir.display()
            );
            None
        }
    }
}

/// A media record of a kind.
pub(crate) fn record(kind: vidi_types::MediaKind) -> vidi_types::MediaRecord {
    use vidi_testkit::media::{bare_record, digests};
    bare_record(digests(0, [0; 32]), kind, "image/png")
}
