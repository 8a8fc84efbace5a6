//! Exports of a case's media in the formats agencies exchange: VICS JSON
//! (1.3 hash set, 2.0 case file) and INTERPOL ICSE CSV.
//!
//! Each image, video or audio media (other files are left out) becomes one
//! entry: its MD5, SHA-1, SHA-256 and PDQ, its size
//! and first file name in the case, the categories investigators set on it
//! (the current one per scheme) or, when they set none, the categories of
//! its hash-set hits, and the flags and series its hits carry. A category
//! the format cannot carry (another scheme) is left out and counted, never
//! renumbered into the format's scheme.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use vidi_hashsets::{
    CaseHeader, CategoryPolicy, EntryWriter, HashEntry, IcseCsvWriter, VicsDocument, VicsVersion,
    VicsWriter,
};
use vidi_store::{Store, Workspace};
use vidi_types::Sha256;

use crate::KnownError;
use crate::views::merge_flags;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// VICS JSON of a version: 2.0 writes a case file, 1.3 a hash set.
    Vics(VicsVersion),
    /// INTERPOL ICSE `;` CSV.
    IcseCsv,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// Media of the case.
    pub media: u64,
    /// Entries written.
    pub written: u64,
    /// Media the format had no room for (no hash it carries).
    pub skipped: u64,
    /// Categories left out because the format's scheme differs.
    pub omitted_categories: u64,
}

/// The entries a case exports, by SHA-256 order (deterministic).
pub fn case_entries(ws: &Workspace, case: &str) -> Result<Vec<HashEntry>, KnownError> {
    let store = Store::open(ws)?;
    if store.case_agency(case)?.is_none() {
        return Err(KnownError::NoSuchCase {
            case: case.to_owned(),
        });
    }
    let mut hits = store.hits_by_media(Some(case))?;
    let mut media: BTreeMap<Sha256, HashEntry> = BTreeMap::new();
    for row in store.list_evidence(Some(case))? {
        let (Some(sha), Some(m)) = (row.item.media, row.media) else {
            continue;
        };
        // Pictures, videos and sound are exported; other files of the
        // evidence (documents, archives...) are not media in VICS terms.
        if m.kind == vidi_types::MediaKind::Other {
            continue;
        }
        if media.contains_key(&sha) {
            continue;
        }
        let file_name = std::path::Path::new(&row.item.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let h = hits.remove(&sha).unwrap_or_default();
        let mut categories: Vec<_> = store
            .media_categories(&sha)?
            .into_iter()
            .filter(|c| c.current)
            .map(|c| c.category)
            .collect();
        if categories.is_empty() {
            for hit in &h {
                for c in &hit.categories {
                    if !categories.contains(c) {
                        categories.push(c.clone());
                    }
                }
            }
        }
        media.insert(
            sha,
            HashEntry {
                md5: Some(m.digests.md5),
                sha1: Some(m.digests.sha1),
                sha256: Some(m.digests.sha256),
                pdq: m.pdq.map(|p| p.hash),
                pdq_quality: m.pdq.map(|p| p.quality),
                photodna: None,
                categories,
                series: h.iter().find_map(|x| x.series.clone()),
                flags: merge_flags(&h),
                label: None,
                size: Some(m.size),
                file_name,
                source_id: None,
            },
        );
    }
    Ok(media.into_values().collect())
}

/// Write a case's export to `out`.
pub fn export_case(
    ws: &Workspace,
    case: &str,
    format: ExportFormat,
    out: impl Write,
) -> Result<ExportSummary, KnownError> {
    let entries = case_entries(ws, case)?;
    let written = match format {
        ExportFormat::Vics(version) => {
            let doc = match version {
                VicsVersion::V2_0 => VicsDocument::Case(CaseHeader::new(case)),
                VicsVersion::V1_3 => VicsDocument::HashSet,
            };
            VicsWriter::new(out, version, doc).and_then(|w| {
                w.with_category_policy(CategoryPolicy::Omit)
                    .write_all(&entries)
            })
        }
        ExportFormat::IcseCsv => IcseCsvWriter::new(out).and_then(|w| {
            w.with_category_policy(CategoryPolicy::Omit)
                .write_all(&entries)
        }),
    };
    let (stats, _) = written.map_err(KnownError::Export)?;
    Ok(ExportSummary {
        media: entries.len() as u64,
        written: stats.written,
        skipped: stats.skipped,
        omitted_categories: stats.omitted_categories,
    })
}
