//! Integration tests: generate the demo and the bench corpus in temp
//! folders and check the files against the manifest.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod demo;
mod exif;
mod media;
mod meta;
mod pdq;

use std::path::Path;
use std::sync::OnceLock;

use vidi_synth::{DemoManifest, DemoSpec, generate_demo};

/// A small demo shared by the tests (generated once per test binary).
pub(crate) struct Shared {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) manifest: DemoManifest,
}

pub(crate) fn small_spec() -> DemoSpec {
    DemoSpec {
        seed: 11,
        images_per_case: 2,
        videos: true,
        audio: true,
        width: 320,
        height: 240,
    }
}

pub(crate) fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let manifest =
            generate_demo(dir.path(), &small_spec(), &vidi_types::Cancel::new()).expect("demo");
        Shared {
            _dir: dir,
            manifest,
        }
    })
}

pub(crate) fn sha256(path: &Path) -> [u8; 32] {
    use sha2::Digest;
    let bytes = std::fs::read(path).expect("read");
    sha2::Sha256::digest(&bytes).into()
}

pub(crate) fn has_tool(name: &str) -> bool {
    vidi_synth::tools_available()
        .iter()
        .any(|(n, ok)| *n == name && *ok)
}
