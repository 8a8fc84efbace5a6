//! Integration tests of vidi-embed: correctness against the numpy
//! reference forward pass and a known photo, and the same-scene retrieval
//! quality benchmark (floors).

#![allow(clippy::print_stdout)]

mod local;
mod model;
mod quality;
mod scenes;

use std::path::PathBuf;

/// The installed test backbone, or `None` (with a printed skip message)
/// when `scripts/models/install-vision.sh` has not been run.
pub(crate) fn installed() -> Option<vidi_models::Model> {
    let dir = vidi_models::default_models_dir();
    let reg = match vidi_models::Registry::open(&dir) {
        Ok(r) => r,
        Err(e) => {
            println!(
                "SKIP: no models directory usable at {} ({e}); run scripts/models/install-vision.sh",
                dir.display()
            );
            return None;
        }
    };
    match reg.get("mobilenet-v2-imagenet") {
        Ok(m) => Some(m.clone()),
        Err(e) => {
            println!("SKIP: {e}; run scripts/models/install-vision.sh");
            None
        }
    }
}

pub(crate) fn models_dir() -> PathBuf {
    vidi_models::default_models_dir()
}
