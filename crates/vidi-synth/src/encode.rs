//! Encoding helpers and file writing.

use std::path::Path;

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{Delay, ExtendedColorType, Frame, ImageEncoder, RgbImage, RgbaImage};

use crate::SynthError;
use crate::exif::{ExifData, insert_into_jpeg};

fn enc_err(path: &Path) -> impl FnOnce(image::ImageError) -> SynthError + '_ {
    move |source| SynthError::Encode {
        path: path.to_path_buf(),
        source,
    }
}

/// JPEG at quality `q`, with an EXIF segment when given.
pub(crate) fn jpeg(
    img: &RgbImage,
    q: u8,
    exif: Option<&ExifData>,
    path: &Path,
) -> Result<Vec<u8>, SynthError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, q)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(enc_err(path))?;
    Ok(match exif {
        Some(e) => insert_into_jpeg(&out, e),
        None => out,
    })
}

/// PNG.
pub(crate) fn png(img: &RgbImage, path: &Path) -> Result<Vec<u8>, SynthError> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(enc_err(path))?;
    Ok(out)
}

/// Lossless WebP (the only WebP encoder `image` has).
pub(crate) fn webp(img: &RgbImage, path: &Path) -> Result<Vec<u8>, SynthError> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(enc_err(path))?;
    Ok(out)
}

/// Animated GIF, looping, 500 ms per frame.
pub(crate) fn gif(frames: &[RgbImage], path: &Path) -> Result<Vec<u8>, SynthError> {
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut out, 10);
        enc.set_repeat(Repeat::Infinite).map_err(enc_err(path))?;
        for f in frames {
            let rgba = RgbaImage::from_fn(f.width(), f.height(), |x, y| {
                let p = f.get_pixel(x, y).0;
                image::Rgba([p[0], p[1], p[2], 255])
            });
            enc.encode_frame(Frame::from_parts(
                rgba,
                0,
                0,
                Delay::from_numer_denom_ms(500, 1),
            ))
            .map_err(enc_err(path))?;
        }
    }
    Ok(out)
}

/// Create the folder a file goes into.
pub(crate) fn create_parent(path: &Path) -> Result<(), SynthError> {
    match path.parent() {
        Some(dir) => std::fs::create_dir_all(dir).map_err(SynthError::io(dir)),
        None => Ok(()),
    }
}

/// Write bytes, creating parent folders.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), SynthError> {
    create_parent(path)?;
    std::fs::write(path, bytes).map_err(SynthError::io(path))
}
