//! Series: named groups of media (create, rename, merge, split, add and
//! remove media), with their history.
//!
//! A series is never deleted. Merging `from` into `into` moves `from`'s
//! media to `into` and marks `from` as merged (its rows stay, so its history
//! can be read back); splitting moves chosen media into a new series.
//! Every change records who did it and when ([`SeriesEvent`]).
//!
//! A hash-set entry that names a series (VICS `Series`, ICSE `Series name`)
//! creates or joins a series automatically when a media hits it: a trigger
//! on the hits table does it (schema version 7), so every writer of hits
//! gets it for free. The name stays mapped to a live series through
//! renames and merges ([`ExternalName`]).
//!
//! Reads that serve users take `visible_cases: Option<&[i64]>`: `None` sees
//! everything; `Some(ids)` sees only media that have evidence in one of
//! those cases, and only the cases, agencies and clusters of those media. A
//! series none of whose media is visible is hidden (an empty series is
//! not).

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use vidi_types::Sha256;

use super::Store;
use super::codec;
use crate::StoreError;
use crate::error::clip;

mod types;

pub use types::{
    ExternalName, MAX_NAME_CHARS, MemberOrigin, SeriesCluster, SeriesDetail, SeriesError,
    SeriesEvent, SeriesMember, SeriesSummary,
};

fn check_name(name: &str) -> Result<&str, SeriesError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(SeriesError::BadName);
    }
    Ok(n)
}

/// SQL condition "media `col` has evidence in a visible case".
fn visible_sql(col: &str, visible: Option<&[i64]>) -> String {
    match visible {
        None => "1".into(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(
                "EXISTS (SELECT 1 FROM evidence ve WHERE ve.media_sha256 = {col} \
                 AND ve.case_id IN ({}))",
                list.join(",")
            )
        }
    }
}

fn case_filter(visible: Option<&[i64]>) -> String {
    match visible {
        None => "1".into(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!("c.id IN ({})", list.join(","))
        }
    }
}

fn event(
    conn: &Connection,
    series: i64,
    action: &str,
    other: Option<i64>,
    detail: Option<&str>,
    actor: &str,
) -> Result<(), SeriesError> {
    conn.prepare_cached(
        "INSERT INTO series_events (series_id, action, other_id, detail, actor)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![series, action, other, detail, actor])?;
    Ok(())
}

fn live_by_name(conn: &Connection, name: &str) -> Result<Option<i64>, SeriesError> {
    Ok(conn
        .prepare_cached("SELECT id FROM series WHERE name = ?1 AND merged_into IS NULL")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// Follow `merged_into` to the live series (bounded: a cycle is corrupt).
fn live_id(conn: &Connection, mut id: i64) -> Result<Option<i64>, SeriesError> {
    for _ in 0..10_000 {
        let next: Option<Option<i64>> = conn
            .prepare_cached("SELECT merged_into FROM series WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        match next {
            None => return Ok(None),
            Some(None) => return Ok(Some(id)),
            Some(Some(n)) => id = n,
        }
    }
    Err(StoreError::Corrupt {
        column: "series.merged_into",
        value: id.to_string(),
    }
    .into())
}

fn require_live(conn: &Connection, id: i64) -> Result<(), SeriesError> {
    let merged: Option<Option<i64>> = conn
        .prepare_cached("SELECT merged_into FROM series WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match merged {
        None => Err(SeriesError::NoSuchSeries {
            key: id.to_string(),
        }),
        Some(Some(into)) => Err(SeriesError::Merged { id, into }),
        Some(None) => Ok(()),
    }
}

fn is_member(conn: &Connection, series: i64, sha: &str) -> Result<bool, SeriesError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM series_media WHERE series_id = ?1 AND media_sha256 = ?2
             AND removed_at IS NULL",
        )?
        .query_row(params![series, sha], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Add (or re-add) a media; true when it was not a current member.
fn add_member(
    conn: &Connection,
    series: i64,
    sha: &str,
    origin: &str,
    source: Option<i64>,
    actor: &str,
) -> Result<bool, SeriesError> {
    if is_member(conn, series, sha)? {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT INTO series_media (series_id, media_sha256, origin, source_id, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (series_id, media_sha256) DO UPDATE SET
             origin = excluded.origin, source_id = excluded.source_id,
             added_by = excluded.added_by,
             added_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
             removed_by = NULL, removed_at = NULL",
    )?
    .execute(params![series, sha, origin, source, actor])?;
    Ok(true)
}

fn remove_member(
    conn: &Connection,
    series: i64,
    sha: &str,
    actor: &str,
) -> Result<(), SeriesError> {
    conn.prepare_cached(
        "UPDATE series_media SET removed_by = ?3,
             removed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE series_id = ?1 AND media_sha256 = ?2 AND removed_at IS NULL",
    )?
    .execute(params![series, sha, actor])?;
    Ok(())
}

fn touch(conn: &Connection, id: i64) -> Result<(), SeriesError> {
    conn.prepare_cached(
        "UPDATE series SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
    )?
    .execute([id])?;
    Ok(())
}

fn insert_series(
    conn: &Connection,
    name: &str,
    origin: &str,
    split_from: Option<i64>,
    actor: &str,
) -> Result<i64, SeriesError> {
    if let Some(id) = live_by_name(conn, name)? {
        return Err(SeriesError::NameTaken {
            name: clip(name),
            id,
        });
    }
    conn.prepare_cached(
        "INSERT INTO series (name, origin, split_from, created_by) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![name, origin, split_from, actor])?;
    let id = conn.last_insert_rowid();
    event(conn, id, "create", split_from, Some(name), actor)?;
    Ok(id)
}

fn media_exists(conn: &Connection, sha: &str) -> Result<(), SeriesError> {
    if codec::media_version(conn, sha)?.is_none() {
        return Err(StoreError::NoSuchMedia { sha256: sha.into() }.into());
    }
    Ok(())
}

impl Store {
    /// The live series with this id or name (a merged series' id or name
    /// gives the series it was merged into; a hash-set series name gives
    /// the series it is mapped to), if the caller may see it.
    pub fn resolve_series(
        &self,
        key: &str,
        visible_cases: Option<&[i64]>,
    ) -> Result<i64, SeriesError> {
        let key = key.trim();
        let c = &self.conn;
        let mut found = None;
        if let Ok(id) = key.trim_start_matches('#').parse::<i64>() {
            found = live_id(c, id)?;
        }
        if found.is_none() {
            found = live_by_name(c, key)?;
        }
        if found.is_none() {
            let merged: Option<i64> = c
                .prepare_cached("SELECT id FROM series WHERE name = ?1 ORDER BY id DESC LIMIT 1")?
                .query_row([key], |r| r.get(0))
                .optional()?;
            if let Some(m) = merged {
                found = live_id(c, m)?;
            }
        }
        if found.is_none() {
            found = c
                .prepare_cached("SELECT series_id FROM series_names WHERE name = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()?;
        }
        match found {
            Some(id) if self.series_visible(id, visible_cases)? => Ok(id),
            _ => Err(SeriesError::NoSuchSeries { key: clip(key) }),
        }
    }

    fn series_visible(&self, id: i64, visible: Option<&[i64]>) -> Result<bool, SeriesError> {
        if visible.is_none() {
            return Ok(true);
        }
        let sql = format!(
            "SELECT count(*), sum({}) FROM series_media sm
             WHERE sm.series_id = ?1 AND sm.removed_at IS NULL",
            visible_sql("sm.media_sha256", visible)
        );
        let (all, seen): (i64, Option<i64>) = self
            .conn
            .query_row(&sql, [id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(all == 0 || seen.unwrap_or(0) > 0)
    }

    /// Create a series by hand.
    pub fn create_series(&mut self, name: &str, actor: &str) -> Result<i64, SeriesError> {
        let name = check_name(name)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_series(&tx, name, "manual", None, actor)?;
        tx.commit()?;
        Ok(id)
    }

    /// Rename a live series (hash-set names stay mapped to it).
    pub fn rename_series(&mut self, id: i64, name: &str, actor: &str) -> Result<(), SeriesError> {
        let name = check_name(name)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_live(&tx, id)?;
        if let Some(other) = live_by_name(&tx, name)?
            && other != id
        {
            return Err(SeriesError::NameTaken {
                name: clip(name),
                id: other,
            });
        }
        let old: String =
            tx.query_row("SELECT name FROM series WHERE id = ?1", [id], |r| r.get(0))?;
        tx.execute(
            "UPDATE series SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
        touch(&tx, id)?;
        let detail = serde_json::json!({"from": old, "to": name}).to_string();
        event(&tx, id, "rename", None, Some(&detail), actor)?;
        tx.commit()?;
        Ok(())
    }

    /// Merge `from` into `into`: `from`'s current media join `into`, its
    /// hash-set names map to `into`, and `from` is kept as merged (history).
    /// Returns how many media joined.
    pub fn merge_series(&mut self, from: i64, into: i64, actor: &str) -> Result<u64, SeriesError> {
        if from == into {
            return Err(SeriesError::SelfMerge { id: from });
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_live(&tx, from)?;
        require_live(&tx, into)?;
        let members: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT media_sha256 FROM series_media WHERE series_id = ?1
                 AND removed_at IS NULL ORDER BY media_sha256",
            )?;
            stmt.query_map([from], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let mut joined = 0;
        for sha in &members {
            joined += u64::from(add_member(&tx, into, sha, "merge", Some(from), actor)?);
        }
        tx.execute(
            "UPDATE series SET merged_into = ?2 WHERE id = ?1",
            params![from, into],
        )?;
        tx.execute(
            "UPDATE series_names SET series_id = ?2 WHERE series_id = ?1",
            params![from, into],
        )?;
        touch(&tx, from)?;
        touch(&tx, into)?;
        let n = members.len().to_string();
        event(&tx, from, "merged-into", Some(into), Some(&n), actor)?;
        event(&tx, into, "merge-in", Some(from), Some(&n), actor)?;
        tx.commit()?;
        Ok(joined)
    }

    /// Split: move `media` (current members of `from`) into a new series
    /// named `name`. Returns the new series' id.
    pub fn split_series(
        &mut self,
        from: i64,
        name: &str,
        media: &[Sha256],
        actor: &str,
    ) -> Result<i64, SeriesError> {
        let name = check_name(name)?;
        if media.is_empty() {
            return Err(SeriesError::EmptySplit);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_live(&tx, from)?;
        let shas: BTreeSet<String> = media.iter().map(Sha256::to_hex).collect();
        for sha in &shas {
            if !is_member(&tx, from, sha)? {
                return Err(SeriesError::NotAMember {
                    series: from,
                    sha256: sha.clone(),
                });
            }
        }
        let id = insert_series(&tx, name, "split", Some(from), actor)?;
        for sha in &shas {
            remove_member(&tx, from, sha, actor)?;
            add_member(&tx, id, sha, "split", Some(from), actor)?;
        }
        touch(&tx, from)?;
        let n = shas.len().to_string();
        event(&tx, from, "split-out", Some(id), Some(&n), actor)?;
        event(&tx, id, "split-from", Some(from), Some(&n), actor)?;
        tx.commit()?;
        Ok(id)
    }

    /// Add media by hand; returns how many were not members yet.
    pub fn add_to_series(
        &mut self,
        id: i64,
        media: &[Sha256],
        actor: &str,
    ) -> Result<u64, SeriesError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_live(&tx, id)?;
        let mut added = 0;
        for m in media {
            let sha = m.to_hex();
            media_exists(&tx, &sha)?;
            if add_member(&tx, id, &sha, "manual", None, actor)? {
                event(&tx, id, "add", None, Some(&sha), actor)?;
                added += 1;
            }
        }
        touch(&tx, id)?;
        tx.commit()?;
        Ok(added)
    }

    /// Remove media (kept as history; a later hash-set hit does not re-add
    /// them). Each must be a current member.
    pub fn remove_from_series(
        &mut self,
        id: i64,
        media: &[Sha256],
        actor: &str,
    ) -> Result<(), SeriesError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_live(&tx, id)?;
        for m in media {
            let sha = m.to_hex();
            if !is_member(&tx, id, &sha)? {
                return Err(SeriesError::NotAMember {
                    series: id,
                    sha256: sha,
                });
            }
            remove_member(&tx, id, &sha, actor)?;
            event(&tx, id, "remove", None, Some(&sha), actor)?;
        }
        touch(&tx, id)?;
        tx.commit()?;
        Ok(())
    }

    /// Live series, by name, with counts over what the caller may see.
    pub fn list_series(
        &self,
        visible_cases: Option<&[i64]>,
    ) -> Result<Vec<SeriesSummary>, SeriesError> {
        let ids: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id FROM series WHERE merged_into IS NULL ORDER BY name, id")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let mut out = Vec::new();
        for id in ids {
            if self.series_visible(id, visible_cases)? {
                out.push(self.series_summary(id, visible_cases)?);
            }
        }
        Ok(out)
    }

    fn series_summary(
        &self,
        id: i64,
        visible: Option<&[i64]>,
    ) -> Result<SeriesSummary, SeriesError> {
        let (name, origin, created_by, created_at): (String, String, String, String) =
            self.conn.query_row(
                "SELECT name, origin, created_by, created_at FROM series WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let sql = format!(
            "SELECT count(DISTINCT sm.media_sha256), count(DISTINCT c.id),
                    count(DISTINCT c.agency_id)
             FROM series_media sm
             LEFT JOIN evidence e ON e.media_sha256 = sm.media_sha256
             LEFT JOIN cases c ON c.id = e.case_id AND {}
             WHERE sm.series_id = ?1 AND sm.removed_at IS NULL AND {}",
            case_filter(visible),
            visible_sql("sm.media_sha256", visible)
        );
        let (media, cases, agencies): (i64, i64, i64) = self
            .conn
            .query_row(&sql, [id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let hashset_names = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT name FROM series_names WHERE series_id = ?1 ORDER BY name",
            )?;
            stmt.query_map([id], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(SeriesSummary {
            id,
            name,
            origin,
            media: count(media),
            cases: count(cases),
            agencies: count(agencies),
            hashset_names,
            created_by,
            created_at,
        })
    }

    /// The current (visible) media of a series, by SHA-256.
    pub fn series_media(
        &self,
        id: i64,
        visible_cases: Option<&[i64]>,
    ) -> Result<Vec<Sha256>, SeriesError> {
        Ok(self
            .series_members(id, visible_cases)?
            .into_iter()
            .map(|m| m.sha256)
            .collect())
    }

    fn series_members(
        &self,
        id: i64,
        visible: Option<&[i64]>,
    ) -> Result<Vec<SeriesMember>, SeriesError> {
        let sql = format!(
            "SELECT sm.media_sha256, sm.origin, sm.source_id, sm.added_by, sm.added_at
             FROM series_media sm
             WHERE sm.series_id = ?1 AND sm.removed_at IS NULL AND {}
             ORDER BY sm.media_sha256",
            visible_sql("sm.media_sha256", visible)
        );
        let raw: Vec<(String, String, Option<i64>, String, String)> = {
            let mut stmt = self.conn.prepare(&sql)?;
            stmt.query_map([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?
        };
        let case_sql = format!(
            "SELECT DISTINCT c.number FROM evidence e JOIN cases c ON c.id = e.case_id
             WHERE e.media_sha256 = ?1 AND {} ORDER BY c.number",
            case_filter(visible)
        );
        let mut out = Vec::with_capacity(raw.len());
        for (sha, origin, source_id, added_by, added_at) in raw {
            let cases = {
                let mut stmt = self.conn.prepare_cached(&case_sql)?;
                stmt.query_map([&sha], |r| r.get(0))?
                    .collect::<Result<_, _>>()?
            };
            out.push(SeriesMember {
                sha256: codec::parse_sha256("series_media.media_sha256", &sha)?,
                origin: MemberOrigin::parse(&origin)?,
                source_id,
                added_by,
                added_at,
                cases,
            });
        }
        Ok(out)
    }

    /// Everything about one live series, as far as the caller may see.
    pub fn series_detail(
        &self,
        id: i64,
        visible_cases: Option<&[i64]>,
    ) -> Result<SeriesDetail, SeriesError> {
        let c = &self.conn;
        require_live(c, id)?;
        if !self.series_visible(id, visible_cases)? {
            return Err(SeriesError::NoSuchSeries {
                key: id.to_string(),
            });
        }
        let summary = self.series_summary(id, visible_cases)?;
        let split_from: Option<i64> =
            c.query_row("SELECT split_from FROM series WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        let merged_from: Vec<(i64, String)> = {
            let mut stmt =
                c.prepare("SELECT id, name FROM series WHERE merged_into = ?1 ORDER BY id")?;
            stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        let media = self.series_members(id, visible_cases)?;
        let sql = format!(
            "SELECT DISTINCT c.number, a.code FROM series_media sm
             JOIN evidence e ON e.media_sha256 = sm.media_sha256
             JOIN cases c ON c.id = e.case_id
             JOIN agencies a ON a.id = c.agency_id
             WHERE sm.series_id = ?1 AND sm.removed_at IS NULL AND {}",
            case_filter(visible_cases)
        );
        let mut cases = BTreeSet::new();
        let mut agencies = BTreeSet::new();
        {
            let mut stmt = c.prepare(&sql)?;
            let mut rows = stmt.query([id])?;
            while let Some(r) = rows.next()? {
                cases.insert(r.get::<_, String>(0)?);
                agencies.insert(r.get::<_, String>(1)?);
            }
        }
        let clusters = self.series_clusters(&media, visible_cases)?;
        let hashset_names = {
            let mut stmt = c.prepare(
                "SELECT name, set_id, set_name, recorded_at FROM series_names
                 WHERE series_id = ?1 ORDER BY name",
            )?;
            stmt.query_map([id], |r| {
                Ok(ExternalName {
                    name: r.get(0)?,
                    set_id: r.get(1)?,
                    set_name: r.get(2)?,
                    recorded_at: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?
        };
        let history = {
            let mut stmt = c.prepare(
                "SELECT id, action, other_id, detail, actor, at FROM series_events
                 WHERE series_id = ?1 ORDER BY id",
            )?;
            stmt.query_map([id], |r| {
                Ok(SeriesEvent {
                    id: r.get(0)?,
                    action: r.get(1)?,
                    other_id: r.get(2)?,
                    detail: r.get(3)?,
                    actor: r.get(4)?,
                    at: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        // Events naming a media the caller may not see are left out.
        let visible_shas: BTreeSet<String> = media.iter().map(|m| m.sha256.to_hex()).collect();
        let history = history
            .into_iter()
            .filter(|e| {
                visible_cases.is_none()
                    || !matches!(e.action.as_str(), "add" | "remove" | "hashset-add")
                    || e.detail.as_ref().is_some_and(|d| visible_shas.contains(d))
            })
            .collect();
        Ok(SeriesDetail {
            summary,
            split_from,
            merged_from,
            media,
            cases: cases.into_iter().collect(),
            agencies: agencies.into_iter().collect(),
            clusters,
            hashset_names,
            history,
        })
    }

    fn series_clusters(
        &self,
        media: &[SeriesMember],
        visible: Option<&[i64]>,
    ) -> Result<Vec<SeriesCluster>, SeriesError> {
        let mut by_cluster: BTreeMap<String, Vec<Sha256>> = BTreeMap::new();
        for m in media {
            let cl: Option<String> = self
                .conn
                .prepare_cached("SELECT cluster FROM link_clusters WHERE sha256 = ?1")?
                .query_row([m.sha256.to_hex()], |r| r.get(0))
                .optional()?;
            if let Some(cl) = cl {
                by_cluster.entry(cl).or_default().push(m.sha256);
            }
        }
        let label_sql = format!(
            "SELECT min(lc.sha256) FROM link_clusters lc WHERE lc.cluster = ?1 AND {}",
            visible_sql("lc.sha256", visible)
        );
        let mut out = Vec::new();
        for (cl, members) in by_cluster {
            // The cluster id is its smallest media, which the caller may not
            // see: then label it by its smallest visible media.
            let label: String = match visible {
                None => cl,
                Some(_) => self
                    .conn
                    .query_row(&label_sql, [&cl], |r| r.get::<_, Option<String>>(0))?
                    .unwrap_or(cl),
            };
            out.push(SeriesCluster {
                cluster: codec::parse_sha256("link_clusters.cluster", &label)?,
                media: members,
            });
        }
        out.sort_by_key(|a| a.cluster);
        Ok(out)
    }
}

/// Ids of cases by number (for building `visible_cases`); unknown numbers
/// are left out.
pub fn case_ids(store: &Store, numbers: &[&str]) -> Result<Vec<i64>, SeriesError> {
    let mut out = Vec::new();
    for n in numbers {
        let id: Option<i64> = store
            .conn
            .prepare_cached("SELECT id FROM cases WHERE number = ?1")?
            .query_row([n], |r| r.get(0))
            .optional()?;
        out.extend(id);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
