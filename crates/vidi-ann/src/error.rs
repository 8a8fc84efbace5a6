//! Errors of this crate.

use std::path::PathBuf;

/// Everything that can go wrong with an index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnnError {
    /// A file could not be read or written.
    #[error("I/O error on {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an index file (wrong magic bytes).
    #[error("{path} is not a vidi ANN index")]
    NotAnIndex {
        /// The file.
        path: PathBuf,
    },
    /// The file is of a format version this code does not read.
    #[error("{path} has index format version {found}, expected {expected}")]
    Version {
        /// The file.
        path: PathBuf,
        /// Version found.
        found: u32,
        /// Version this code reads.
        expected: u32,
    },
    /// The checksum does not match the content.
    #[error("{path} is corrupt (checksum mismatch)")]
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The content is inconsistent (sizes, list numbers...).
    #[error("{path} is corrupt: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// A vector of the wrong dimension was given.
    #[error("vector has dimension {found}, the index has {expected}")]
    Dimension {
        /// The index's dimension.
        expected: usize,
        /// The vector's.
        found: usize,
    },
    /// A vector holds NaN or infinite values.
    #[error("vector holds non-finite values")]
    NonFinite,
    /// Invalid parameters (zero dimension...).
    #[error("invalid index parameters: {0}")]
    Params(&'static str),
}
