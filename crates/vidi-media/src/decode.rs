//! Decoding with limits: the header is checked before pixels are allocated,
//! every decoder call runs under `catch_unwind`, and the result is converted
//! to 8-bit RGB the way Pillow's `convert("RGB")` does.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::{DynamicImage, ImageDecoder, ImageError, ImageReader};

use crate::error::MediaError;
use crate::sniff::{ImageFormat, frame_count, sniff};
use crate::{DecodedImage, Limits, heif, turbo};

/// Check declared dimensions against the limits.
pub(crate) fn check_limits(
    format: &'static str,
    w: u64,
    h: u64,
    limits: &Limits,
) -> Result<(), MediaError> {
    let too_large = |reason| MediaError::TooLarge {
        format,
        width: w,
        height: h,
        reason,
    };
    if w == 0 || h == 0 {
        return Err(MediaError::Corrupt {
            format,
            detail: "zero-sized image".to_owned(),
        });
    }
    if w > u64::from(limits.max_dimension) || h > u64::from(limits.max_dimension) {
        return Err(too_large("dimension"));
    }
    let pixels = w.saturating_mul(h);
    if pixels > limits.max_pixels {
        return Err(too_large("pixel count"));
    }
    if pixels.saturating_mul(3) > limits.max_bytes {
        return Err(too_large("decode memory"));
    }
    Ok(())
}

/// Decode the first frame of an image; see [`crate::decode_image`].
pub(crate) fn decode(bytes: &[u8], limits: &Limits) -> Result<DecodedImage, MediaError> {
    let format = sniff(bytes).ok_or(MediaError::UnknownFormat)?;
    let name = format.name();
    let result = catch_unwind(AssertUnwindSafe(|| decode_inner(bytes, format, limits)));
    let (width, height, rgb, damage) = match result {
        Ok(r) => r?,
        Err(_) => {
            tracing::warn!(format = name, "image decoder panicked; contained");
            return Err(MediaError::DecoderPanic { format: name });
        }
    };
    Ok(DecodedImage {
        width,
        height,
        rgb,
        frame_count: frame_count(format, bytes),
        format: name,
        damage: damage.map(|d| d.to_file_error()),
    })
}

fn decode_inner(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
) -> Result<(u32, u32, Vec<u8>, Option<MediaError>), MediaError> {
    let name = format.name();
    let undamaged = |r: Result<(u32, u32, Vec<u8>), MediaError>| r.map(|(w, h, p)| (w, h, p, None));
    match format {
        ImageFormat::Jpeg => {
            let hdr = turbo::header(bytes)?;
            check_limits(name, hdr.width.into(), hdr.height.into(), limits)?;
            if hdr.cmyk {
                return undamaged(decode_with_image(bytes, format, limits));
            }
            let (rgb, damage) = turbo::decode_rgb(bytes, &hdr)?;
            Ok((hdr.width, hdr.height, rgb, damage))
        }
        ImageFormat::Heif | ImageFormat::Avif => {
            undamaged(heif::decode(bytes, name, limits.max_dimension, |w, h| {
                check_limits(name, w.into(), h.into(), limits)
            }))
        }
        _ => undamaged(decode_with_image(bytes, format, limits)),
    }
}

fn map_image_error(format: &'static str, e: ImageError) -> MediaError {
    match e {
        ImageError::Limits(_) => MediaError::TooLarge {
            format,
            width: 0,
            height: 0,
            reason: "decoder limits",
        },
        ImageError::Unsupported(_) => MediaError::Unsupported { format },
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            MediaError::Truncated { format }
        }
        other => {
            let detail = other.to_string();
            if detail.contains("end of file")
                || detail.contains("EOF")
                || detail.contains("truncated")
            {
                MediaError::Truncated { format }
            } else {
                MediaError::Corrupt { format, detail }
            }
        }
    }
}

fn decode_with_image(
    bytes: &[u8],
    format: ImageFormat,
    limits: &Limits,
) -> Result<(u32, u32, Vec<u8>), MediaError> {
    let name = format.name();
    let fmt = match format {
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Gif => image::ImageFormat::Gif,
        ImageFormat::Webp => image::ImageFormat::WebP,
        ImageFormat::Tiff => image::ImageFormat::Tiff,
        ImageFormat::Bmp => image::ImageFormat::Bmp,
        ImageFormat::Heif | ImageFormat::Avif => {
            return Err(MediaError::Unsupported { format: name });
        }
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), fmt);
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_dimension);
    l.max_image_height = Some(limits.max_dimension);
    l.max_alloc = Some(limits.max_bytes);
    reader.limits(l);
    let decoder = reader
        .into_decoder()
        .map_err(|e| map_image_error(name, e))?;
    let (w, h) = decoder.dimensions();
    check_limits(name, w.into(), h.into(), limits)?;
    let img = DynamicImage::from_decoder(decoder).map_err(|e| map_image_error(name, e))?;
    let (w, h) = (img.width(), img.height());
    Ok((w, h, to_rgb8(img)))
}

/// 8-bit RGB as Pillow gives it: grey is replicated, alpha is dropped (not
/// composited), 16-bit colour samples keep their high byte (Pillow reads
/// 16-bit RGB as 8-bit that way) and 16-bit grey is clipped at 255 (Pillow's
/// `I;16` -> `RGB` conversion clips).
pub(crate) fn to_rgb8(img: DynamicImage) -> Vec<u8> {
    let hi = |v: u16| (v >> 8) as u8;
    let clip = |v: u16| v.min(255) as u8;
    match img {
        DynamicImage::ImageRgb8(b) => b.into_raw(),
        DynamicImage::ImageRgb16(b) => b.into_raw().into_iter().map(hi).collect(),
        DynamicImage::ImageRgba16(b) => b
            .into_raw()
            .chunks_exact(4)
            .flat_map(|p| [hi(p[0]), hi(p[1]), hi(p[2])])
            .collect(),
        DynamicImage::ImageLuma16(b) => b
            .into_raw()
            .into_iter()
            .flat_map(|v| [clip(v); 3])
            .collect(),
        DynamicImage::ImageLumaA16(b) => b
            .into_raw()
            .chunks_exact(2)
            .flat_map(|p| [clip(p[0]); 3])
            .collect(),
        other => other.to_rgb8().into_raw(),
    }
}
