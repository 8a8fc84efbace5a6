//! Image embeddings per media and region, for find-similar.
//!
//! A model is identified by its name and content SHA-256 ([`ModelKey`]); the
//! embeddings of a media under one model are written in one transaction
//! and replace any earlier ones ([`Store::put_embeddings`]): writing the same
//! thing twice changes nothing. Vectors are stored as little-endian `f32`
//! bytes. Reads that serve a user take `visible_cases`: `None` is
//! everything (the local CLI), `Some(ids)` only media with at least one
//! evidence item in one of those case ids; media outside never come back.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use vidi_types::Sha256;

use super::{Change, Store, codec};
use crate::StoreError;

/// The embedding model: its manifest name and content SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelKey {
    /// Name in the model manifest.
    pub name: String,
    /// Content SHA-256 of the model (hex).
    pub sha256: String,
    /// Dimension of its vectors.
    pub dim: usize,
}

/// One stored region embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRegion {
    /// Region index (0 = the whole image).
    pub index: u32,
    /// Left edge in the media's pixels.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// The (L2-normalised) vector.
    pub vector: Vec<f32>,
}

/// A region row as read back, with its row id (the id used in ANN indexes).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionRow {
    /// Row id (stable until the media's embeddings are rewritten).
    pub id: i64,
    /// The media.
    pub sha256: Sha256,
    /// The region.
    pub region: StoredRegion,
}

/// Where an ANN hit points: a region of a media (no vector).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionRef {
    /// Row id.
    pub id: i64,
    /// The media.
    pub sha256: Sha256,
    /// Region index (0 = whole image).
    pub index: u32,
    /// Box: x, y, width, height in the media's pixels.
    pub rect: [u32; 4],
}

/// Counts that change whenever the stored embeddings of a model change
/// (used to notice a stale index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EmbeddingStats {
    /// Media embedded (successfully or not).
    pub media: u64,
    /// Region rows.
    pub regions: u64,
    /// Largest region row id (0 when none).
    pub max_id: i64,
}

/// Cases and agencies holding a media (restricted to the visible cases).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Holders {
    /// Case numbers, sorted.
    pub cases: Vec<String>,
    /// Agency codes, sorted.
    pub agencies: Vec<String>,
}

const MAX_DIM: usize = 1 << 16;

fn encode(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn decode(b: &[u8], dim: usize) -> Result<Vec<f32>, StoreError> {
    if b.len() != dim * 4 {
        return Err(StoreError::Corrupt {
            column: "embedding_regions.vector",
            value: format!("{} bytes for dimension {dim}", b.len()),
        });
    }
    Ok(b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

fn u32_col(v: i64, column: &'static str) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt {
        column,
        value: v.to_string(),
    })
}

fn model_id(conn: &Connection, m: &ModelKey) -> Result<Option<(i64, usize)>, StoreError> {
    let row: Option<(i64, i64)> = conn
        .prepare_cached("SELECT id, dim FROM embedding_models WHERE name = ?1 AND sha256 = ?2")?
        .query_row(params![m.name, m.sha256], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        None => Ok(None),
        Some((id, dim)) => match usize::try_from(dim) {
            Ok(d) if d > 0 && d <= MAX_DIM => Ok(Some((id, d))),
            _ => Err(StoreError::Corrupt {
                column: "embedding_models.dim",
                value: dim.to_string(),
            }),
        },
    }
}

/// SQL condition "media `col` is visible", with the case ids inlined (they
/// are integers, so inlining is safe).
fn visible_sql(col: &str, visible: Option<&[i64]>) -> String {
    match visible {
        None => "1".to_owned(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(
                "EXISTS (SELECT 1 FROM evidence ev WHERE ev.media_sha256 = {col} AND ev.case_id IN ({}))",
                list.join(",")
            )
        }
    }
}

impl Store {
    /// Store the embeddings of one media under `model` (in one
    /// transaction), replacing earlier ones of the same model. Returns
    /// `Unchanged` when exactly the same regions were stored already.
    /// The media must be stored.
    pub fn put_embeddings(
        &mut self,
        sha256: &Sha256,
        model: &ModelKey,
        regions: &[StoredRegion],
    ) -> Result<Change, StoreError> {
        self.write_embeddings(sha256, model, regions, None)
    }

    /// Record that embedding a media failed under `model` (so it is not
    /// retried on every run); removes earlier vectors of that model.
    pub fn put_embedding_error(
        &mut self,
        sha256: &Sha256,
        model: &ModelKey,
        error: &str,
    ) -> Result<Change, StoreError> {
        self.write_embeddings(sha256, model, &[], Some(error))
    }

    fn write_embeddings(
        &mut self,
        sha256: &Sha256,
        model: &ModelKey,
        regions: &[StoredRegion],
        error: Option<&str>,
    ) -> Result<Change, StoreError> {
        if model.dim == 0 || model.dim > MAX_DIM {
            return Err(StoreError::OutOfRange {
                what: "embedding dimension",
            });
        }
        if regions.iter().any(|r| r.vector.len() != model.dim) {
            return Err(StoreError::OutOfRange {
                what: "embedding vector length",
            });
        }
        let sha = sha256.to_hex();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if codec::media_version(&tx, &sha)?.is_none() {
            return Err(StoreError::NoSuchMedia { sha256: sha });
        }
        let mid = match model_id(&tx, model)? {
            Some((id, dim)) if dim == model.dim => id,
            Some(_) => {
                return Err(StoreError::OutOfRange {
                    what: "embedding dimension (differs from the stored model's)",
                });
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO embedding_models (name, sha256, dim) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![model.name, model.sha256, model.dim as i64])?;
                tx.last_insert_rowid()
            }
        };
        let existing: Option<Option<String>> = tx
            .prepare_cached(
                "SELECT error FROM media_embeddings WHERE sha256 = ?1 AND model_id = ?2",
            )?
            .query_row(params![sha, mid], |r| r.get(0))
            .optional()?;
        if let Some(old_error) = &existing
            && old_error.as_deref() == error
        {
            let old = read_regions(&tx, &sha, mid, model.dim)?;
            let same =
                old.len() == regions.len() && old.iter().zip(regions).all(|(a, b)| &a.region == b);
            if same {
                return Ok(Change::Unchanged);
            }
        }
        tx.prepare_cached("DELETE FROM embedding_regions WHERE sha256 = ?1 AND model_id = ?2")?
            .execute(params![sha, mid])?;
        tx.prepare_cached(
            "INSERT INTO media_embeddings (sha256, model_id, regions, error) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(sha256, model_id) DO UPDATE SET regions = excluded.regions,
             error = excluded.error",
        )?
        .execute(params![sha, mid, regions.len() as i64, error])?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO embedding_regions (sha256, model_id, region, x, y, width, height, vector)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for r in regions {
                ins.execute(params![
                    sha,
                    mid,
                    r.index,
                    r.x,
                    r.y,
                    r.width,
                    r.height,
                    encode(&r.vector)
                ])?;
            }
        }
        tx.commit()?;
        Ok(if existing.is_some() {
            Change::Updated
        } else {
            Change::New
        })
    }

    /// Media of the given kinds (`image`, `video`...) that have no
    /// embedding row (success or failure) under `model`, sorted by SHA-256.
    pub fn media_without_embeddings(
        &self,
        model: &ModelKey,
        kinds: &[&str],
    ) -> Result<Vec<(Sha256, String)>, StoreError> {
        let mid = model_id(&self.conn, model)?.map_or(-1, |(id, _)| id);
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.sha256, m.kind FROM media m
             WHERE m.error_kind IS NULL AND NOT EXISTS
               (SELECT 1 FROM media_embeddings x WHERE x.sha256 = m.sha256 AND x.model_id = ?1)
             ORDER BY m.sha256",
        )?;
        let mut rows = stmt.query([mid])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let kind: String = r.get(1)?;
            if kinds.contains(&kind.as_str()) {
                let sha: String = r.get(0)?;
                out.push((codec::parse_sha256("media.sha256", &sha)?, kind));
            }
        }
        Ok(out)
    }

    /// The region embeddings of a media under `model`, whole image first;
    /// `None` when it has none or is not visible.
    pub fn embeddings_of(
        &self,
        sha256: &Sha256,
        model: &ModelKey,
        visible_cases: Option<&[i64]>,
    ) -> Result<Option<Vec<RegionRow>>, StoreError> {
        let sha = sha256.to_hex();
        let Some((mid, dim)) = model_id(&self.conn, model)? else {
            return Ok(None);
        };
        if !self.embedded_media_visible(sha256, visible_cases)? {
            return Ok(None);
        }
        let rows = read_regions(&self.conn, &sha, mid, dim)?;
        Ok(if rows.is_empty() { None } else { Some(rows) })
    }

    /// Whether a media has evidence in one of the visible cases (always
    /// true for `None`, when the media is stored).
    pub fn embedded_media_visible(
        &self,
        sha256: &Sha256,
        visible_cases: Option<&[i64]>,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT 1 FROM media m WHERE m.sha256 = ?1 AND {}",
            visible_sql("m.sha256", visible_cases)
        );
        Ok(self
            .conn
            .prepare(&sql)?
            .query_row([sha256.to_hex()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Counts of the stored embeddings of `model`.
    pub fn embedding_stats(&self, model: &ModelKey) -> Result<EmbeddingStats, StoreError> {
        let Some((mid, _)) = model_id(&self.conn, model)? else {
            return Ok(EmbeddingStats::default());
        };
        let media: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM media_embeddings WHERE model_id = ?1")?
            .query_row([mid], |r| r.get(0))?;
        let (regions, max_id): (i64, Option<i64>) = self
            .conn
            .prepare_cached("SELECT count(*), max(id) FROM embedding_regions WHERE model_id = ?1")?
            .query_row([mid], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(EmbeddingStats {
            media: media.max(0) as u64,
            regions: regions.max(0) as u64,
            max_id: max_id.unwrap_or(0),
        })
    }

    /// Stream every region embedding of `model` in row-id order (for index
    /// rebuilds): `f` is called once per row; an error from `f` stops the
    /// stream and is returned.
    pub fn for_each_region<E: From<StoreError>>(
        &self,
        model: &ModelKey,
        mut f: impl FnMut(RegionRow) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some((mid, dim)) = model_id(&self.conn, model)? else {
            return Ok(());
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, sha256, region, x, y, width, height, vector FROM embedding_regions
                 WHERE model_id = ?1 ORDER BY id",
            )
            .map_err(StoreError::from)?;
        let mut rows = stmt.query([mid]).map_err(StoreError::from)?;
        while let Some(r) = rows.next().map_err(StoreError::from)? {
            f(region_from_row(r, dim)?)?;
        }
        Ok(())
    }

    /// The stored vectors of region rows (for rescoring the approximate
    /// scores of a compressed index), in the order of `ids`; ids not found
    /// (rewritten since) are left out. Callers pass ids that
    /// [`Store::region_refs`] already filtered for visibility.
    pub fn region_vectors(
        &self,
        model: &ModelKey,
        ids: &[i64],
    ) -> Result<Vec<(i64, Vec<f32>)>, StoreError> {
        let Some((mid, dim)) = model_id(&self.conn, model)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT vector FROM embedding_regions WHERE id = ?1 AND model_id = ?2",
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let blob: Option<Vec<u8>> =
                stmt.query_row(params![id, mid], |r| r.get(0)).optional()?;
            if let Some(b) = blob {
                out.push((*id, decode(&b, dim)?));
            }
        }
        Ok(out)
    }

    /// The regions behind ANN hits (row ids), restricted to visible media;
    /// ids not found (rewritten since the index was built) or not visible
    /// are left out. Order follows `ids`.
    pub fn region_refs(
        &self,
        ids: &[i64],
        visible_cases: Option<&[i64]>,
    ) -> Result<Vec<RegionRef>, StoreError> {
        let sql = format!(
            "SELECT r.id, r.sha256, r.region, r.x, r.y, r.width, r.height
             FROM embedding_regions r WHERE r.id = ?1 AND {}",
            visible_sql("r.sha256", visible_cases)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row = stmt
                .query_row([id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        [
                            r.get::<_, i64>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, i64>(4)?,
                            r.get::<_, i64>(5)?,
                            r.get::<_, i64>(6)?,
                        ],
                    ))
                })
                .optional()?;
            if let Some((id, sha, v)) = row {
                out.push(RegionRef {
                    id,
                    sha256: codec::parse_sha256("embedding_regions.sha256", &sha)?,
                    index: u32_col(v[0], "embedding_regions.region")?,
                    rect: [
                        u32_col(v[1], "embedding_regions.x")?,
                        u32_col(v[2], "embedding_regions.y")?,
                        u32_col(v[3], "embedding_regions.width")?,
                        u32_col(v[4], "embedding_regions.height")?,
                    ],
                });
            }
        }
        Ok(out)
    }

    /// The cases and agencies holding a media, restricted to the visible
    /// cases.
    pub fn media_holders(
        &self,
        sha256: &Sha256,
        visible_cases: Option<&[i64]>,
    ) -> Result<Holders, StoreError> {
        let cond = match visible_cases {
            None => "1".to_owned(),
            Some(ids) => format!(
                "e.case_id IN ({})",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            ),
        };
        let sql = format!(
            "SELECT DISTINCT c.number, a.code FROM evidence e
             JOIN cases c ON c.id = e.case_id JOIN agencies a ON a.id = e.agency_id
             WHERE e.media_sha256 = ?1 AND {cond}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([sha256.to_hex()])?;
        let (mut cases, mut agencies) = (BTreeSet::new(), BTreeSet::new());
        while let Some(r) = rows.next()? {
            cases.insert(r.get::<_, String>(0)?);
            agencies.insert(r.get::<_, String>(1)?);
        }
        Ok(Holders {
            cases: cases.into_iter().collect(),
            agencies: agencies.into_iter().collect(),
        })
    }

    /// The ids of cases by number (unknown numbers are left out).
    pub fn case_ids_by_number(&self, numbers: &[&str]) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM cases WHERE number = ?1")?;
        let mut out = Vec::new();
        for n in numbers {
            if let Some(id) = stmt.query_row([n], |r| r.get(0)).optional()? {
                out.push(id);
            }
        }
        Ok(out)
    }
}

fn region_from_row(r: &rusqlite::Row<'_>, dim: usize) -> Result<RegionRow, StoreError> {
    let sha: String = r.get(1)?;
    let blob: Vec<u8> = r.get(7)?;
    Ok(RegionRow {
        id: r.get(0)?,
        sha256: codec::parse_sha256("embedding_regions.sha256", &sha)?,
        region: StoredRegion {
            index: u32_col(r.get(2)?, "embedding_regions.region")?,
            x: u32_col(r.get(3)?, "embedding_regions.x")?,
            y: u32_col(r.get(4)?, "embedding_regions.y")?,
            width: u32_col(r.get(5)?, "embedding_regions.width")?,
            height: u32_col(r.get(6)?, "embedding_regions.height")?,
            vector: decode(&blob, dim)?,
        },
    })
}

fn read_regions(
    conn: &Connection,
    sha: &str,
    mid: i64,
    dim: usize,
) -> Result<Vec<RegionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, sha256, region, x, y, width, height, vector FROM embedding_regions
         WHERE sha256 = ?1 AND model_id = ?2 ORDER BY region",
    )?;
    let mut rows = stmt.query(params![sha, mid])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(region_from_row(r, dim)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    #[test]
    fn codec_round_trip_and_bad_length() {
        let v = vec![0.5f32, -1.25, 3.0];
        assert_eq!(decode(&encode(&v), 3).unwrap(), v);
        assert!(matches!(
            decode(&[0u8; 5], 3),
            Err(StoreError::Corrupt { .. })
        ));
        assert_eq!(visible_sql("x", None), "1");
        assert!(visible_sql("x", Some(&[1, 2])).contains("IN (1,2)"));
        assert!(visible_sql("x", Some(&[])).contains("IN ()"));
    }

    #[test]
    fn empty_workspace_reads() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap();
        let store = Store::open(&ws).unwrap();
        let m = ModelKey {
            name: "m".into(),
            sha256: "00".into(),
            dim: 4,
        };
        assert_eq!(
            store.embedding_stats(&m).unwrap(),
            EmbeddingStats::default()
        );
        assert!(
            store
                .media_without_embeddings(&m, &["image"])
                .unwrap()
                .is_empty()
        );
        let mut n = 0;
        store
            .for_each_region::<StoreError>(&m, |_| {
                n += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(n, 0);
    }
}
