//! Matches of media against hash sets, and categories set by investigators.
//!
//! A hit copies the matched entry's categories, flags and series: sets are
//! immutable once imported (a new edition is a new set), and listings then
//! need no per-set join.

use std::collections::BTreeMap;

use rusqlite::params;
use vidi_hashsets::{Category, EntryFlags, Scheme};
use vidi_types::{Md5, PdqHash, Sha1, Sha256};

use super::Store;
use super::codec;
use super::hashsets::{decode_flags, encode_flags};
use crate::StoreError;
use crate::error::clip;

/// Why a media matched an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HitRule {
    /// Same MD5.
    Md5,
    /// Same SHA-1.
    Sha1,
    /// Same SHA-256.
    Sha256,
    /// PDQ within the radius.
    Pdq,
    /// A rotated or mirrored variant's PDQ within the radius.
    PdqDihedral,
    /// A video frame's PDQ within the radius.
    VpdqFrame,
}

impl HitRule {
    /// Stable name (`md5`, `sha1`, `sha256`, `pdq`, `pdq-dihedral`, `vpdq-frame`).
    pub fn as_str(self) -> &'static str {
        match self {
            HitRule::Md5 => "md5",
            HitRule::Sha1 => "sha1",
            HitRule::Sha256 => "sha256",
            HitRule::Pdq => "pdq",
            HitRule::PdqDihedral => "pdq-dihedral",
            HitRule::VpdqFrame => "vpdq-frame",
        }
    }

    /// Parse [`HitRule::as_str`].
    pub fn parse(s: &str) -> Option<HitRule> {
        Some(match s {
            "md5" => HitRule::Md5,
            "sha1" => HitRule::Sha1,
            "sha256" => HitRule::Sha256,
            "pdq" => HitRule::Pdq,
            "pdq-dihedral" => HitRule::PdqDihedral,
            "vpdq-frame" => HitRule::VpdqFrame,
            _ => return None,
        })
    }
}

/// A match to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHit {
    /// The media.
    pub media: Sha256,
    /// The set.
    pub set_id: i64,
    /// The entry of the set.
    pub entry_id: i64,
    /// The rule that matched.
    pub rule: HitRule,
    /// Hamming distance (0 for cryptographic rules).
    pub distance: u32,
    /// Rule-specific detail (e.g. matching frames and time of a video).
    pub detail: Option<serde_json::Value>,
}

/// A recorded match with what the entry says.
#[derive(Debug, Clone, PartialEq)]
pub struct HitRow {
    /// The media.
    pub media: Sha256,
    /// The set.
    pub set_id: i64,
    /// The set's name.
    pub set_name: String,
    /// The entry of the set.
    pub entry_id: i64,
    /// The rule that matched.
    pub rule: HitRule,
    /// Hamming distance (0 for cryptographic rules).
    pub distance: u32,
    /// Rule-specific detail.
    pub detail: Option<serde_json::Value>,
    /// The entry's categories.
    pub categories: Vec<Category>,
    /// The entry's flags.
    pub flags: EntryFlags,
    /// The entry's series name.
    pub series: Option<String>,
    /// When the match was recorded.
    pub matched_at: String,
}

/// A category set on a media by an investigator (never by a hash set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRecord {
    /// Row id (increasing in time).
    pub id: i64,
    /// The media.
    pub media: Sha256,
    /// The category.
    pub category: Category,
    /// Who set it.
    pub set_by: String,
    /// When (UTC, ISO 8601).
    pub set_at: String,
    /// Why, if said.
    pub note: Option<String>,
    /// True for the latest record of its scheme on this media.
    pub current: bool,
}

/// What matching needs of one media.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchMedia {
    /// The media.
    pub sha256: Sha256,
    /// Its MD5.
    pub md5: Md5,
    /// Its SHA-1.
    pub sha1: Sha1,
    /// Its PDQ and quality, for images.
    pub pdq: Option<(PdqHash, u8)>,
    /// Its dihedral variants' PDQs (when computed at ingest).
    pub dihedral: Vec<PdqHash>,
    /// Video frames: PDQ, quality, timestamp in seconds.
    pub frames: Vec<(PdqHash, u8, Option<f64>)>,
}

const HIT_SELECT: &str = "SELECT h.media_sha256, h.set_id, s.name, h.entry_id, h.rule, h.distance,
        h.detail_json, h.categories, h.flags, h.series, h.matched_at
     FROM hashset_hits h JOIN hashsets s ON s.id = h.set_id";

fn parse_pdq(column: &'static str, s: &str) -> Result<PdqHash, StoreError> {
    PdqHash::from_hex(s).map_err(|_| StoreError::Corrupt {
        column,
        value: clip(s),
    })
}

fn quality(q: i64) -> u8 {
    u8::try_from(q.clamp(0, 100)).unwrap_or(0)
}

impl Store {
    /// Record matches in one transaction, copying each entry's categories,
    /// flags and series. A match already recorded keeps the smaller
    /// distance. Returns how many were new.
    pub fn record_hits(&mut self, hits: &[NewHit]) -> Result<u64, StoreError> {
        let mut entries = BTreeMap::new();
        for h in hits {
            if let std::collections::btree_map::Entry::Vacant(v) =
                entries.entry((h.set_id, h.entry_id))
            {
                v.insert(self.hashset_entry(h.set_id, h.entry_id)?);
            }
        }
        let tx = self.conn.transaction()?;
        let mut new = 0;
        for h in hits {
            let Some(stored) = entries.get(&(h.set_id, h.entry_id)) else {
                continue;
            };
            let mut cats = Vec::new();
            for c in &stored.entry.categories {
                cats.push(Store::category_id(&tx, c)?.to_string());
            }
            let media = h.media.to_hex();
            let detail = h.detail.as_ref().map(|d| d.to_string());
            // The insert's change count says whether the hit is new; only
            // a hit already recorded needs the second statement.
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO hashset_hits (media_sha256, set_id, entry_id, rule, distance,
                         detail_json, categories, flags, series)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (media_sha256, set_id, entry_id, rule) DO NOTHING",
                )?
                .execute(params![
                    media,
                    h.set_id,
                    h.entry_id,
                    h.rule.as_str(),
                    h.distance,
                    detail,
                    cats.join(","),
                    encode_flags(&stored.entry.flags),
                    stored.entry.series,
                ])?;
            if inserted == 0 {
                tx.prepare_cached(
                    "UPDATE hashset_hits SET distance = ?5, detail_json = ?6
                     WHERE media_sha256 = ?1 AND set_id = ?2 AND entry_id = ?3 AND rule = ?4
                       AND ?5 < distance",
                )?
                .execute(params![
                    media,
                    h.set_id,
                    h.entry_id,
                    h.rule.as_str(),
                    h.distance,
                    detail,
                ])?;
            }
            new += u64::from(inserted > 0);
        }
        tx.commit()?;
        Ok(new)
    }

    fn hits_where(&self, filter: &str, arg: Option<&str>) -> Result<Vec<HitRow>, StoreError> {
        let sql = format!(
            "{HIT_SELECT} WHERE {filter} ORDER BY h.media_sha256, h.set_id, h.entry_id, h.rule"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([arg])?;
        let mut raw = Vec::new();
        while let Some(r) = rows.next()? {
            raw.push((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, String>(10)?,
            ));
        }
        drop(rows);
        drop(stmt);
        let mut out = Vec::with_capacity(raw.len());
        for (media, set_id, set_name, entry_id, rule, distance, detail, cats, flags, series, at) in
            raw
        {
            out.push(HitRow {
                media: codec::parse_sha256("hashset_hits.media_sha256", &media)?,
                set_id,
                set_name,
                entry_id,
                rule: HitRule::parse(&rule).ok_or_else(|| StoreError::Corrupt {
                    column: "hashset_hits.rule",
                    value: clip(&rule),
                })?,
                distance: u32::try_from(distance).map_err(|_| StoreError::Corrupt {
                    column: "hashset_hits.distance",
                    value: distance.to_string(),
                })?,
                detail: detail.map(|d| serde_json::from_str(&d)).transpose()?,
                categories: self.categories_of(&cats)?,
                flags: decode_flags(flags),
                series,
                matched_at: at,
            });
        }
        Ok(out)
    }

    /// Every match of one media.
    pub fn hits_for_media(&self, sha: &Sha256) -> Result<Vec<HitRow>, StoreError> {
        self.hits_where("h.media_sha256 = ?1", Some(&sha.to_hex()))
    }

    /// Every match of the media of one case (or of every case), grouped by media.
    pub fn hits_by_media(
        &self,
        case: Option<&str>,
    ) -> Result<BTreeMap<Sha256, Vec<HitRow>>, StoreError> {
        let filter = if case.is_some() {
            "h.media_sha256 IN (SELECT e.media_sha256 FROM evidence e
                JOIN cases c ON c.id = e.case_id WHERE c.number = ?1)"
        } else {
            "?1 IS NULL"
        };
        let mut out: BTreeMap<Sha256, Vec<HitRow>> = BTreeMap::new();
        for h in self.hits_where(filter, case)? {
            out.entry(h.media).or_default().push(h);
        }
        Ok(out)
    }

    /// The media (of one case, or all) with what matching needs: PDQ and
    /// quality, dihedral variants, video frames.
    pub fn media_for_matching(&self, case: Option<&str>) -> Result<Vec<MatchMedia>, StoreError> {
        let scope = if case.is_some() {
            "sha256 IN (SELECT e.media_sha256 FROM evidence e
                JOIN cases c ON c.id = e.case_id WHERE c.number = ?1)"
        } else {
            "?1 IS NULL"
        };
        let mut out = Vec::new();
        {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT sha256, pdq, pdq_quality, md5, sha1 FROM media WHERE {scope} ORDER BY sha256"
            ))?;
            let mut rows = stmt.query([case])?;
            while let Some(r) = rows.next()? {
                let sha: String = r.get(0)?;
                let pdq: Option<String> = r.get(1)?;
                let q: Option<i64> = r.get(2)?;
                let md5: String = r.get(3)?;
                let sha1: String = r.get(4)?;
                out.push(MatchMedia {
                    sha256: codec::parse_sha256("media.sha256", &sha)?,
                    md5: Md5::from_hex(&md5).map_err(|_| StoreError::Corrupt {
                        column: "media.md5",
                        value: clip(&md5),
                    })?,
                    sha1: Sha1::from_hex(&sha1).map_err(|_| StoreError::Corrupt {
                        column: "media.sha1",
                        value: clip(&sha1),
                    })?,
                    pdq: match pdq {
                        Some(p) => Some((parse_pdq("media.pdq", &p)?, quality(q.unwrap_or(0)))),
                        None => None,
                    },
                    dihedral: Vec::new(),
                    frames: Vec::new(),
                });
            }
        }
        let mut dihedral = self
            .conn
            .prepare_cached("SELECT pdq FROM pdq_dihedral WHERE sha256 = ?1 ORDER BY variant")?;
        let mut frames = self.conn.prepare_cached(
            "SELECT pdq, quality, timestamp_s FROM vpdq_frames WHERE sha256 = ?1 ORDER BY seq",
        )?;
        for m in &mut out {
            let key = m.sha256.to_hex();
            let mut rows = dihedral.query([&key])?;
            while let Some(r) = rows.next()? {
                m.dihedral
                    .push(parse_pdq("pdq_dihedral.pdq", &r.get::<_, String>(0)?)?);
            }
            let mut rows = frames.query([&key])?;
            while let Some(r) = rows.next()? {
                m.frames.push((
                    parse_pdq("vpdq_frames.pdq", &r.get::<_, String>(0)?)?,
                    quality(r.get(1)?),
                    r.get(2)?,
                ));
            }
        }
        Ok(out)
    }

    /// Record a category an investigator gave a media. History is kept:
    /// the latest record per scheme is the current one.
    pub fn set_media_category(
        &mut self,
        media: &Sha256,
        category: &Category,
        set_by: &str,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        if codec::media_version(&self.conn, &media.to_hex())?.is_none() {
            return Err(StoreError::NoSuchMedia {
                sha256: media.to_hex(),
            });
        }
        self.conn
            .prepare_cached(
                "INSERT INTO media_categories (media_sha256, scheme, code, label, set_by, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                media.to_hex(),
                category.scheme.as_str(),
                category.code,
                category.label,
                set_by,
                note
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every category investigators set on a media, oldest first.
    pub fn media_categories(&self, media: &Sha256) -> Result<Vec<CategoryRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, scheme, code, set_by, set_at, note,
                    id = (SELECT max(id) FROM media_categories x
                          WHERE x.media_sha256 = m.media_sha256 AND x.scheme = m.scheme)
             FROM media_categories m WHERE media_sha256 = ?1 ORDER BY id",
        )?;
        let mut rows = stmt.query([media.to_hex()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let scheme: String = r.get(1)?;
            out.push(CategoryRecord {
                id: r.get(0)?,
                media: *media,
                category: Category::new(
                    Scheme::parse(&scheme).ok_or_else(|| StoreError::Corrupt {
                        column: "media_categories.scheme",
                        value: clip(&scheme),
                    })?,
                    r.get::<_, String>(2)?,
                ),
                set_by: r.get(3)?,
                set_at: r.get(4)?,
                note: r.get(5)?,
                current: r.get(6)?,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    #[test]
    fn record_hits_counts_new_keeps_the_smaller_distance_and_joins_series_once() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(&dir.path().join("W")).unwrap();
        let mut store = Store::open(&ws).unwrap();
        let media = Sha256([7; 32]);
        store
            .conn
            .execute(
                "INSERT INTO media (sha256, md5, sha1, size, kind, mime, metadata_json,
                     pipeline_version)
                 VALUES (?1, ?2, ?3, 1, 'image', 'image/png', '{}', 1)",
                params![media.to_hex(), "0".repeat(32), "0".repeat(40)],
            )
            .unwrap();
        let pdq = PdqHash([3; 32]);
        let mut w = store
            .begin_hashset_import(ws.root(), "set", &Sha256([1; 32]), "vics", "/x")
            .unwrap();
        let entry = w
            .push(&vidi_hashsets::HashEntry {
                md5: Some(Md5([9; 16])),
                pdq: Some(pdq),
                pdq_quality: Some(90),
                series: Some("Series-R".into()),
                ..Default::default()
            })
            .unwrap();
        let set = w.finish(1, 0).unwrap();
        assert_eq!(store.hashset_pdqs(set).unwrap(), [pdq]);

        let hit = |distance, detail: Option<serde_json::Value>| NewHit {
            media,
            set_id: set,
            entry_id: entry,
            rule: HitRule::Pdq,
            distance,
            detail,
        };
        let md5_hit = NewHit {
            rule: HitRule::Md5,
            ..hit(0, None)
        };
        let one = |s: &Store| {
            let rows = s.hits_for_media(&media).unwrap();
            rows.into_iter().find(|r| r.rule == HitRule::Pdq).unwrap()
        };
        assert_eq!(
            store
                .record_hits(&[hit(9, Some(serde_json::json!("first"))), md5_hit.clone()])
                .unwrap(),
            2
        );
        assert_eq!(one(&store).series.as_deref(), Some("Series-R"));
        // Again, farther: nothing new, nothing changes.
        assert_eq!(
            store
                .record_hits(&[hit(12, Some(serde_json::json!("far")))])
                .unwrap(),
            0
        );
        let r = one(&store);
        assert_eq!(
            (r.distance, r.detail),
            (9, Some(serde_json::json!("first")))
        );
        // Closer: nothing new, the distance and its detail are replaced.
        assert_eq!(
            store
                .record_hits(&[hit(4, Some(serde_json::json!("near"))), md5_hit])
                .unwrap(),
            0
        );
        let r = one(&store);
        assert_eq!((r.distance, r.detail), (4, Some(serde_json::json!("near"))));
        assert_eq!(store.hits_for_media(&media).unwrap().len(), 2);
        // The hit joined the entry's series once.
        let count = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM series_media"), 1);
        assert_eq!(
            count("SELECT count(*) FROM series_events WHERE action = 'hashset-add'"),
            1
        );
    }
}
