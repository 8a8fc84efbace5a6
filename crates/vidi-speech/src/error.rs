//! The crate's error type.

use std::path::{Path, PathBuf};

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
    /// A safetensors weights file is malformed (bad header, a tensor
    /// missing or of the wrong shape).
    #[error(transparent)]
    Weights(vidi_models::TensorError),
    /// A manifest is of another format version or names a file outside its
    /// folder.
    #[error(transparent)]
    Manifest(vidi_models::ModelError),
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

impl From<vidi_models::TensorError> for SpeechError {
    /// A weights file that does not exist means the models are not installed.
    fn from(e: vidi_models::TensorError) -> Self {
        match e {
            vidi_models::TensorError::Io { path, source } => SpeechError::from_io(&path, source),
            other => SpeechError::Weights(other),
        }
    }
}

impl From<vidi_models::ModelError> for SpeechError {
    /// A manifest or file that does not exist means the models are not
    /// installed; a manifest that is not JSON is [`SpeechError::ModelJson`].
    fn from(e: vidi_models::ModelError) -> Self {
        match e {
            vidi_models::ModelError::Io { path, source } => SpeechError::from_io(&path, source),
            vidi_models::ModelError::Json { path, source } => {
                SpeechError::ModelJson { path, source }
            }
            other => SpeechError::Manifest(other),
        }
    }
}
