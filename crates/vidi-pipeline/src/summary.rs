//! What one ingest run did.

use std::collections::BTreeMap;

use serde::Serialize;
use vidi_types::{FileErrorKind, MediaKind};

/// What happened to one evidence item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemOutcome {
    /// Content was new: decoded, hashed and stored.
    New {
        /// Kind by sniffing.
        kind: MediaKind,
        /// The error recorded for it, if any.
        error: Option<FileErrorKind>,
    },
    /// Content already known (another path or case): only the evidence
    /// item was stored.
    KnownContent {
        /// Kind of the known media.
        kind: MediaKind,
        /// The error recorded for it, if any.
        error: Option<FileErrorKind>,
    },
    /// Path, size and time unchanged since an earlier run: nothing read.
    Unchanged,
    /// A symlink or special file, recorded without being opened.
    NotRegular,
    /// The file could not be read at all (recorded with the error).
    Unreadable {
        /// Why.
        error: FileErrorKind,
    },
}

/// Counts for one ingest run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestSummary {
    /// Entries the walk found (files, links, special files, unreadable).
    pub found: u64,
    /// Entries written to the store in this run (new or updated).
    pub stored: u64,
    /// New content (media rows created or recomputed).
    pub new_media: u64,
    /// Evidence items whose content was already in the workspace.
    pub known_content: u64,
    /// Entries skipped because nothing changed since an earlier run.
    pub unchanged: u64,
    /// Symlinks and special files recorded without opening.
    pub not_regular: u64,
    /// Bytes read and hashed in this run.
    pub bytes_read: u64,
    /// Stored items by media kind.
    pub by_kind: BTreeMap<String, u64>,
    /// Items with an error, by error kind.
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Wall-clock seconds.
    pub elapsed_s: f64,
    /// True when the run was cancelled before the walk finished.
    pub cancelled: bool,
}

impl IngestSummary {
    /// Fold one outcome into the counts.
    pub(crate) fn add(&mut self, bytes: u64, outcome: &ItemOutcome) {
        let mut error = None;
        match outcome {
            ItemOutcome::New { kind, error: e } => {
                self.stored += 1;
                self.new_media += 1;
                self.bytes_read += bytes;
                *self.by_kind.entry(kind.as_str().into()).or_default() += 1;
                error = *e;
            }
            ItemOutcome::KnownContent { kind, error: e } => {
                self.stored += 1;
                self.known_content += 1;
                self.bytes_read += bytes;
                *self.by_kind.entry(kind.as_str().into()).or_default() += 1;
                error = *e;
            }
            ItemOutcome::Unchanged => self.unchanged += 1,
            ItemOutcome::NotRegular => {
                self.stored += 1;
                self.not_regular += 1;
            }
            ItemOutcome::Unreadable { error: e } => {
                self.stored += 1;
                error = Some(*e);
            }
        }
        if let Some(e) = error {
            *self.errors_by_kind.entry(e.code().into()).or_default() += 1;
        }
    }

    /// Number of items recorded with an error.
    pub fn errors(&self) -> u64 {
        self.errors_by_kind.values().sum()
    }
}
