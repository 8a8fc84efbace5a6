//! Clues per media, and which extractor (with which version and model)
//! produced them, so that a rerun recomputes only what changed.

use rusqlite::{Connection, OptionalExtension, params};
use vidi_types::Sha256;

use super::Store;
use crate::StoreError;
use crate::error::clip;

/// One stored clue. The store keeps clues generic (kinds and values as
/// text, details as JSON); `vidi-clues` gives them their types.
#[derive(Debug, Clone, PartialEq)]
pub struct ClueRow {
    /// Kind (`gps_place`, `text_language`, `spoken_language`...).
    pub kind: String,
    /// Value (country code, ISO 639-1 code, text...).
    pub value: String,
    /// 0–1.
    pub confidence: f64,
    /// Extractor id.
    pub extractor: String,
    /// Extractor version.
    pub version: u32,
    /// Model manifest name, if a model was used.
    pub model_name: Option<String>,
    /// Model content SHA-256.
    pub model_sha256: Option<String>,
    /// Box in pixels, as JSON `{"x","y","w","h"}`.
    pub region: Option<serde_json::Value>,
    /// Time range in seconds, as JSON `[start, end]`.
    pub time_range: Option<serde_json::Value>,
    /// Extractor-specific detail.
    pub detail: serde_json::Value,
}

/// What happened when an extractor last ran on a media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClueRun {
    /// Extractor id.
    pub extractor: String,
    /// Its fingerprint (id, version, model) at the time.
    pub fingerprint: String,
    /// The error, when it failed (its clues are then empty).
    pub error: Option<String>,
    /// When.
    pub ran_at: String,
}

impl Store {
    /// The fingerprint of the last run of `extractor` on a media, if any.
    pub fn clue_fingerprint(
        &self,
        media: &Sha256,
        extractor: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT fingerprint FROM clue_runs WHERE media_sha256 = ?1 AND extractor = ?2",
            )?
            .query_row(params![media.to_hex(), extractor], |r| r.get(0))
            .optional()?)
    }

    /// Replace the clues of one extractor on one media, in one transaction,
    /// recording the run (and its error, if it failed).
    pub fn put_clues(
        &mut self,
        media: &Sha256,
        extractor: &str,
        fingerprint: &str,
        clues: &[ClueRow],
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let sha = media.to_hex();
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM clues WHERE media_sha256 = ?1 AND extractor = ?2",
            params![sha, extractor],
        )?;
        insert_clue_rows(&tx, &sha, extractor, clues)?;
        tx.execute(
            "INSERT INTO clue_runs (media_sha256, extractor, fingerprint, error)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (media_sha256, extractor) DO UPDATE SET
                 fingerprint = excluded.fingerprint, error = excluded.error,
                 ran_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            params![sha, extractor, fingerprint, error.map(clip)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every clue of a media, by extractor then insertion order.
    pub fn clues_for_media(&self, media: &Sha256) -> Result<Vec<ClueRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, value, confidence, extractor, version, model_name, model_sha256,
                    region_json, time_range_json, detail_json
             FROM clues WHERE media_sha256 = ?1 ORDER BY extractor, id",
        )?;
        let mut rows = stmt.query([media.to_hex()])?;
        let mut out = Vec::new();
        let json = |s: Option<String>| -> Result<Option<serde_json::Value>, StoreError> {
            Ok(s.map(|s| serde_json::from_str(&s)).transpose()?)
        };
        while let Some(r) = rows.next()? {
            let version: i64 = r.get(4)?;
            out.push(ClueRow {
                kind: r.get(0)?,
                value: r.get(1)?,
                confidence: r.get(2)?,
                extractor: r.get(3)?,
                version: u32::try_from(version).map_err(|_| StoreError::Corrupt {
                    column: "clues.version",
                    value: version.to_string(),
                })?,
                model_name: r.get(5)?,
                model_sha256: r.get(6)?,
                region: json(r.get(7)?)?,
                time_range: json(r.get(8)?)?,
                detail: json(r.get(9)?)?.unwrap_or(serde_json::Value::Null),
            });
        }
        Ok(out)
    }

    /// The runs recorded for a media.
    pub fn clue_runs(&self, media: &Sha256) -> Result<Vec<ClueRun>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT extractor, fingerprint, error, ran_at FROM clue_runs
             WHERE media_sha256 = ?1 ORDER BY extractor",
        )?;
        let rows = stmt.query_map([media.to_hex()], |r| {
            Ok(ClueRun {
                extractor: r.get(0)?,
                fingerprint: r.get(1)?,
                error: r.get(2)?,
                ran_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// Insert `clues` as rows of one extractor on one media (the caller deletes
/// the old ones first and owns the transaction); shared by
/// [`Store::put_clues`] and [`Store::put_clues_bulk`].
pub(super) fn insert_clue_rows(
    conn: &Connection,
    sha: &str,
    extractor: &str,
    clues: &[ClueRow],
) -> Result<(), StoreError> {
    let mut ins = conn.prepare_cached(
        "INSERT INTO clues (media_sha256, extractor, kind, value, confidence, version,
             model_name, model_sha256, region_json, time_range_json, detail_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for c in clues {
        ins.execute(params![
            sha,
            extractor,
            c.kind,
            c.value,
            c.confidence,
            c.version,
            c.model_name,
            c.model_sha256,
            c.region.as_ref().map(|v| v.to_string()),
            c.time_range.as_ref().map(|v| v.to_string()),
            (!c.detail.is_null()).then(|| c.detail.to_string()),
        ])?;
    }
    Ok(())
}
