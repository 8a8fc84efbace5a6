//! The ingest run: a walker feeding a bounded queue, worker threads doing
//! the CPU and I/O work, and one writer thread committing one transaction
//! per evidence item. Memory stays bounded whatever the corpus size: the
//! queues are bounded and each worker holds at most one file.

use std::sync::Mutex;
use std::time::Instant;

use crossbeam_channel::bounded;
use vidi_store::{RunInfo, Store, Workspace};
use vidi_types::Cancel;

use crate::process::{Ctx, Processed, process};
use crate::{
    IngestConfig, IngestSummary, ItemOutcome, PIPELINE_VERSION, PipelineError, ProgressSink,
    WalkEntry, walk,
};

/// Ingest `config.roots` into the workspace.
///
/// Every entry found is stored as an evidence item (with an error when it
/// could not be processed); the run goes on past bad files. Safe to
/// interrupt at any point: each item is committed in its own transaction,
/// and a later run skips what is already complete.
pub fn ingest(
    ws: &Workspace,
    config: &IngestConfig,
    progress: &dyn ProgressSink,
    cancel: &Cancel,
) -> Result<IngestSummary, PipelineError> {
    let started = Instant::now();
    // Evidence paths are recorded absolute (without resolving symlinks),
    // so the same file ingested from another working directory is the
    // same evidence item.
    let mut config = config.clone();
    config.roots = config
        .roots
        .iter()
        .map(|r| std::path::absolute(r).unwrap_or_else(|_| r.clone()))
        .collect();
    let config = &config;
    let threads = if config.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        config.threads
    };
    let mut writer_store = Store::open(ws)?;
    let run_id = writer_store.begin_run(&RunInfo {
        case: config.case.clone(),
        agency: config.agency.clone(),
        roots: config
            .roots
            .iter()
            .map(|r| r.to_string_lossy().into_owned())
            .collect(),
        pipeline_version: PIPELINE_VERSION,
    })?;
    tracing::info!(run_id, threads, "ingest started");

    let (entry_tx, entry_rx) = bounded::<WalkEntry>(threads * 4);
    let (done_tx, done_rx) = bounded::<Processed>(threads * 2);
    let summary = Mutex::new(IngestSummary::default());
    let writer_error: Mutex<Option<vidi_store::StoreError>> = Mutex::new(None);
    let worker_error: Mutex<Option<PipelineError>> = Mutex::new(None);
    let blobs = ws.blobs();
    let ctx = Ctx {
        config,
        blobs,
        cancel,
    };

    std::thread::scope(|s| {
        // Writer: the only thread that writes to the database.
        let summary_ref = &summary;
        let writer_error_ref = &writer_error;
        let writer = std::thread::Builder::new()
            .name("vidi-writer".into())
            .spawn_scoped(s, move || {
                for p in done_rx.iter() {
                    if let Err(e) = writer_store.put_item(p.media.as_ref(), &p.item) {
                        tracing::error!(error = %e, "store write failed; stopping");
                        *writer_error_ref.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                        cancel.cancel();
                        break;
                    }
                    progress.item_done(p.bytes, &p.outcome);
                    summary_ref
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .add(p.bytes, &p.outcome);
                }
                // Drain so workers never block on a full queue after a failure.
                for _ in done_rx.iter() {}
                writer_store
            });
        let writer = match writer {
            Ok(w) => w,
            Err(e) => {
                *worker_error.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(PipelineError::Threads(e));
                cancel.cancel();
                return;
            }
        };

        for i in 0..threads {
            let entry_rx = entry_rx.clone();
            let done_tx = done_tx.clone();
            let ctx = &ctx;
            let summary = &summary;
            let worker_error = &worker_error;
            let spawned = std::thread::Builder::new()
                .name(format!("vidi-worker-{i}"))
                .spawn_scoped(s, move || {
                    let reader = match Store::open(ws) {
                        Ok(r) => r,
                        Err(e) => {
                            *worker_error.lock().unwrap_or_else(|e| e.into_inner()) =
                                Some(e.into());
                            cancel.cancel();
                            for _ in entry_rx.iter() {}
                            return;
                        }
                    };
                    for entry in entry_rx.iter() {
                        if cancel.is_cancelled() {
                            continue; // drain
                        }
                        // Unchanged since an earlier run: nothing to read.
                        if entry.error.is_none() {
                            let unchanged = reader.evidence_unchanged(
                                &config.case,
                                &entry.path.to_string_lossy(),
                                entry.size,
                                entry.mtime,
                            );
                            if let Ok(Some(sha)) = unchanged
                                && reader
                                    .media_is_complete(&sha, PIPELINE_VERSION)
                                    .unwrap_or(false)
                            {
                                progress.item_done(entry.size, &ItemOutcome::Unchanged);
                                summary
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .add(0, &ItemOutcome::Unchanged);
                                continue;
                            }
                        }
                        let is_known = |sha: &vidi_types::Sha256| {
                            reader
                                .media_is_complete(sha, PIPELINE_VERSION)
                                .unwrap_or(false)
                        };
                        let processed = process(&entry, ctx, &is_known);
                        if let Some(p) = processed
                            && done_tx.send(p).is_err()
                        {
                            break;
                        }
                    }
                });
            if let Err(e) = spawned {
                *worker_error.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(PipelineError::Threads(e));
                cancel.cancel();
                break;
            }
        }
        drop(done_tx);
        drop(entry_rx);

        // The walker runs here, feeding the bounded queue.
        let mut found = 0u64;
        walk(&config.roots, cancel, &mut |entry| {
            found += 1;
            progress.discovered(entry.size);
            if entry_tx.send(entry).is_err() {
                return false;
            }
            true
        });
        progress.walk_done();
        drop(entry_tx);
        summary.lock().unwrap_or_else(|e| e.into_inner()).found = found;

        let mut writer_store = match writer.join() {
            Ok(ws) => ws,
            Err(_) => return,
        };
        let mut sum = summary.lock().unwrap_or_else(|e| e.into_inner());
        sum.cancelled = cancel.is_cancelled();
        sum.elapsed_s = started.elapsed().as_secs_f64();
        let status = if sum.cancelled {
            "cancelled"
        } else {
            "completed"
        };
        let json = serde_json::to_value(&*sum).unwrap_or_default();
        if let Err(e) = writer_store.finish_run(run_id, status, &json) {
            tracing::error!(error = %e, "cannot record the end of the run");
        }
    });

    if let Some(e) = writer_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e.into());
    }
    if let Some(e) = worker_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(summary.into_inner().unwrap_or_else(|e| e.into_inner()))
}
