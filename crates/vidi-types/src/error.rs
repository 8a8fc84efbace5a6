//! Per-file errors recorded as data: a bad file becomes an evidence item
//! with its hashes and one of these, and the run goes on.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What went wrong with one file. Serialized as a stable snake_case code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileErrorKind {
    /// The file could not be opened or read.
    Io,
    /// The format was recognised but vidi cannot decode it.
    Unsupported,
    /// The file is malformed.
    Corrupt,
    /// The file ends before its structure does.
    Truncated,
    /// Pixel count, dimensions or memory needed exceed the configured limits.
    TooLarge,
    /// The per-file time budget ran out.
    Timeout,
    /// A decoder panicked; the panic was contained.
    DecoderPanic,
    /// Metadata (EXIF, XMP, QuickTime) could not be parsed; the rest is kept.
    Metadata,
    /// ffmpeg/ffprobe failed on a video or audio file.
    Video,
    /// An external tool vidi needs (ffmpeg, ffprobe) is missing.
    ToolMissing,
}

impl FileErrorKind {
    /// The stable code, as serialized.
    pub fn code(self) -> &'static str {
        match self {
            Self::Io => "io",
            Self::Unsupported => "unsupported",
            Self::Corrupt => "corrupt",
            Self::Truncated => "truncated",
            Self::TooLarge => "too_large",
            Self::Timeout => "timeout",
            Self::DecoderPanic => "decoder_panic",
            Self::Metadata => "metadata",
            Self::Video => "video",
            Self::ToolMissing => "tool_missing",
        }
    }
}

impl fmt::Display for FileErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An error attached to an evidence item or media: `{"kind", "message"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileError {
    /// Stable error code.
    pub kind: FileErrorKind,
    /// Human-readable explanation (never contains victim data beyond the
    /// file's own path, which the user supplied).
    pub message: String,
}

impl FileError {
    /// Build an error.
    pub fn new(kind: FileErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}
