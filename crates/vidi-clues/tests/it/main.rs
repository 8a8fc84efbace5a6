//! Integration tests of vidi-clues.
// Tests say what they skipped and print what they measured.
#![allow(clippy::print_stdout)]

mod geoclip;
mod ocr_signs;
mod scene;

use std::path::PathBuf;

/// `../shared` next to the workspace (override: `VIDI_SHARED_DIR`).
pub(crate) fn shared_dir() -> Option<PathBuf> {
    let d = std::env::var_os("VIDI_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    d.is_dir().then_some(d)
}

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
    use vidi_types::{Digests, Md5, Metadata, Sha1, Sha256};
    vidi_types::MediaRecord {
        digests: Digests {
            md5: Md5([0; 16]),
            sha1: Sha1([0; 20]),
            sha256: Sha256([0; 32]),
        },
        size: 0,
        kind,
        mime: "image/png".into(),
        width: None,
        height: None,
        frame_count: None,
        duration_s: None,
        pdq: None,
        pdq_dihedral: None,
        vpdq: Vec::new(),
        video: None,
        metadata: Metadata::default(),
        thumbnails: Vec::new(),
        error: None,
        pipeline_version: 1,
    }
}
