//! Errors that stop a whole ingest run (per-file problems are data, not
//! errors: see [`vidi_types::FileError`]).

use std::path::PathBuf;

/// A failure that stops the run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The store failed (disk full, database locked for too long, ...).
    #[error("workspace store failed")]
    Store(#[from] vidi_store::StoreError),
    /// A root given on the command line does not exist or cannot be read.
    #[error("cannot read evidence root {path}")]
    Root {
        /// The root.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A worker thread could not be started.
    #[error("cannot start worker threads")]
    Threads(#[source] std::io::Error),
}
