//! Pixel operations: bilinear resize, quadrilateral crops, rotations and
//! the networks' normalised BGR planes.

use crate::PpOcrError;
use crate::geom::{self, Quad};

/// RGB8 pixels, row-major, no padding (as `vidi_media::DecodedImage` holds
/// them).
#[derive(Debug, Clone, Copy)]
pub struct RgbView<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes.
    pub rgb: &'a [u8],
}

impl<'a> RgbView<'a> {
    /// Wrap RGB8 pixels; checks the buffer length.
    pub fn new(width: u32, height: u32, rgb: &'a [u8]) -> Result<Self, PpOcrError> {
        if rgb.len() as u64 != u64::from(width) * u64::from(height) * 3 {
            return Err(PpOcrError::BufferSize {
                width,
                height,
                len: rgb.len(),
            });
        }
        Ok(Self { width, height, rgb })
    }

    fn px(&self, x: usize, y: usize) -> [f32; 3] {
        let i = (y * self.width as usize + x) * 3;
        match self.rgb.get(i..i + 3) {
            Some(p) => [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])],
            None => [0.0; 3],
        }
    }

    /// Bilinear sample at (x, y) in pixel-centre coordinates, edges
    /// replicated.
    fn sample(&self, x: f32, y: f32) -> [f32; 3] {
        let (w, h) = (self.width as usize, self.height as usize);
        if w == 0 || h == 0 {
            return [0.0; 3];
        }
        let x = x.clamp(0.0, (w - 1) as f32);
        let y = y.clamp(0.0, (h - 1) as f32);
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let (a, b, c, d) = (
            self.px(x0, y0),
            self.px(x1, y0),
            self.px(x0, y1),
            self.px(x1, y1),
        );
        let mut out = [0.0; 3];
        for k in 0..3 {
            let top = a[k] + (b[k] - a[k]) * fx;
            let bot = c[k] + (d[k] - c[k]) * fx;
            out[k] = top + (bot - top) * fy;
        }
        out
    }
}

/// An owned RGB8 image.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rgb {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) rgb: Vec<u8>,
}

impl Rgb {
    pub(crate) fn view(&self) -> RgbView<'_> {
        RgbView {
            width: self.width,
            height: self.height,
            rgb: &self.rgb,
        }
    }
}

fn clamp_u8(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// Bilinear resize with half-pixel centres (OpenCV's INTER_LINEAR). When
/// shrinking by more than 2x, a box prefilter (mean of whole pixels) is
/// applied first so that thin strokes are not skipped.
pub(crate) fn resize_rgb(img: RgbView<'_>, w: u32, h: u32) -> Rgb {
    let (w, h) = (w.max(1), h.max(1));
    if img.width / w >= 2 || img.height / h >= 2 {
        let fx = (img.width / w).max(1);
        let fy = (img.height / h).max(1);
        let small = box_shrink(img, fx, fy);
        return resize_rgb(small.view(), w, h);
    }
    let sx = img.width as f32 / w as f32;
    let sy = img.height as f32 / h as f32;
    let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h {
        let syf = (y as f32 + 0.5) * sy - 0.5;
        for x in 0..w {
            let sxf = (x as f32 + 0.5) * sx - 0.5;
            let p = img.sample(sxf, syf);
            rgb.extend(p.map(clamp_u8));
        }
    }
    Rgb {
        width: w,
        height: h,
        rgb,
    }
}

fn box_shrink(img: RgbView<'_>, fx: u32, fy: u32) -> Rgb {
    let (w, h) = ((img.width / fx).max(1), (img.height / fy).max(1));
    let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
    let n = (fx * fy) as f32;
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0.0f32; 3];
            for dy in 0..fy {
                for dx in 0..fx {
                    let p = img.px((x * fx + dx) as usize, (y * fy + dy) as usize);
                    for k in 0..3 {
                        acc[k] += p[k];
                    }
                }
            }
            rgb.extend(acc.map(|v| clamp_u8(v / n)));
        }
    }
    Rgb {
        width: w,
        height: h,
        rgb,
    }
}

/// Normalised BGR planes `(v / 255 - 0.5) / 0.5` of `img` placed at the left
/// of a `plane_w`-wide canvas of height `img.height`; the rest stays 0 (the
/// networks' padding). PP-OCR models were trained on BGR input.
pub(crate) fn to_planes_bgr(img: &Rgb, w: usize, h: usize, plane_w: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; 3 * h * plane_w];
    write_planes_bgr(img, w, h, plane_w, &mut out);
    out
}

/// As [`to_planes_bgr`], into an existing `3 * h * plane_w` buffer.
pub(crate) fn write_planes_bgr(img: &Rgb, w: usize, h: usize, plane_w: usize, out: &mut [f32]) {
    let plane = h * plane_w;
    for y in 0..h.min(img.height as usize) {
        for x in 0..w.min(plane_w).min(img.width as usize) {
            let i = (y * img.width as usize + x) * 3;
            let Some(p) = img.rgb.get(i..i + 3) else {
                continue;
            };
            for (c, &v) in [p[2], p[1], p[0]].iter().enumerate() {
                if let Some(o) = out.get_mut(c * plane + y * plane_w + x) {
                    *o = (f32::from(v) / 255.0 - 0.5) / 0.5;
                }
            }
        }
    }
}

/// The region inside `quad` (top-left, top-right, bottom-right,
/// bottom-left) straightened to a `w x h` rectangle, where `w` and `h` are
/// the longer of its opposite sides (bilinear map of the quadrilateral).
/// Crops at least twice as tall as wide (vertical text) are turned 90
/// degrees counter-clockwise. Sides are capped at `max_side`.
pub(crate) fn crop_quad(img: RgbView<'_>, quad: &Quad, max_side: u32) -> Rgb {
    let w = geom::dist(quad[0], quad[1]).max(geom::dist(quad[3], quad[2]));
    let h = geom::dist(quad[0], quad[3]).max(geom::dist(quad[1], quad[2]));
    let cw = (w.round() as u32).clamp(1, max_side.max(1));
    let ch = (h.round() as u32).clamp(1, max_side.max(1));
    let mut rgb = Vec::with_capacity(cw as usize * ch as usize * 3);
    for y in 0..ch {
        let v = (y as f32 + 0.5) / ch as f32;
        for x in 0..cw {
            let u = (x as f32 + 0.5) / cw as f32;
            let lerp = |k: usize| {
                let top = quad[0][k] + (quad[1][k] - quad[0][k]) * u;
                let bot = quad[3][k] + (quad[2][k] - quad[3][k]) * u;
                top + (bot - top) * v
            };
            let p = img.sample(lerp(0) - 0.5, lerp(1) - 0.5);
            rgb.extend(p.map(clamp_u8));
        }
    }
    let crop = Rgb {
        width: cw,
        height: ch,
        rgb,
    };
    if ch as f32 / cw as f32 >= 1.5 {
        rotate90_ccw(&crop)
    } else {
        crop
    }
}

pub(crate) fn rotate90_ccw(img: &Rgb) -> Rgb {
    let (w, h) = (img.width as usize, img.height as usize);
    let mut rgb = vec![0u8; w * h * 3];
    // New image is h wide, w tall: new(x', y') = old(w - 1 - y', x').
    for ny in 0..w {
        for nx in 0..h {
            let (ox, oy) = (w - 1 - ny, nx);
            let s = (oy * w + ox) * 3;
            let d = (ny * h + nx) * 3;
            rgb[d..d + 3].copy_from_slice(&img.rgb[s..s + 3]);
        }
    }
    Rgb {
        width: img.height,
        height: img.width,
        rgb,
    }
}

pub(crate) fn rotate180(img: &Rgb) -> Rgb {
    let mut rgb = Vec::with_capacity(img.rgb.len());
    for p in img.rgb.chunks_exact(3).rev() {
        rgb.extend_from_slice(p);
    }
    Rgb {
        width: img.width,
        height: img.height,
        rgb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> Rgb {
        let mut rgb = Vec::new();
        for y in 0..h {
            for x in 0..w {
                rgb.extend([(x * 10) as u8, (y * 10) as u8, 7]);
            }
        }
        Rgb {
            width: w,
            height: h,
            rgb,
        }
    }

    #[test]
    fn rotations_round_trip() {
        let g = gradient(5, 3);
        let r = rotate90_ccw(&g);
        assert_eq!((r.width, r.height), (3, 5));
        // Top-right of the original is the top-left after a CCW turn.
        assert_eq!(&r.rgb[0..3], &g.rgb[(4 * 3)..(4 * 3 + 3)]);
        let back = rotate90_ccw(&rotate90_ccw(&rotate90_ccw(&r)));
        assert_eq!(back, g);
        assert_eq!(rotate180(&rotate180(&g)), g);
    }

    #[test]
    fn axis_aligned_crop_copies_pixels() {
        let g = gradient(10, 8);
        let q = [[2.0, 1.0], [6.0, 1.0], [6.0, 4.0], [2.0, 4.0]];
        let c = crop_quad(g.view(), &q, 1000);
        assert_eq!((c.width, c.height), (4, 3));
        assert_eq!(&c.rgb[0..3], &[20, 10, 7]);
        // Tall crops are turned.
        let q = [[2.0, 0.0], [4.0, 0.0], [4.0, 8.0], [2.0, 8.0]];
        let c = crop_quad(g.view(), &q, 1000);
        assert_eq!((c.width, c.height), (8, 2));
    }

    #[test]
    fn resize_and_planes() {
        let g = gradient(64, 32);
        let r = resize_rgb(g.view(), 16, 8);
        assert_eq!((r.width, r.height, r.rgb.len()), (16, 8, 16 * 8 * 3));
        let up = resize_rgb(g.view(), 128, 64);
        assert_eq!(up.rgb.len(), 128 * 64 * 3);
        let planes = to_planes_bgr(&r, 16, 8, 20);
        assert_eq!(planes.len(), 3 * 8 * 20);
        // Blue plane first: constant 7 -> (7/255 - 0.5) / 0.5.
        assert!((planes[0] - (7.0 / 255.0 - 0.5) / 0.5).abs() < 1e-6);
        // Padding stays 0.
        assert_eq!(planes[19], 0.0);
        assert!(RgbView::new(3, 3, &[0; 26]).is_err());
    }
}
