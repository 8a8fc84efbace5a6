//! Errors of this crate.

use std::path::PathBuf;

/// What is wrong with one tensor of a weights file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TensorProblem {
    /// The tensor is absent.
    Missing,
    /// Its shape is not the expected one.
    Shape,
    /// Its data type is not supported (only F32 is).
    DType,
    /// Its byte range is outside the file or of the wrong length.
    Offsets,
}

impl std::fmt::Display for TensorProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Missing => "missing",
            Self::Shape => "has an unexpected shape",
            Self::DType => "has an unsupported data type",
            Self::Offsets => "has invalid data offsets",
        })
    }
}

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
    /// The weights file is not a valid safetensors file.
    #[error("weights file {path} is malformed: {reason}")]
    ModelFormat {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// The safetensors header is not valid JSON of the expected shape.
    #[error("weights file {path} has a malformed header")]
    ModelJson {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// One tensor is missing or malformed.
    #[error("tensor {name:?} in {path} {problem}")]
    Tensor {
        /// The file.
        path: PathBuf,
        /// The tensor name.
        name: String,
        /// What is wrong.
        problem: TensorProblem,
    },
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
