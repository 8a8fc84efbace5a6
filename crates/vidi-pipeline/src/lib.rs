//! Ingest orchestration: walk → sniff → hash → decode → metadata → video →
//! store, one transaction per evidence item.
//!
//! The pipeline never prints. Callers pass a [`ProgressSink`] for progress
//! and a [`vidi_types::Cancel`] for cancellation, and receive an
//! [`IngestSummary`].
#![warn(missing_docs)]

mod budget;
pub mod clues;
mod config;
pub mod embed;
mod error;
mod ingest;
mod process;
mod progress;
mod summary;
pub mod view;
mod walk;

pub use config::{IngestConfig, PIPELINE_VERSION};
pub use error::PipelineError;
pub use ingest::ingest;
pub use progress::{NoProgress, ProgressSink};
pub use summary::{IngestSummary, ItemOutcome};
pub use walk::{WalkEntry, walk};
