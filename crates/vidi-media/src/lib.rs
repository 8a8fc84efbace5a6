//! Image decoding with limits (JPEG, PNG, GIF, WebP, TIFF, BMP, HEIF/AVIF),
//! PDQ from decoded images, and display thumbnails.
//!
//! Formats are sniffed from magic bytes, never from file names. Dimensions
//! are checked against [`Limits`] before pixel memory is allocated, and
//! every decoder call runs under `catch_unwind`: hostile input gives a typed
//! [`MediaError`], never a panic or an abort.
#![warn(missing_docs)]

mod decode;
mod error;
mod heif;
pub mod sniff;
mod thumb;
mod turbo;

pub use error::MediaError;
pub use sniff::{ImageFormat, sniff};
pub use thumb::{THUMBNAIL_QUALITY, thumbnail_jpeg};

use vidi_hash::pdq::{self, LumaRounding};
use vidi_types::{PdqHash, PdqWithQuality};

/// Resource limits for one decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest `width * height` accepted.
    pub max_pixels: u64,
    /// Largest width or height accepted.
    pub max_dimension: u32,
    /// Largest decoder allocation in bytes.
    pub max_bytes: u64,
}

impl Default for Limits {
    /// 100 megapixels, 30,000 px per side, 1 GiB of decode memory.
    fn default() -> Self {
        Self {
            max_pixels: 100_000_000,
            max_dimension: 30_000,
            max_bytes: 1 << 30,
        }
    }
}

/// The first frame of an image as 8-bit interleaved RGB.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodedImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes, row-major, no padding.
    pub rgb: Vec<u8>,
    /// Frames in the file (animated GIF/WebP/APNG); 1 for still images.
    pub frame_count: u32,
    /// Sniffed format name (`"jpeg"`, `"png"`, `"gif"`, `"webp"`, `"tiff"`,
    /// `"bmp"`, `"heif"`, `"avif"`).
    pub format: &'static str,
    /// Damage the decoder recovered from (e.g. a truncated JPEG whose
    /// missing rows were filled in, as Pillow and libjpeg do). The pixels
    /// are usable and hashed, but the file is recorded with this error.
    pub damage: Option<vidi_types::FileError>,
}

impl std::fmt::Debug for DecodedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodedImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("frame_count", &self.frame_count)
            .field("format", &self.format)
            .field("damage", &self.damage)
            .finish_non_exhaustive()
    }
}

/// Decode the first frame of an image (format sniffed from `bytes`) to RGB8.
///
/// JPEG goes through libjpeg-turbo (as Pillow), HEIF/AVIF through libheif,
/// the rest through the `image` crate. EXIF orientation is NOT applied: PDQ
/// references hash the stored pixels.
pub fn decode_image(bytes: &[u8], limits: &Limits) -> Result<DecodedImage, MediaError> {
    decode::decode(bytes, limits)
}

/// Luma rounding used by [`pdq_of`]: NumPy-style, as the PyPI `pdqhash`
/// binding (the Pillow-based oracle) computes it; see `docs/benchmarks.md`.
pub const PDQ_LUMA: LumaRounding = LumaRounding::Numpy;

/// PDQ of a decoded image, hashed at full resolution (no pre-resize), as the
/// PyPI `pdqhash` / python-threatexchange reference does; with `dihedral`,
/// also the eight dihedral variants (reference order; variant 0 equals the
/// returned hash except for 64x64 inputs, where the reference itself differs).
pub fn pdq_of(img: &DecodedImage, dihedral: bool) -> (PdqWithQuality, Option<Vec<PdqHash>>) {
    let (w, h) = (img.width as usize, img.height as usize);
    let plain = pdq::hash_rgb_with(&img.rgb, w, h, PDQ_LUMA);
    if !dihedral {
        return (plain, None);
    }
    let (all, _) = pdq::hash_rgb_dihedral_with(&img.rgb, w, h, PDQ_LUMA);
    (plain, Some(all))
}

/// PDQ as Meta's C++ file tool computes it: when a side exceeds 512 px, a
/// 512x512 nearest-neighbour resample (aspect not kept) first; `f32` luma.
pub fn pdq_cpp_tool(img: &DecodedImage) -> PdqWithQuality {
    let (w, h) = (img.width as usize, img.height as usize);
    match pdq::resize_nearest_512(&img.rgb, w, h) {
        Some(small) => pdq::hash_rgb(&small, pdq::CPP_TOOL_RESIZE, pdq::CPP_TOOL_RESIZE),
        None => pdq::hash_rgb(&img.rgb, w, h),
    }
}
