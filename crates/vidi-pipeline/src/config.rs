//! Ingest configuration.

use std::path::PathBuf;
use std::time::Duration;

/// Version of the derived data the pipeline writes. Media stored with an
/// older version are recomputed on the next ingest; bump it whenever an
/// extractor's output changes.
pub const PIPELINE_VERSION: u32 = 1;

/// Everything one ingest run needs to know.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Files and folders to ingest.
    pub roots: Vec<PathBuf>,
    /// Case number the evidence belongs to.
    pub case: String,
    /// Agency code of the case owner.
    pub agency: String,
    /// Compute the 8 dihedral PDQ variants of images.
    pub dihedral: bool,
    /// Write thumbnails to the blob store.
    pub thumbnails: bool,
    /// Worker threads (0 = number of cores).
    pub threads: usize,
    /// Wall-clock budget for decoding one file; past it the file gets a
    /// `timeout` error and the run goes on.
    pub file_budget: Duration,
    /// Files up to this size are read into memory once (hashing and
    /// decoding share the read); larger files are streamed for hashing and
    /// decoded from the path (video) or not at all.
    pub max_in_memory: u64,
    /// Image decoding limits.
    pub image_limits: vidi_media::Limits,
    /// Video limits.
    pub video_limits: vidi_video::VideoLimits,
    /// Number of keyframe thumbnails per video.
    pub keyframes: usize,
}

impl IngestConfig {
    /// A configuration with defaults for everything but the roots and case.
    pub fn new(roots: Vec<PathBuf>, case: impl Into<String>, agency: impl Into<String>) -> Self {
        Self {
            roots,
            case: case.into(),
            agency: agency.into(),
            dihedral: false,
            thumbnails: true,
            threads: 0,
            file_budget: Duration::from_secs(60),
            max_in_memory: 256 * 1024 * 1024,
            image_limits: vidi_media::Limits::default(),
            video_limits: vidi_video::VideoLimits::default(),
            keyframes: 4,
        }
    }
}
