//! Display thumbnails: bounded size, EXIF orientation applied, JPEG q80.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbImage, imageops};

use crate::{DecodedImage, MediaError};

/// JPEG quality of thumbnails.
pub const THUMBNAIL_QUALITY: u8 = 80;

/// A JPEG thumbnail whose longer side is at most `max_side` (never
/// upscaled), with the EXIF `orientation` (1..=8) applied so it displays
/// upright. Returns the JPEG bytes and the thumbnail's width and height.
pub fn thumbnail_jpeg(
    img: &DecodedImage,
    max_side: u32,
    orientation: Option<u16>,
) -> Result<(Vec<u8>, u32, u32), MediaError> {
    let (w, h) = (img.width, img.height);
    let needed = (w as usize)
        .checked_mul(h as usize)
        .and_then(|n| n.checked_mul(3));
    if needed != Some(img.rgb.len()) || w == 0 || h == 0 {
        return Err(MediaError::Encode {
            detail: "pixel buffer does not match its dimensions".to_owned(),
        });
    }
    let max_side = max_side.max(1);
    let (tw, th) = if w.max(h) <= max_side {
        (w, h)
    } else if w >= h {
        (
            max_side,
            ((u64::from(h) * u64::from(max_side) / u64::from(w)) as u32).max(1),
        )
    } else {
        (
            ((u64::from(w) * u64::from(max_side) / u64::from(h)) as u32).max(1),
            max_side,
        )
    };
    let small = if (tw, th) == (w, h) {
        RgbImage::from_raw(w, h, img.rgb.clone())
    } else {
        // Resample straight from the borrowed buffer without copying it.
        let view = image::ImageBuffer::<image::Rgb<u8>, &[u8]>::from_raw(w, h, &img.rgb[..]);
        view.map(|v| imageops::thumbnail(&v, tw, th))
    }
    .ok_or_else(|| MediaError::Encode {
        detail: "pixel buffer does not match its dimensions".to_owned(),
    })?;
    let oriented = match orientation.unwrap_or(1) {
        2 => imageops::flip_horizontal(&small),
        3 => imageops::rotate180(&small),
        4 => imageops::flip_vertical(&small),
        5 => imageops::flip_horizontal(&imageops::rotate90(&small)),
        6 => imageops::rotate90(&small),
        7 => imageops::flip_horizontal(&imageops::rotate270(&small)),
        8 => imageops::rotate270(&small),
        _ => small,
    };
    let (ow, oh) = oriented.dimensions();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, THUMBNAIL_QUALITY)
        .encode_image(&DynamicImage::ImageRgb8(oriented))
        .map_err(|e| MediaError::Encode {
            detail: e.to_string(),
        })?;
    Ok((out, ow, oh))
}
