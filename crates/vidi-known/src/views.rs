//! JSON views of hits and categories (`vidi ls --json`, `vidi show --json`,
//! `vidi triage --json`). Field names are a stable interface.

use serde::Serialize;
use vidi_hashsets::EntryFlags;
use vidi_store::{CategoryRecord, HitRow};

/// One hash-set hit of a media, one object per category of the entry
/// (an entry without category gives one object with null scheme, code and
/// label).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitView {
    /// The set's name.
    pub set: String,
    /// The set's id.
    pub set_id: i64,
    /// The entry within the set.
    pub entry_id: i64,
    /// Category scheme (`vics-us`, `vics-us-2.0`, `caid-uk`, `icse-flags`, `nsrl`...).
    pub scheme: Option<&'static str>,
    /// Category code as the list gave it.
    pub code: Option<String>,
    /// The scheme's label for the code.
    pub label: Option<&'static str>,
    /// Rule that matched (`md5`, `sha1`, `sha256`, `pdq`, `pdq-dihedral`, `vpdq-frame`).
    pub rule: &'static str,
    /// Hamming distance (0 for cryptographic rules).
    pub distance: u32,
    /// Series name the list gives.
    pub series: Option<String>,
    /// Publisher flag: victim identified.
    pub victim_identified: Option<bool>,
    /// Publisher flag: offender identified.
    pub offender_identified: Option<bool>,
    /// Publisher flag: distributed.
    pub distributed: Option<bool>,
    /// Rule-specific detail (video frames matched and their times).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl HitView {
    /// The views of one hit (one per category).
    pub fn of(h: &HitRow) -> Vec<HitView> {
        let base = |scheme, code, label| HitView {
            set: h.set_name.clone(),
            set_id: h.set_id,
            entry_id: h.entry_id,
            scheme,
            code,
            label,
            rule: h.rule.as_str(),
            distance: h.distance,
            series: h.series.clone(),
            victim_identified: h.flags.victim_identified,
            offender_identified: h.flags.offender_identified,
            distributed: h.flags.distributed,
            detail: h.detail.clone(),
        };
        if h.categories.is_empty() {
            return vec![base(None, None, None)];
        }
        h.categories
            .iter()
            .map(|c| base(Some(c.scheme.as_str()), Some(c.code.clone()), c.label))
            .collect()
    }

    /// The views of several hits.
    pub fn all(hits: &[HitRow]) -> Vec<HitView> {
        hits.iter().flat_map(HitView::of).collect()
    }
}

/// A category set by an investigator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryView {
    /// Scheme.
    pub scheme: &'static str,
    /// Code.
    pub code: String,
    /// The scheme's label.
    pub label: Option<&'static str>,
    /// Who set it.
    pub set_by: String,
    /// When (UTC).
    pub set_at: String,
    /// Why, if said.
    pub note: Option<String>,
    /// The latest of its scheme on this media.
    pub current: bool,
}

impl CategoryView {
    /// The view of a record.
    pub fn of(r: &CategoryRecord) -> CategoryView {
        CategoryView {
            scheme: r.category.scheme.as_str(),
            code: r.category.code.clone(),
            label: r.category.label,
            set_by: r.set_by.clone(),
            set_at: r.set_at.clone(),
            note: r.note.clone(),
            current: r.current,
        }
    }
}

/// Flags merged over several hits: true if any says true, else false if
/// any says false, else not stated.
pub fn merge_flags(hits: &[HitRow]) -> EntryFlags {
    let merge = |get: fn(&EntryFlags) -> Option<bool>| {
        let vals: Vec<bool> = hits.iter().filter_map(|h| get(&h.flags)).collect();
        if vals.contains(&true) {
            Some(true)
        } else if vals.is_empty() {
            None
        } else {
            Some(false)
        }
    };
    EntryFlags {
        victim_identified: merge(|f| f.victim_identified),
        offender_identified: merge(|f| f.offender_identified),
        distributed: merge(|f| f.distributed),
        suspected: merge(|f| f.suspected),
        self_generated: merge(|f| f.self_generated),
    }
}
