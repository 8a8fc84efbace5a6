//! Locating the shared corpora and running sniff + extract on a file.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use vidi_meta::{MetaLimits, SNIFF_LEN, Sniffed, extract, sniff};
use vidi_types::Metadata;

pub(crate) use vidi_testkit::corpora;

/// Sniff and extract one file.
pub(crate) fn run(path: &Path) -> std::io::Result<(Sniffed, Metadata)> {
    let mut f = File::open(path)?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut f).take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    let s = sniff(&head);
    let m = extract(f, s.format, &MetaLimits::default()).map_err(std::io::Error::other)?;
    Ok((s, m))
}
