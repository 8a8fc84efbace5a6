//! Magic-byte sniffing and metadata parsers (EXIF, XMP, QuickTime/MP4, PNG,
//! WebP, HEIF): pure, bounded and fuzzed.
//!
//! Two entry points:
//! - [`sniff`] tells what a file is from its first [`SNIFF_LEN`] bytes;
//! - [`extract`] reads EXIF, XMP and QuickTime metadata into a normalised
//!   [`vidi_types::Metadata`] (camera, capture time, GPS fixes with
//!   suspicion flags) plus every raw tag as JSON.
//!
//! Sources read: EXIF in JPEG, TIFF and TIFF-based RAW, PNG (`eXIf` and
//! raw-profile text chunks), WebP, HEIF/AVIF `Exif` items, CR3 `CMTn`
//! boxes, the RAF preview, Photoshop resources and JPEG XL / JPEG 2000
//! boxes; XMP in all of those (and found embedded in other files);
//! QuickTime/MP4 (`mvhd`, `udta` `©xyz`/`©mak`/..., `keys` + `ilst`);
//! Matroska `Info` and `Tags`; RIFF `INFO`. Maker notes give serial
//! numbers for Canon, Nikon, Olympus and Sigma.
//!
//! Every parser is written for hostile input: lengths are checked, recursion
//! and iteration are bounded by [`MetaLimits`], nothing is allocated beyond
//! the file size or the limits, and a parse problem becomes a warning in
//! [`vidi_types::Metadata::warnings`] without losing what was already read.
//!
//! ```
//! use std::io::Cursor;
//! use vidi_meta::{Format, MetaLimits, extract, sniff};
//!
//! let bytes: &[u8] = b"\xFF\xD8\xFF\xD9"; // an empty JPEG
//! let sniffed = sniff(bytes);
//! assert_eq!(sniffed.format, Format::Jpeg);
//! let meta = extract(Cursor::new(bytes), sniffed.format, &MetaLimits::default())?;
//! assert!(meta.gps.is_none());
//! # Ok::<(), vidi_meta::MetaError>(())
//! ```
#![warn(missing_docs)]

mod bytes;
mod collect;
mod datetime;
mod format;
pub mod gps;
mod isobmff;
mod jpeg;
mod makernote;
mod mkv;
mod png;
mod psd;
mod riff;
mod sniff;
mod tags;
mod tiff;
mod xmp;

use std::io::{Read, Seek, SeekFrom};

pub use sniff::{Format, SNIFF_LEN, Sniffed, sniff};
use vidi_types::Metadata;

/// How much of an AVI, WAV or Matroska file is read for metadata.
const STREAM_HEAD_BYTES: u64 = 4 << 20;

/// Bounds on the work and memory of [`extract`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaLimits {
    /// At most this many bytes are read for formats parsed in memory
    /// (JPEG, PNG, WebP, TIFF, ...), and at most this many for one
    /// ISO BMFF box (`moov`, `meta`) or item.
    pub max_read_bytes: u64,
    /// At most this many IFDs are followed in one TIFF structure.
    pub max_ifds: usize,
    /// At most this many entries are read from one IFD.
    pub max_ifd_entries: usize,
    /// At most this many boxes, atoms or chunks are visited per file.
    pub max_boxes: usize,
    /// Deepest box nesting followed.
    pub max_depth: usize,
    /// At most this many raw tags are kept per source (`exif`, `xmp`, ...).
    pub max_raw_tags: usize,
    /// Longest raw string value kept (in characters); longer values are cut.
    pub max_raw_value_len: usize,
    /// Largest inflated size of a compressed PNG text chunk.
    pub max_inflate_bytes: usize,
}

impl Default for MetaLimits {
    fn default() -> Self {
        Self {
            max_read_bytes: 64 << 20,
            max_ifds: 64,
            max_ifd_entries: 1024,
            max_boxes: 20_000,
            max_depth: 16,
            max_raw_tags: 4096,
            max_raw_value_len: 512,
            max_inflate_bytes: 16 << 20,
        }
    }
}

/// Why [`extract`] could read nothing at all. Problems after something was
/// read are reported in [`Metadata::warnings`] instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetaError {
    /// Reading or seeking the input failed before any metadata was read.
    #[error("could not read the input")]
    Io(#[from] std::io::Error),
}

/// Read the metadata of a file whose format was found by [`sniff`].
///
/// Formats without metadata support give an empty [`Metadata`]. Parse
/// problems become warnings; an error is returned only when the input
/// cannot be read at all.
pub fn extract<R: Read + Seek>(
    mut r: R,
    format: Format,
    limits: &MetaLimits,
) -> Result<Metadata, MetaError> {
    let len = r.seek(SeekFrom::End(0))?;
    r.seek(SeekFrom::Start(0))?;
    let mut c = collect::Collector::new(limits);
    if format.is_isobmff() {
        isobmff::parse_file(&mut r, len, format, &mut c);
        return Ok(c.finish());
    }
    if !has_parser(format) {
        return Ok(c.finish());
    }
    // Streams keep their tags near the start; their media data is not
    // read.
    let head_only = matches!(
        format,
        Format::Avi | Format::Wav | Format::Mkv | Format::Webm
    );
    let cap = if head_only {
        limits.max_read_bytes.min(STREAM_HEAD_BYTES)
    } else {
        limits.max_read_bytes
    };
    let want = len.min(cap);
    let mut buf = Vec::new();
    let mut complete = false;
    if format == Format::Jpeg {
        // JPEG metadata sits before the first scan: read growing prefixes
        // until the scan is reached, never the whole image data.
        let mut step: u64 = 1 << 20;
        loop {
            let target = step.min(want);
            // `take` bounds the allocation even if `len` lies.
            (&mut r)
                .take(target.saturating_sub(buf.len() as u64))
                .read_to_end(&mut buf)?;
            if jpeg::reaches_scan(&buf) {
                complete = true;
                break;
            }
            if (buf.len() as u64) < target || target >= want {
                break;
            }
            step = step.saturating_mul(4);
        }
    } else {
        (&mut r).take(want).read_to_end(&mut buf)?;
    }
    if len > want && !head_only && !complete {
        c.warn(format!(
            "file is {len} bytes; metadata read from the first {want} only"
        ));
    }
    extract_bytes_into(&buf, format, &mut c);
    Ok(c.finish())
}

/// Like [`extract`] over a byte slice already in memory.
pub fn extract_bytes(data: &[u8], format: Format, limits: &MetaLimits) -> Metadata {
    if format.is_isobmff() {
        let mut c = collect::Collector::new(limits);
        let mut cur = std::io::Cursor::new(data);
        isobmff::parse_file(&mut cur, data.len() as u64, format, &mut c);
        return c.finish();
    }
    let mut c = collect::Collector::new(limits);
    extract_bytes_into(data, format, &mut c);
    c.finish()
}

/// Parse a bare TIFF/EXIF structure (`II*\0` or `MM\0*` header, optionally
/// preceded by `Exif\0\0`). For fuzzing and for callers that already hold
/// an EXIF block.
pub fn extract_exif(data: &[u8], limits: &MetaLimits) -> Metadata {
    let mut c = collect::Collector::new(limits);
    let data = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
    tiff::parse_exif(data, &mut c);
    c.finish()
}

/// Parse a bare XMP packet.
pub fn extract_xmp(data: &[u8], limits: &MetaLimits) -> Metadata {
    let mut c = collect::Collector::new(limits);
    xmp::parse_into(data, &mut c);
    c.finish()
}

fn has_parser(format: Format) -> bool {
    use Format::*;
    format.is_tiff_based()
        || matches!(
            format,
            Jpeg | Png | Webp | Raf | Gif | Psd | Jxl | Jp2 | Xml | Avi | Wav | Pdf | Mkv | Webm
        )
}

fn extract_bytes_into(data: &[u8], format: Format, c: &mut collect::Collector<'_>) {
    use Format::*;
    match format {
        Jpeg => jpeg::parse(data, c),
        Png => png::parse(data, c),
        Webp | Avi | Wav => riff::parse(data, c),
        Raf => parse_raf(data, c),
        Mkv | Webm => mkv::parse(data, c),
        Psd => psd::parse(data, c),
        // A bare JPEG XL or J2K codestream has no boxes.
        Jxl | Jp2 if data.get(4..8).is_some_and(|t| t == b"JXL " || t == b"jP  ") => {
            isobmff::parse_flat(data, c)
        }
        f if f.is_tiff_based() => tiff::parse_exif(data, c),
        _ => xmp::scan_embedded(data, c),
    }
}

/// Fujifilm RAF: a big-endian header pointing at an embedded JPEG preview
/// that carries the EXIF.
fn parse_raf(data: &[u8], c: &mut collect::Collector<'_>) {
    let off = bytes::be_u32(data, 84).map(|v| v as usize);
    let len = bytes::be_u32(data, 88).map(|v| v as usize);
    match (off, len) {
        (Some(off), Some(len)) => match data.get(off..off.saturating_add(len)) {
            Some(jpg) => jpeg::parse(jpg, c),
            None => c.warn("RAF preview JPEG lies outside the file".to_string()),
        },
        _ => c.warn("RAF header truncated".to_string()),
    }
}
