//! Scoped reads for find-similar and location hypotheses in the server:
//! which embedding models the workspace holds, how many visible media are
//! embedded, and the clues of the visible media of a case.

use rusqlite::params;

use super::Scope;
use crate::StoreError;
use crate::store::embeddings::ModelKey;
// Case ids visible to the agency bound to `?1`.
use crate::store::leads::AGENCY_CASES as VIS;
use crate::store::{ClueRow, Store};

impl Store {
    /// The embedding models that have at least one stored region, the one
    /// with the most embedded media first (then the newest).
    pub fn embedding_models(&self) -> Result<Vec<ModelKey>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT m.name, m.sha256, m.dim,
                    (SELECT count(*) FROM media_embeddings me
                     WHERE me.model_id = m.id AND me.error IS NULL) AS n
             FROM embedding_models m
             WHERE EXISTS (SELECT 1 FROM embedding_regions r WHERE r.model_id = m.id)
             ORDER BY n DESC, m.id DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, sha256, dim) = row?;
            let dim = usize::try_from(dim)
                .ok()
                .filter(|d| *d > 0 && *d <= 1 << 16)
                .ok_or_else(|| StoreError::Corrupt {
                    column: "embedding_models.dim",
                    value: dim.to_string(),
                })?;
            out.push(ModelKey { name, sha256, dim });
        }
        Ok(out)
    }

    /// How many media the scope may see have embeddings under `model`.
    pub fn scoped_embedded_count(
        &self,
        scope: &Scope,
        model: &ModelKey,
    ) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM media_embeddings me
                 JOIN embedding_models m ON m.id = me.model_id
                 WHERE m.name = ?2 AND m.sha256 = ?3 AND me.error IS NULL
                   AND EXISTS (SELECT 1 FROM evidence e WHERE e.media_sha256 = me.sha256
                               AND e.case_id IN {VIS})"
            ))?
            .query_row(params![scope.agency_id(), model.name, model.sha256], |r| {
                r.get(0)
            })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Every clue of the media the scope may see (of one visible case, or
    /// of all visible cases), grouped by media (SHA-256 hex, ascending);
    /// `None` when the case is given and not visible. `f` is called once
    /// per media with all its clues.
    pub fn scoped_clues_by_media(
        &self,
        scope: &Scope,
        case: Option<&str>,
        mut f: impl FnMut(&str, Vec<ClueRow>),
    ) -> Result<Option<()>, StoreError> {
        let case_id = match case {
            Some(c) => match self.visible_case_id(scope, c)? {
                Some(id) => Some(id),
                None => return Ok(None),
            },
            None => None,
        };
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT cl.media_sha256, cl.kind, cl.value, cl.confidence, cl.extractor, cl.version,
                    cl.model_name, cl.model_sha256, cl.region_json, cl.time_range_json,
                    cl.detail_json
             FROM clues cl
             WHERE cl.media_sha256 IN (SELECT DISTINCT e.media_sha256 FROM evidence e
                   WHERE e.case_id IN {VIS} AND (?2 IS NULL OR e.case_id = ?2)
                     AND e.media_sha256 IS NOT NULL)
             ORDER BY cl.media_sha256, cl.extractor, cl.id"
        ))?;
        let mut rows = st.query(params![scope.agency_id(), case_id])?;
        let json = |s: Option<String>| -> Result<Option<serde_json::Value>, StoreError> {
            Ok(s.map(|s| serde_json::from_str(&s)).transpose()?)
        };
        let mut current: Option<String> = None;
        let mut group = Vec::new();
        while let Some(r) = rows.next()? {
            let sha: String = r.get(0)?;
            if current.as_deref() != Some(sha.as_str()) {
                if let Some(prev) = current.take() {
                    f(&prev, std::mem::take(&mut group));
                }
                current = Some(sha);
            }
            let version: i64 = r.get(5)?;
            group.push(ClueRow {
                kind: r.get(1)?,
                value: r.get(2)?,
                confidence: r.get(3)?,
                extractor: r.get(4)?,
                version: u32::try_from(version).map_err(|_| StoreError::Corrupt {
                    column: "clues.version",
                    value: version.to_string(),
                })?,
                model_name: r.get(6)?,
                model_sha256: r.get(7)?,
                region: json(r.get(8)?)?,
                time_range: json(r.get(9)?)?,
                detail: json(r.get(10)?)?.unwrap_or(serde_json::Value::Null),
            });
        }
        if let Some(prev) = current {
            f(&prev, group);
        }
        Ok(Some(()))
    }
}
