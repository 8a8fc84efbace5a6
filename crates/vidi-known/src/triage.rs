//! Triage of a case: what is known (and whether its victim is identified),
//! what is known non-pertinent software, and what is new, with the links
//! of the new media to the rest of the workspace.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use vidi_hashsets::Scheme;
use vidi_index::PdqIndex;
use vidi_store::{HitRow, Store, Workspace};
use vidi_types::{PdqHash, Sha256};

use crate::KnownError;
use crate::matching::{DEFAULT_MIN_QUALITY, DEFAULT_RADIUS};
use crate::views::{CategoryView, HitView, merge_flags};

/// How a media of the case stands against the known material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Matched a set that says its victim is identified.
    KnownIdentified,
    /// Matched a set (not only NSRL) that does not say the victim is identified.
    KnownUnidentified,
    /// Matched only known-software sets (NSRL): non-pertinent.
    KnownNonPertinent,
    /// Matched nothing.
    New,
}

/// Counts of one category over the case's media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryCount {
    /// `hashset` (from a set's entry) or `investigator` (set in vidi).
    pub source: &'static str,
    /// Scheme.
    pub scheme: &'static str,
    /// Code.
    pub code: String,
    /// The scheme's label.
    pub label: Option<&'static str>,
    /// Media of the case with this category.
    pub media: u64,
}

/// A link of a new media to another place in the workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriageLink {
    /// `same-file` (same SHA-256 elsewhere) or `pdq` (near duplicate).
    pub kind: &'static str,
    /// The other media.
    pub sha256: String,
    /// Hamming distance for `pdq` links.
    pub distance: Option<u32>,
    /// Case of the other evidence item.
    pub case: String,
    /// Agency of that case.
    pub agency: String,
    /// Path of that evidence item.
    pub path: String,
}

/// A media of the case with its status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriageMedia {
    /// SHA-256.
    pub sha256: String,
    /// Kind (`image`, `video`...).
    pub kind: &'static str,
    /// Status.
    pub status: Status,
    /// Paths of the case's evidence items holding it.
    pub paths: Vec<String>,
    /// Hash-set hits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hits: Vec<HitView>,
    /// Categories set by investigators.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CategoryView>,
    /// Links to other cases (new media only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<TriageLink>,
}

/// Media counts by hash-set flag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FlagCounts {
    /// Media whose hits say the victim is identified.
    pub victim_identified: u64,
    /// Media whose hits say the offender is identified.
    pub offender_identified: u64,
    /// Media whose hits say the file is distributed.
    pub distributed: u64,
}

/// The triage of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Triage {
    /// The case.
    pub case: String,
    /// Its agency.
    pub agency: String,
    /// Evidence items of the case.
    pub evidence: u64,
    /// Distinct media of the case.
    pub media: u64,
    /// Media by status.
    pub by_status: BTreeMap<Status, u64>,
    /// Media by category, hash-set and investigator categories apart.
    pub by_category: Vec<CategoryCount>,
    /// Media by hash-set flag.
    pub flags: FlagCounts,
    /// Series named by hash sets, with their media count.
    pub series: BTreeMap<String, u64>,
    /// Every media of the case, known first, then new.
    pub items: Vec<TriageMedia>,
}

/// A media of the case: kind, paths, PDQ with quality.
struct CaseMedia {
    kind: &'static str,
    paths: Vec<String>,
    pdq: Option<(PdqHash, u8)>,
}

/// (source, scheme, code) of a category count.
type CategoryKey = (&'static str, &'static str, String);

fn status_of(hits: &[HitRow]) -> Status {
    if hits.is_empty() {
        return Status::New;
    }
    let software = |h: &HitRow| {
        !h.categories.is_empty() && h.categories.iter().all(|c| c.scheme == Scheme::Nsrl)
    };
    let pertinent: Vec<&HitRow> = hits.iter().filter(|h| !software(h)).collect();
    if pertinent.is_empty() {
        return Status::KnownNonPertinent;
    }
    if pertinent
        .iter()
        .any(|h| h.flags.victim_identified == Some(true))
    {
        Status::KnownIdentified
    } else {
        Status::KnownUnidentified
    }
}

/// Triage one case.
pub fn triage(ws: &Workspace, case: &str) -> Result<Triage, KnownError> {
    let store = Store::open(ws)?;
    let agency = store
        .case_agency(case)?
        .ok_or_else(|| KnownError::NoSuchCase {
            case: case.to_owned(),
        })?;
    let rows = store.list_evidence(Some(case))?;
    let mut hits = store.hits_by_media(Some(case))?;
    // Media of the case, with their paths and kinds.
    let mut media: BTreeMap<Sha256, CaseMedia> = BTreeMap::new();
    for row in &rows {
        if let (Some(sha), Some(m)) = (row.item.media, &row.media) {
            let e = media.entry(sha).or_insert(CaseMedia {
                kind: m.kind.as_str(),
                paths: Vec::new(),
                pdq: m.pdq.map(|p| (p.hash, p.quality)),
            });
            e.paths.push(row.item.path.clone());
        }
    }
    // Near duplicates across the workspace, for the links of new media.
    let all = store.media_for_matching(None)?;
    let pdq_media: Vec<(Sha256, PdqHash)> = all
        .iter()
        .filter_map(|m| {
            m.pdq
                .filter(|(_, q)| *q >= DEFAULT_MIN_QUALITY)
                .map(|(h, _)| (m.sha256, h))
        })
        .collect();
    let hashes: Vec<PdqHash> = pdq_media.iter().map(|(_, h)| *h).collect();
    let index = PdqIndex::build(&hashes);

    let mut by_status: BTreeMap<Status, u64> = BTreeMap::new();
    let mut cat_counts: BTreeMap<CategoryKey, (Option<&'static str>, BTreeSet<Sha256>)> =
        BTreeMap::new();
    let mut flags = FlagCounts::default();
    let mut series: BTreeMap<String, BTreeSet<Sha256>> = BTreeMap::new();
    let mut items = Vec::new();
    let mut found = Vec::new();
    for (sha, CaseMedia { kind, paths, pdq }) in &media {
        let h = hits.remove(sha).unwrap_or_default();
        let status = status_of(&h);
        *by_status.entry(status).or_default() += 1;
        for hit in &h {
            for c in &hit.categories {
                cat_counts
                    .entry(("hashset", c.scheme.as_str(), c.code.clone()))
                    .or_insert((c.label, BTreeSet::new()))
                    .1
                    .insert(*sha);
            }
            if let Some(s) = &hit.series {
                series.entry(s.clone()).or_default().insert(*sha);
            }
        }
        let f = merge_flags(&h);
        flags.victim_identified += u64::from(f.victim_identified == Some(true));
        flags.offender_identified += u64::from(f.offender_identified == Some(true));
        flags.distributed += u64::from(f.distributed == Some(true));
        let categories: Vec<CategoryView> = store
            .media_categories(sha)?
            .iter()
            .map(CategoryView::of)
            .collect();
        for c in categories.iter().filter(|c| c.current) {
            cat_counts
                .entry(("investigator", c.scheme, c.code.clone()))
                .or_insert((c.label, BTreeSet::new()))
                .1
                .insert(*sha);
        }
        let mut links = Vec::new();
        if status == Status::New {
            for e in store.evidence_for_media(sha)? {
                if e.case != case {
                    links.push(TriageLink {
                        kind: "same-file",
                        sha256: sha.to_hex(),
                        distance: None,
                        case: e.case,
                        agency: e.agency,
                        path: e.path,
                    });
                }
            }
            if let Some((p, q)) = pdq
                && *q >= DEFAULT_MIN_QUALITY
            {
                index.search(p, DEFAULT_RADIUS, &mut found);
                for &(id, d) in &found {
                    let Some((other, _)) = pdq_media.get(id as usize) else {
                        continue;
                    };
                    if other == sha {
                        continue;
                    }
                    for e in store.evidence_for_media(other)? {
                        links.push(TriageLink {
                            kind: "pdq",
                            sha256: other.to_hex(),
                            distance: Some(d),
                            case: e.case,
                            agency: e.agency,
                            path: e.path,
                        });
                    }
                }
            }
        }
        items.push(TriageMedia {
            sha256: sha.to_hex(),
            kind,
            status,
            paths: paths.clone(),
            hits: HitView::all(&h),
            categories,
            links,
        });
    }
    items.sort_by(|a, b| (a.status, &a.sha256).cmp(&(b.status, &b.sha256)));
    let by_category = cat_counts
        .into_iter()
        .map(|((source, scheme, code), (label, set))| CategoryCount {
            source,
            scheme,
            code,
            label,
            media: set.len() as u64,
        })
        .collect();
    Ok(Triage {
        case: case.to_owned(),
        agency,
        evidence: rows.len() as u64,
        media: media.len() as u64,
        by_status,
        by_category,
        flags,
        series: series
            .into_iter()
            .map(|(k, v)| (k, v.len() as u64))
            .collect(),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vidi_hashsets::{Category, EntryFlags};
    use vidi_store::HitRule;

    fn hit(cats: Vec<Category>, victim: Option<bool>) -> HitRow {
        HitRow {
            media: Sha256([0; 32]),
            set_id: 1,
            set_name: "s".into(),
            entry_id: 1,
            rule: HitRule::Md5,
            distance: 0,
            detail: None,
            categories: cats,
            flags: EntryFlags {
                victim_identified: victim,
                ..EntryFlags::default()
            },
            series: None,
            matched_at: String::new(),
        }
    }

    #[test]
    fn status_rules() {
        assert_eq!(status_of(&[]), Status::New);
        let nsrl = Category::new(Scheme::Nsrl, "known");
        assert_eq!(
            status_of(&[hit(vec![nsrl.clone()], None)]),
            Status::KnownNonPertinent
        );
        let cam = Category::new(Scheme::Vics20, "1");
        assert_eq!(
            status_of(&[hit(vec![cam.clone()], None)]),
            Status::KnownUnidentified
        );
        assert_eq!(
            status_of(&[
                hit(vec![nsrl], Some(true)),
                hit(vec![cam.clone()], Some(false))
            ]),
            Status::KnownUnidentified
        );
        assert_eq!(
            status_of(&[hit(vec![cam], Some(true))]),
            Status::KnownIdentified
        );
        // A hit without category (plain list) is known, not software.
        assert_eq!(status_of(&[hit(vec![], None)]), Status::KnownUnidentified);
    }
}
