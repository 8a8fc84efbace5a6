//! The one error type of this crate.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The folder is not a vidi workspace (no `vidi.db` or no `blobs/`).
    #[error("{path} is not a vidi workspace (missing {missing}); create one with `vidi init`")]
    NotAWorkspace {
        /// The folder given.
        path: PathBuf,
        /// What is missing inside it.
        missing: &'static str,
    },
    /// A file-system operation failed.
    #[error("I/O error on {path}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The database file could not be opened or configured.
    #[error("cannot open database {path}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer vidi.
    #[error(
        "database {path} has schema version {found}, newer than the {supported} this vidi supports; upgrade vidi"
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// Highest version this code knows.
        supported: i64,
    },
    /// Applying a schema migration failed.
    #[error("migrating database {path} to schema version {version} failed")]
    Migration {
        /// The database file.
        path: PathBuf,
        /// The version being applied.
        version: i64,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// A query failed.
    #[error("database query failed")]
    Sql(#[from] rusqlite::Error),
    /// JSON (metadata, run arguments) could not be encoded or decoded.
    #[error("JSON column could not be encoded or decoded")]
    Json(#[from] serde_json::Error),
    /// A value read from the database does not parse.
    #[error("corrupt value in column {column}: {value:?}")]
    Corrupt {
        /// Table and column.
        column: &'static str,
        /// The offending value (truncated).
        value: String,
    },
    /// A number does not fit the database column type.
    #[error("value of {what} is out of range for the database")]
    OutOfRange {
        /// The field concerned.
        what: &'static str,
    },
    /// An evidence item points at a media that is not stored and was not given.
    #[error("evidence item {path} refers to media {sha256} which is not stored")]
    MissingMedia {
        /// Path of the evidence item.
        path: String,
        /// SHA-256 hex of the missing media.
        sha256: String,
    },
    /// `put_item` got a media that is not the one the evidence item points at.
    #[error("evidence item {path} points at media {item:?} but media {given} was passed")]
    MediaMismatch {
        /// Path of the evidence item.
        path: String,
        /// The SHA-256 hex in the item, if any.
        item: Option<String>,
        /// The SHA-256 hex of the media passed.
        given: String,
    },
    /// A hash prefix is too short, too long or not hexadecimal.
    #[error("hash prefix {prefix:?} must be 4 to 64 hexadecimal characters")]
    BadPrefix {
        /// The prefix as given (truncated).
        prefix: String,
    },
    /// A blob key has characters or segments that are not allowed.
    #[error("invalid blob key {key:?} (allowed: relative paths of [a-z0-9._-] segments)")]
    InvalidBlobKey {
        /// The key as given (truncated).
        key: String,
    },
    /// A blob does not exist.
    #[error("blob {key} not found")]
    BlobNotFound {
        /// The key.
        key: String,
    },
    /// A run status that is not one of the known ones.
    #[error("invalid ingest run status {status:?}")]
    InvalidRunStatus {
        /// The status as given (truncated).
        status: String,
    },
    /// No media with this SHA-256 is stored.
    #[error("no media {sha256} in this workspace")]
    NoSuchMedia {
        /// SHA-256 hex asked for.
        sha256: String,
    },
    /// No entry with this id in a hash set.
    #[error("hash set {set_id} has no entry {entry_id}")]
    NoSuchEntry {
        /// The set.
        set_id: i64,
        /// The entry id asked for.
        entry_id: i64,
    },
    /// No ingest run with this id.
    #[error("no ingest run with id {id}")]
    NoSuchRun {
        /// The run id.
        id: i64,
    },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// Truncate user-controlled text before putting it in an error.
pub(crate) fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}
