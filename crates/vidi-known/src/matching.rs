//! Matching stored media against the ready hash sets.
//!
//! Rules: exact MD5, SHA-1 and SHA-256 (the set's indexed columns joined
//! with the media table); PDQ within a Hamming radius (31 by default) for
//! images, their dihedral variants when computed, and every vPDQ frame of a
//! video, skipping hashes of quality below 50 on either side. Each hit
//! records the set, the entry, the rule and the distance. Re-running is
//! idempotent (a hit is keyed by media, set, entry and rule).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use serde::Serialize;
use vidi_index::PdqIndex;
use vidi_store::{HashSetInfo, HitRule, MatchMedia, NewHit, Store, Workspace};
use vidi_types::{Cancel, PdqHash};

use crate::KnownError;
use crate::keyfile::KeyFile;
use crate::lookup::{Column, entries_with, open_keys};

/// Default Hamming radius for PDQ matches.
pub const DEFAULT_RADIUS: u32 = 31;
/// Default lowest PDQ quality that is matched.
pub const DEFAULT_MIN_QUALITY: u8 = 50;

/// What to match and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchConfig {
    /// PDQ Hamming radius.
    pub radius: u32,
    /// Hashes (media or list side) of lower quality are skipped.
    pub min_quality: u8,
    /// Only the media of this case (`None`: every media).
    pub case: Option<String>,
    /// Only these sets (`None`: every ready set).
    pub sets: Option<Vec<i64>>,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            radius: DEFAULT_RADIUS,
            min_quality: DEFAULT_MIN_QUALITY,
            case: None,
            sets: None,
        }
    }
}

/// What a match run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatchSummary {
    /// Media considered.
    pub media: u64,
    /// Sets matched against.
    pub sets: u64,
    /// Hits found (new or already recorded).
    pub hits: u64,
    /// Hits that were not recorded before.
    pub new_hits: u64,
    /// Hits by rule.
    pub by_rule: BTreeMap<String, u64>,
    /// Media with at least one hit.
    pub media_with_hits: u64,
    /// Seconds spent.
    pub seconds: f64,
}

/// Build the PDQ index of a set from its stored entries and save it
/// (written to a temporary file, then renamed: a crash never leaves a
/// half-written index under the final name).
pub(crate) fn build_set_index(
    ws: &Workspace,
    store: &Store,
    set_id: i64,
) -> Result<PdqIndex, KnownError> {
    let hashes: Vec<PdqHash> = store.hashset_pdqs(set_id)?;
    let index = PdqIndex::build(&hashes);
    drop(hashes);
    let path = ws.hashset_index_path(set_id)?;
    let tmp = path.with_extension("pdqi.tmp");
    let file = File::create(&tmp).map_err(|e| KnownError::io(&tmp, e))?;
    index
        .write_to(&file)
        .and_then(|()| file.sync_all())
        .map_err(|e| KnownError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| KnownError::io(&path, e))?;
    tracing::info!(set = set_id, hashes = index.len(), "PDQ index saved");
    Ok(index)
}

/// Load a set's saved PDQ index; rebuild it when missing, unreadable or not
/// of the set's size (the set is the source of truth).
pub(crate) fn load_set_index(
    ws: &Workspace,
    store: &Store,
    set: &HashSetInfo,
) -> Result<PdqIndex, KnownError> {
    let path = ws.hashset_index_path(set.id)?;
    match File::open(&path) {
        Ok(f) => match PdqIndex::read_from(BufReader::with_capacity(1 << 20, f)) {
            Ok(index) if index.len() as u64 == set.pdq_count => return Ok(index),
            Ok(index) => tracing::warn!(
                set = set.id,
                found = index.len(),
                expected = set.pdq_count,
                "PDQ index does not match its set; rebuilding"
            ),
            Err(e) => tracing::warn!(set = set.id, error = %e, "PDQ index unreadable; rebuilding"),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::info!(set = set.id, "PDQ index missing; building");
        }
        Err(e) => return Err(KnownError::io(path, e)),
    }
    build_set_index(ws, store, set.id)
}

/// Best match of one (entry, rule) for a media.
struct Best {
    distance: u32,
    detail: Option<serde_json::Value>,
    frames: u64,
    first_ts: Option<f64>,
    best_ts: Option<f64>,
}

/// Match the media in scope against the ready sets and record the hits.
pub fn match_workspace(
    ws: &Workspace,
    config: &MatchConfig,
    cancel: &Cancel,
) -> Result<MatchSummary, KnownError> {
    let started = Instant::now();
    let mut store = Store::open(ws)?;
    if let Some(case) = &config.case
        && store.case_agency(case)?.is_none()
    {
        return Err(KnownError::NoSuchCase { case: case.clone() });
    }
    let sets: Vec<HashSetInfo> = store
        .ready_hashsets()?
        .into_iter()
        .filter(|s| config.sets.as_ref().is_none_or(|ids| ids.contains(&s.id)))
        .collect();
    let media = if sets.is_empty() {
        Vec::new()
    } else {
        store.media_for_matching(config.case.as_deref())?
    };
    let mut summary = MatchSummary {
        media: media.len() as u64,
        sets: sets.len() as u64,
        ..MatchSummary::default()
    };
    let mut with_hits = HashSet::new();
    for set in &sets {
        if cancel.is_cancelled() {
            return Err(KnownError::Cancelled);
        }
        let mut hits = Vec::new();
        let mut scratch = Vec::new();
        for (column, rule) in [
            (Column::Md5, HitRule::Md5),
            (Column::Sha1, HitRule::Sha1),
            (Column::Sha256, HitRule::Sha256),
        ] {
            if column.count(set) == 0 {
                continue;
            }
            let keys = open_keys(ws, &store, set, column)?;
            for item in &media {
                let hash: &[u8] = match column {
                    Column::Md5 => &item.md5.0,
                    Column::Sha1 => &item.sha1.0,
                    _ => &item.sha256.0,
                };
                for e in entries_with(&store, set.id, &keys, column, hash, &mut scratch)? {
                    hits.push(NewHit {
                        media: item.sha256,
                        set_id: set.id,
                        entry_id: e.entry_id,
                        rule,
                        distance: 0,
                        detail: None,
                    });
                }
            }
        }
        if set.pdq_count > 0 && !media.is_empty() {
            let index = load_set_index(ws, &store, set)?;
            let keys = open_keys(ws, &store, set, Column::Pdq)?;
            let mut m = PdqMatcher {
                store: &store,
                index: &index,
                keys: &keys,
                set_id: set.id,
                config,
                entries: HashMap::new(),
                out: Vec::new(),
                scratch: Vec::new(),
            };
            for item in &media {
                if cancel.is_cancelled() {
                    return Err(KnownError::Cancelled);
                }
                m.match_media(item, &mut hits)?;
            }
        }
        for h in &hits {
            *summary
                .by_rule
                .entry(h.rule.as_str().to_owned())
                .or_default() += 1;
            with_hits.insert(h.media);
        }
        summary.hits += hits.len() as u64;
        summary.new_hits += store.record_hits(&hits)?;
    }
    summary.media_with_hits = with_hits.len() as u64;
    summary.seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        media = summary.media,
        sets = summary.sets,
        hits = summary.hits,
        new = summary.new_hits,
        "match run done"
    );
    Ok(summary)
}

/// PDQ matching of media against one set's index.
struct PdqMatcher<'a> {
    store: &'a Store,
    index: &'a PdqIndex,
    keys: &'a KeyFile,
    scratch: Vec<u32>,
    set_id: i64,
    config: &'a MatchConfig,
    /// Index id → entries of the set with that hash and good quality.
    entries: HashMap<u32, Vec<i64>>,
    out: Vec<(u32, u32)>,
}

impl PdqMatcher<'_> {
    /// The set's entries with the indexed hash `id`, quality permitting.
    fn entries_of(&mut self, id: u32) -> Result<&[i64], KnownError> {
        if !self.entries.contains_key(&id) {
            let mut ids = Vec::new();
            if let Some(hash) = self.index.hash(id) {
                for e in entries_with(
                    self.store,
                    self.set_id,
                    self.keys,
                    Column::Pdq,
                    &hash.0,
                    &mut self.scratch,
                )? {
                    if e.pdq_quality.is_none_or(|q| q >= self.config.min_quality) {
                        ids.push(e.entry_id);
                    }
                }
            }
            // Duplicate hashes in a set share entries: keep each once.
            ids.dedup();
            self.entries.insert(id, ids);
        }
        Ok(self.entries.get(&id).map(Vec::as_slice).unwrap_or(&[]))
    }

    /// Entries within the radius of `q`, with distances.
    fn search(&mut self, q: &PdqHash) -> Result<Vec<(i64, u32)>, KnownError> {
        let mut found = std::mem::take(&mut self.out);
        self.index.search(q, self.config.radius, &mut found);
        let mut out = Vec::new();
        for &(id, d) in &found {
            for &e in self.entries_of(id)? {
                out.push((e, d));
            }
        }
        self.out = found;
        Ok(out)
    }

    fn match_media(&mut self, m: &MatchMedia, hits: &mut Vec<NewHit>) -> Result<(), KnownError> {
        let min_q = self.config.min_quality;
        let mut best: BTreeMap<(i64, HitRule), Best> = BTreeMap::new();
        let mut keep = |entry: i64, rule: HitRule, d: u32, detail: Option<serde_json::Value>| {
            let b = best.entry((entry, rule)).or_insert(Best {
                distance: d,
                detail: detail.clone(),
                frames: 0,
                first_ts: None,
                best_ts: None,
            });
            if d < b.distance {
                b.distance = d;
                b.detail = detail;
            }
        };
        if let Some((pdq, q)) = &m.pdq
            && *q >= min_q
        {
            for (e, d) in self.search(pdq)? {
                keep(e, HitRule::Pdq, d, None);
            }
            for (variant, v) in m.dihedral.iter().enumerate() {
                if v == pdq {
                    continue;
                }
                for (e, d) in self.search(v)? {
                    keep(
                        e,
                        HitRule::PdqDihedral,
                        d,
                        Some(serde_json::json!({ "variant": variant })),
                    );
                }
            }
        }
        // A dihedral hit only adds something when the plain PDQ missed.
        let plain: HashSet<i64> = best
            .keys()
            .filter(|(_, r)| *r == HitRule::Pdq)
            .map(|(e, _)| *e)
            .collect();
        best.retain(|(e, r), _| *r != HitRule::PdqDihedral || !plain.contains(e));
        let mut frames: BTreeMap<i64, Best> = BTreeMap::new();
        for (pdq, q, ts) in &m.frames {
            if *q < min_q {
                continue;
            }
            for (e, d) in self.search(pdq)? {
                let b = frames.entry(e).or_insert(Best {
                    distance: d,
                    detail: None,
                    frames: 0,
                    first_ts: *ts,
                    best_ts: *ts,
                });
                b.frames += 1;
                if d < b.distance {
                    b.distance = d;
                    b.best_ts = *ts;
                }
            }
        }
        let total_frames = m.frames.iter().filter(|(_, q, _)| *q >= min_q).count();
        for (e, b) in frames {
            best.insert(
                (e, HitRule::VpdqFrame),
                Best {
                    detail: Some(serde_json::json!({
                        "frames_matched": b.frames,
                        "frames_considered": total_frames,
                        "first_timestamp_s": b.first_ts,
                        "best_timestamp_s": b.best_ts,
                    })),
                    ..b
                },
            );
        }
        for ((entry_id, rule), b) in best {
            hits.push(NewHit {
                media: m.sha256,
                set_id: self.set_id,
                entry_id,
                rule,
                distance: b.distance,
                detail: b.detail,
            });
        }
        Ok(())
    }
}
