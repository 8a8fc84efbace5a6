//! The stable JSON views of evidence items and media (`vidi ls --json`,
//! `vidi show --json`, and later the HTTP API).

use serde::Serialize;
use vidi_types::{EvidenceItem, FileError, FileType, GpsFlag, MediaRecord};

/// GPS position in the evidence view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpsView {
    /// Latitude, decimal degrees.
    pub lat: Option<f64>,
    /// Longitude, decimal degrees.
    pub lon: Option<f64>,
    /// Altitude, metres.
    pub alt: Option<f64>,
}

/// Camera identity in the evidence view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CameraView {
    /// Make.
    pub make: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Body serial number.
    pub serial: Option<String>,
}

/// One evidence item with the facts of its content: the line format of
/// `vidi ls --json`. Field names are a stable interface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceView {
    /// Path as found.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// MD5 hex.
    pub md5: Option<String>,
    /// SHA-1 hex.
    pub sha1: Option<String>,
    /// SHA-256 hex (content id).
    pub sha256: Option<String>,
    /// image, video, audio or other.
    pub kind: &'static str,
    /// MIME type by magic bytes.
    pub mime: Option<String>,
    /// Width in pixels.
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
    /// Duration in seconds.
    pub duration_s: Option<f64>,
    /// PDQ hex (64 chars).
    pub pdq: Option<String>,
    /// PDQ quality 0–100.
    pub pdq_quality: Option<u8>,
    /// Number of vPDQ frames.
    pub vpdq_frames: usize,
    /// GPS position.
    pub gps: Option<GpsView>,
    /// GPS suspicion flags.
    pub gps_flags: Vec<GpsFlag>,
    /// Capture time, ISO 8601.
    pub taken_at: Option<String>,
    /// Camera.
    pub camera: Option<CameraView>,
    /// Error recorded for the item or its content.
    pub error: Option<FileError>,
    /// Case number.
    pub case: String,
    /// Agency code.
    pub agency: String,
    /// regular, symlink or special.
    pub file_type: &'static str,
    /// Symlink target, for symlinks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
    /// Modification time of the file, Unix seconds.
    pub mtime: Option<i64>,
}

impl EvidenceView {
    /// Build the view of an item and its media (if its content was read).
    pub fn new(item: &EvidenceItem, media: Option<&MediaRecord>) -> Self {
        let (file_type, link_target) = match &item.file_type {
            FileType::Regular => ("regular", None),
            FileType::Symlink { target } => ("symlink", Some(target.clone())),
            FileType::Special { .. } => ("special", None),
        };
        let gps = media.and_then(|m| m.metadata.gps.as_ref());
        let camera = media
            .map(|m| &m.metadata.camera)
            .filter(|c| c.make.is_some() || c.model.is_some() || c.serial.is_some());
        EvidenceView {
            path: item.path.clone(),
            size: item.size,
            md5: media.map(|m| m.digests.md5.to_hex()),
            sha1: media.map(|m| m.digests.sha1.to_hex()),
            sha256: item.media.map(|s| s.to_hex()),
            kind: media.map_or("other", |m| m.kind.as_str()),
            mime: media
                .map(|m| m.mime.clone())
                .or_else(|| match &item.file_type {
                    FileType::Symlink { .. } => Some("inode/symlink".into()),
                    FileType::Special { what } => Some(format!("inode/{what}")),
                    FileType::Regular => None,
                }),
            width: media.and_then(|m| m.width),
            height: media.and_then(|m| m.height),
            duration_s: media.and_then(|m| m.duration_s),
            pdq: media.and_then(|m| m.pdq.map(|p| p.hash.to_hex())),
            pdq_quality: media.and_then(|m| m.pdq.map(|p| p.quality)),
            vpdq_frames: media.map_or(0, |m| m.vpdq.len()),
            gps: gps.map(|g| GpsView {
                lat: g.lat,
                lon: g.lon,
                alt: g.alt,
            }),
            gps_flags: gps.map(|g| g.flags.clone()).unwrap_or_default(),
            taken_at: media.and_then(|m| m.metadata.taken_at.clone()),
            camera: camera.map(|c| CameraView {
                make: c.make.clone(),
                model: c.model.clone(),
                serial: c.serial.clone(),
            }),
            error: item
                .error
                .clone()
                .or_else(|| media.and_then(|m| m.error.clone())),
            case: item.case.clone(),
            agency: item.agency.clone(),
            file_type,
            link_target,
            mtime: item.mtime,
        }
    }

    /// One human-readable line for `vidi ls`.
    pub fn line(&self) -> String {
        let id = self
            .sha256
            .as_deref()
            .map_or("-".repeat(16), |s| s[..16].to_string());
        let dims = match (self.width, self.height, self.duration_s) {
            (Some(w), Some(h), Some(d)) => format!("{w}x{h} {d:.1}s"),
            (Some(w), Some(h), None) => format!("{w}x{h}"),
            (_, _, Some(d)) => format!("{d:.1}s"),
            _ => "-".into(),
        };
        let err = self
            .error
            .as_ref()
            .map(|e| format!("  [{}: {}]", e.kind, e.message))
            .unwrap_or_default();
        format!(
            "{id}  {:<5}  {:<14}  {}/{}  {}{err}",
            self.kind, dims, self.agency, self.case, self.path
        )
    }
}

/// `vidi show --json`: a media with every stored fact and every place it
/// was found.
#[derive(Debug, Clone, Serialize)]
pub struct MediaView<'a> {
    /// The full record.
    #[serde(flatten)]
    pub media: &'a MediaRecord,
    /// Evidence items pointing to it.
    pub evidence: &'a [EvidenceItem],
}
