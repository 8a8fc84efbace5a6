//! Pixel preparation: RGB8 → 8-bit grey, with a bounded rescale so that
//! huge images cannot blow up tesseract's memory or time, and tiny ones are
//! enlarged to a size tesseract can segment.

use crate::OcrError;
use crate::ffi::RawWord;

/// Input pixels as the rest of vidi holds them (see `vidi_media::DecodedImage`).
#[derive(Debug, Clone, Copy)]
pub struct RgbImageRef<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes, row-major, no padding.
    pub rgb: &'a [u8],
}

impl<'a> RgbImageRef<'a> {
    /// Wrap RGB8 pixels; checks the buffer length.
    pub fn new(width: u32, height: u32, rgb: &'a [u8]) -> Result<Self, OcrError> {
        let expected = u64::from(width) * u64::from(height) * 3;
        if rgb.len() as u64 != expected {
            return Err(OcrError::BufferSize {
                width,
                height,
                len: rgb.len(),
            });
        }
        Ok(Self { width, height, rgb })
    }
}

/// Grey pixels ready for tesseract, with the factor mapping them back.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) gray: Vec<u8>,
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Input pixels per prepared pixel (divide prepared coordinates by
    /// `1/scale`; i.e. `input = prepared * scale`).
    pub(crate) scale: f64,
    /// Degrees turned counter-clockwise after scaling (0, 90, 180, 270).
    pub(crate) rotation: u32,
    /// Width before the rotation (scaled pixels).
    pub(crate) unrotated_width: u32,
    /// Height before the rotation (scaled pixels).
    pub(crate) unrotated_height: u32,
}

/// Limits applied before recognition.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PrepLimits {
    /// Longest side after downscaling.
    pub(crate) max_side: u32,
    /// Images whose longest side is below this are enlarged (integer factor).
    pub(crate) upscale_below: u32,
    /// Largest integer enlargement.
    pub(crate) max_upscale: u32,
}

/// ITU-R BT.601 luma, integer arithmetic.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    let y = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000;
    y.min(255) as u8
}

/// Convert and rescale. Returns None when the image is empty.
pub(crate) fn prepare(img: RgbImageRef<'_>, limits: PrepLimits) -> Option<Prepared> {
    let (w, h) = (img.width, img.height);
    if w == 0 || h == 0 {
        return None;
    }
    let longest = w.max(h);
    if longest > limits.max_side {
        // Box-filter downscale straight from RGB: every output pixel averages
        // the input pixels it covers, so thin strokes survive.
        let scale = f64::from(longest) / f64::from(limits.max_side.max(1));
        let ow = ((f64::from(w) / scale).round() as u32).max(1);
        let oh = ((f64::from(h) / scale).round() as u32).max(1);
        let gray = downscale(img, ow, oh);
        return Some(Prepared {
            gray,
            width: ow,
            height: oh,
            scale,
            rotation: 0,
            unrotated_width: ow,
            unrotated_height: oh,
        });
    }
    let gray: Vec<u8> = img
        .rgb
        .chunks_exact(3)
        .map(|p| luma(p[0], p[1], p[2]))
        .collect();
    if longest < limits.upscale_below {
        let f = (limits.upscale_below / longest.max(1)).clamp(1, limits.max_upscale.max(1));
        if f > 1 {
            let (ow, oh) = (w * f, h * f);
            let mut out = vec![0u8; ow as usize * oh as usize];
            for (y, row) in out.chunks_exact_mut(ow as usize).enumerate() {
                let sy = y / f as usize;
                let src = &gray[sy * w as usize..(sy + 1) * w as usize];
                for (x, px) in row.iter_mut().enumerate() {
                    *px = src[x / f as usize];
                }
            }
            return Some(Prepared {
                gray: out,
                width: ow,
                height: oh,
                scale: 1.0 / f64::from(f),
                rotation: 0,
                unrotated_width: ow,
                unrotated_height: oh,
            });
        }
    }
    Some(Prepared {
        gray,
        width: w,
        height: h,
        scale: 1.0,
        rotation: 0,
        unrotated_width: w,
        unrotated_height: h,
    })
}

/// Turn the prepared image counter-clockwise by `degrees` (90, 180, 270;
/// anything else leaves it as is).
pub(crate) fn rotate_ccw(p: Prepared, degrees: u32) -> Prepared {
    let (w, h) = (p.width as usize, p.height as usize);
    let mut out = vec![0u8; w * h];
    let (nw, nh) = match degrees {
        90 => {
            for (y, row) in p.gray.chunks_exact(w).enumerate() {
                for (x, &v) in row.iter().enumerate() {
                    out[(w - 1 - x) * h + y] = v;
                }
            }
            (p.height, p.width)
        }
        180 => {
            for (y, row) in p.gray.chunks_exact(w).enumerate() {
                for (x, &v) in row.iter().enumerate() {
                    out[(h - 1 - y) * w + (w - 1 - x)] = v;
                }
            }
            (p.width, p.height)
        }
        270 => {
            for (y, row) in p.gray.chunks_exact(w).enumerate() {
                for (x, &v) in row.iter().enumerate() {
                    out[x * h + (h - 1 - y)] = v;
                }
            }
            (p.height, p.width)
        }
        _ => return p,
    };
    Prepared {
        gray: out,
        width: nw,
        height: nh,
        scale: p.scale,
        rotation: degrees,
        unrotated_width: p.width,
        unrotated_height: p.height,
    }
}

/// Map a word box found in the rotated image back to the unrotated one
/// (edges: left/top inclusive, right/bottom exclusive).
pub(crate) fn unrotate_word(mut w: RawWord, p: &Prepared) -> RawWord {
    let (uw, uh) = (
        i32::try_from(p.unrotated_width).unwrap_or(i32::MAX),
        i32::try_from(p.unrotated_height).unwrap_or(i32::MAX),
    );
    let (l, t, r, b) = (w.left, w.top, w.right, w.bottom);
    let (nl, nt, nr, nb) = match p.rotation {
        90 => (uw - b, l, uw - t, r),
        180 => (uw - r, uh - b, uw - l, uh - t),
        270 => (t, uh - r, b, uh - l),
        _ => (l, t, r, b),
    };
    w.left = nl;
    w.top = nt;
    w.right = nr;
    w.bottom = nb;
    w
}

fn downscale(img: RgbImageRef<'_>, ow: u32, oh: u32) -> Vec<u8> {
    let (w, h) = (img.width as usize, img.height as usize);
    let (ow, oh) = (ow as usize, oh as usize);
    let mut sums = vec![0u32; ow * oh];
    let mut counts = vec![0u32; ow * oh];
    // Map each input pixel to the output cell containing it; one pass over
    // the input, memory proportional to the output.
    let xmap: Vec<usize> = (0..w).map(|x| (x * ow / w).min(ow - 1)).collect();
    for (y, row) in img.rgb.chunks_exact(w * 3).enumerate().take(h) {
        let oy = (y * oh / h).min(oh - 1);
        let base = oy * ow;
        for (x, p) in row.chunks_exact(3).enumerate() {
            let i = base + xmap[x];
            sums[i] += u32::from(luma(p[0], p[1], p[2]));
            counts[i] += 1;
        }
    }
    sums.iter()
        .zip(&counts)
        .map(|(&s, &c)| s.checked_div(c).map_or(255, |v| v as u8))
        .collect()
}

/// Whether the grey image has any contrast at all (all-black, all-white
/// and flat images have no text and are skipped without calling tesseract).
pub(crate) fn has_contrast(gray: &[u8]) -> bool {
    let (mut lo, mut hi) = (u8::MAX, u8::MIN);
    for &g in gray {
        lo = lo.min(g);
        hi = hi.max(g);
        if hi.saturating_sub(lo) >= 32 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: PrepLimits = PrepLimits {
        max_side: 100,
        upscale_below: 40,
        max_upscale: 4,
    };

    #[test]
    fn rejects_wrong_buffer() {
        assert!(RgbImageRef::new(2, 2, &[0; 11]).is_err());
        assert!(RgbImageRef::new(2, 2, &[0; 12]).is_ok());
    }

    #[test]
    fn downscales_long_side() {
        let rgb = vec![200u8; 400 * 100 * 3];
        let img = RgbImageRef::new(400, 100, &rgb).unwrap();
        let p = prepare(img, LIMITS).unwrap();
        assert_eq!((p.width, p.height), (100, 25));
        assert!((p.scale - 4.0).abs() < 1e-9);
        assert!(p.gray.iter().all(|&g| g == 200));
    }

    #[test]
    fn upscales_tiny() {
        let rgb = vec![0u8; 10 * 5 * 3];
        let img = RgbImageRef::new(10, 5, &rgb).unwrap();
        let p = prepare(img, LIMITS).unwrap();
        assert_eq!((p.width, p.height), (40, 20));
        assert!((p.scale - 0.25).abs() < 1e-9);
    }

    fn word(l: i32, t: i32, r: i32, b: i32) -> RawWord {
        RawWord {
            text: "x".into(),
            conf: 90.0,
            left: l,
            top: t,
            right: r,
            bottom: b,
            block: 0,
            line: 0,
            lang: "eng".into(),
        }
    }

    #[test]
    fn rotation_round_trips_boxes() {
        // 4x2 image with one dark pixel at (3, 0).
        let mut rgb = vec![255u8; 4 * 2 * 3];
        rgb[9..12].copy_from_slice(&[0, 0, 0]);
        let img = RgbImageRef::new(4, 2, &rgb).unwrap();
        let limits = PrepLimits {
            max_side: 100,
            upscale_below: 0,
            max_upscale: 1,
        };
        for deg in [90u32, 180, 270] {
            let p = rotate_ccw(prepare(img, limits).unwrap(), deg);
            let i = p.gray.iter().position(|&g| g == 0).unwrap();
            let (x, y) = ((i % p.width as usize) as i32, (i / p.width as usize) as i32);
            let back = unrotate_word(word(x, y, x + 1, y + 1), &p);
            assert_eq!(
                (back.left, back.top, back.right, back.bottom),
                (3, 0, 4, 1),
                "{deg}"
            );
        }
        // 90 degrees counter-clockwise: the top-right pixel goes top-left.
        let p = rotate_ccw(prepare(img, limits).unwrap(), 90);
        assert_eq!((p.width, p.height), (2, 4));
        assert_eq!(p.gray[0], 0);
    }

    #[test]
    fn contrast() {
        assert!(!has_contrast(&[0; 100]));
        assert!(has_contrast(&[0, 255]));
        assert!(!has_contrast(&[]));
    }
}
