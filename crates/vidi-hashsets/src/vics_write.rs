//! Project VIC / VICS JSON writer: 1.3 and 2.0 hash sets, 2.0 case files.
//!
//! Streaming: the envelope is written at `new`, one Media record per
//! `write` (one line each), and the closing brackets at `finish`.
//!
//! Field mapping (`HashEntry` → Media):
//!
//! | field | 1.3 | 2.0 |
//! |---|---|---|
//! | `source_id` | `MediaID` (a number when it is a plain integer, else a string) | same |
//! | `categories` | `Category`, scheme `vics-us` only | `Category`, scheme `vics-us-2.0` only |
//! | `md5`, `sha1` | `MD5`, `SHA1` (lower-case hex) | same |
//! | `sha256` | not carried | `SHA256` |
//! | `photodna` | `PhotoDNA` string | `PhotoDNA: [{HashName: "PhotoDNA", HashValue}]` |
//! | `pdq`, `pdq_quality` | `PDQ`, `PDQQuality` (vidi extension; other readers ignore unknown keys) | same |
//! | `size` | `MediaSize` (number) | same |
//! | `series` | `Series` | same |
//! | `label` | `Tags: [label]` | same |
//! | `file_name` | `MediaFiles: [{FileName}]` | same |
//! | flags | `VictimIdentified`, `OffenderIdentified`, `IsDistributed` | also `IsSuspected`, `SelfGenerated` |
//!
//! `None` fields are left out. A Media record holds one category: a second
//! one, or one in another scheme, follows the [`CategoryPolicy`]; it is
//! never renumbered into the version's scheme. An entry with none of the
//! hashes the version carries is skipped (`write` gives `Ok(false)`).

use std::io::Write;

use serde::Serialize;

use crate::HashEntry;
use crate::category::Scheme;
use crate::write::{CategoryPolicy, Out, WriteError, WriteStats, select_categories};

/// VICS JSON version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VicsVersion {
    /// VICS 1.3 (`odata.metadata`, categories in `vics-us`).
    V1_3,
    /// VICS 2.0 (`@odata.context`, categories in `vics-us-2.0`).
    V2_0,
}

impl VicsVersion {
    /// The category scheme of this version.
    pub fn scheme(self) -> Scheme {
        match self {
            VicsVersion::V1_3 => Scheme::VicsUs,
            VicsVersion::V2_0 => Scheme::Vics20,
        }
    }
}

/// The header of a VICS 2.0 case file (formats.md's Case fields; the
/// Media count is written at `finish`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseHeader {
    /// `CaseID` (e.g. a GUID); left out when `None`.
    pub case_id: Option<String>,
    /// `CaseNumber`.
    pub case_number: String,
    /// `SourceApplicationName`; left out when `None`.
    pub source_application_name: Option<String>,
    /// `SourceApplicationVersion`; left out when `None`.
    pub source_application_version: Option<String>,
}

impl CaseHeader {
    /// A case header naming vidi (and this crate's version) as the source.
    pub fn new(case_number: impl Into<String>) -> Self {
        Self {
            case_id: None,
            case_number: case_number.into(),
            source_application_name: Some("vidi".into()),
            source_application_version: Some(env!("CARGO_PKG_VERSION").into()),
        }
    }
}

/// What a VICS file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VicsDocument {
    /// A hash set: `value[]` of Media.
    HashSet,
    /// A case file (2.0 only): `value[]` holds one Case with `Media[]`.
    Case(CaseHeader),
}

const CONTEXT_13: &str = "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media";
const CONTEXT_20_MEDIA: &str =
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media";
const CONTEXT_20_CASES: &str =
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases";

/// Streaming VICS JSON writer.
pub struct VicsWriter<W: Write> {
    out: Out<W>,
    version: VicsVersion,
    case: bool,
    policy: CategoryPolicy,
    stats: WriteStats,
    buf: Vec<u8>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum NumOrStr<'a> {
    Num(u64),
    Str(&'a str),
}

impl<'a> NumOrStr<'a> {
    /// A number when `s` is exactly a plain integer (reads back as the same text).
    fn of(s: &'a str) -> Self {
        match s.parse::<u64>() {
            Ok(n) if n.to_string() == s => NumOrStr::Num(n),
            _ => NumOrStr::Str(s),
        }
    }
}

#[derive(Serialize)]
struct HashItem<'a> {
    #[serde(rename = "HashName")]
    name: &'static str,
    #[serde(rename = "HashValue")]
    value: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum PhotoDna<'a> {
    Text(&'a str),
    List([HashItem<'a>; 1]),
}

#[derive(Serialize)]
struct MediaFile<'a> {
    #[serde(rename = "FileName")]
    file_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Media<'a> {
    #[serde(rename = "MediaID", skip_serializing_if = "Option::is_none")]
    media_id: Option<NumOrStr<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<NumOrStr<'a>>,
    #[serde(rename = "MD5", skip_serializing_if = "Option::is_none")]
    md5: Option<String>,
    #[serde(rename = "SHA1", skip_serializing_if = "Option::is_none")]
    sha1: Option<String>,
    #[serde(rename = "SHA256", skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    #[serde(rename = "PhotoDNA", skip_serializing_if = "Option::is_none")]
    photodna: Option<PhotoDna<'a>>,
    #[serde(rename = "PDQ", skip_serializing_if = "Option::is_none")]
    pdq: Option<String>,
    #[serde(rename = "PDQQuality", skip_serializing_if = "Option::is_none")]
    pdq_quality: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    series: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<[&'a str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    victim_identified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offender_identified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_distributed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_suspected: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    self_generated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_files: Option<[MediaFile<'a>; 1]>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CaseOut<'a> {
    #[serde(rename = "CaseID", skip_serializing_if = "Option::is_none")]
    case_id: Option<NumOrStr<'a>>,
    case_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_application_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_application_version: Option<&'a str>,
}

impl<W: Write> VicsWriter<W> {
    /// Start a document: writes the envelope up to the first record.
    /// A case file needs [`VicsVersion::V2_0`] ([`WriteError::CaseNeedsV2`]).
    pub fn new(w: W, version: VicsVersion, document: VicsDocument) -> Result<Self, WriteError> {
        let mut head = Vec::new();
        let (key, context) = match (&document, version) {
            (VicsDocument::Case(_), VicsVersion::V1_3) => return Err(WriteError::CaseNeedsV2),
            (VicsDocument::Case(_), VicsVersion::V2_0) => ("@odata.context", CONTEXT_20_CASES),
            (VicsDocument::HashSet, VicsVersion::V2_0) => ("@odata.context", CONTEXT_20_MEDIA),
            (VicsDocument::HashSet, VicsVersion::V1_3) => ("odata.metadata", CONTEXT_13),
        };
        head.extend_from_slice(b"{\"");
        head.extend_from_slice(key.as_bytes());
        head.extend_from_slice(b"\":\"");
        head.extend_from_slice(context.as_bytes());
        head.extend_from_slice(b"\",\"value\":[");
        if let VicsDocument::Case(c) = &document {
            let case = CaseOut {
                case_id: c.case_id.as_deref().map(NumOrStr::of),
                case_number: &c.case_number,
                source_application_name: c.source_application_name.as_deref(),
                source_application_version: c.source_application_version.as_deref(),
            };
            serde_json::to_writer(&mut head, &case).map_err(WriteError::Json)?;
            // Re-open the case object to append its Media array.
            head.pop();
            head.extend_from_slice(b",\"Media\":[");
        }
        let mut out = Out::new(w);
        out.put(&head)?;
        Ok(Self {
            out,
            version,
            case: matches!(document, VicsDocument::Case(_)),
            policy: CategoryPolicy::default(),
            stats: WriteStats::default(),
            buf: Vec::new(),
        })
    }

    /// Set what happens to categories this version cannot carry.
    pub fn with_category_policy(mut self, policy: CategoryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Write one Media record; `Ok(false)` when the entry has no hash this
    /// version carries (MD5, SHA-1, PhotoDNA, PDQ; and SHA-256 in 2.0).
    pub fn write(&mut self, e: &HashEntry) -> Result<bool, WriteError> {
        let v2 = self.version == VicsVersion::V2_0;
        let sha256 = if v2 { e.sha256 } else { None };
        if e.md5.is_none()
            && e.sha1.is_none()
            && sha256.is_none()
            && e.photodna.is_none()
            && e.pdq.is_none()
        {
            self.stats.skipped += 1;
            return Ok(false);
        }
        let scheme = self.version.scheme();
        let (kept, omitted) =
            select_categories(&e.categories, |c| c.scheme == scheme, 1, self.policy)?;
        let media = Media {
            media_id: e.source_id.as_deref().map(NumOrStr::of),
            category: kept.first().map(|c| NumOrStr::of(&c.code)),
            md5: e.md5.map(|h| h.to_hex()),
            sha1: e.sha1.map(|h| h.to_hex()),
            sha256: sha256.map(|h| h.to_hex()),
            photodna: e.photodna.as_deref().map(|p| {
                if v2 {
                    PhotoDna::List([HashItem {
                        name: "PhotoDNA",
                        value: p,
                    }])
                } else {
                    PhotoDna::Text(p)
                }
            }),
            pdq: e.pdq.map(|h| h.to_hex()),
            pdq_quality: e.pdq.and(e.pdq_quality),
            media_size: e.size,
            series: e.series.as_deref(),
            tags: e.label.as_deref().map(|l| [l]),
            victim_identified: e.flags.victim_identified,
            offender_identified: e.flags.offender_identified,
            is_distributed: e.flags.distributed,
            is_suspected: e.flags.suspected.filter(|_| v2),
            self_generated: e.flags.self_generated.filter(|_| v2),
            media_files: e.file_name.as_deref().map(|f| [MediaFile { file_name: f }]),
        };
        self.buf.clear();
        self.buf.extend_from_slice(if self.stats.written == 0 {
            b"\n"
        } else {
            b",\n"
        });
        serde_json::to_writer(&mut self.buf, &media).map_err(WriteError::Json)?;
        self.out.put(&self.buf)?;
        self.stats.written += 1;
        self.stats.omitted_categories += omitted;
        Ok(true)
    }

    /// Counters so far.
    pub fn stats(&self) -> WriteStats {
        self.stats
    }

    /// Close the arrays and objects (a case gets its `TotalMediaFiles`),
    /// flush, and give back the output.
    pub fn finish(mut self) -> Result<W, WriteError> {
        let tail = if self.case {
            format!("\n],\"TotalMediaFiles\":{}}}]}}\n", self.stats.written)
        } else {
            "\n]}\n".to_owned()
        };
        self.out.put(tail.as_bytes())?;
        self.stats.log_finish("vics");
        self.out.finish()
    }
}

crate::write::entry_writer!(VicsWriter);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, Md5};

    #[test]
    fn case_needs_v2_and_empty_documents_are_valid_json() {
        assert!(matches!(
            VicsWriter::new(
                Vec::new(),
                VicsVersion::V1_3,
                VicsDocument::Case(CaseHeader::new("1"))
            ),
            Err(WriteError::CaseNeedsV2)
        ));
        for (v, d) in [
            (VicsVersion::V1_3, VicsDocument::HashSet),
            (VicsVersion::V2_0, VicsDocument::HashSet),
            (
                VicsVersion::V2_0,
                VicsDocument::Case(CaseHeader::new("C-1")),
            ),
        ] {
            let out = VicsWriter::new(Vec::new(), v, d).unwrap().finish().unwrap();
            let j: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert!(j["value"].is_array());
        }
    }

    #[test]
    fn foreign_scheme_is_never_renumbered() {
        let e = HashEntry {
            md5: Some(Md5([7; 16])),
            categories: vec![Category::new(Scheme::DhsLegacy, "1")],
            ..HashEntry::default()
        };
        let mut w = VicsWriter::new(Vec::new(), VicsVersion::V2_0, VicsDocument::HashSet).unwrap();
        let err = w.write(&e).unwrap_err();
        assert!(matches!(
            err,
            WriteError::Category {
                scheme: Scheme::DhsLegacy,
                ..
            }
        ));
        let mut w = w.with_category_policy(CategoryPolicy::Omit);
        assert!(w.write(&e).unwrap());
        assert_eq!(w.stats().omitted_categories, 1);
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert!(!out.contains("Category"), "{out}");
    }
}
