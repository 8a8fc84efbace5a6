//! Read side: listings, hash lookups, counts.

use std::collections::BTreeMap;

use rusqlite::params;
use vidi_types::{EvidenceItem, MediaRecord, Sha256};

use super::Store;
use super::codec::{
    self, EVIDENCE_COLUMNS, EVIDENCE_FROM, MEDIA_COLUMNS, evidence_from_row, media_from_row,
};
use crate::StoreError;
use crate::error::clip;

/// Shortest accepted hash prefix.
pub const MIN_PREFIX: usize = 4;

/// An evidence item with its media, when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRow {
    /// The evidence item.
    pub item: EvidenceItem,
    /// Its media (None for symlinks, special files, unreadable files).
    pub media: Option<MediaRecord>,
}

/// Totals over the whole workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Number of unique media.
    pub media: u64,
    /// Media by kind (`image`, `video`, `audio`, `other`); kinds with no
    /// media are absent.
    pub media_by_kind: BTreeMap<String, u64>,
    /// Media whose processing stopped on an error, by error kind code.
    pub media_errors_by_kind: BTreeMap<String, u64>,
    /// Number of evidence items.
    pub evidence: u64,
    /// Evidence items with an item error (e.g. unreadable), by kind code.
    pub evidence_errors_by_kind: BTreeMap<String, u64>,
    /// Number of cases.
    pub cases: u64,
    /// Number of agencies.
    pub agencies: u64,
}

impl Store {
    /// All evidence items (of one case, or of every case), with their
    /// media, ordered by (case, path).
    pub fn list_evidence(&self, case: Option<&str>) -> Result<Vec<EvidenceRow>, StoreError> {
        // Two statements so that the case filter can use the index.
        let filter = if case.is_some() {
            "c.number = ?1"
        } else {
            "?1 IS NULL"
        };
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM {EVIDENCE_FROM}
             WHERE {filter} ORDER BY c.number, e.path"
        );
        // One read transaction: items and media from the same snapshot.
        let tx = self.conn.unchecked_transaction()?;
        let mut items = Vec::new();
        {
            let mut st = tx.prepare_cached(&sql)?;
            let mut rows = st.query([case])?;
            while let Some(row) = rows.next()? {
                items.push(evidence_from_row(row)?);
            }
        }
        // All their media in a few queries, each media once.
        let media = codec::load_media_in(
            &tx,
            &format!(
                "SELECT e.media_sha256 FROM evidence e JOIN cases c ON c.id = e.case_id
                 WHERE {filter}"
            ),
            &case,
        )?;
        let out = items
            .into_iter()
            .map(|item| {
                let media = item.media.and_then(|sha| media.get(&sha.to_hex()).cloned());
                EvidenceRow { item, media }
            })
            .collect();
        tx.finish()?;
        Ok(out)
    }

    /// One media by SHA-256.
    pub fn media(&self, sha256: &Sha256) -> Result<Option<MediaRecord>, StoreError> {
        codec::load_media(&self.conn, &sha256.to_hex())
    }

    /// Media whose SHA-256 starts with `hex_prefix` (4 to 64 hex digits,
    /// any case), or whose full MD5 (32 digits) or SHA-1 (40 digits) is
    /// `hex_prefix`. Several results mean the prefix is ambiguous. Ordered by
    /// SHA-256.
    pub fn media_by_prefix(&self, hex_prefix: &str) -> Result<Vec<MediaRecord>, StoreError> {
        let prefix = hex_prefix.trim().to_ascii_lowercase();
        if prefix.len() < MIN_PREFIX
            || prefix.len() > 64
            || !prefix.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(StoreError::BadPrefix {
                prefix: clip(hex_prefix),
            });
        }
        // Every SHA-256 starting with `p` lies in [p, p || 'g'): hex digits
        // sort below 'g'. This is a range scan on the primary key.
        let upper = format!("{prefix}g");
        let sql = format!(
            "SELECT {MEDIA_COLUMNS} FROM media WHERE sha256 >= ?1 AND sha256 < ?2
             UNION
             SELECT {MEDIA_COLUMNS} FROM media WHERE md5 = ?1 AND length(?1) = 32
             UNION
             SELECT {MEDIA_COLUMNS} FROM media WHERE sha1 = ?1 AND length(?1) = 40
             ORDER BY sha256"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query(params![prefix, upper])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(media_from_row(row)?);
        }
        drop(rows);
        for m in &mut out {
            codec::load_media_children(&self.conn, m)?;
        }
        Ok(out)
    }

    /// Every evidence item pointing at this media, ordered by (case, path).
    pub fn evidence_for_media(&self, sha256: &Sha256) -> Result<Vec<EvidenceItem>, StoreError> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM {EVIDENCE_FROM}
             WHERE e.media_sha256 = ?1 ORDER BY c.number, e.path"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut rows = st.query([sha256.to_hex()])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(evidence_from_row(row)?);
        }
        Ok(out)
    }

    /// Totals: media by kind, evidence items, errors by kind, cases,
    /// agencies. Read in one transaction, so the numbers agree.
    pub fn counts(&self) -> Result<Counts, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let one = |sql: &str| -> Result<u64, StoreError> {
            let n: i64 = tx.query_row(sql, [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        let grouped = |sql: &str| -> Result<BTreeMap<String, u64>, StoreError> {
            let mut st = tx.prepare(sql)?;
            let mut rows = st.query([])?;
            let mut out = BTreeMap::new();
            while let Some(r) = rows.next()? {
                let n: i64 = r.get(1)?;
                out.insert(r.get(0)?, u64::try_from(n).unwrap_or(0));
            }
            Ok(out)
        };
        let counts = Counts {
            media: one("SELECT count(*) FROM media")?,
            media_by_kind: grouped("SELECT kind, count(*) FROM media GROUP BY kind")?,
            media_errors_by_kind: grouped(
                "SELECT error_kind, count(*) FROM media WHERE error_kind IS NOT NULL
                 GROUP BY error_kind",
            )?,
            evidence: one("SELECT count(*) FROM evidence")?,
            evidence_errors_by_kind: grouped(
                "SELECT error_kind, count(*) FROM evidence WHERE error_kind IS NOT NULL
                 GROUP BY error_kind",
            )?,
            cases: one("SELECT count(*) FROM cases")?,
            agencies: one("SELECT count(*) FROM agencies")?,
        };
        tx.finish()?;
        Ok(counts)
    }
}
