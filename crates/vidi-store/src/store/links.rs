//! Links between media (near duplicates, stills of videos, clips) and the
//! clusters they form.
//!
//! A link is stored once, with `a < b` in SHA-256 order, and kept as the
//! evidence of its cluster. A cluster's id is the smallest SHA-256 of its
//! members: the same links give the same ids whatever the order in which
//! they were found. Adding links merges clusters in place; removing links
//! (a media re-linked by a newer linker or pipeline) rebuilds them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::{Transaction, params};
use vidi_types::Sha256;

use super::Store;
use super::codec;
use crate::StoreError;
use crate::error::clip;

/// Why two media are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkKind {
    /// Two images whose PDQ hashes are within the radius.
    Pdq,
    /// Two images linked through a rotated or mirrored PDQ variant.
    PdqDihedral,
    /// Two videos sharing most of their frames both ways (vPDQ).
    Vpdq,
    /// A video most of whose frames are in the other (a clip of it).
    VpdqClip,
    /// An image that is (near) a frame of a video.
    StillInVideo,
}

impl LinkKind {
    /// Stable name (`pdq`, `pdq-dihedral`, `vpdq`, `vpdq-clip`, `still-in-video`).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Pdq => "pdq",
            LinkKind::PdqDihedral => "pdq-dihedral",
            LinkKind::Vpdq => "vpdq",
            LinkKind::VpdqClip => "vpdq-clip",
            LinkKind::StillInVideo => "still-in-video",
        }
    }

    /// Parse [`LinkKind::as_str`].
    pub fn parse(s: &str) -> Option<LinkKind> {
        Some(match s {
            "pdq" => LinkKind::Pdq,
            "pdq-dihedral" => LinkKind::PdqDihedral,
            "vpdq" => LinkKind::Vpdq,
            "vpdq-clip" => LinkKind::VpdqClip,
            "still-in-video" => LinkKind::StillInVideo,
            _ => return None,
        })
    }
}

/// A link to record. `a` must sort before `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    /// The media with the smaller SHA-256.
    pub a: Sha256,
    /// The media with the larger SHA-256.
    pub b: Sha256,
    /// Why they are linked.
    pub kind: LinkKind,
    /// Hamming distance, for hash-distance links.
    pub distance: Option<u32>,
    /// Score in 0..=1, for share-of-frames links.
    pub score: Option<f64>,
    /// What found it (e.g. `vidi-link/pdq`).
    pub extractor: String,
    /// Version of that extractor.
    pub extractor_version: u32,
    /// Kind-specific detail (variant, timestamps, time ranges).
    pub detail: Option<serde_json::Value>,
}

/// One end of a stored link, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEnd {
    /// The media.
    pub sha256: Sha256,
    /// Its kind (`image`, `video`, ...).
    pub media_kind: String,
    /// The cases holding it, sorted.
    pub cases: Vec<String>,
    /// The agencies holding it, sorted.
    pub agencies: Vec<String>,
}

/// A stored link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRow {
    /// The end with the smaller SHA-256.
    pub a: LinkEnd,
    /// The end with the larger SHA-256.
    pub b: LinkEnd,
    /// Why they are linked.
    pub kind: LinkKind,
    /// Hamming distance, when the kind has one.
    pub distance: Option<u32>,
    /// Score in 0..=1, when the kind has one.
    pub score: Option<f64>,
    /// What found it.
    pub extractor: String,
    /// Version of that extractor.
    pub extractor_version: u32,
    /// Kind-specific detail.
    pub detail: Option<serde_json::Value>,
    /// The cluster both ends belong to (its smallest SHA-256).
    pub cluster: Option<Sha256>,
    /// When it was recorded.
    pub linked_at: String,
}

impl LinkRow {
    /// True when the two ends are not all in one single case.
    pub fn is_cross_case(&self) -> bool {
        let all: BTreeSet<&String> = self.a.cases.iter().chain(&self.b.cases).collect();
        all.len() > 1
    }

    /// True when the two ends are not all held by one single agency.
    pub fn is_cross_agency(&self) -> bool {
        let all: BTreeSet<&String> = self.a.agencies.iter().chain(&self.b.agencies).collect();
        all.len() > 1
    }
}

/// What [`Store::record_links`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordedLinks {
    /// Links not stored before.
    pub new: u64,
    /// Links of re-linked media that were removed first.
    pub removed: u64,
}

impl Store {
    /// Media the linker (at `linker_version`) has not processed yet, or
    /// processed before their derived rows were recomputed. Sorted.
    pub fn media_to_link(&self, linker_version: u32) -> Result<Vec<Sha256>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT m.sha256 FROM media m WHERE NOT EXISTS (
                 SELECT 1 FROM link_state s WHERE s.sha256 = m.sha256
                 AND s.linker_version >= ?1 AND s.pipeline_version = m.pipeline_version)
             ORDER BY m.sha256",
        )?;
        let mut rows = stmt.query([linker_version])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(codec::parse_sha256(
                "media.sha256",
                &r.get::<_, String>(0)?,
            )?);
        }
        Ok(out)
    }

    /// Record the links found for the `processed` media, in one
    /// transaction: links these media had before are removed first, the
    /// new ones inserted, the media marked as linked, and clusters updated
    /// (merged in place, or rebuilt when links were removed).
    pub fn record_links(
        &mut self,
        links: &[NewLink],
        processed: &[Sha256],
        linker_version: u32,
    ) -> Result<RecordedLinks, StoreError> {
        for l in links {
            if l.a >= l.b {
                return Err(StoreError::Corrupt {
                    column: "media_links.a",
                    value: clip(&format!("{} !< {}", l.a.to_hex(), l.b.to_hex())),
                });
            }
        }
        let tx = self.conn.transaction()?;
        let mut out = RecordedLinks::default();
        let mut old: BTreeSet<(String, String, &'static str)> = BTreeSet::new();
        for sha in processed {
            let key = sha.to_hex();
            let mut stmt =
                tx.prepare_cached("SELECT a, b, kind FROM media_links WHERE a = ?1 OR b = ?1")?;
            let mut rows = stmt.query([&key])?;
            while let Some(r) = rows.next()? {
                let kind: String = r.get(2)?;
                let kind = LinkKind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
                    column: "media_links.kind",
                    value: clip(&kind),
                })?;
                old.insert((r.get(0)?, r.get(1)?, kind.as_str()));
            }
            drop(rows);
            tx.prepare_cached("DELETE FROM media_links WHERE a = ?1 OR b = ?1")?
                .execute([&key])?;
        }
        let mut refound = 0u64;
        for l in links {
            let (a, b) = (l.a.to_hex(), l.b.to_hex());
            let existed = old.contains(&(a.clone(), b.clone(), l.kind.as_str()));
            let n = tx
                .prepare_cached(
                    "INSERT INTO media_links (a, b, kind, distance, score, extractor,
                         extractor_version, detail_json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (a, b, kind) DO UPDATE SET distance = excluded.distance,
                         score = excluded.score, extractor = excluded.extractor,
                         extractor_version = excluded.extractor_version,
                         detail_json = excluded.detail_json",
                )?
                .execute(params![
                    a,
                    b,
                    l.kind.as_str(),
                    l.distance,
                    l.score,
                    l.extractor,
                    l.extractor_version,
                    l.detail.as_ref().map(|d| d.to_string()),
                ])?;
            if existed {
                refound += 1;
            } else {
                out.new += n as u64;
            }
        }
        out.removed = (old.len() as u64).saturating_sub(refound);
        for sha in processed {
            tx.prepare_cached(
                "INSERT INTO link_state (sha256, linker_version, pipeline_version)
                 SELECT sha256, ?2, pipeline_version FROM media WHERE sha256 = ?1
                 ON CONFLICT (sha256) DO UPDATE SET linker_version = excluded.linker_version,
                     pipeline_version = excluded.pipeline_version,
                     linked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            )?
            .execute(params![sha.to_hex(), linker_version])?;
        }
        if out.removed > 0 {
            rebuild_clusters_in(&tx)?;
        } else {
            for l in links {
                merge_clusters(&tx, &l.a.to_hex(), &l.b.to_hex())?;
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Remove every link, cluster and linked marker (a full relink follows).
    pub fn reset_links(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "BEGIN; DELETE FROM media_links; DELETE FROM link_clusters;
             DELETE FROM link_state; COMMIT;",
        )?;
        Ok(())
    }

    /// Recompute every cluster from the stored links. Returns the number
    /// of clusters.
    pub fn rebuild_clusters(&mut self) -> Result<u64, StoreError> {
        let tx = self.conn.transaction()?;
        let n = rebuild_clusters_in(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// Every linked media with its cluster id (the cluster's smallest SHA-256).
    pub fn link_clusters(&self) -> Result<BTreeMap<Sha256, Sha256>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT sha256, cluster FROM link_clusters ORDER BY sha256")?;
        let mut rows = stmt.query([])?;
        let mut out = BTreeMap::new();
        while let Some(r) = rows.next()? {
            out.insert(
                codec::parse_sha256("link_clusters.sha256", &r.get::<_, String>(0)?)?,
                codec::parse_sha256("link_clusters.cluster", &r.get::<_, String>(1)?)?,
            );
        }
        Ok(out)
    }

    /// Every stored link (of media of one case, or all), with both ends'
    /// cases and agencies, ordered by (a, b, kind).
    pub fn links(&self, case: Option<&str>) -> Result<Vec<LinkRow>, StoreError> {
        let filter = if case.is_some() {
            "l.a IN (SELECT e.media_sha256 FROM evidence e JOIN cases c ON c.id = e.case_id
                     WHERE c.number = ?1)
             OR l.b IN (SELECT e.media_sha256 FROM evidence e JOIN cases c ON c.id = e.case_id
                     WHERE c.number = ?1)"
        } else {
            "?1 IS NULL"
        };
        let sql = format!(
            "SELECT l.a, l.b, l.kind, l.distance, l.score, l.extractor, l.extractor_version,
                    l.detail_json, l.linked_at, c.cluster
             FROM media_links l LEFT JOIN link_clusters c ON c.sha256 = l.a
             WHERE {filter} ORDER BY l.a, l.b, l.kind"
        );
        let tx = self.conn.unchecked_transaction()?;
        let mut raw = Vec::new();
        {
            let mut stmt = tx.prepare(&sql)?;
            let mut rows = stmt.query([case])?;
            while let Some(r) = rows.next()? {
                raw.push((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<f64>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ));
            }
        }
        let mut ends: HashMap<String, LinkEnd> = HashMap::new();
        let mut out = Vec::with_capacity(raw.len());
        for (a, b, kind, distance, score, extractor, version, detail, at, cluster) in raw {
            for s in [&a, &b] {
                if !ends.contains_key(s) {
                    let end = link_end(&tx, s)?;
                    ends.insert(s.clone(), end);
                }
            }
            let end = |s: &str| {
                ends.get(s).cloned().ok_or_else(|| StoreError::Corrupt {
                    column: "media_links.a",
                    value: clip(s),
                })
            };
            out.push(LinkRow {
                a: end(&a)?,
                b: end(&b)?,
                kind: LinkKind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
                    column: "media_links.kind",
                    value: clip(&kind),
                })?,
                distance: distance
                    .map(|d| {
                        u32::try_from(d).map_err(|_| StoreError::Corrupt {
                            column: "media_links.distance",
                            value: d.to_string(),
                        })
                    })
                    .transpose()?,
                score,
                extractor,
                extractor_version: u32::try_from(version).map_err(|_| StoreError::Corrupt {
                    column: "media_links.extractor_version",
                    value: version.to_string(),
                })?,
                detail: detail.map(|d| serde_json::from_str(&d)).transpose()?,
                cluster: cluster
                    .map(|c| codec::parse_sha256("link_clusters.cluster", &c))
                    .transpose()?,
                linked_at: at,
            });
        }
        tx.finish()?;
        Ok(out)
    }
}

/// One media's kind, cases and agencies.
fn link_end(tx: &Transaction<'_>, sha: &str) -> Result<LinkEnd, StoreError> {
    let media_kind: String = tx
        .prepare_cached("SELECT kind FROM media WHERE sha256 = ?1")?
        .query_row([sha], |r| r.get(0))?;
    let mut stmt = tx.prepare_cached(
        "SELECT DISTINCT c.number, a.code FROM evidence e
         JOIN cases c ON c.id = e.case_id JOIN agencies a ON a.id = e.agency_id
         WHERE e.media_sha256 = ?1",
    )?;
    let mut rows = stmt.query([sha])?;
    let mut cases = BTreeSet::new();
    let mut agencies = BTreeSet::new();
    while let Some(r) = rows.next()? {
        cases.insert(r.get::<_, String>(0)?);
        agencies.insert(r.get::<_, String>(1)?);
    }
    Ok(LinkEnd {
        sha256: codec::parse_sha256("media_links.a", sha)?,
        media_kind,
        cases: cases.into_iter().collect(),
        agencies: agencies.into_iter().collect(),
    })
}

/// The cluster of a media, `None` when it has no link yet.
fn cluster_of(tx: &Transaction<'_>, sha: &str) -> Result<Option<String>, StoreError> {
    use rusqlite::OptionalExtension;
    Ok(tx
        .prepare_cached("SELECT cluster FROM link_clusters WHERE sha256 = ?1")?
        .query_row([sha], |r| r.get(0))
        .optional()?)
}

/// Put `a` and `b` in one cluster, whose id is the smaller of the two ids.
fn merge_clusters(tx: &Transaction<'_>, a: &str, b: &str) -> Result<(), StoreError> {
    let mut ids = Vec::with_capacity(2);
    for s in [a, b] {
        let id = match cluster_of(tx, s)? {
            Some(id) => id,
            None => {
                tx.prepare_cached("INSERT INTO link_clusters (sha256, cluster) VALUES (?1, ?1)")?
                    .execute([s])?;
                s.to_owned()
            }
        };
        ids.push(id);
    }
    ids.sort();
    if let [keep, gone] = ids.as_slice()
        && keep != gone
    {
        tx.prepare_cached("UPDATE link_clusters SET cluster = ?1 WHERE cluster = ?2")?
            .execute([keep, gone])?;
    }
    Ok(())
}

/// Connected components of the stored links, each named by its smallest
/// member; replaces `link_clusters`. Returns the number of clusters.
fn rebuild_clusters_in(tx: &Transaction<'_>) -> Result<u64, StoreError> {
    let mut pairs = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT a, b FROM media_links")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            pairs.push((r.get::<_, String>(0)?, r.get::<_, String>(1)?));
        }
    }
    let names: Vec<&String> = pairs
        .iter()
        .flat_map(|(a, b)| [a, b])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index: HashMap<&String, usize> = names.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (a, b) in &pairs {
        let (Some(&ia), Some(&ib)) = (index.get(a), index.get(b)) else {
            continue;
        };
        let (ra, rb) = (find(&mut parent, ia), find(&mut parent, ib));
        // The smaller index (the smaller SHA-256) is the root.
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi] = lo;
    }
    tx.execute("DELETE FROM link_clusters", [])?;
    let mut roots = BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        let r = find(&mut parent, i);
        roots.insert(r);
        tx.prepare_cached("INSERT INTO link_clusters (sha256, cluster) VALUES (?1, ?2)")?
            .execute([name.as_str(), names[r].as_str()])?;
    }
    Ok(roots.len() as u64)
}
