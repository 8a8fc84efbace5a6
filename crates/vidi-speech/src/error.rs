//! The crate's error type.

use std::path::{Path, PathBuf};

/// What is wrong with one tensor of a model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TensorProblem {
    /// The tensor is not in the file.
    Missing,
    /// The tensor has another shape than the architecture needs.
    Shape,
    /// The element type is not F32, F16 or BF16.
    DType,
    /// The data offsets point outside the file or disagree with the shape.
    Offsets,
}

/// Errors of model loading, language identification and audio extraction.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpeechError {
    /// A model file (manifest or weights) does not exist: the models are not
    /// installed (run `scripts/models/install-speech.sh`).
    #[error("speech model file missing: {}", path.display())]
    ModelMissing {
        /// The file that was looked for.
        path: PathBuf,
    },
    /// A model file exists but could not be read.
    #[error("cannot read speech model file {}", path.display())]
    ModelIo {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A manifest or safetensors header is not valid JSON of the expected shape.
    #[error("invalid JSON in speech model file {}", path.display())]
    ModelJson {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// A model file is structurally wrong.
    #[error("invalid speech model file {}: {reason}", path.display())]
    ModelFormat {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// One tensor of a model file is missing or malformed.
    #[error("tensor {name} in {} is unusable: {problem:?}", path.display())]
    Tensor {
        /// The safetensors file.
        path: PathBuf,
        /// The tensor name.
        name: String,
        /// What is wrong with it.
        problem: TensorProblem,
    },
    /// A file's SHA-256 differs from its manifest.
    #[error("checksum mismatch for model file {}", path.display())]
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The media file does not exist or cannot be read.
    #[error("cannot read media file {}", path.display())]
    MediaIo {
        /// The media file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The media file is larger than the configured limit.
    #[error("media file {} is {bytes} bytes, over the {limit}-byte limit", path.display())]
    MediaTooLarge {
        /// The media file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// `ffmpeg` could not be started (not installed or not on `PATH`).
    #[error("cannot run ffmpeg")]
    FfmpegSpawn {
        /// The spawn error.
        #[source]
        source: std::io::Error,
    },
    /// `ffmpeg` failed on the file (broken or unsupported media).
    #[error("ffmpeg cannot decode {} (exit status {status}): {detail}", path.display())]
    MediaDecode {
        /// The media file.
        path: PathBuf,
        /// ffmpeg's exit status (-1 when killed).
        status: i32,
        /// The last line ffmpeg wrote to stderr.
        detail: String,
    },
    /// `ffmpeg` ran longer than the configured wall-clock limit and was killed.
    #[error("ffmpeg timed out on {}", path.display())]
    MediaTimeout {
        /// The media file.
        path: PathBuf,
    },
    /// The caller cancelled the operation.
    #[error("cancelled")]
    Cancelled,
}

impl SpeechError {
    /// Whether this error means "the model is not installed" (as opposed to
    /// a broken model or bad input).
    pub fn is_model_missing(&self) -> bool {
        matches!(self, Self::ModelMissing { .. })
    }

    pub(crate) fn from_io(path: &Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            Self::ModelMissing {
                path: path.to_path_buf(),
            }
        } else {
            Self::ModelIo {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}
