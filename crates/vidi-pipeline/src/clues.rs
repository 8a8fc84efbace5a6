//! Running clue extractors over the media of a workspace (or a case).
//!
//! Work items are (media, extractor) pairs whose stored fingerprint
//! (extractor id, version, model) differs from the extractor's: a rerun
//! recomputes only what changed. Worker threads run the extractors; the
//! calling thread owns the store connection and writes each result in one
//! transaction, so a crash loses at most the items in flight. Memory is
//! bounded by the number of workers (one media decoded per worker).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use serde::Serialize;
use vidi_clues::{Clue, ClueExtractor, ClueInput};
use vidi_store::{ClueRow, Store, Workspace};
use vidi_types::{Cancel, MediaRecord, Sha256};

use crate::PipelineError;

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct ClueConfig {
    /// Only the media of this case.
    pub case: Option<String>,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Recompute even when the stored fingerprint is the same.
    pub force: bool,
}

/// Progress of a clue run. Must be cheap and thread-safe.
pub trait ClueProgress: Sync {
    /// `total` work items (media x extractor) will run.
    fn start(&self, total: u64);
    /// One more item is done.
    fn item_done(&self);
}

/// Ignores progress.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoClueProgress;

impl ClueProgress for NoClueProgress {
    fn start(&self, _total: u64) {}
    fn item_done(&self) {}
}

/// Counts of one extractor in a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExtractorStats {
    /// Media it ran on.
    pub ran: u64,
    /// Media skipped because their clues are up to date.
    pub up_to_date: u64,
    /// Clues produced.
    pub clues: u64,
    /// Media on which it failed (the error is stored with the run).
    pub errors: u64,
    /// Seconds spent in the extractor, summed over workers.
    pub seconds: f64,
}

/// What a clue run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClueSummary {
    /// Media considered.
    pub media: u64,
    /// Per extractor.
    pub by_extractor: BTreeMap<String, ExtractorStats>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// True when cancelled before the end (what was done is kept).
    pub cancelled: bool,
}

/// Convert a typed clue into its stored form.
pub fn clue_row(c: &Clue) -> ClueRow {
    ClueRow {
        kind: c.kind.as_str().to_owned(),
        value: c.value.clone(),
        confidence: f64::from(c.confidence),
        extractor: c.extractor.clone(),
        version: c.version,
        model_name: c.model.as_ref().map(|m| m.name.clone()),
        model_sha256: c.model.as_ref().map(|m| m.sha256.clone()),
        region: c.region.and_then(|r| serde_json::to_value(r).ok()),
        time_range: c.time_range.map(|t| serde_json::json!(t)),
        detail: c.detail.clone(),
    }
}

/// Convert a stored clue back into its typed form (None for a kind this
/// version does not know).
pub fn clue_from_row(r: &ClueRow) -> Option<Clue> {
    Some(Clue {
        kind: vidi_clues::ClueKind::parse(&r.kind)?,
        value: r.value.clone(),
        confidence: r.confidence as f32,
        extractor: r.extractor.clone(),
        version: r.version,
        model: match (&r.model_name, &r.model_sha256) {
            (Some(name), Some(sha256)) => Some(vidi_clues::ModelRef {
                name: name.clone(),
                sha256: sha256.clone(),
            }),
            _ => None,
        },
        region: r
            .region
            .clone()
            .and_then(|v| serde_json::from_value(v).ok()),
        time_range: r
            .time_range
            .clone()
            .and_then(|v| serde_json::from_value(v).ok()),
        detail: r.detail.clone(),
    })
}

struct Done {
    media: Sha256,
    extractor: usize,
    result: Result<Vec<Clue>, String>,
    seconds: f64,
}

/// Run `extractors` over the media in scope.
pub fn run_clues(
    ws: &Workspace,
    extractors: &[Box<dyn ClueExtractor>],
    config: &ClueConfig,
    progress: &dyn ClueProgress,
    cancel: &Cancel,
) -> Result<ClueSummary, PipelineError> {
    let started = Instant::now();
    let mut store = Store::open(ws)?;
    // One readable path per media (the first evidence item found).
    let mut media: BTreeMap<Sha256, (MediaRecord, PathBuf)> = BTreeMap::new();
    for row in store.list_evidence(config.case.as_deref())? {
        if let (Some(sha), Some(m)) = (row.item.media, row.media) {
            media
                .entry(sha)
                .or_insert_with(|| (m, PathBuf::from(&row.item.path)));
        }
    }
    let mut summary = ClueSummary {
        media: media.len() as u64,
        ..ClueSummary::default()
    };
    let fingerprints: Vec<String> = extractors.iter().map(|e| e.fingerprint()).collect();
    let mut items: Vec<(Sha256, usize)> = Vec::new();
    for (sha, (m, _)) in &media {
        for (i, e) in extractors.iter().enumerate() {
            if !e.applies(m) {
                continue;
            }
            let stats = summary.by_extractor.entry(e.id().to_owned()).or_default();
            if !config.force
                && store.clue_fingerprint(sha, e.id())?.as_deref() == Some(&fingerprints[i])
            {
                stats.up_to_date += 1;
                continue;
            }
            items.push((*sha, i));
        }
    }
    progress.start(items.len() as u64);
    let threads = if config.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        config.threads
    }
    .clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<Done>(threads * 2);
    let write_result = std::thread::scope(|scope| -> Result<(), PipelineError> {
        for _ in 0..threads {
            let tx = tx.clone();
            let (items, media, next) = (&items, &media, &next);
            std::thread::Builder::new()
                .name("vidi-clues".into())
                .spawn_scoped(scope, move || {
                    loop {
                        if cancel.is_cancelled() {
                            break;
                        }
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(sha, ei)) = items.get(k) else {
                            break;
                        };
                        let Some((m, path)) = media.get(&sha) else {
                            continue;
                        };
                        let t = Instant::now();
                        let input = ClueInput {
                            media: m,
                            path: Some(path),
                        };
                        // A panicking extractor is that media's error, not the run's.
                        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            extractors[ei].extract(input, cancel)
                        }));
                        let result = match result {
                            Ok(Ok(c)) => Ok(c),
                            Ok(Err(e)) => Err(error_chain(&e)),
                            Err(_) => Err("extractor panicked".to_owned()),
                        };
                        let done = Done {
                            media: sha,
                            extractor: ei,
                            result,
                            seconds: t.elapsed().as_secs_f64(),
                        };
                        if tx.send(done).is_err() {
                            break;
                        }
                    }
                })
                .map_err(PipelineError::Threads)?;
        }
        drop(tx);
        for done in rx {
            let e = &extractors[done.extractor];
            if matches!(&done.result, Err(msg) if msg == "cancelled") {
                continue;
            }
            let stats = summary.by_extractor.entry(e.id().to_owned()).or_default();
            stats.ran += 1;
            stats.seconds += done.seconds;
            match &done.result {
                Ok(clues) => {
                    stats.clues += clues.len() as u64;
                    let rows: Vec<ClueRow> = clues.iter().map(clue_row).collect();
                    store.put_clues(
                        &done.media,
                        e.id(),
                        &fingerprints[done.extractor],
                        &rows,
                        None,
                    )?;
                }
                Err(msg) => {
                    stats.errors += 1;
                    tracing::warn!(extractor = e.id(), media = %done.media, error = %msg, "clue extractor failed");
                    store.put_clues(
                        &done.media,
                        e.id(),
                        &fingerprints[done.extractor],
                        &[],
                        Some(msg),
                    )?;
                }
            }
            progress.item_done();
        }
        Ok(())
    });
    write_result?;
    summary.cancelled = cancel.is_cancelled();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// An error with its causes, for the stored run record.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}
