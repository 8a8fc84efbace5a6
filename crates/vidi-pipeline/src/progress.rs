//! Progress reporting, pushed to a caller-supplied sink.

use crate::ItemOutcome;

/// Receives progress events from the pipeline. Implementations must be
/// cheap and thread-safe: events arrive from every worker thread.
pub trait ProgressSink: Sync {
    /// The walker found another file of `bytes` bytes.
    fn discovered(&self, bytes: u64);
    /// The walker finished: no more `discovered` calls will come.
    fn walk_done(&self) {}
    /// One evidence item was processed and stored.
    fn item_done(&self, bytes: u64, outcome: &ItemOutcome);
}

/// A sink that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn discovered(&self, _bytes: u64) {}
    fn item_done(&self, _bytes: u64, _outcome: &ItemOutcome) {}
}
