//! Known-hash sets: import, listing, removal, and the entries' lookups.
//!
//! Set `N`'s entries live in table `hs_N`: rows are appended without any
//! index (the import is a sequential append, committed every
//! [`IMPORT_BATCH`] rows so the WAL stays small); hash lookups use sorted
//! key files outside the database (built by the importer, see vidi-known),
//! and only when those exist is the set marked `ready`. A set that is still `importing` is never matched; if its
//! import died (crash, kill), the next import cleans it up. Hashes are
//! stored as BLOBs (half the size of hex; 10^8 rows are expected).

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, ToSql, params};
use vidi_hashsets::{Category, EntryFlags, HashEntry, Scheme};
use vidi_types::{Md5, PdqHash, Sha1, Sha256};

use super::Store;
use super::codec;
use crate::StoreError;

/// Rows per transaction during an import.
pub const IMPORT_BATCH: u64 = 200_000;

/// Where a set is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashSetStatus {
    /// Being imported (or the import died); never matched.
    Importing,
    /// Fully imported and indexed.
    Ready,
}

/// One imported hash set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashSetInfo {
    /// Row id; the entries are in table `hs_<id>`.
    pub id: i64,
    /// Name given at import (default: the file name).
    pub name: String,
    /// SHA-256 of the imported file (with the name: the set's identity).
    pub file_sha256: Sha256,
    /// Format it was read as.
    pub format: String,
    /// The path it was imported from.
    pub source_path: String,
    /// Import status.
    pub status: HashSetStatus,
    /// Entries stored.
    pub entries: u64,
    /// Records read from the file.
    pub records_read: u64,
    /// Records rejected as malformed.
    pub rejected: u64,
    /// Entries with an MD5.
    pub md5_count: u64,
    /// Entries with a SHA-1.
    pub sha1_count: u64,
    /// Entries with a SHA-256.
    pub sha256_count: u64,
    /// Entries with a PDQ hash.
    pub pdq_count: u64,
    /// When the import started (UTC, ISO 8601).
    pub started_at: String,
    /// When the import finished, for ready sets.
    pub imported_at: Option<String>,
}

/// One entry of a stored set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The set.
    pub set_id: i64,
    /// Entry number within the set (1-based, in file order).
    pub entry_id: i64,
    /// The entry as read from the file.
    pub entry: HashEntry,
}

const SET_COLUMNS: &str = "id, name, file_sha256, format, source_path, status, entries, \
     records_read, rejected, md5_count, sha1_count, sha256_count, pdq_count, started_at, imported_at";

const ENTRY_COLUMNS: &str = "id, md5, sha1, sha256, pdq, pdq_quality, categories, flags, series, \
     label, size, file_name, source_id, photodna";

fn set_from_row(r: &rusqlite::Row<'_>) -> Result<HashSetInfo, StoreError> {
    let count = |i: usize| -> Result<u64, StoreError> {
        let v: i64 = r.get(i)?;
        u64::try_from(v).map_err(|_| StoreError::Corrupt {
            column: "hashsets.counts",
            value: v.to_string(),
        })
    };
    let status: String = r.get(5)?;
    Ok(HashSetInfo {
        id: r.get(0)?,
        name: r.get(1)?,
        file_sha256: codec::parse_sha256("hashsets.file_sha256", &r.get::<_, String>(2)?)?,
        format: r.get(3)?,
        source_path: r.get(4)?,
        status: match status.as_str() {
            "ready" => HashSetStatus::Ready,
            "importing" => HashSetStatus::Importing,
            _ => {
                return Err(StoreError::Corrupt {
                    column: "hashsets.status",
                    value: crate::error::clip(&status),
                });
            }
        },
        entries: count(6)?,
        records_read: count(7)?,
        rejected: count(8)?,
        md5_count: count(9)?,
        sha1_count: count(10)?,
        sha256_count: count(11)?,
        pdq_count: count(12)?,
        started_at: r.get(13)?,
        imported_at: r.get(14)?,
    })
}

/// Table name of a set's entries. `id` is our own integer, never user text.
pub(crate) fn entry_table(id: i64) -> String {
    format!("hs_{id}")
}

/// Flags as 2 bits each: 0 = not stated, 1 = false, 2 = true.
pub(crate) fn encode_flags(f: &EntryFlags) -> i64 {
    let tri = |v: Option<bool>| match v {
        None => 0i64,
        Some(false) => 1,
        Some(true) => 2,
    };
    tri(f.victim_identified)
        | tri(f.offender_identified) << 2
        | tri(f.distributed) << 4
        | tri(f.suspected) << 6
        | tri(f.self_generated) << 8
}

/// Inverse of [`encode_flags`]; unknown bit patterns read as "not stated".
pub(crate) fn decode_flags(v: i64) -> EntryFlags {
    let tri = |shift: u32| match (v >> shift) & 3 {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    };
    EntryFlags {
        victim_identified: tri(0),
        offender_identified: tri(2),
        distributed: tri(4),
        suspected: tri(6),
        self_generated: tri(8),
    }
}

/// The lock file an import holds while it runs.
fn lock_path(ws_root: &Path, id: i64) -> PathBuf {
    ws_root
        .join(crate::workspace::IMPORTS_DIR)
        .join(format!("hashset-{id}.lock"))
}

impl Store {
    /// Every set, ready or still importing, by id.
    pub fn hashsets(&self) -> Result<Vec<HashSetInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {SET_COLUMNS} FROM hashsets ORDER BY id"))?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(set_from_row(r)?);
        }
        Ok(out)
    }

    /// The ready sets only: those that are matched.
    pub fn ready_hashsets(&self) -> Result<Vec<HashSetInfo>, StoreError> {
        Ok(self
            .hashsets()?
            .into_iter()
            .filter(|s| s.status == HashSetStatus::Ready)
            .collect())
    }

    /// A set by id, or by name when `key` is not a number or no id matches.
    /// Several sets may share a name (different files): all are returned.
    pub fn find_hashsets(&self, key: &str) -> Result<Vec<HashSetInfo>, StoreError> {
        let all = self.hashsets()?;
        if let Ok(id) = key.parse::<i64>()
            && let Some(s) = all.iter().find(|s| s.id == id)
        {
            return Ok(vec![s.clone()]);
        }
        Ok(all.into_iter().filter(|s| s.name == key).collect())
    }

    /// The set with this identity (name + file SHA-256), if imported or
    /// being imported.
    pub fn hashset_by_identity(
        &self,
        name: &str,
        file_sha256: &Sha256,
    ) -> Result<Option<HashSetInfo>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SET_COLUMNS} FROM hashsets WHERE name = ?1 AND file_sha256 = ?2"
        ))?;
        let mut rows = stmt.query(params![name, file_sha256.to_hex()])?;
        match rows.next()? {
            Some(r) => Ok(Some(set_from_row(r)?)),
            None => Ok(None),
        }
    }

    /// Remove a set: its entries, its matches and its row. Returns false
    /// when no such set exists. Index files are the caller's (see
    /// [`crate::Workspace::hashset_index_path`]).
    pub fn remove_hashset(&mut self, id: i64) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let n = tx.execute("DELETE FROM hashset_hits WHERE set_id = ?1", [id])?;
        let found = tx.execute("DELETE FROM hashsets WHERE id = ?1", [id])? > 0;
        tx.execute_batch(&format!("DROP TABLE IF EXISTS {}", entry_table(id)))?;
        tx.commit()?;
        tracing::info!(set = id, hits_removed = n, found, "hash set removed");
        Ok(found)
    }

    /// Drop every set left `importing` by an import that is no longer
    /// running (its lock file is not held). Returns their ids.
    pub fn clean_abandoned_imports(&mut self, ws_root: &Path) -> Result<Vec<i64>, StoreError> {
        let mut cleaned = Vec::new();
        for set in self.hashsets()? {
            if set.status != HashSetStatus::Importing {
                continue;
            }
            let path = lock_path(ws_root, set.id);
            let abandoned = match File::options().write(true).open(&path) {
                // No lock file: the import died before or after holding it.
                Err(_) => true,
                Ok(f) => f.try_lock().is_ok(),
            };
            if abandoned {
                self.remove_hashset(set.id)?;
                let _ = std::fs::remove_file(&path);
                cleaned.push(set.id);
            }
        }
        if !cleaned.is_empty() {
            tracing::warn!(?cleaned, "removed hash sets whose import did not finish");
        }
        Ok(cleaned)
    }

    /// Start importing a set: registers it as `importing` and returns the
    /// writer that appends its entries. Fails if a set with the same
    /// identity exists (callers check [`Store::hashset_by_identity`] first).
    pub fn begin_hashset_import(
        &mut self,
        ws_root: &Path,
        name: &str,
        file_sha256: &Sha256,
        format: &str,
        source_path: &str,
    ) -> Result<HashSetWriter<'_>, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO hashsets (name, file_sha256, format, source_path, status)
             VALUES (?1, ?2, ?3, ?4, 'importing')",
            params![name, file_sha256.to_hex(), format, source_path],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute_batch(&format!(
            "CREATE TABLE {} (
                id          INTEGER PRIMARY KEY,
                md5         BLOB,
                sha1        BLOB,
                sha256      BLOB,
                pdq         BLOB,
                pdq_quality INTEGER,
                categories  TEXT NOT NULL DEFAULT '',
                flags       INTEGER NOT NULL DEFAULT 0,
                series      TEXT,
                label       TEXT,
                size        INTEGER,
                file_name   TEXT,
                source_id   TEXT,
                photodna    TEXT
            )",
            entry_table(id)
        ))?;
        // Hold the lock before the set becomes visible as importing.
        let lock = lock_path(ws_root, id);
        let lock_file = crate::workspace::create_private_file(&lock)?;
        lock_file
            .try_lock()
            .map_err(|e| StoreError::io(&lock, std::io::Error::other(e.to_string())))?;
        tx.commit()?;
        let conn = &self.conn;
        conn.execute_batch("BEGIN")?;
        let insert = conn.prepare(&format!(
            "INSERT INTO {} (md5, sha1, sha256, pdq, pdq_quality, categories, flags,
             series, label, size, file_name, source_id, photodna)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            entry_table(id)
        ));
        let insert = match insert {
            Ok(s) => s,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
        };
        Ok(HashSetWriter {
            conn,
            id,
            insert,
            categories: HashMap::new(),
            in_batch: 0,
            counts: [0; 5],
            lock_path: lock,
            _lock: lock_file,
            done: false,
        })
    }

    /// Look up or create a category row; returns its id.
    pub(crate) fn category_id(conn: &Connection, c: &Category) -> Result<i64, StoreError> {
        let label = c.label.unwrap_or("");
        conn.prepare_cached(
            "INSERT INTO hashset_categories (scheme, code, label) VALUES (?1, ?2, ?3)
             ON CONFLICT (scheme, code, label) DO NOTHING",
        )?
        .execute(params![c.scheme.as_str(), c.code, label])?;
        Ok(conn
            .prepare_cached(
                "SELECT id FROM hashset_categories WHERE scheme = ?1 AND code = ?2 AND label = ?3",
            )?
            .query_row(params![c.scheme.as_str(), c.code, label], |r| r.get(0))?)
    }

    /// The categories of a comma-separated id list.
    pub(crate) fn categories_of(&self, ids: &str) -> Result<Vec<Category>, StoreError> {
        let mut out = Vec::new();
        for id in ids.split(',').filter(|s| !s.is_empty()) {
            let id: i64 = id.parse().map_err(|_| StoreError::Corrupt {
                column: "categories",
                value: crate::error::clip(ids),
            })?;
            // The label column is for SQL readers; the scheme gives it back.
            let (scheme, code): (String, String) = self
                .conn
                .prepare_cached("SELECT scheme, code FROM hashset_categories WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let scheme = Scheme::parse(&scheme).ok_or_else(|| StoreError::Corrupt {
                column: "hashset_categories.scheme",
                value: crate::error::clip(&scheme),
            })?;
            out.push(Category::new(scheme, code));
        }
        Ok(out)
    }

    /// One entry of a set.
    pub fn hashset_entry(&self, set_id: i64, entry_id: i64) -> Result<StoredEntry, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM {} WHERE id = ?1",
            entry_table(set_id)
        );
        let raw = self
            .conn
            .prepare_cached(&sql)?
            .query_row([entry_id], RawEntry::from_row)
            .optional()?
            .ok_or(StoreError::NoSuchEntry { set_id, entry_id })?;
        raw.into_stored(self, set_id)
    }

    /// Every entry of a set, in file order, one at a time.
    pub fn for_each_hashset_entry(
        &self,
        set_id: i64,
        f: &mut dyn FnMut(StoredEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM {} ORDER BY id",
            entry_table(set_id)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let raw = RawEntry::from_row(r)?;
            f(raw.into_stored(self, set_id)?)?;
        }
        Ok(())
    }

    /// Every PDQ hash of a set, in entry order. For building the set's PDQ
    /// index (matching reads an entry's quality when it verifies a hit).
    pub fn hashset_pdqs(&self, set_id: i64) -> Result<Vec<PdqHash>, StoreError> {
        let sql = format!(
            "SELECT pdq FROM {} WHERE pdq IS NOT NULL ORDER BY id",
            entry_table(set_id)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let b: Vec<u8> = r.get(0)?;
            out.push(PdqHash(blob_array(&b, "hs.pdq")?));
        }
        Ok(out)
    }
}

fn blob_array<const N: usize>(b: &[u8], column: &'static str) -> Result<[u8; N], StoreError> {
    b.try_into().map_err(|_| StoreError::Corrupt {
        column,
        value: format!("{} bytes", b.len()),
    })
}

/// A row of `hs_N` before the categories are resolved.
struct RawEntry {
    id: i64,
    md5: Option<Vec<u8>>,
    sha1: Option<Vec<u8>>,
    sha256: Option<Vec<u8>>,
    pdq: Option<Vec<u8>>,
    pdq_quality: Option<i64>,
    categories: String,
    flags: i64,
    series: Option<String>,
    label: Option<String>,
    size: Option<i64>,
    file_name: Option<String>,
    source_id: Option<String>,
    photodna: Option<String>,
}

impl RawEntry {
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
        Ok(RawEntry {
            id: r.get(0)?,
            md5: r.get(1)?,
            sha1: r.get(2)?,
            sha256: r.get(3)?,
            pdq: r.get(4)?,
            pdq_quality: r.get(5)?,
            categories: r.get(6)?,
            flags: r.get(7)?,
            series: r.get(8)?,
            label: r.get(9)?,
            size: r.get(10)?,
            file_name: r.get(11)?,
            source_id: r.get(12)?,
            photodna: r.get(13)?,
        })
    }

    fn into_stored(self, store: &Store, set_id: i64) -> Result<StoredEntry, StoreError> {
        let entry = HashEntry {
            md5: self
                .md5
                .map(|b| blob_array(&b, "hs.md5").map(Md5))
                .transpose()?,
            sha1: self
                .sha1
                .map(|b| blob_array(&b, "hs.sha1").map(Sha1))
                .transpose()?,
            sha256: self
                .sha256
                .map(|b| blob_array(&b, "hs.sha256").map(Sha256))
                .transpose()?,
            pdq: self
                .pdq
                .map(|b| blob_array(&b, "hs.pdq").map(PdqHash))
                .transpose()?,
            pdq_quality: self.pdq_quality.and_then(|q| u8::try_from(q).ok()),
            photodna: self.photodna,
            categories: store.categories_of(&self.categories)?,
            series: self.series,
            flags: decode_flags(self.flags),
            label: self.label,
            size: self.size.and_then(|s| u64::try_from(s).ok()),
            file_name: self.file_name,
            source_id: self.source_id,
        };
        Ok(StoredEntry {
            set_id,
            entry_id: self.id,
            entry,
        })
    }
}

/// Appends the entries of one set being imported. Rows are committed every
/// [`IMPORT_BATCH`]; the set only becomes `ready` in [`HashSetWriter::finish`].
/// Dropped without `finish`, the set stays `importing` and is removed by the
/// next [`Store::clean_abandoned_imports`].
pub struct HashSetWriter<'a> {
    conn: &'a Connection,
    id: i64,
    insert: rusqlite::Statement<'a>,
    categories: HashMap<Category, i64>,
    in_batch: u64,
    /// Entries, md5, sha1, sha256, pdq.
    counts: [u64; 5],
    lock_path: PathBuf,
    _lock: File,
    done: bool,
}

impl std::fmt::Debug for HashSetWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashSetWriter")
            .field("id", &self.id)
            .field("entries", &self.counts[0])
            .finish()
    }
}

impl HashSetWriter<'_> {
    /// The set's id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Entries appended so far.
    pub fn entries(&self) -> u64 {
        self.counts[0]
    }

    /// Append one entry; returns its entry id (1, 2, 3... in push order).
    pub fn push(&mut self, e: &HashEntry) -> Result<i64, StoreError> {
        let mut cats = String::new();
        for c in &e.categories {
            let id = match self.categories.get(c) {
                Some(id) => *id,
                None => {
                    let id = Store::category_id(self.conn, c)?;
                    self.categories.insert(c.clone(), id);
                    id
                }
            };
            if !cats.is_empty() {
                cats.push(',');
            }
            cats.push_str(&id.to_string());
        }
        let size = e.size.map(|s| codec::to_i64(s, "entry size")).transpose()?;
        let md5 = e.md5.as_ref().map(|h| &h.0[..]);
        let sha1 = e.sha1.as_ref().map(|h| &h.0[..]);
        let sha256 = e.sha256.as_ref().map(|h| &h.0[..]);
        let pdq = e.pdq.as_ref().map(|h| &h.0[..]);
        let args: [&dyn ToSql; 13] = [
            &md5,
            &sha1,
            &sha256,
            &pdq,
            &e.pdq_quality,
            &cats,
            &encode_flags(&e.flags),
            &e.series,
            &e.label,
            &size,
            &e.file_name,
            &e.source_id,
            &e.photodna,
        ];
        self.insert.execute(&args[..])?;
        let entry_id = self.conn.last_insert_rowid();
        self.counts[0] += 1;
        self.counts[1] += u64::from(md5.is_some());
        self.counts[2] += u64::from(sha1.is_some());
        self.counts[3] += u64::from(sha256.is_some());
        self.counts[4] += u64::from(pdq.is_some());
        self.in_batch += 1;
        if self.in_batch >= IMPORT_BATCH {
            self.conn.execute_batch("COMMIT; BEGIN")?;
            self.in_batch = 0;
        }
        Ok(entry_id)
    }

    /// Commit the last rows and mark the set ready (the caller has built
    /// its lookup files first).
    pub fn finish(mut self, records_read: u64, rejected: u64) -> Result<i64, StoreError> {
        self.conn.execute_batch("COMMIT")?;
        let n = |v: u64| codec::to_i64(v, "hash set count");
        self.conn.execute(
            "UPDATE hashsets SET status = 'ready', entries = ?2, records_read = ?3, rejected = ?4,
                 md5_count = ?5, sha1_count = ?6, sha256_count = ?7, pdq_count = ?8,
                 imported_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1",
            params![
                self.id,
                n(self.counts[0])?,
                n(records_read)?,
                n(rejected)?,
                n(self.counts[1])?,
                n(self.counts[2])?,
                n(self.counts[3])?,
                n(self.counts[4])?,
            ],
        )?;
        self.done = true;
        let _ = std::fs::remove_file(&self.lock_path);
        Ok(self.id)
    }
}

impl Drop for HashSetWriter<'_> {
    fn drop(&mut self) {
        if !self.done && !self.conn.is_autocommit() {
            // Leave the set `importing`; the next import removes it.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip() {
        let all = [None, Some(false), Some(true)];
        for a in all {
            for b in all {
                for c in all {
                    let f = EntryFlags {
                        victim_identified: a,
                        offender_identified: b,
                        distributed: c,
                        suspected: a,
                        self_generated: b,
                    };
                    assert_eq!(decode_flags(encode_flags(&f)), f);
                }
            }
        }
    }
}
