//! Streaming readers for known-hash lists.
//!
//! Every reader works line by line (or record by record for JSON) so memory
//! stays constant whatever the file size. A malformed record is reported to
//! the caller's `on_reject` callback and skipped; the rest of the file is
//! still imported. Only I/O failures and broken JSON syntax stop a read.
//! NSRL RDS v3 is a SQLite database and is read from a path
//! ([`read_nsrl3`], or [`read_path`] for any format).
//!
//! Writers ([`VicsWriter`], [`IcseCsvWriter`], [`TeCsvWriter`],
//! [`PlainWriter`]) stream one entry at a time into any `std::io::Write`.
#![warn(missing_docs)]

mod category;
mod csv_write;
mod csvline;
mod icse;
mod lines;
mod nsrl;
mod nsrl3;
mod plain;
mod te;
mod vics;
mod vics_write;
mod write;

use std::path::{Path, PathBuf};

pub use category::{Category, Scheme};
pub use csv_write::{ICSE_HEADER, IcseCsvWriter, PlainHash, PlainWriter, TE_HEADER, TeCsvWriter};
pub use nsrl3::read_nsrl3;
pub use vics_write::{CaseHeader, VicsDocument, VicsVersion, VicsWriter};
pub use vidi_types::{Md5, PdqHash, Sha1, Sha256};
pub use write::{CategoryPolicy, EntryWriter, WriteError, WriteStats};

/// Flags attached to an entry by the list's publisher. `None` = not stated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFlags {
    /// The victim has been identified.
    pub victim_identified: Option<bool>,
    /// The offender has been identified.
    pub offender_identified: Option<bool>,
    /// The file is known to be distributed.
    pub distributed: Option<bool>,
    /// The categorisation is a suspicion only (VICS 2.0 `IsSuspected`).
    pub suspected: Option<bool>,
    /// Self-generated material (VICS 2.0 `SelfGenerated`).
    pub self_generated: Option<bool>,
}

/// One entry of a known-hash list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HashEntry {
    /// MD5 of the file.
    pub md5: Option<Md5>,
    /// SHA-1 of the file.
    pub sha1: Option<Sha1>,
    /// SHA-256 of the file.
    pub sha256: Option<Sha256>,
    /// PDQ perceptual hash.
    pub pdq: Option<PdqHash>,
    /// PDQ quality 0–100 when given.
    pub pdq_quality: Option<u8>,
    /// PhotoDNA hash, kept opaque exactly as given (never computed here).
    pub photodna: Option<String>,
    /// Categories, each with its scheme (never a bare number).
    pub categories: Vec<Category>,
    /// Series name.
    pub series: Option<String>,
    /// Publisher flags.
    pub flags: EntryFlags,
    /// Free-text label (plain lists' `,label`, ThreatExchange tags…).
    pub label: Option<String>,
    /// File size in bytes.
    pub size: Option<u64>,
    /// A file name the list gives for this hash.
    pub file_name: Option<String>,
    /// The list's own record identifier (MediaID, Image ID, …).
    pub source_id: Option<String>,
}

/// A record that could not be read; the read goes on after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based line number (line formats; a CSV record spanning lines
    /// gives its first line). For NSRL RDS v3: the `FILE` row's `rowid`,
    /// or its 1-based position in the scan when `FILE` is a view.
    pub line: Option<u64>,
    /// Byte offset of the record start (line formats) when known.
    pub byte_offset: Option<u64>,
    /// Why the record was rejected.
    pub reason: String,
}

/// Counts of one read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Records seen (excluding header, comments and blank lines).
    pub read: u64,
    /// Records passed to `on_entry`.
    pub accepted: u64,
    /// Records passed to `on_reject`.
    pub rejected: u64,
}

/// A read that could not go on.
#[derive(Debug, thiserror::Error)]
pub enum HashSetError {
    /// Reading the input failed.
    #[error("reading hash list failed")]
    Io(#[from] std::io::Error),
    /// The JSON is not well-formed.
    #[error("malformed JSON at line {line}, column {column}")]
    Json {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// Parser error.
        #[source]
        source: serde_json::Error,
    },
    /// The JSON is well-formed but not a VICS envelope.
    #[error("not a VICS/OData envelope (no `value` array)")]
    NotVics,
    /// Opening or reading a hash-list file failed.
    #[error("reading hash list {path} failed")]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// SQLite refused the file or a query (not a database, corrupt, locked…).
    #[error("SQLite error reading {path}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// A SQLite database that is not an NSRL RDS v3 database.
    #[error("{path} is not an NSRL RDS v3 database: no {missing}")]
    NotRds3 {
        /// The database file.
        path: PathBuf,
        /// What is missing (e.g. `table or view FILE`, `column FILE.sha256`).
        missing: String,
    },
    /// The format is read from a file path, not a stream (use [`read_path`]
    /// or [`read_nsrl3`]).
    #[error("format {format:?} needs a file path, not a reader")]
    NeedsPath {
        /// The format asked for.
        format: Format,
    },
}

/// Known-hash list formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Project VIC / VICS JSON (CAID 1.2, VICS 1.3, VICS 2.0 hash set or case file).
    Vics,
    /// INTERPOL ICSE `;`-separated CSV export.
    IcseCsv,
    /// NIST NSRL RDS v2 `NSRLFile.txt`.
    Nsrl2,
    /// ThreatExchange CLI CSV export.
    ThreatExchangeCsv,
    /// One hash per line, optional `,label`.
    Plain,
    /// NIST NSRL RDS v3 SQLite database (read from a path only).
    Nsrl3,
}

/// What a 64-hex line of a plain list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PlainKind {
    /// 32/40/64 hex = MD5/SHA-1/SHA-256.
    #[default]
    Auto,
    /// 64 hex = PDQ; 32/40 hex are still MD5/SHA-1.
    Pdq,
}

/// Options for [`read_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Meaning of 64-hex lines in plain lists.
    pub plain_kind: PlainKind,
}

/// Guess the format from the first bytes of a file (a few KiB is plenty).
pub fn detect(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"SQLite format 3\0") {
        return Some(Format::Nsrl3);
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        return Some(Format::Vics);
    }
    let first = trimmed
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if first.starts_with("signal_type,") {
        return Some(Format::ThreatExchangeCsv);
    }
    if first.starts_with("md5;sha1;") {
        return Some(Format::IcseCsv);
    }
    if first.starts_with("\"sha-1\",\"md5\"") {
        return Some(Format::Nsrl2);
    }
    for line in trimmed.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let h = l.split(',').next().unwrap_or("").trim();
        if matches!(h.len(), 32 | 40 | 64) && h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(Format::Plain);
        }
        return None;
    }
    None
}

/// Read a hash list with default options. See [`read_with`].
pub fn read(
    format: Format,
    reader: impl std::io::BufRead,
    on_entry: &mut dyn FnMut(HashEntry),
    on_reject: &mut dyn FnMut(Rejected),
) -> Result<ReadSummary, HashSetError> {
    read_with(format, ReadOptions::default(), reader, on_entry, on_reject)
}

/// Read a hash list, calling `on_entry` for every good record and
/// `on_reject` for every malformed one.
///
/// [`Format::Nsrl3`] gives [`HashSetError::NeedsPath`]: a SQLite database
/// is read from a path ([`read_path`] or [`read_nsrl3`]).
pub fn read_with(
    format: Format,
    options: ReadOptions,
    reader: impl std::io::BufRead,
    on_entry: &mut dyn FnMut(HashEntry),
    on_reject: &mut dyn FnMut(Rejected),
) -> Result<ReadSummary, HashSetError> {
    let mut sink = Sink {
        on_entry,
        on_reject,
        summary: ReadSummary::default(),
    };
    match format {
        Format::Plain => plain::read(reader, options.plain_kind, &mut sink)?,
        Format::ThreatExchangeCsv => te::read(reader, &mut sink)?,
        Format::IcseCsv => icse::read(reader, &mut sink)?,
        Format::Nsrl2 => nsrl::read(reader, &mut sink)?,
        Format::Vics => vics::read(reader, &mut sink)?,
        Format::Nsrl3 => return Err(HashSetError::NeedsPath { format }),
    }
    tracing::debug!(
        ?format,
        read = sink.summary.read,
        rejected = sink.summary.rejected,
        "hash list read"
    );
    Ok(sink.summary)
}

/// Buffer size for the line formats read by [`read_path`].
const FILE_BUFFER: usize = 1 << 20;

/// Read a hash-list file of any format: line and JSON formats through a
/// 1 MiB buffered reader, NSRL RDS v3 through [`read_nsrl3`]. I/O errors
/// carry the path ([`HashSetError::File`]).
pub fn read_path(
    format: Format,
    options: ReadOptions,
    path: &Path,
    on_entry: &mut dyn FnMut(HashEntry),
    on_reject: &mut dyn FnMut(Rejected),
) -> Result<ReadSummary, HashSetError> {
    if format == Format::Nsrl3 {
        return read_nsrl3(path, on_entry, on_reject);
    }
    let in_file = |source| HashSetError::File {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(in_file)?;
    let reader = std::io::BufReader::with_capacity(FILE_BUFFER, file);
    read_with(format, options, reader, on_entry, on_reject).map_err(|e| match e {
        HashSetError::Io(source) => in_file(source),
        e => e,
    })
}

/// Callbacks plus counters, shared by the readers.
pub(crate) struct Sink<'a> {
    on_entry: &'a mut dyn FnMut(HashEntry),
    on_reject: &'a mut dyn FnMut(Rejected),
    summary: ReadSummary,
}

impl Sink<'_> {
    pub(crate) fn accept(&mut self, e: HashEntry) {
        self.summary.read += 1;
        self.summary.accepted += 1;
        (self.on_entry)(e);
    }

    pub(crate) fn reject(
        &mut self,
        line: Option<u64>,
        byte_offset: Option<u64>,
        reason: impl Into<String>,
    ) {
        self.summary.read += 1;
        self.summary.rejected += 1;
        (self.on_reject)(Rejected {
            line,
            byte_offset,
            reason: reason.into(),
        });
    }
}

/// Parse an optional boolean field: `true/false/yes/no/1/0/y/n`, empty = None.
pub(crate) fn parse_bool(s: &str) -> Result<Option<bool>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "t" => Ok(Some(true)),
        "false" | "no" | "n" | "0" | "f" => Ok(Some(false)),
        _ => Err(format!("not a boolean: {:?}", truncate(t))),
    }
}

/// Truncate a field for an error message.
pub(crate) fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Empty/whitespace-only → None, else trimmed owned string.
pub(crate) fn opt_str(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_owned())
    }
}
