//! Locating the shared corpora and running sniff + extract on a file.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use vidi_meta::{MetaLimits, SNIFF_LEN, Sniffed, extract, sniff};
use vidi_types::Metadata;

/// `../shared/corpora` relative to the workspace, or `$VIDI_SHARED_DIR/corpora`.
/// `None` (with a printed notice) when absent.
pub(crate) fn corpora() -> Option<PathBuf> {
    let shared = std::env::var_os("VIDI_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("corpora");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "SKIP: shared corpora not found at {} (set VIDI_SHARED_DIR)",
            dir.display()
        );
        None
    }
}

/// Sniff and extract one file.
pub(crate) fn run(path: &Path) -> std::io::Result<(Sniffed, Metadata)> {
    let mut f = File::open(path)?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut f).take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    let s = sniff(&head);
    let m = extract(f, s.format, &MetaLimits::default()).map_err(std::io::Error::other)?;
    Ok((s, m))
}
