//! The crate's error type and its mapping to per-file errors.

use std::path::PathBuf;
use std::time::Duration;

use vidi_types::{FileError, FileErrorKind};

/// An external tool, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `ffmpeg`.
    Ffmpeg,
    /// `ffprobe`.
    Ffprobe,
}

impl Tool {
    /// The program name as run.
    pub fn program(self) -> &'static str {
        match self {
            Self::Ffmpeg => "ffmpeg",
            Self::Ffprobe => "ffprobe",
        }
    }
}

impl std::fmt::Display for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.program())
    }
}

/// Errors from probing, hashing or thumbnailing a video.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VideoError {
    /// The tool could not be found or started.
    #[error("{tool} is not installed or cannot be run (install the Debian package `ffmpeg`)")]
    ToolMissing {
        /// Which tool.
        tool: Tool,
        /// The spawn error.
        #[source]
        source: std::io::Error,
    },
    /// Reading the tool's output failed.
    #[error("reading {tool} output for {path}")]
    Io {
        /// The media file.
        path: PathBuf,
        /// Which tool.
        tool: Tool,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The time budget ran out; the subprocess was killed.
    #[error("{tool} on {path} did not finish within {budget:?}")]
    Timeout {
        /// The media file.
        path: PathBuf,
        /// Which tool.
        tool: Tool,
        /// The budget that ran out.
        budget: Duration,
    },
    /// The caller cancelled; the subprocess was killed.
    #[error("{tool} on {path} was cancelled")]
    Cancelled {
        /// The media file.
        path: PathBuf,
        /// Which tool.
        tool: Tool,
    },
    /// The tool exited with an error and the input looks malformed.
    #[error("{path} is malformed: {tool} says: {last_line}")]
    Corrupt {
        /// The media file.
        path: PathBuf,
        /// Which tool.
        tool: Tool,
        /// The tool's last error line.
        last_line: String,
    },
    /// The tool exited with an error.
    #[error("{tool} failed on {path} ({status}): {last_line}")]
    Failed {
        /// The media file.
        path: PathBuf,
        /// Which tool.
        tool: Tool,
        /// Exit status as text.
        status: String,
        /// The tool's last error line (may be empty).
        last_line: String,
    },
    /// ffprobe's JSON could not be understood.
    #[error("ffprobe output for {path} is not valid JSON")]
    ProbeJson {
        /// The media file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// A tool wrote more than the configured output limit.
    #[error("{tool} wrote more than {limit} bytes for {path}")]
    OutputTooLarge {
        /// The media file.
        path: PathBuf,
        /// Which tool.
        tool: Tool,
        /// The limit in bytes.
        limit: usize,
    },
    /// The frames are larger than the configured pixel limit.
    #[error("{path}: {width}x{height} frames exceed the limit of {max_pixels} pixels")]
    TooLarge {
        /// The media file.
        path: PathBuf,
        /// Frame width.
        width: u32,
        /// Frame height.
        height: u32,
        /// The limit.
        max_pixels: u64,
    },
    /// The stream facts needed to decode frames are missing or unusable.
    #[error("{path}: video stream has no usable {what}")]
    MissingStreamInfo {
        /// The media file.
        path: PathBuf,
        /// What is missing ("width/height", "frame rate").
        what: &'static str,
    },
    /// The raw frame stream ended in the middle of a frame.
    #[error("{path}: ffmpeg output ended inside frame {frame} ({got} of {expected} bytes)")]
    TruncatedFrame {
        /// The media file.
        path: PathBuf,
        /// Index of the output frame.
        frame: u64,
        /// Bytes received.
        got: usize,
        /// Bytes expected.
        expected: usize,
    },
}

impl VideoError {
    /// The per-file error kind of this error.
    pub fn kind(&self) -> FileErrorKind {
        match self {
            Self::ToolMissing { .. } => FileErrorKind::ToolMissing,
            Self::Timeout { .. } | Self::Cancelled { .. } => FileErrorKind::Timeout,
            Self::Corrupt { .. } | Self::ProbeJson { .. } | Self::TruncatedFrame { .. } => {
                FileErrorKind::Corrupt
            }
            Self::TooLarge { .. } | Self::OutputTooLarge { .. } => FileErrorKind::TooLarge,
            Self::Io { .. } | Self::Failed { .. } | Self::MissingStreamInfo { .. } => {
                FileErrorKind::Video
            }
        }
    }

    /// Convert to the error recorded on a media record. The message is the
    /// error and its sources, joined with `: `.
    pub fn to_file_error(&self) -> FileError {
        let mut message = self.to_string();
        let mut src = std::error::Error::source(self);
        while let Some(s) = src {
            message.push_str(": ");
            message.push_str(&s.to_string());
            src = s.source();
        }
        FileError::new(self.kind(), message)
    }
}

/// Phrases in ffmpeg's error output that mean the input itself is malformed.
const CORRUPT_MARKERS: &[&str] = &[
    "invalid data found",
    "moov atom not found",
    "ended prematurely",
    "end of file",
    "could not find codec parameters",
    "error while decoding",
    "corrupt",
    "cannot determine format",
    "no frame",
    "truncat",
];

/// Whether the tool's last error line points at the input.
pub(crate) fn looks_corrupt(last_line: &str) -> bool {
    let l = last_line.to_ascii_lowercase();
    CORRUPT_MARKERS.iter().any(|m| l.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_messages() {
        let e = VideoError::ToolMissing {
            tool: Tool::Ffprobe,
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        let fe = e.to_file_error();
        assert_eq!(fe.kind, FileErrorKind::ToolMissing);
        assert!(fe.message.contains("ffprobe"), "{}", fe.message);

        let e = VideoError::Corrupt {
            path: "/x/a.mp4".into(),
            tool: Tool::Ffprobe,
            last_line: "moov atom not found".into(),
        };
        let fe = e.to_file_error();
        assert_eq!(fe.kind, FileErrorKind::Corrupt);
        assert!(fe.message.contains("moov atom not found"));
        assert!(fe.message.contains("/x/a.mp4"));
        assert!(looks_corrupt(
            "x.mp4: Invalid data found when processing input"
        ));
        assert!(!looks_corrupt("Conversion failed!"));
    }
}
