//! Domain types shared by every vidi crate.
//!
//! This crate is the bottom of the dependency graph: it does no I/O and
//! depends on no other `vidi-*` crate. Everything that crosses a crate
//! boundary (digests, perceptual hashes, metadata, media and evidence
//! records, per-file errors) is defined here.
#![warn(missing_docs)]

mod cancel;
mod digest;
mod error;
mod media;
mod meta;
mod pdq;

pub use cancel::Cancel;
pub use digest::{Digests, HexError, Md5, Sha1, Sha256};
pub use error::{FileError, FileErrorKind};
pub use media::{EvidenceItem, FileType, MediaKind, MediaRecord, Thumbnail, VideoInfo, VpdqFrame};
pub use meta::{Camera, Gps, GpsFlag, GpsSource, Metadata};
pub use pdq::{PdqHash, PdqWithQuality};
