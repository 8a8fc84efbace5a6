//! Errors of this crate.

use std::path::PathBuf;

/// Everything that can go wrong extracting, storing or loading features.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalError {
    /// The pixel buffer does not hold `width * height * channels` bytes.
    #[error("pixel buffer holds {got} bytes, expected {expected} for {width}x{height}x{channels}")]
    BadBuffer {
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
        /// Channels per pixel.
        channels: u32,
        /// Bytes expected.
        expected: u64,
        /// Bytes given.
        got: u64,
    },
    /// The image is larger than [`crate::MAX_INPUT_PIXELS`].
    #[error("image of {width}x{height} pixels is larger than the limit")]
    TooLarge {
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
    },
    /// A parameter is out of range.
    #[error("invalid parameter {name}")]
    Param {
        /// The parameter's name.
        name: &'static str,
    },
    /// A serialised feature set does not start with the expected magic.
    #[error("not a vidi local-feature blob")]
    Magic,
    /// A serialised feature set has a format version this build cannot read.
    #[error("local-feature blob version {0} is not supported")]
    Version(u32),
    /// A serialised feature set is shorter than its header says, or malformed.
    #[error("local-feature blob is corrupt: {what}")]
    Corrupt {
        /// What is wrong.
        what: &'static str,
    },
    /// A feature file could not be read or written.
    #[error("I/O error on {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A feature file's content is invalid.
    #[error("invalid local-feature file {path}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: Box<LocalError>,
    },
}
