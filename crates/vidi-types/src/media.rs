//! Media (unique content) and evidence items (where content was found).

use serde::{Deserialize, Serialize};

use crate::{Digests, FileError, Metadata, PdqHash, PdqWithQuality, Sha256};

/// What kind of content a media is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// Still image (possibly animated: GIF/WebP/APNG, first frame hashed).
    Image,
    /// Video with or without audio.
    Video,
    /// Audio only.
    Audio,
    /// Anything else (documents, archives, unknown bytes).
    Other,
}

impl MediaKind {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Other => "other",
        }
    }

    /// Parse the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "image" => Self::Image,
            "video" => Self::Video,
            "audio" => Self::Audio,
            "other" => Self::Other,
            _ => return None,
        })
    }
}

/// One vPDQ frame: a PDQ of the frame shown at `timestamp_s`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VpdqFrame {
    /// Index of the decoded frame in the stream (as vPDQ numbers it).
    pub frame_number: u32,
    /// Presentation time in seconds.
    pub timestamp_s: f64,
    /// PDQ hash of the frame.
    pub hash: PdqHash,
    /// PDQ quality of the frame, 0–100.
    pub quality: u8,
}

/// Stream facts about a video (or audio) file, from ffprobe.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoInfo {
    /// Container format name(s) as ffprobe reports them.
    pub container: Option<String>,
    /// Duration in seconds.
    pub duration_s: Option<f64>,
    /// Video codec name.
    pub video_codec: Option<String>,
    /// Audio codec name.
    pub audio_codec: Option<String>,
    /// Coded width.
    pub width: Option<u32>,
    /// Coded height.
    pub height: Option<u32>,
    /// Display rotation in degrees (0, 90, 180, 270).
    pub rotation: i32,
    /// Average frame rate.
    pub fps: Option<f64>,
    /// True when an audio stream is present.
    pub has_audio: bool,
    /// Creation time from container tags (ISO 8601).
    pub creation_time: Option<String>,
}

/// A thumbnail written to the blob store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Blob key (relative path inside the blob folder).
    pub key: String,
    /// Width in pixels (<= 256).
    pub width: u32,
    /// Height in pixels (<= 256).
    pub height: u32,
    /// For video keyframes: the time of the frame. None for stills.
    pub timestamp_s: Option<f64>,
}

/// Everything derived from one unique content (one SHA-256).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaRecord {
    /// MD5, SHA-1, SHA-256.
    pub digests: Digests,
    /// Size in bytes.
    pub size: u64,
    /// Kind by sniffing.
    pub kind: MediaKind,
    /// MIME type by sniffing (magic bytes).
    pub mime: String,
    /// Pixel width (images; video coded width).
    pub width: Option<u32>,
    /// Pixel height.
    pub height: Option<u32>,
    /// Number of frames (animated images; video frames when known).
    pub frame_count: Option<u32>,
    /// Duration in seconds (video, audio).
    pub duration_s: Option<f64>,
    /// PDQ of the (first frame of the) image.
    pub pdq: Option<PdqWithQuality>,
    /// The 8 dihedral PDQ variants, when requested: original, rot90,
    /// rot180, rot270, flipX, flipY, flipPlus1, flipMinus1 (reference order).
    pub pdq_dihedral: Option<Vec<PdqHash>>,
    /// vPDQ frames (video).
    pub vpdq: Vec<VpdqFrame>,
    /// Stream facts (video/audio).
    pub video: Option<VideoInfo>,
    /// Normalised metadata + raw tags.
    pub metadata: Metadata,
    /// Thumbnails written to the blob store.
    pub thumbnails: Vec<Thumbnail>,
    /// The first error that stopped processing, if any (hashes are still
    /// recorded).
    pub error: Option<FileError>,
    /// Version of the ingest pipeline that produced this record.
    pub pipeline_version: u32,
}

impl MediaRecord {
    /// The content id.
    pub fn sha256(&self) -> Sha256 {
        self.digests.sha256
    }
}

/// What kind of directory entry an evidence item is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FileType {
    /// A regular file (content hashed).
    Regular,
    /// A symbolic link, recorded with its target and never followed out of
    /// the given roots.
    Symlink {
        /// The link's target as stored in the link.
        target: String,
    },
    /// A FIFO, socket, or device node: recorded, never opened.
    Special {
        /// "fifo", "socket", "block_device", "char_device" or "unknown".
        what: String,
    },
}

/// One place where content was found: path, times, case, agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// Absolute path as found (lossy UTF-8 for display).
    pub path: String,
    /// Size in bytes from the directory entry.
    pub size: u64,
    /// Modification time, seconds since the Unix epoch.
    pub mtime: Option<i64>,
    /// Status change time, seconds since the Unix epoch.
    pub ctime: Option<i64>,
    /// Access time when ingested, seconds since the Unix epoch.
    pub atime: Option<i64>,
    /// Regular file, symlink or special file.
    pub file_type: FileType,
    /// Case number, e.g. `BE-2024-017`.
    pub case: String,
    /// Agency code, e.g. `BE`.
    pub agency: String,
    /// The content this item points to; None for symlinks, special files
    /// and files that could not be read at all.
    pub media: Option<Sha256>,
    /// An error specific to this item (e.g. unreadable), if any.
    pub error: Option<FileError>,
}
