//! Clues: what a media says about where it was made and which language is
//! spoken or written in it, each with its confidence and provenance, and
//! the location hypotheses they add up to.
//!
//! A [`ClueExtractor`] has an id and a version, names the model it used
//! (manifest name and content SHA-256), and turns one media into typed
//! [`Clue`]s, each with a confidence, a region (box) or time range where it
//! applies, and details. A caller reruns an extractor on a media only when
//! its version or model changed ([`ClueExtractor::fingerprint`]).
//! [`locate`] rolls clues up into ranked country hypotheses that list the
//! evidence behind them and how much each weighed.
//!
//! Extractors: `gps`, `camera`, `ocr` (tesseract, plus PP-OCR when its
//! models are installed), `speech`, `scene` (indoor/outdoor,
//! landscape, building, shop and room type from the ImageNet backbone,
//! [`scene`]) and `geoclip` (country from the image content with GeoCLIP's
//! heads and gallery, [`geoclip`]; needs the user-supplied CLIP ViT-L/14
//! backbone).
#![warn(missing_docs)]

mod camera;
pub mod geoclip;
mod gps;
mod locate;
mod ocr;
pub mod scene;
mod speech;

use std::path::Path;

use serde::{Deserialize, Serialize};
use vidi_types::{Cancel, MediaKind, MediaRecord};

pub use camera::CameraExtractor;
pub use geoclip::GeoClipExtractor;
pub use gps::GpsExtractor;
pub use locate::{Evidence, Hypothesis, Weights, locate};
pub use ocr::OcrExtractor;
pub use scene::SceneExtractor;
pub use speech::SpeechExtractor;

/// What a clue is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClueKind {
    /// GPS position resolved to a place; `value` is the ISO 3166-1 country.
    GpsPlace,
    /// Camera make and model; `value` is `make / model`.
    Camera,
    /// Camera body serial number; a link key across cases.
    CameraSerial,
    /// UTC offset recorded with the capture time; `value` like `+02:00`.
    UtcOffset,
    /// Text read in the image; `value` is the text.
    Text,
    /// Language of written text; `value` is ISO 639-1.
    TextLanguage,
    /// Language spoken; `value` is ISO 639-1.
    SpokenLanguage,
    /// Scene type (indoor, outdoor, landscape class).
    Scene,
    /// Geolocation from the image content; `value` is the country.
    SceneGeolocation,
}

impl ClueKind {
    /// Every kind.
    pub const ALL: [ClueKind; 9] = [
        ClueKind::GpsPlace,
        ClueKind::Camera,
        ClueKind::CameraSerial,
        ClueKind::UtcOffset,
        ClueKind::Text,
        ClueKind::TextLanguage,
        ClueKind::SpokenLanguage,
        ClueKind::Scene,
        ClueKind::SceneGeolocation,
    ];

    /// Parse [`ClueKind::as_str`].
    pub fn parse(s: &str) -> Option<ClueKind> {
        ClueKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClueKind::GpsPlace => "gps_place",
            ClueKind::Camera => "camera",
            ClueKind::CameraSerial => "camera_serial",
            ClueKind::UtcOffset => "utc_offset",
            ClueKind::Text => "text",
            ClueKind::TextLanguage => "text_language",
            ClueKind::SpokenLanguage => "spoken_language",
            ClueKind::Scene => "scene",
            ClueKind::SceneGeolocation => "scene_geolocation",
        }
    }
}

/// A box in pixels of the media (of the frame, for video keyframes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    /// Left.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// The model an extractor used: manifest name and content SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRef {
    /// Manifest name (or the engine and its data, e.g. `tesseract-5.3.0`).
    pub name: String,
    /// SHA-256 identifying the model files.
    pub sha256: String,
}

/// One clue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clue {
    /// What it is about.
    pub kind: ClueKind,
    /// The value (country code, language code, text, serial...).
    pub value: String,
    /// 0–1.
    pub confidence: f32,
    /// Extractor id.
    pub extractor: String,
    /// Extractor version.
    pub version: u32,
    /// The model used, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelRef>,
    /// Where in the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// When in the media, seconds `[start, end]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_range: Option<[f64; 2]>,
    /// Extractor-specific detail (region name, nearest town, distances...).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub detail: serde_json::Value,
}

/// What an extractor gets: the stored media and a path to its bytes.
#[derive(Debug, Clone, Copy)]
pub struct ClueInput<'a> {
    /// The media as ingested (metadata, hashes, kind).
    pub media: &'a MediaRecord,
    /// A readable copy of the file (an evidence path), when one exists.
    pub path: Option<&'a Path>,
}

/// A failure of one extractor on one media (the run goes on).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClueError {
    /// The extractor's model is not installed.
    #[error("model {name} for extractor {extractor} is not installed: {why}")]
    ModelMissing {
        /// The extractor.
        extractor: &'static str,
        /// The model.
        name: String,
        /// What is missing.
        why: String,
    },
    /// The media file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The image could not be decoded.
    #[error("cannot decode the image")]
    Decode(#[source] vidi_media::MediaError),
    /// Audio extraction or speech analysis failed.
    #[error("speech analysis failed")]
    Speech(#[source] vidi_speech::SpeechError),
    /// OCR failed.
    #[error("OCR failed")]
    Ocr(#[source] vidi_ocr::OcrError),
    /// PP-OCR failed.
    #[error("PP-OCR failed")]
    PpOcr(#[source] vidi_ppocr::PpOcrError),
    /// The offline gazetteer could not be loaded.
    #[error("offline place data could not be loaded")]
    Geo(#[source] vidi_geo::LoadError),
    /// The image backbone failed on this image.
    #[error("image backbone failed")]
    Embed(#[source] vidi_embed::EmbedError),
    /// Video keyframes could not be extracted.
    #[error("video keyframes could not be extracted")]
    Video(#[source] vidi_video::VideoError),
    /// The GeoCLIP heads or gallery failed.
    #[error("GeoCLIP geolocation failed")]
    GeoClip(#[source] geoclip::GeoClipError),
    /// Cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// An extractor of clues.
pub trait ClueExtractor: Send + Sync {
    /// Stable id (`gps`, `camera`, `ocr`, `speech`, `scene`...).
    fn id(&self) -> &'static str;
    /// Version of its output; bump when results change for the same input.
    fn version(&self) -> u32;
    /// The model it uses, if any.
    fn model(&self) -> Option<ModelRef> {
        None
    }
    /// Whether it has anything to say about this media (cheap).
    fn applies(&self, media: &MediaRecord) -> bool;
    /// Extract the clues of one media.
    fn extract(&self, input: ClueInput<'_>, cancel: &Cancel) -> Result<Vec<Clue>, ClueError>;
    /// What identifies this extractor's output: id, version and model. A
    /// stored result with another fingerprint is recomputed.
    fn fingerprint(&self) -> String {
        match self.model() {
            Some(m) => format!("{}/{}/{}@{}", self.id(), self.version(), m.name, m.sha256),
            None => format!("{}/{}", self.id(), self.version()),
        }
    }
}

/// Whether a media has pictures to look at: a still image, or a video with
/// a picture stream (a codec or a frame size was probed); never one that
/// failed to read. The `applies` rule of the picture extractors.
pub(crate) fn has_pictures(media: &MediaRecord) -> bool {
    media.error.is_none()
        && match media.kind {
            MediaKind::Image => true,
            MediaKind::Video => media
                .video
                .as_ref()
                .is_some_and(|v| v.video_codec.is_some() || v.width.is_some()),
            _ => false,
        }
}

/// Read a media's bytes for extractors that decode it.
pub(crate) fn read_bytes(input: ClueInput<'_>) -> Result<Option<Vec<u8>>, ClueError> {
    let Some(path) = input.path else {
        return Ok(None);
    };
    std::fs::read(path)
        .map(Some)
        .map_err(|source| ClueError::Io {
            path: path.to_path_buf(),
            source,
        })
}

/// Every extractor id, in run order.
pub const EXTRACTOR_IDS: &[&str] = &["gps", "camera", "ocr", "speech", "scene", "geoclip"];

/// Extractors that could be built, and those left out with the reason.
pub type Extractors = (Vec<Box<dyn ClueExtractor>>, Vec<(&'static str, ClueError)>);

/// Build the extractors named in `only` (all when `None`). One whose model
/// is not installed is left out and returned with the reason, so that the
/// caller can say clearly what is missing while the others run.
pub fn extractors(only: Option<&[String]>, models_dir: &Path) -> Extractors {
    let wanted = |id: &str| only.is_none_or(|o| o.iter().any(|x| x == id));
    let mut out: Vec<Box<dyn ClueExtractor>> = Vec::new();
    let mut missing = Vec::new();
    if wanted("gps") {
        out.push(Box::new(GpsExtractor));
    }
    if wanted("camera") {
        out.push(Box::new(CameraExtractor));
    }
    if wanted("ocr") {
        match OcrExtractor::load(models_dir) {
            Ok(e) => {
                if let Some(why) = e.ppocr_missing() {
                    // Tesseract runs; the PP-OCR part is reported as not run.
                    missing.push((
                        "ocr-ppocr",
                        ClueError::ModelMissing {
                            extractor: "ocr",
                            name: vidi_ppocr::MODEL_NAME.into(),
                            why: format!("{why}; OCR runs with tesseract alone"),
                        },
                    ));
                }
                out.push(Box::new(e));
            }
            Err(e) => missing.push(("ocr", e)),
        }
    }
    if wanted("speech") {
        match SpeechExtractor::load(models_dir) {
            Ok(e) => out.push(Box::new(e)),
            Err(e) => missing.push(("speech", e)),
        }
    }
    if wanted("scene") {
        match SceneExtractor::load(models_dir) {
            Ok(e) => out.push(Box::new(e)),
            Err(e) => missing.push(("scene", e)),
        }
    }
    if wanted("geoclip") {
        match GeoClipExtractor::load(models_dir, &Cancel::new()) {
            Ok(e) => out.push(Box::new(e)),
            Err(e) => missing.push(("geoclip", e)),
        }
    }
    (out, missing)
}
