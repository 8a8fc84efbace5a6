//! Dissemination packages: the approved leads for one target country, as a
//! versioned JSON document plus readable HTML and PDF reports, with a
//! manifest of SHA-256 per part, signed with Ed25519, in one tar file.
//!
//! ```text
//! vidi-package-ES-v3.tar
//!   manifest.json        format, package id, country, version, parts (name, size, sha256)
//!   package.json         the leads (docs/package-format.md documents every field)
//!   report.html          readable report, self-contained
//!   report.pdf           the same as PDF
//!   thumbs/<sha256>.png  redacted thumbnails, only when chosen
//!   signature.json       Ed25519 over every byte of the archive before this member
//! ```
//!
//! [`build`] writes a package; [`verify`] checks it and names every
//! problem; [`open`] reads it back. Nothing here does I/O but
//! [`keys`] (the workspace's signing key) and [`verify_file`].
#![warn(missing_docs)]

pub mod keys;
mod pdf;
pub mod redact;
mod report;
mod tar;

use ed25519_dalek::{Signature, Signer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub use ed25519_dalek::{SigningKey, VerifyingKey};
pub use redact::{Rgb, redacted_png};

/// The `format` field of `package.json` and `manifest.json`.
pub const FORMAT: &str = "vidi-dissemination-package";
/// The version of the format this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Largest package file [`verify_file`] reads.
pub const MAX_PACKAGE_BYTES: u64 = 1 << 30;

/// Errors of building, reading keys and reading files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// A file could not be read or written.
    #[error("I/O error on {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The key file does not hold a key.
    #[error("{path} does not hold an Ed25519 key")]
    BadKeyFile {
        /// The file.
        path: PathBuf,
    },
    /// A public key given as text does not parse.
    #[error("not an Ed25519 public key (expected 64 hexadecimal characters)")]
    BadPublicKey,
    /// The package file is larger than [`MAX_PACKAGE_BYTES`].
    #[error("{path} is larger than {max} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        max: u64,
    },
    /// A thumbnail's size does not match its pixels.
    #[error("thumbnail of {width}x{height} does not match its pixel data")]
    BadImage {
        /// Width given.
        width: u32,
        /// Height given.
        height: u32,
    },
    /// A part name is too long for the archive.
    #[error("part name {name:?} is too long")]
    BadPartName {
        /// The name.
        name: String,
    },
    /// JSON encoding failed.
    #[error("JSON encoding failed")]
    Json(#[from] serde_json::Error),
}

/// A user, by name and agency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// User name.
    pub user: String,
    /// Agency code.
    pub agency: String,
}

/// The `package.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageDoc {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// About the package.
    pub package: PackageInfo,
    /// The approved leads, by id.
    pub leads: Vec<PackageLead>,
}

/// About one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageInfo {
    /// `<country>-v<version>` (e.g. `ES-v3`).
    pub id: String,
    /// ISO 3166-1 alpha-2 code of the receiving country.
    pub country: String,
    /// Counts up per country from 1.
    pub version: u32,
    /// When built (UTC, RFC 3339).
    pub created_at: String,
    /// Who built it.
    pub created_by: Person,
    /// The software that built it (`vidi 0.1.0`).
    pub tool: String,
    /// Whether redacted thumbnails are included.
    pub thumbnails: bool,
    /// The Ed25519 public key that signs it (64 hex characters).
    pub signing_key: String,
}

/// One approved lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageLead {
    /// The lead's id in the sending workspace.
    pub id: i64,
    /// `victim`, `offender` or `place`.
    pub subject: String,
    /// ISO 3166-1 alpha-2 code.
    pub target_country: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Who wrote it.
    pub author: Person,
    /// When it was created.
    pub created_at: String,
    /// The reviewer who approved it.
    pub approved_by: Option<Person>,
    /// When.
    pub approved_at: Option<String>,
    /// The reviewer's note.
    pub review_note: Option<String>,
    /// Supporting media.
    pub media: Vec<PackageMedia>,
    /// Supporting clues.
    pub clues: Vec<PackageClue>,
    /// Every workflow step.
    pub history: Vec<HistoryStep>,
}

/// A supporting media: hashes and a few facts, never the content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageMedia {
    /// SHA-256 (hex).
    pub sha256: String,
    /// MD5 (hex).
    pub md5: Option<String>,
    /// SHA-1 (hex).
    pub sha1: Option<String>,
    /// PDQ (hex), images only.
    pub pdq: Option<String>,
    /// `image`, `video`, `audio`, `other`.
    pub kind: Option<String>,
    /// MIME type.
    pub mime: Option<String>,
    /// Size in bytes.
    pub size: Option<u64>,
    /// Width in pixels.
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
    /// Duration in seconds (videos).
    pub duration_s: Option<f64>,
    /// The part holding its redacted thumbnail (`thumbs/<sha256>.png`).
    pub thumbnail: Option<String>,
}

/// A supporting clue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageClue {
    /// The clue's id in the sending workspace.
    pub id: i64,
    /// The media it is about (SHA-256 hex).
    pub media: String,
    /// Kind (`gps_place`, `text`, `spoken_language`...).
    pub kind: String,
    /// Value.
    pub value: String,
    /// 0 to 1.
    pub confidence: f64,
    /// Extractor id (`manual` for investigators' clues).
    pub extractor: String,
    /// Extractor version.
    pub version: i64,
    /// Box in pixels `{"x","y","w","h"}`, when about a region.
    pub region: Option<serde_json::Value>,
    /// `[start, end]` in seconds, when about a stretch of video.
    pub time_range: Option<serde_json::Value>,
}

/// One workflow step of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryStep {
    /// When (UTC).
    pub at: String,
    /// Who.
    pub user: String,
    /// Their agency.
    pub agency: String,
    /// `create`, `edit`, `submit`, `approve`, `reject`, `disseminate`.
    pub action: String,
    /// State before.
    pub from: Option<String>,
    /// State after.
    pub to: String,
    /// Note.
    pub note: Option<String>,
}

/// One part in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartEntry {
    /// Member name in the archive.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 (hex).
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Package id.
    pub package_id: String,
    /// Receiving country.
    pub country: String,
    /// Version.
    pub version: u32,
    /// When built.
    pub created_at: String,
    /// Every other part except `signature.json`, in archive order.
    pub parts: Vec<PartEntry>,
}

/// `signature.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureFile {
    algorithm: String,
    public_key: String,
    signed: String,
    signature: String,
}

const SIGNED_WHAT: &str = "all archive bytes before this member";

fn sha_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

pub(crate) fn hex(b: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(H[usize::from(x >> 4)] as char);
        s.push(H[usize::from(x & 15)] as char);
    }
    s
}

pub(crate) fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let b = s.as_bytes();
    if b.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        let d = |c: u8| (c as char).to_digit(16);
        *o = u8::try_from(d(b[2 * i])? * 16 + d(b[2 * i + 1])?).ok()?;
    }
    Some(out)
}

/// A redacted thumbnail to include for a media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumb {
    /// The media's SHA-256 (hex).
    pub sha256: String,
    /// The picture to redact.
    pub image: Rgb,
}

/// The standard file name of a package.
pub fn file_name(country: &str, version: u32) -> String {
    format!("vidi-package-{country}-v{version}.tar")
}

/// Build a package. `doc.package.signing_key` is set from `key`;
/// thumbnails are included (and `media.thumbnail` set) only when
/// `doc.package.thumbnails` is true. Deterministic for the same input.
pub fn build(
    doc: &PackageDoc,
    thumbs: &[Thumb],
    key: &SigningKey,
) -> Result<Vec<u8>, PackageError> {
    let mut doc = doc.clone();
    doc.format = FORMAT.to_owned();
    doc.format_version = FORMAT_VERSION;
    doc.package.signing_key = hex(key.verifying_key().as_bytes());
    let mut thumb_parts: Vec<(String, Vec<u8>)> = Vec::new();
    if doc.package.thumbnails {
        for t in thumbs {
            let name = format!("thumbs/{}.png", t.sha256);
            if thumb_parts.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let png = redacted_png(&t.image)?;
            for l in &mut doc.leads {
                for m in &mut l.media {
                    if m.sha256 == t.sha256 {
                        m.thumbnail = Some(name.clone());
                    }
                }
            }
            thumb_parts.push((name, png));
        }
    } else {
        for l in &mut doc.leads {
            for m in &mut l.media {
                m.thumbnail = None;
            }
        }
    }
    let mut json = serde_json::to_vec_pretty(&doc)?;
    json.push(b'\n');
    let mut parts = vec![
        ("package.json".to_owned(), json),
        ("report.html".to_owned(), report::html(&doc).into_bytes()),
        ("report.pdf".to_owned(), report::pdf(&doc)),
    ];
    parts.extend(thumb_parts);
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        package_id: doc.package.id.clone(),
        country: doc.package.country.clone(),
        version: doc.package.version,
        created_at: doc.package.created_at.clone(),
        parts: parts
            .iter()
            .map(|(name, data)| PartEntry {
                name: name.clone(),
                size: data.len() as u64,
                sha256: sha_hex(data),
            })
            .collect(),
    };
    let mut mjson = serde_json::to_vec_pretty(&manifest)?;
    mjson.push(b'\n');
    let mut w = tar::TarWriter::default();
    let add = |w: &mut tar::TarWriter, name: &str, data: &[u8]| {
        w.add(name, data).ok_or_else(|| PackageError::BadPartName {
            name: name.to_owned(),
        })
    };
    add(&mut w, "manifest.json", &mjson)?;
    for (name, data) in &parts {
        add(&mut w, name, data)?;
    }
    let sig = key.sign(w.bytes());
    let sf = signature_json(&doc.package.signing_key, &sig);
    add(&mut w, "signature.json", &sf)?;
    Ok(w.finish())
}

fn signature_json(public_key: &str, sig: &Signature) -> Vec<u8> {
    let sf = SignatureFile {
        algorithm: "ed25519".to_owned(),
        public_key: public_key.to_owned(),
        signed: SIGNED_WHAT.to_owned(),
        signature: hex(&sig.to_bytes()),
    };
    let mut v = serde_json::to_vec_pretty(&sf).unwrap_or_default();
    v.push(b'\n');
    v
}

/// Something wrong with a package, as [`verify`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// The archive structure is damaged at this byte offset.
    Malformed {
        /// Byte offset.
        offset: u64,
        /// What is wrong.
        what: &'static str,
    },
    /// A required member is missing.
    MissingMember {
        /// Its name.
        name: String,
    },
    /// A member is not listed in the manifest (or listed twice).
    UnexpectedMember {
        /// Its name.
        name: String,
    },
    /// A part's content does not match the manifest.
    PartMismatch {
        /// The part.
        name: String,
    },
    /// `manifest.json`, `signature.json` or `package.json` does not parse.
    BadJson {
        /// The member.
        name: String,
    },
    /// A format version this code does not know.
    UnsupportedVersion {
        /// The version found.
        found: u32,
    },
    /// The package's document disagrees with its manifest.
    Inconsistent {
        /// What disagrees.
        what: &'static str,
    },
    /// The signature does not verify: the archive was changed after signing.
    BadSignature,
    /// The signature is valid but made with another key than the trusted one.
    UntrustedKey {
        /// The key found in the package (hex).
        found: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Malformed { offset, what } => {
                write!(f, "damaged archive at byte {offset}: {what}")
            }
            Problem::MissingMember { name } => write!(f, "part {name} is missing"),
            Problem::UnexpectedMember { name } => {
                write!(f, "part {name} is not in the manifest (or appears twice)")
            }
            Problem::PartMismatch { name } => {
                write!(f, "part {name} does not match its SHA-256 in the manifest")
            }
            Problem::BadJson { name } => write!(f, "{name} is not valid"),
            Problem::UnsupportedVersion { found } => {
                write!(
                    f,
                    "format version {found} is not supported (this vidi reads {FORMAT_VERSION})"
                )
            }
            Problem::Inconsistent { what } => {
                write!(f, "package.json disagrees with the manifest: {what}")
            }
            Problem::BadSignature => {
                write!(
                    f,
                    "the Ed25519 signature does not verify: the file was changed after signing"
                )
            }
            Problem::UntrustedKey { found } => {
                write!(f, "signed with key {found}, not with the trusted key given")
            }
        }
    }
}

/// The result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
    /// The signing public key found in the package (hex).
    pub public_key: Option<String>,
    /// Whether a trusted key was given and matched.
    pub key_checked: bool,
    /// Every problem found; empty when the package is intact.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Check a package: archive structure, every part against the manifest,
/// the signature over the whole archive, and (when given) that the signing
/// key is the trusted one.
pub fn verify(bytes: &[u8], trusted: Option<&VerifyingKey>) -> VerifyReport {
    let mut r = VerifyReport {
        manifest: None,
        public_key: None,
        key_checked: false,
        problems: Vec::new(),
    };
    let members = match tar::read(bytes) {
        Ok(m) => m,
        Err(p) => {
            r.problems.push(p);
            return r;
        }
    };
    let find = |n: &str| members.iter().find(|m| m.name == n);
    // Manifest first, signature last, nothing else around them.
    let manifest = match members.first() {
        Some(m) if m.name == "manifest.json" => match serde_json::from_slice::<Manifest>(m.data) {
            Ok(man) => Some(man),
            Err(_) => {
                r.problems.push(Problem::BadJson {
                    name: "manifest.json".into(),
                });
                None
            }
        },
        _ => {
            r.problems.push(Problem::MissingMember {
                name: "manifest.json".into(),
            });
            None
        }
    };
    if let Some(man) = &manifest {
        if man.format != FORMAT {
            r.problems.push(Problem::Inconsistent { what: "format" });
        }
        if man.format_version != FORMAT_VERSION {
            r.problems.push(Problem::UnsupportedVersion {
                found: man.format_version,
            });
        }
        for e in &man.parts {
            match find(&e.name) {
                None => r.problems.push(Problem::MissingMember {
                    name: e.name.clone(),
                }),
                Some(m) => {
                    if m.data.len() as u64 != e.size || sha_hex(m.data) != e.sha256 {
                        r.problems.push(Problem::PartMismatch {
                            name: e.name.clone(),
                        });
                    }
                }
            }
        }
        let inner = members.len().saturating_sub(2);
        for (i, m) in members.iter().enumerate().skip(1).take(inner) {
            let listed = man.parts.iter().filter(|e| e.name == m.name).count() == 1;
            let first = members.iter().position(|x| x.name == m.name) == Some(i);
            if !listed || !first {
                r.problems.push(Problem::UnexpectedMember {
                    name: m.name.to_owned(),
                });
            }
        }
        for required in ["package.json", "report.html", "report.pdf"] {
            if !man.parts.iter().any(|e| e.name == required) {
                r.problems.push(Problem::MissingMember {
                    name: required.into(),
                });
            }
        }
        check_doc(man, find("package.json").map(|m| m.data), &mut r.problems);
    }
    r.manifest = manifest;
    match members.last() {
        Some(m) if m.name == "signature.json" && members.len() > 1 => {
            check_signature(bytes, m, trusted, &mut r);
        }
        _ => r.problems.push(Problem::MissingMember {
            name: "signature.json".into(),
        }),
    }
    r
}

fn check_doc(man: &Manifest, data: Option<&[u8]>, problems: &mut Vec<Problem>) {
    let Some(data) = data else { return };
    let Ok(doc) = serde_json::from_slice::<PackageDoc>(data) else {
        problems.push(Problem::BadJson {
            name: "package.json".into(),
        });
        return;
    };
    if doc.package.id != man.package_id
        || doc.package.country != man.country
        || doc.package.version != man.version
    {
        problems.push(Problem::Inconsistent {
            what: "package id, country or version",
        });
    }
}

fn check_signature(
    bytes: &[u8],
    m: &tar::Member<'_>,
    trusted: Option<&VerifyingKey>,
    r: &mut VerifyReport,
) {
    let bad_json = || Problem::BadJson {
        name: "signature.json".into(),
    };
    let Ok(sf) = serde_json::from_slice::<SignatureFile>(m.data) else {
        r.problems.push(bad_json());
        return;
    };
    let key = unhex::<32>(&sf.public_key).and_then(|k| VerifyingKey::from_bytes(&k).ok());
    let sig = unhex::<64>(&sf.signature).map(|s| Signature::from_bytes(&s));
    let (Some(key), Some(sig)) = (key, sig) else {
        r.problems.push(bad_json());
        return;
    };
    r.public_key = Some(sf.public_key.clone());
    // The member must be exactly what the writer produces.
    if sf.algorithm != "ed25519"
        || sf.signed != SIGNED_WHAT
        || signature_json(&hex(key.as_bytes()), &sig) != m.data
    {
        r.problems.push(bad_json());
    }
    let signed = bytes.get(..m.offset).unwrap_or_default();
    if key.verify_strict(signed, &sig).is_err() {
        r.problems.push(Problem::BadSignature);
    }
    if let Some(t) = trusted {
        if t.as_bytes() == key.as_bytes() {
            r.key_checked = true;
        } else {
            r.problems.push(Problem::UntrustedKey {
                found: sf.public_key,
            });
        }
    }
}

/// A package read back after a successful [`verify`].
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedPackage {
    /// The verification report (always ok).
    pub report: VerifyReport,
    /// `package.json`.
    pub doc: PackageDoc,
    /// Every part by name (manifest order).
    pub parts: Vec<(String, Vec<u8>)>,
}

/// Verify and read a package; the problems when it does not verify.
pub fn open(bytes: &[u8], trusted: Option<&VerifyingKey>) -> Result<OpenedPackage, Vec<Problem>> {
    let report = verify(bytes, trusted);
    if !report.is_ok() {
        return Err(report.problems);
    }
    let members = tar::read(bytes).map_err(|p| vec![p])?;
    let mut parts = Vec::new();
    let mut doc = None;
    for m in &members[1..members.len().saturating_sub(1)] {
        if m.name == "package.json" {
            doc = serde_json::from_slice::<PackageDoc>(m.data).ok();
        }
        parts.push((m.name.to_owned(), m.data.to_vec()));
    }
    let doc = doc.ok_or_else(|| {
        vec![Problem::MissingMember {
            name: "package.json".into(),
        }]
    })?;
    Ok(OpenedPackage { report, doc, parts })
}

/// Read a package file (at most [`MAX_PACKAGE_BYTES`]) and [`verify`] it.
pub fn verify_file(
    path: &Path,
    trusted: Option<&VerifyingKey>,
) -> Result<VerifyReport, PackageError> {
    use std::io::Read;
    let io = |source| PackageError::Io {
        path: path.to_path_buf(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    f.take(MAX_PACKAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_PACKAGE_BYTES {
        return Err(PackageError::TooLarge {
            path: path.to_path_buf(),
            max: MAX_PACKAGE_BYTES,
        });
    }
    Ok(verify(&bytes, trusted))
}
