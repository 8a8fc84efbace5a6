//! The crate's error type.

use std::path::PathBuf;

/// Everything that can stop a generation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SynthError {
    /// Reading or writing a file or directory failed.
    #[error("I/O error at {path}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Encoding an image failed.
    #[error("could not encode image {path}")]
    Encode {
        /// The file being written.
        path: PathBuf,
        /// The encoder's error.
        #[source]
        source: image::ImageError,
    },
    /// Decoding an image produced by an external tool failed.
    #[error("could not decode image produced for {path}")]
    Decode {
        /// The file being produced.
        path: PathBuf,
        /// The decoder's error.
        #[source]
        source: image::ImageError,
    },
    /// An external tool (ffmpeg, espeak-ng) could not be started or failed.
    #[error("{tool} failed while producing {path} (exit status {status})")]
    Tool {
        /// The tool's name.
        tool: &'static str,
        /// The file being produced.
        path: PathBuf,
        /// Exit status as text (`"not started"` when spawning failed).
        status: String,
    },
    /// Writing the manifest failed.
    #[error("could not serialise the manifest {path}")]
    Manifest {
        /// The manifest path.
        path: PathBuf,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The specification asks for something impossible (zero size, min > max, ...).
    #[error("invalid specification: {what}")]
    InvalidSpec {
        /// What is wrong.
        what: &'static str,
    },
    /// The caller cancelled the operation.
    #[error("cancelled")]
    Cancelled,
}

impl SynthError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
