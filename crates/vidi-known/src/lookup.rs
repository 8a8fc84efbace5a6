//! The lookup files of a hash set: one sorted key file per hash column
//! (see [`crate::keyfile`]) and the PDQ index, all under `W/indexes/`.
//! They are derived from the database and rebuilt from it when missing or
//! damaged.

use std::path::PathBuf;

use vidi_hashsets::HashEntry;
use vidi_store::{HashSetInfo, Store, Workspace};

use crate::KnownError;
use crate::keyfile::{KeyFile, KeyFileWriter, key_of};

/// A hash column of a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Md5,
    Sha1,
    Sha256,
    Pdq,
}

pub(crate) const COLUMNS: [Column; 4] = [Column::Md5, Column::Sha1, Column::Sha256, Column::Pdq];

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Md5 => "md5",
            Column::Sha1 => "sha1",
            Column::Sha256 => "sha256",
            Column::Pdq => "pdq",
        }
    }

    /// The entry's hash in this column, as bytes.
    pub(crate) fn of(self, e: &HashEntry) -> Option<&[u8]> {
        match self {
            Column::Md5 => e.md5.as_ref().map(|h| &h.0[..]),
            Column::Sha1 => e.sha1.as_ref().map(|h| &h.0[..]),
            Column::Sha256 => e.sha256.as_ref().map(|h| &h.0[..]),
            Column::Pdq => e.pdq.as_ref().map(|h| &h.0[..]),
        }
    }

    /// How many entries of the set have this column.
    pub(crate) fn count(self, set: &HashSetInfo) -> u64 {
        match self {
            Column::Md5 => set.md5_count,
            Column::Sha1 => set.sha1_count,
            Column::Sha256 => set.sha256_count,
            Column::Pdq => set.pdq_count,
        }
    }
}

pub(crate) fn key_path(ws: &Workspace, set_id: i64, column: Column) -> Result<PathBuf, KnownError> {
    Ok(ws
        .hashset_index_path(set_id)?
        .with_extension(format!("{}.keys", column.name())))
}

fn entry_id_u32(entry_id: i64) -> Result<u32, KnownError> {
    u32::try_from(entry_id).map_err(|_| KnownError::TooManyEntries)
}

/// The key-file writers of a set being imported.
#[derive(Debug)]
pub(crate) struct KeyWriters {
    writers: Vec<(Column, KeyFileWriter)>,
}

impl KeyWriters {
    pub(crate) fn new(ws: &Workspace, set_id: i64) -> Result<KeyWriters, KnownError> {
        let mut writers = Vec::new();
        for c in COLUMNS {
            writers.push((c, KeyFileWriter::new(key_path(ws, set_id, c)?)));
        }
        Ok(KeyWriters { writers })
    }

    pub(crate) fn push(&mut self, entry_id: i64, e: &HashEntry) -> Result<(), KnownError> {
        let id = entry_id_u32(entry_id)?;
        for (c, w) in &mut self.writers {
            if let Some(h) = c.of(e) {
                w.push(key_of(h), id)?;
            }
        }
        Ok(())
    }

    /// Write every column that has entries. A column the set does not use
    /// gets no file: matching never opens the key file of a column whose
    /// count is 0.
    pub(crate) fn finish(self) -> Result<(), KnownError> {
        for (_, w) in self.writers {
            if w.is_empty() {
                w.abandon();
            } else {
                w.finish()?;
            }
        }
        Ok(())
    }

    /// Give up: remove any run file written so far.
    pub(crate) fn abandon(self) {
        for (_, w) in self.writers {
            w.abandon();
        }
    }
}

/// Remove every lookup file of a set (index, key files, and the run and
/// temporary files a killed import may have left).
pub(crate) fn remove_files(ws: &Workspace, set_id: i64) -> Result<(), KnownError> {
    let index = ws.hashset_index_path(set_id)?;
    let Some(dir) = index.parent() else {
        return Ok(());
    };
    let prefix = format!("hashset-{set_id}.");
    let entries = std::fs::read_dir(dir).map_err(|e| KnownError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| KnownError::io(dir, e))?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let p = entry.path();
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(KnownError::io(p, e)),
            }
        }
    }
    Ok(())
}

/// Open a set's key file for a column; rebuild it from the database when it
/// is missing, damaged or not of the expected size.
pub(crate) fn open_keys(
    ws: &Workspace,
    store: &Store,
    set: &HashSetInfo,
    column: Column,
) -> Result<KeyFile, KnownError> {
    let path = key_path(ws, set.id, column)?;
    match KeyFile::open(&path) {
        Ok(k) if k.len() == column.count(set) => return Ok(k),
        Ok(_) => tracing::warn!(
            set = set.id,
            column = column.name(),
            "key file size differs from the set; rebuilding"
        ),
        Err(e) => {
            tracing::warn!(set = set.id, column = column.name(), error = %e, "key file unusable; rebuilding")
        }
    }
    let mut w = KeyFileWriter::new(path.clone());
    let mut failed = None;
    store.for_each_hashset_entry(set.id, &mut |s| {
        if failed.is_none()
            && let Some(h) = column.of(&s.entry)
        {
            let pushed = entry_id_u32(s.entry_id).and_then(|id| w.push(key_of(h), id));
            if let Err(e) = pushed {
                failed = Some(e);
            }
        }
        Ok(())
    })?;
    if let Some(e) = failed {
        w.abandon();
        return Err(e);
    }
    w.finish()?;
    KeyFile::open(&path).map_err(|source| KnownError::KeyFile { path, source })
}

/// Entries of the set whose `column` equals `hash` exactly.
pub(crate) fn entries_with(
    store: &Store,
    set_id: i64,
    keys: &KeyFile,
    column: Column,
    hash: &[u8],
    scratch: &mut Vec<u32>,
) -> Result<Vec<HashEntryRef>, KnownError> {
    keys.lookup(key_of(hash), scratch)
        .map_err(|source| KnownError::KeyFile {
            path: keys.path().to_path_buf(),
            source,
        })?;
    let mut out = Vec::new();
    for &id in scratch.iter() {
        let stored = store.hashset_entry(set_id, i64::from(id))?;
        if column.of(&stored.entry) == Some(hash) {
            out.push(HashEntryRef {
                entry_id: stored.entry_id,
                pdq_quality: stored.entry.pdq_quality,
            });
        }
    }
    Ok(out)
}

/// What matching needs of a verified entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HashEntryRef {
    pub(crate) entry_id: i64,
    pub(crate) pdq_quality: Option<u8>,
}
