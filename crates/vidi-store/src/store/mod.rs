//! The SQL store: one connection, one transaction per evidence item.

pub mod accounts;
pub mod audit;
mod bulk;
mod clues;
mod codec;
pub mod embeddings;
mod hashsets;
mod hits;
pub mod leads;
mod links;
mod read;
mod runs;
pub mod series;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use vidi_types::{EvidenceItem, MediaRecord, Sha256};

use crate::{StoreError, Workspace};

pub use bulk::ClueBatch;
pub use clues::{ClueRow, ClueRun};
pub use hashsets::{HashSetInfo, HashSetStatus, HashSetWriter, IMPORT_BATCH, StoredEntry};
pub use hits::{CategoryRecord, HitRow, HitRule, MatchMedia, NewHit};
pub use links::{LinkEnd, LinkKind, LinkRow, NewLink, RecordedLinks};
pub use read::{Counts, EvidenceRow, MIN_PREFIX};
pub use runs::{RunInfo, RunRow, RunStatus};

/// What a write did to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The row did not exist and was inserted.
    New,
    /// The row existed and was replaced.
    Updated,
    /// The row existed and was kept as is (same content, or the stored
    /// media came from the same or a newer pipeline).
    Unchanged,
}

/// The result of [`Store::put_item`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PutOutcome {
    /// What happened to the media row; `None` when no media was passed.
    pub media: Option<Change>,
    /// What happened to the evidence row.
    pub evidence: Change,
}

/// A connection to a workspace's database. Not `Sync`: each thread opens
/// its own `Store`; SQLite (WAL, busy timeout) serialises the writers.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Open a connection to the workspace's database.
    pub fn open(ws: &Workspace) -> Result<Store, StoreError> {
        Ok(Store {
            conn: ws.connect()?,
        })
    }

    /// True when a media with this SHA-256 is stored and was produced by
    /// `pipeline_version` or newer.
    pub fn media_is_complete(
        &self,
        sha256: &Sha256,
        pipeline_version: u32,
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM media WHERE sha256 = ?1 AND pipeline_version >= ?2")?
            .query_row(params![sha256.to_hex(), pipeline_version], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// When the evidence item (case, path) is stored with the same size and
    /// mtime and its media is stored, the media's SHA-256: the caller may
    /// skip reading the file again.
    pub fn evidence_unchanged(
        &self,
        case: &str,
        path: &str,
        size: u64,
        mtime: Option<i64>,
    ) -> Result<Option<Sha256>, StoreError> {
        let size = codec::to_i64(size, "evidence size")?;
        let sha: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT e.media_sha256 FROM evidence e
                 JOIN cases c ON c.id = e.case_id
                 JOIN media m ON m.sha256 = e.media_sha256
                 WHERE c.number = ?1 AND e.path = ?2 AND e.size = ?3 AND e.mtime IS ?4",
            )?
            .query_row(params![case, path, size, mtime], |r| r.get(0))
            .optional()?;
        sha.map(|s| codec::parse_sha256("evidence.media_sha256", &s))
            .transpose()
    }

    /// Store one evidence item and (optionally) its media, in ONE
    /// transaction: either both are stored or neither.
    ///
    /// Media: inserted when new; when stored with an older
    /// `pipeline_version`, replaced together with all its derived rows
    /// (dihedral PDQ, vPDQ frames, metadata, GPS, thumbnails); otherwise
    /// kept. Evidence: identified by (case, path); re-putting the same path
    /// updates the row, never duplicates it. The case and agency are created
    /// on first use.
    ///
    /// `media`, when given, must be the one `item.media` points at; when not
    /// given, `item.media` must already be stored.
    pub fn put_item(
        &mut self,
        media: Option<&MediaRecord>,
        item: &EvidenceItem,
    ) -> Result<PutOutcome, StoreError> {
        if let Some(m) = media
            && item.media != Some(m.digests.sha256)
        {
            return Err(StoreError::MediaMismatch {
                path: item.path.clone(),
                item: item.media.map(|s| s.to_hex()),
                given: m.digests.sha256.to_hex(),
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let media_change = match media {
            None => None,
            Some(m) => {
                let sha = m.digests.sha256.to_hex();
                Some(match codec::media_version(&tx, &sha)? {
                    None => {
                        codec::upsert_media(&tx, m)?;
                        Change::New
                    }
                    Some(stored) if stored < m.pipeline_version => {
                        codec::delete_media_children(&tx, &sha)?;
                        codec::upsert_media(&tx, m)?;
                        Change::Updated
                    }
                    Some(_) => Change::Unchanged,
                })
            }
        };
        if media.is_none()
            && let Some(sha) = item.media
            && codec::media_version(&tx, &sha.to_hex())?.is_none()
        {
            return Err(StoreError::MissingMedia {
                path: item.path.clone(),
                sha256: sha.to_hex(),
            });
        }
        let agency_id = codec::agency_id(&tx, &item.agency)?;
        let case_id = codec::case_id(&tx, &item.case, agency_id)?;
        let evidence_change = match codec::find_evidence(&tx, case_id, &item.path)? {
            None => {
                codec::write_evidence(&tx, case_id, agency_id, item)?;
                Change::New
            }
            Some((_, stored)) if &stored == item => Change::Unchanged,
            Some(_) => {
                codec::write_evidence(&tx, case_id, agency_id, item)?;
                Change::Updated
            }
        };
        tx.commit()?;
        Ok(PutOutcome {
            media: media_change,
            evidence: evidence_change,
        })
    }

    /// Create an agency or set its country (ISO 3166-1 alpha-2).
    pub fn upsert_agency(&mut self, code: &str, country: Option<&str>) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO agencies (code, country) VALUES (?1, ?2)
                 ON CONFLICT(code) DO UPDATE SET country = excluded.country",
            )?
            .execute(params![code, country])?;
        Ok(())
    }

    /// The country of an agency, `Ok(None)` when unknown or not set.
    pub fn agency_country(&self, code: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT country FROM agencies WHERE code = ?1")?
            .query_row([code], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    /// The owning agency of a case, `None` when the case is unknown.
    pub fn case_agency(&self, case: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT a.code FROM cases c JOIN agencies a ON a.id = c.agency_id
                 WHERE c.number = ?1",
            )?
            .query_row([case], |r| r.get(0))
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap();
        let store = Store::open(&ws).unwrap();
        let pragma = |name: &str| -> String {
            store
                .conn
                .query_row(&format!("PRAGMA {name}"), [], |r| {
                    r.get::<_, rusqlite::types::Value>(0)
                })
                .map(|v| match v {
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    other => format!("{other:?}"),
                })
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), "wal");
        assert_eq!(pragma("foreign_keys"), "1");
        assert_eq!(pragma("synchronous"), "1"); // NORMAL
        assert_ne!(pragma("busy_timeout"), "0");
    }

    #[test]
    fn foreign_keys_reject_dangling_rows() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap();
        let store = Store::open(&ws).unwrap();
        let err = store.conn.execute(
            "INSERT INTO vpdq_frames (sha256, seq, frame_number, pdq, quality)
             VALUES (?1, 0, 0, ?1, 0)",
            ["00".repeat(32)],
        );
        assert!(err.is_err());
    }
}
