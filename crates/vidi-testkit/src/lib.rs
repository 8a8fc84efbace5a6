//! Test support for vidi's tests (a dev-dependency only, never published):
//! where the shared corpora are ([`shared_dir`]), synthetic sign photos
//! ([`render`], [`signs`]), the character error rate ([`cer`]) and bare
//! media records for store tests ([`media`]).
//!
//! Helpers here may print: a skipped test says why on stdout.

#![warn(missing_docs)]
#![allow(clippy::print_stdout)] // skip messages are the point

pub mod cer;
pub mod media;
pub mod render;
pub mod signs;

use std::path::PathBuf;

/// The environment variable that names the shared folder (the one holding
/// `corpora/`), overriding `../shared` beside the workspace.
pub const SHARED_DIR_ENV: &str = "VIDI_SHARED_DIR";

/// Where the shared folder should be: `$VIDI_SHARED_DIR`, else `../shared`
/// beside the workspace root. It may not exist.
pub fn shared_path() -> PathBuf {
    match std::env::var_os(SHARED_DIR_ENV) {
        Some(d) => PathBuf::from(d),
        // This crate sits in crates/vidi-testkit, like every crate, so the
        // workspace root's sibling is three levels up from here too.
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// The shared folder when it holds `corpora/`; otherwise `None`, after
/// printing where it was looked for (the caller then skips its test).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = shared_path();
    if dir.join("corpora").is_dir() {
        Some(dir)
    } else {
        println!(
            "SKIP: shared corpora not found at {} (set {SHARED_DIR_ENV})",
            dir.display()
        );
        None
    }
}

/// The shared `corpora/` folder, or `None` (with the message of
/// [`shared_dir`]).
pub fn corpora() -> Option<PathBuf> {
    shared_dir().map(|d| d.join("corpora"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_shared_path_is_beside_the_workspace() {
        if std::env::var_os(super::SHARED_DIR_ENV).is_some() {
            return;
        }
        let p = super::shared_path();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        assert!(root.join("Cargo.toml").is_file(), "{}", root.display());
        assert!(p.ends_with("../../../shared"), "{}", p.display());
    }
}
