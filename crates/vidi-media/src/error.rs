//! Typed decoding errors and their mapping to per-file error records.

use vidi_types::{FileError, FileErrorKind};

/// Why an image could not be decoded (or thumbnailed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The bytes do not start with the signature of an image format vidi decodes.
    #[error("not a recognised image format")]
    UnknownFormat,
    /// The format was recognised but this build cannot decode it.
    #[error("{format} images are not supported")]
    Unsupported {
        /// Format name.
        format: &'static str,
    },
    /// The header declares an image beyond the configured limits.
    #[error("{format} image of {width}x{height} exceeds the limits ({reason})")]
    TooLarge {
        /// Format name.
        format: &'static str,
        /// Declared width.
        width: u64,
        /// Declared height.
        height: u64,
        /// Which limit was hit.
        reason: &'static str,
    },
    /// The data ends before the image does.
    #[error("{format} data is truncated")]
    Truncated {
        /// Format name.
        format: &'static str,
    },
    /// The decoder rejected the data.
    #[error("{format} data is corrupt: {detail}")]
    Corrupt {
        /// Format name.
        format: &'static str,
        /// The decoder's explanation.
        detail: String,
    },
    /// A decoder panicked; the panic was contained.
    #[error("the {format} decoder panicked")]
    DecoderPanic {
        /// Format name.
        format: &'static str,
    },
    /// Encoding a thumbnail failed.
    #[error("encoding the thumbnail failed: {detail}")]
    Encode {
        /// The encoder's explanation.
        detail: String,
    },
}

impl MediaError {
    /// The per-file error record for this error.
    pub fn to_file_error(&self) -> FileError {
        let kind = match self {
            Self::UnknownFormat | Self::Unsupported { .. } => FileErrorKind::Unsupported,
            Self::TooLarge { .. } => FileErrorKind::TooLarge,
            Self::Truncated { .. } => FileErrorKind::Truncated,
            Self::Corrupt { .. } | Self::Encode { .. } => FileErrorKind::Corrupt,
            Self::DecoderPanic { .. } => FileErrorKind::DecoderPanic,
        };
        FileError::new(kind, self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map() {
        let e = MediaError::TooLarge {
            format: "png",
            width: 1,
            height: 2,
            reason: "pixels",
        };
        assert_eq!(e.to_file_error().kind, FileErrorKind::TooLarge);
        assert_eq!(
            MediaError::DecoderPanic { format: "gif" }
                .to_file_error()
                .kind,
            FileErrorKind::DecoderPanic
        );
        assert!(
            MediaError::Truncated { format: "jpeg" }
                .to_file_error()
                .message
                .contains("truncated")
        );
    }
}
