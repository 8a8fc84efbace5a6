//! Known material: hash sets imported into a workspace, media matched
//! against them, triage of a case, and exports in the formats agencies
//! exchange.
//!
//! Nothing here prints: progress and cancellation are passed in.
#![warn(missing_docs)]

mod error;
mod export;
mod import;
mod keyfile;
mod lookup;
mod matching;
mod triage;
mod views;

pub use error::KnownError;
pub use export::{ExportFormat, ExportSummary, case_entries, export_case};
pub use import::{
    ImportOptions, ImportProgress, ImportSummary, MAX_REJECT_SAMPLES, NoImportProgress,
    RejectedRecord, format_name, import_hashset, parse_format, remove_hashset,
};
pub use keyfile::KeyFileError;
pub use matching::{
    DEFAULT_MIN_QUALITY, DEFAULT_RADIUS, MatchConfig, MatchSummary, match_workspace,
};
pub use triage::{CategoryCount, FlagCounts, Status, Triage, TriageLink, TriageMedia, triage};
pub use views::{CategoryView, HitView, merge_flags};
