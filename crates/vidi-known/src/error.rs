//! The one error type of this crate.

use std::path::PathBuf;

/// A failure that stops an import, a match run, a triage or an export.
/// (A malformed record in a hash list is not an error: it is reported and
/// skipped.)
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KnownError {
    /// The workspace store failed.
    #[error("workspace store failed")]
    Store(#[from] vidi_store::StoreError),
    /// A file could not be read or written.
    #[error("I/O error on {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The hash list could not be read on (broken JSON, not a VICS file...).
    #[error("cannot read hash list {path}")]
    HashList {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: vidi_hashsets::HashSetError,
    },
    /// The format of a hash list could not be recognised.
    #[error(
        "cannot tell the format of {path}; pass --format (vics, icse, nsrl2, nsrl3, te-csv, plain)"
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A PDQ index file could not be loaded.
    #[error("PDQ index {path} is unusable")]
    Index {
        /// The index file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: vidi_index::IndexError,
    },
    /// The thread parsing a hash list panicked (a bug: please report it).
    #[error("reading hash list {path} failed unexpectedly")]
    ReaderPanicked {
        /// The file.
        path: PathBuf,
    },
    /// A set's key file could not be read.
    #[error("hash-set key file {path} is unusable")]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: crate::keyfile::KeyFileError,
    },
    /// A set has more entries than entry ids can number (2^32 - 1).
    #[error("hash set has more than 4,294,967,295 entries")]
    TooManyEntries,
    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// No case with this number.
    #[error("no case {case} in this workspace")]
    NoSuchCase {
        /// The case number asked for.
        case: String,
    },
    /// An export could not be written.
    #[error("export failed")]
    Export(#[source] vidi_hashsets::WriteError),
}

impl KnownError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
