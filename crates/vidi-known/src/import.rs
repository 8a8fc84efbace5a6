//! Import of a hash list into a workspace as a hash set.
//!
//! The file is streamed once to get its SHA-256 (the set's identity is its
//! name plus that digest: importing the same file twice changes nothing),
//! then streamed again through the format's reader straight into the store
//! (constant memory: one entry at a time). Malformed records are counted,
//! the first [`MAX_REJECT_SAMPLES`] kept for the report, and skipped. A set
//! with PDQ hashes gets its PDQ index built and saved next to the database.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use serde::Serialize;
use sha2::Digest;
use vidi_hashsets::{Format, HashEntry, PlainKind, ReadOptions, Rejected};
use vidi_store::{Store, Workspace};
use vidi_types::{Cancel, Sha256};

use crate::KnownError;

/// Rejected records kept in the summary (all are counted).
pub const MAX_REJECT_SAMPLES: usize = 100;

/// Options of [`import_hashset`].
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The format; `None` detects it from the first bytes.
    pub format: Option<Format>,
    /// The set's name; `None` uses the file name.
    pub name: Option<String>,
    /// Meaning of 64-hex lines in plain lists (SHA-256 or PDQ).
    pub plain_kind: PlainKind,
}

/// Receives import progress. Must be cheap.
pub trait ImportProgress: Sync {
    /// The file is `total` bytes.
    fn start(&self, total: u64);
    /// `bytes` of the file have been read.
    fn advance(&self, bytes: u64);
}

/// Ignores progress.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoImportProgress;

impl ImportProgress for NoImportProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self, _bytes: u64) {}
}

/// A rejected record, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRecord {
    /// 1-based line (or record number for JSON and SQLite formats).
    pub line: Option<u64>,
    /// Byte offset of the record start, when known.
    pub byte_offset: Option<u64>,
    /// Why it was rejected.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportSummary {
    /// The set's id.
    pub set_id: i64,
    /// The set's name.
    pub name: String,
    /// SHA-256 of the file.
    pub file_sha256: String,
    /// Format read.
    pub format: String,
    /// True when this set (same name and file) was already imported: the
    /// workspace was not changed.
    pub already_imported: bool,
    /// Records read.
    pub read: u64,
    /// Entries imported.
    pub imported: u64,
    /// Records rejected.
    pub rejected: u64,
    /// The first rejected records.
    pub rejected_samples: Vec<RejectedRecord>,
    /// Entries with a PDQ hash (indexed).
    pub pdq_indexed: u64,
    /// Seconds spent.
    pub seconds: f64,
}

/// Stable name of a format.
pub fn format_name(f: Format) -> &'static str {
    match f {
        Format::Vics => "vics",
        Format::IcseCsv => "icse",
        Format::Nsrl2 => "nsrl2",
        Format::Nsrl3 => "nsrl3",
        Format::ThreatExchangeCsv => "te-csv",
        Format::Plain => "plain",
    }
}

/// Parse [`format_name`] output.
pub fn parse_format(s: &str) -> Option<Format> {
    Some(match s {
        "vics" => Format::Vics,
        "icse" | "icse-csv" => Format::IcseCsv,
        "nsrl2" => Format::Nsrl2,
        "nsrl3" => Format::Nsrl3,
        "te-csv" | "threatexchange" => Format::ThreatExchangeCsv,
        "plain" => Format::Plain,
        _ => return None,
    })
}

/// SHA-256 of a file, streamed.
fn file_sha256(path: &Path, cancel: &Cancel) -> Result<(Sha256, u64), KnownError> {
    let mut f = File::open(path).map_err(|e| KnownError::io(path, e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        if cancel.is_cancelled() {
            return Err(KnownError::Cancelled);
        }
        let n = f.read(&mut buf).map_err(|e| KnownError::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        total += n as u64;
    }
    Ok((Sha256(h.finalize().into()), total))
}

fn detect_format(path: &Path) -> Result<Format, KnownError> {
    let mut head = vec![0u8; 8192];
    let mut f = File::open(path).map_err(|e| KnownError::io(path, e))?;
    let mut got = 0;
    while got < head.len() {
        let n = f
            .read(&mut head[got..])
            .map_err(|e| KnownError::io(path, e))?;
        if n == 0 {
            break;
        }
        got += n;
    }
    head.truncate(got);
    vidi_hashsets::detect(&head).ok_or_else(|| KnownError::UnknownFormat {
        path: path.to_path_buf(),
    })
}

/// A reader that counts bytes for progress and fails once `stop` is set, so
/// that a store error or a cancellation ends the format reader's loop.
struct Tap<'a, R> {
    inner: R,
    read: u64,
    reported: u64,
    progress: &'a dyn ImportProgress,
    cancel: &'a Cancel,
    stop: &'a AtomicBool,
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.is_cancelled() || self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("import stopped"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read - self.reported >= 1 << 22 || n == 0 {
            self.progress.advance(self.read);
            self.reported = self.read;
        }
        Ok(n)
    }
}

/// Entries per batch handed from the parsing thread to the writer.
const BATCH: usize = 4096;

/// What the parsing thread sends.
enum Batch {
    Entries(Vec<HashEntry>),
    Rejected(Rejected),
}

/// Parse the file and send its entries in batches. Stops early when the
/// receiver is gone or `stop` is set.
fn read_batches(
    path: &Path,
    format: Format,
    options: ReadOptions,
    progress: &dyn ImportProgress,
    cancel: &Cancel,
    stop: &AtomicBool,
    tx: mpsc::SyncSender<Batch>,
) -> Result<vidi_hashsets::ReadSummary, KnownError> {
    let mut batch = Vec::with_capacity(BATCH);
    let result = {
        let mut on_entry = |e: HashEntry| {
            batch.push(e);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if tx.send(Batch::Entries(full)).is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        };
        let mut on_reject = |r: Rejected| {
            if tx.send(Batch::Rejected(r)).is_err() {
                stop.store(true, Ordering::Relaxed);
            }
        };
        if format == Format::Nsrl3 {
            vidi_hashsets::read_nsrl3(path, &mut on_entry, &mut on_reject)
        } else {
            let file = File::open(path).map_err(|e| KnownError::io(path, e))?;
            let tap = Tap {
                inner: file,
                read: 0,
                reported: 0,
                progress,
                cancel,
                stop,
            };
            vidi_hashsets::read_with(
                format,
                options,
                BufReader::with_capacity(1 << 20, tap),
                &mut on_entry,
                &mut on_reject,
            )
        }
    };
    if !batch.is_empty() {
        let _ = tx.send(Batch::Entries(batch));
    }
    result.map_err(|source| KnownError::HashList {
        path: path.to_path_buf(),
        source,
    })
}

/// Import a hash list as a set of the workspace.
pub fn import_hashset(
    ws: &Workspace,
    path: &Path,
    options: &ImportOptions,
    progress: &dyn ImportProgress,
    cancel: &Cancel,
) -> Result<ImportSummary, KnownError> {
    let started = Instant::now();
    let format = match options.format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let name = match &options.name {
        Some(n) => n.clone(),
        None => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
    };
    let (sha, total) = file_sha256(path, cancel)?;
    let mut store = Store::open(ws)?;
    for id in store.clean_abandoned_imports(ws.root())? {
        crate::lookup::remove_files(ws, id)?;
    }
    if let Some(set) = store.hashset_by_identity(&name, &sha)? {
        tracing::info!(set = set.id, "hash set already imported");
        return Ok(ImportSummary {
            set_id: set.id,
            name,
            file_sha256: sha.to_hex(),
            format: set.format,
            already_imported: true,
            read: set.records_read,
            imported: set.entries,
            rejected: set.rejected,
            rejected_samples: Vec::new(),
            pdq_indexed: set.pdq_count,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    progress.start(total);
    let source_path = std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let mut samples = Vec::new();
    let mut writer =
        store.begin_hashset_import(ws.root(), &name, &sha, format_name(format), &source_path)?;
    let set_id = writer.id();
    let mut keys = crate::lookup::KeyWriters::new(ws, set_id)?;
    // Parsing runs on its own thread and hands batches to this one, which
    // owns the database connection: the two halves overlap on two cores.
    let stop = AtomicBool::new(false);
    let read_options = ReadOptions {
        plain_kind: options.plain_kind,
    };
    let mut store_error = None;
    let result = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Batch>(8);
        let stop = &stop;
        let reader = scope
            .spawn(move || read_batches(path, format, read_options, progress, cancel, stop, tx));
        for batch in rx {
            match batch {
                Batch::Entries(entries) => {
                    for e in &entries {
                        let pushed = writer
                            .push(e)
                            .map_err(KnownError::from)
                            .and_then(|id| keys.push(id, e));
                        if let Err(err) = pushed {
                            store_error = Some(err);
                            stop.store(true, Ordering::Relaxed);
                            break;
                        }
                    }
                }
                Batch::Rejected(r) => {
                    if samples.len() < MAX_REJECT_SAMPLES {
                        tracing::debug!(line = ?r.line, reason = %r.reason, "hash list record rejected");
                        samples.push(RejectedRecord {
                            line: r.line,
                            byte_offset: r.byte_offset,
                            reason: r.reason,
                        });
                    }
                }
            }
            if store_error.is_some() {
                break;
            }
        }
        reader.join()
    });
    if let Some(err) = store_error {
        keys.abandon();
        return Err(err);
    }
    if cancel.is_cancelled() {
        keys.abandon();
        return Err(KnownError::Cancelled);
    }
    let read = match result {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            keys.abandon();
            return Err(e);
        }
        Err(_) => {
            keys.abandon();
            return Err(KnownError::ReaderPanicked {
                path: path.to_path_buf(),
            });
        }
    };
    keys.finish()?;
    progress.advance(total);
    writer.finish(read.read, read.rejected)?;
    let set = store
        .hashsets()?
        .into_iter()
        .find(|s| s.id == set_id)
        .ok_or(vidi_store::StoreError::NoSuchEntry {
            set_id,
            entry_id: 0,
        })?;
    if set.pdq_count > 0 {
        crate::matching::build_set_index(ws, &store, set_id)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        set = set_id,
        entries = set.entries,
        rejected = read.rejected,
        seconds,
        "hash set imported"
    );
    Ok(ImportSummary {
        set_id,
        name,
        file_sha256: sha.to_hex(),
        format: format_name(format).to_owned(),
        already_imported: false,
        read: read.read,
        imported: set.entries,
        rejected: read.rejected,
        rejected_samples: samples,
        pdq_indexed: set.pdq_count,
        seconds,
    })
}

/// Remove a set and its PDQ index file. Returns false when no such set.
pub fn remove_hashset(ws: &Workspace, set_id: i64) -> Result<bool, KnownError> {
    let mut store = Store::open(ws)?;
    let found = store.remove_hashset(set_id)?;
    crate::lookup::remove_files(ws, set_id)?;
    Ok(found)
}
