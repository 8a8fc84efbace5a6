//! Errors of this crate.

use std::path::PathBuf;

/// Everything that can go wrong loading a backbone or embedding an image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbedError {
    /// A model file could not be read.
    #[error("I/O error on {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The manifest names an architecture this build does not implement.
    #[error(
        "model {model:?} has architecture {architecture:?}, which vidi-embed does not implement"
    )]
    UnsupportedArchitecture {
        /// The model name.
        model: String,
        /// The architecture named in its manifest.
        architecture: String,
    },
    /// The manifest lists no file with a needed role.
    #[error("model {model:?} lists no {role:?} file")]
    MissingFile {
        /// The model name.
        model: String,
        /// The role (e.g. `weights`).
        role: &'static str,
    },
    /// The weights file cannot be read or is not a valid safetensors file
    /// of the expected tensors.
    #[error(transparent)]
    Weights(#[from] vidi_models::TensorError),
    /// The manifest's input specification is unusable.
    #[error("model {model:?} has an invalid input specification: {reason}")]
    InputSpec {
        /// The model name.
        model: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The image buffer does not match its stated size, or is empty or huge.
    #[error("invalid image: {width}x{height} with {len} bytes of RGB")]
    InvalidImage {
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
        /// Buffer length.
        len: usize,
    },
}
