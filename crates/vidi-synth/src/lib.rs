//! Synthetic benign dataset generator for the demo, tests and benchmarks:
//! drawn scenes, signs, EXIF GPS, videos with espeak-ng audio.
//!
//! Everything is drawn by this crate (rooms, landscapes, streets, signs with
//! text in several scripts); nothing shows people. Output is deterministic
//! for a given seed, except for what ffmpeg's encoders produce (run
//! single-threaded with bit-exact flags, which in practice is deterministic
//! too).
//!
//! - [`generate_demo`] builds a small multi-agency dataset with a manifest
//!   describing every file and the ground truth behind it (GPS, camera,
//!   text and language, near-duplicate relations).
//! - [`generate_bench_corpus`] builds a large photo-like corpus for
//!   benchmarks.
#![warn(missing_docs)]

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

mod bench;
mod canvas;
mod demo;
mod demo_media;
mod encode;
mod error;
mod exif;
mod plan;
mod rng;
mod room;
mod scenes;
mod text;
mod tools;

pub use bench::generate_bench_corpus;
pub use demo::generate_demo;
pub use error::SynthError;
pub use tools::tools_available;

/// What to generate for the demo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoSpec {
    /// Seed of every random choice; the same seed gives the same files.
    pub seed: u64,
    /// Number of original photos per case (at least as many as the case has
    /// signs; variants and extra formats come on top).
    pub images_per_case: usize,
    /// Make videos (needs ffmpeg).
    pub videos: bool,
    /// Make speech (needs espeak-ng): video soundtracks and audio files.
    pub audio: bool,
    /// Width of the generated photos.
    pub width: u32,
    /// Height of the generated photos.
    pub height: u32,
}

impl Default for DemoSpec {
    /// A modest size: the whole demo takes about a minute to generate and
    /// ingest.
    fn default() -> Self {
        Self {
            seed: 2024,
            images_per_case: 4,
            videos: true,
            audio: true,
            width: 1024,
            height: 768,
        }
    }
}

/// What [`generate_demo`] wrote. Also saved as `root/manifest.json`
/// (read it back with `serde_json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoManifest {
    /// The output folder (absolute when the caller's path was absolute).
    pub root: PathBuf,
    /// Agencies and their cases, in a stable order.
    pub agencies: Vec<AgencyDemo>,
    /// Every file written (except the manifest itself), in a stable order.
    pub files: Vec<DemoFile>,
    /// What was skipped and why (missing ffmpeg, espeak-ng, a font...).
    pub notes: Vec<String>,
}

/// One agency of the demo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgencyDemo {
    /// Agency code, e.g. `BE`.
    pub agency: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// The agency's cases.
    pub cases: Vec<CaseDemo>,
}

/// One case of the demo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDemo {
    /// Case number, e.g. `BE-2024-017`.
    pub case: String,
    /// The folder holding the case's files.
    pub dir: PathBuf,
}

/// One generated file and the ground truth behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoFile {
    /// Path of the file (under the manifest's root).
    pub path: PathBuf,
    /// Agency code.
    pub agency: String,
    /// Case number.
    pub case: String,
    /// What the file is.
    pub kind: vidi_types::MediaKind,
    /// What it shows: `room`, `street`, `mountains`, `sea`, `lake`,
    /// `fields`, or for special files `truncated`, `corrupt`, `text`.
    pub scene: String,
    /// GPS written into the file (EXIF or container `location`): latitude,
    /// longitude, altitude in metres, exactly as a reader decodes them.
    pub gps: Option<(f64, f64, Option<f64>)>,
    /// Camera written into EXIF: make, model, body serial number.
    pub camera: Option<(String, String, String)>,
    /// Capture time written into the file, ISO 8601 with offset.
    pub taken_at: Option<String>,
    /// The file this one is a variant of.
    pub variant_of: Option<PathBuf>,
    /// How it was derived: `resized`, `recompressed`, `cropped`, `mirrored`,
    /// `captioned`, `frame_of_video` or `exact_copy` (byte-identical).
    pub variant: Option<String>,
    /// Text visible in the image (lines separated by `\n`).
    pub text: Option<String>,
    /// Language of that text, ISO 639-1.
    pub text_lang: Option<String>,
    /// Language spoken in the audio track, ISO 639-1.
    pub speech_lang: Option<String>,
    /// What is spoken.
    pub speech_text: Option<String>,
    /// Pixel size of images and videos.
    pub size: Option<(u32, u32)>,
    /// For a `frame_of_video` still: the time of the frame in the video,
    /// in seconds.
    pub video_time_s: Option<f64>,
}

/// What to generate for benchmarks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchSpec {
    /// Number of JPEG photos.
    pub photos: usize,
    /// Smallest photo, in megapixels.
    pub min_mp: f64,
    /// Largest photo, in megapixels.
    pub max_mp: f64,
    /// Number of videos (needs ffmpeg; skipped without it).
    pub videos: usize,
    /// Length of each video.
    pub video_seconds: u32,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for BenchSpec {
    fn default() -> Self {
        Self {
            photos: 2000,
            min_mp: 1.0,
            max_mp: 12.0,
            videos: 20,
            video_seconds: 10,
            seed: 7,
        }
    }
}
