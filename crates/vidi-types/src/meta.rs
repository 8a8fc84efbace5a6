//! Normalised metadata: camera, capture time, GPS. Raw tags are kept
//! alongside as JSON.

use serde::{Deserialize, Serialize};

/// Where a GPS fix was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GpsSource {
    /// EXIF GPS IFD (JPEG, TIFF, HEIF, PNG eXIf, WebP EXIF).
    Exif,
    /// XMP `exif:GPSLatitude` / `exif:GPSLongitude`.
    Xmp,
    /// QuickTime/MP4 `©xyz` (ISO 6709) in `udta`.
    QuickTimeXyz,
    /// QuickTime `mdta` key `com.apple.quicktime.location.ISO6709`.
    QuickTimeKeys,
}

/// Why a GPS fix is suspicious. Suspicious fixes are kept and flagged,
/// never dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GpsFlag {
    /// Latitude and longitude are both exactly 0 ("null island").
    ZeroZero,
    /// Latitude outside [-90, 90].
    LatOutOfRange,
    /// Longitude outside [-180, 180].
    LonOutOfRange,
    /// A latitude without a longitude.
    LatWithoutLon,
    /// A longitude without a latitude.
    LonWithoutLat,
    /// Hemisphere reference (N/S/E/W) missing; the sign is a guess.
    MissingRef,
    /// Sources in the same file disagree by more than 0.01 degrees.
    SourcesDisagree,
    /// A component (degrees, minutes, seconds) was not a finite number.
    Malformed,
}

/// A GPS fix. `lat`/`lon` are decimal degrees, WGS 84, south and west
/// negative, exactly as recorded (out-of-range values are kept and flagged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gps {
    /// Latitude in decimal degrees.
    pub lat: Option<f64>,
    /// Longitude in decimal degrees.
    pub lon: Option<f64>,
    /// Altitude in metres above sea level (negative below).
    pub alt: Option<f64>,
    /// GPS time as recorded, ISO 8601 when it could be normalised.
    pub time: Option<String>,
    /// Which structure it came from.
    pub source: GpsSource,
    /// Suspicion flags; empty when the fix looks sane.
    pub flags: Vec<GpsFlag>,
}

/// Camera identity from EXIF or QuickTime.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Camera {
    /// Manufacturer (EXIF Make).
    pub make: Option<String>,
    /// Model (EXIF Model).
    pub model: Option<String>,
    /// Body serial number (EXIF BodySerialNumber, or a maker-note serial).
    pub serial: Option<String>,
    /// Lens model.
    pub lens: Option<String>,
    /// Lens serial number.
    pub lens_serial: Option<String>,
    /// Software that wrote the file.
    pub software: Option<String>,
}

impl Camera {
    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self == &Camera::default()
    }
}

/// Normalised metadata of one media file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Camera identity.
    pub camera: Camera,
    /// Capture time: EXIF DateTimeOriginal (or CreateDate / QuickTime
    /// creation time) as ISO 8601 `YYYY-MM-DDTHH:MM:SS[.fff][+HH:MM]`; the
    /// offset is present only when the file records one.
    pub taken_at: Option<String>,
    /// EXIF OffsetTimeOriginal / OffsetTime as recorded (`+02:00`).
    pub offset_time: Option<String>,
    /// File modification time recorded in EXIF DateTime, ISO 8601.
    pub modified_at: Option<String>,
    /// EXIF orientation 1–8.
    pub orientation: Option<u16>,
    /// The chosen GPS fix (EXIF first, then XMP, then QuickTime).
    pub gps: Option<Gps>,
    /// Every GPS fix found, from every source.
    pub gps_all: Vec<Gps>,
    /// Raw tags: `{"exif": {"IFD0.Make": "...", ...}, "xmp": {...}, "quicktime": {...}}`.
    pub raw: serde_json::Value,
    /// Non-fatal metadata parse problems (the media itself may be fine).
    pub warnings: Vec<String>,
}
