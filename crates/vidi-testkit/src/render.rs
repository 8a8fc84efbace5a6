//! Text on RGB8 pixels: shaped with rustybuzz and rasterised with ab_glyph,
//! with fonts from Debian's font packages (fonts-dejavu, fonts-noto-core,
//! fonts-noto-cjk). Benign text only.

use std::path::Path;

use ab_glyph::{Font as _, FontVec, GlyphId, PxScale, ScaleFont, point};

/// One face of a font file, kept with its bytes (rustybuzz shapes from the
/// bytes, ab_glyph draws from the parsed face).
pub struct Font {
    data: Vec<u8>,
    index: u32,
    font: FontVec,
}

impl Font {
    /// Face `index` of the font file at `path`; `None` when the file is
    /// missing or does not parse (the caller skips its test).
    pub fn load(path: impl AsRef<Path>, index: u32) -> Option<Self> {
        let data = std::fs::read(path).ok()?;
        let font = FontVec::try_from_vec_and_index(data.clone(), index).ok()?;
        Some(Self { data, index, font })
    }

    /// (glyph id, x offset, advance, y offset) in pixels, visual order.
    fn shape(&self, text: &str, px: f32) -> Vec<(u16, f32, f32, f32)> {
        let Some(face) = rustybuzz::Face::from_slice(&self.data, self.index) else {
            return Vec::new();
        };
        let mut buf = rustybuzz::UnicodeBuffer::new();
        buf.push_str(text);
        buf.guess_segment_properties();
        let out = rustybuzz::shape(&face, &[], buf);
        let f = self.font.as_scaled(PxScale::from(px)).h_scale_factor();
        let mut pen = 0.0f32;
        let mut glyphs = Vec::new();
        for (info, pos) in out.glyph_infos().iter().zip(out.glyph_positions()) {
            let adv = pos.x_advance as f32 * f;
            glyphs.push((
                info.glyph_id as u16,
                pen + pos.x_offset as f32 * f,
                adv,
                pos.y_offset as f32 * f,
            ));
            pen += adv;
        }
        glyphs
    }

    /// Width in pixels of one shaped line of `text` at `px`.
    pub fn text_width(&self, text: &str, px: f32) -> f32 {
        self.shape(text, px).last().map_or(0.0, |g| g.1 + g.2)
    }
}

/// An RGB8 image, rows top to bottom, 3 bytes a pixel.
pub struct Canvas {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The pixels.
    pub rgb: Vec<u8>,
}

impl Canvas {
    /// Filled with `bg`.
    pub fn new(width: u32, height: u32, bg: [u8; 3]) -> Self {
        let rgb = bg
            .iter()
            .copied()
            .cycle()
            .take(width as usize * height as usize * 3)
            .collect();
        Self { width, height, rgb }
    }

    /// Every pixel from `f(x, y, noise)`, where `noise` is a deterministic
    /// xorshift stream seeded by `seed` (one value a pixel, row by row).
    fn noisy(width: u32, height: u32, seed: u32, f: impl Fn(u32, u32, u32) -> [u8; 3]) -> Self {
        let mut c = Self::new(width, height, [0, 0, 0]);
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        for y in 0..height {
            for x in 0..width {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                let i = ((y * width + x) * 3) as usize;
                c.rgb[i..i + 3].copy_from_slice(&f(x, y, s));
            }
        }
        c
    }

    /// A plain "photo" background: a smooth green-brown gradient plus noise.
    pub fn photo_plain(width: u32, height: u32, seed: u32) -> Self {
        Self::noisy(width, height, seed, |x, y, s| {
            let n = (s % 17) as i32 - 8;
            let gx = (x * 120 / width) as i32;
            let gy = (y * 90 / height) as i32;
            [
                (70 + gx + n).clamp(0, 255) as u8,
                (110 + gy + n).clamp(0, 255) as u8,
                (60 + (gx + gy) / 2 + n).clamp(0, 255) as u8,
            ]
        })
    }

    /// A textured "photo" background: gradient, a brick-like pattern and
    /// noise.
    pub fn photo_brick(width: u32, height: u32, seed: u32) -> Self {
        Self::noisy(width, height, seed, |x, y, s| {
            let n = (s % 25) as i32 - 12;
            let row = y / 24;
            let mortar = y % 24 < 2 || (x + (row % 2) * 30) % 60 < 2;
            let m = if mortar { 45 } else { 0 };
            let gx = (x * 60 / width) as i32;
            let gy = (y * 50 / height) as i32;
            [
                (150 + gx - gy + n + m).clamp(0, 255) as u8,
                (95 + gy + n + m).clamp(0, 255) as u8,
                (80 + (gx + gy) / 3 + n + m).clamp(0, 255) as u8,
            ]
        })
    }

    /// Fill a rectangle (clipped to the canvas).
    pub fn fill_rect(&mut self, x0: u32, y0: u32, w: u32, h: u32, color: [u8; 3]) {
        for y in y0..(y0 + h).min(self.height) {
            for x in x0..(x0 + w).min(self.width) {
                let i = ((y * self.width + x) * 3) as usize;
                self.rgb[i..i + 3].copy_from_slice(&color);
            }
        }
    }

    fn blend(&mut self, x: i64, y: i64, cov: f32, color: [u8; 3]) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let i = ((y as u32 * self.width + x as u32) * 3) as usize;
        let a = cov.clamp(0.0, 1.0);
        for (dst, &c) in self.rgb[i..i + 3].iter_mut().zip(&color) {
            let old = f32::from(*dst);
            *dst = (old + (f32::from(c) - old) * a).round() as u8;
        }
    }

    /// Draw one shaped line of `text` at `px` with its left baseline at
    /// (x, y).
    pub fn draw_text(
        &mut self,
        font: &Font,
        text: &str,
        px: f32,
        (x, y): (f32, f32),
        color: [u8; 3],
    ) {
        for (gid, gx, _adv, gy) in font.shape(text, px) {
            let glyph =
                GlyphId(gid).with_scale_and_position(PxScale::from(px), point(x + gx, y - gy));
            if let Some(og) = font.font.outline_glyph(glyph) {
                let bb = og.px_bounds();
                og.draw(|dx, dy, c| {
                    self.blend(
                        bb.min.x as i64 + i64::from(dx),
                        bb.min.y as i64 + i64::from(dy),
                        c,
                        color,
                    );
                });
            }
        }
    }

    /// Paste `src` with its centre at (cx, cy), turned `deg` degrees
    /// (bilinear, inverse mapping).
    pub fn paste_rotated(&mut self, src: &Canvas, cx: f32, cy: f32, deg: f32) {
        let (s, c) = deg.to_radians().sin_cos();
        let (sw, sh) = (src.width as f32, src.height as f32);
        let half = (sw * sw + sh * sh).sqrt() / 2.0 + 2.0;
        let y0 = (cy - half).max(0.0) as u32;
        let y1 = ((cy + half) as u32).min(self.height);
        let x0 = (cx - half).max(0.0) as u32;
        let x1 = ((cx + half) as u32).min(self.width);
        for y in y0..y1 {
            for x in x0..x1 {
                let (dx, dy) = (x as f32 - cx, y as f32 - cy);
                let u = c * dx + s * dy + sw / 2.0;
                let v = -s * dx + c * dy + sh / 2.0;
                if u < 0.0 || v < 0.0 || u >= sw - 1.0 || v >= sh - 1.0 {
                    continue;
                }
                let (ux, vy) = (u.floor() as u32, v.floor() as u32);
                let (fx, fy) = (u - ux as f32, v - vy as f32);
                let i = ((y * self.width + x) * 3) as usize;
                for k in 0..3 {
                    let p = |xx: u32, yy: u32| {
                        f32::from(src.rgb[((yy * src.width + xx) * 3) as usize + k])
                    };
                    let top = p(ux, vy) + (p(ux + 1, vy) - p(ux, vy)) * fx;
                    let bot = p(ux, vy + 1) + (p(ux + 1, vy + 1) - p(ux, vy + 1)) * fx;
                    self.rgb[i + k] = (top + (bot - top) * fy).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_darkens_a_white_canvas() {
        let Some(font) = Font::load("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0) else {
            println!("SKIP: fonts-dejavu not installed");
            return;
        };
        let w = font.text_width("Gare", 40.0);
        assert!(w > 40.0 && w < 200.0, "{w}");
        let mut c = Canvas::new(200, 60, [255, 255, 255]);
        c.draw_text(&font, "Gare", 40.0, (5.0, 45.0), [0, 0, 0]);
        assert!(c.rgb.iter().any(|&v| v < 100));
        let mut big = Canvas::photo_brick(300, 200, 1);
        big.paste_rotated(&c, 150.0, 100.0, 5.0);
        assert_eq!(big.rgb.len(), 300 * 200 * 3);
        assert_ne!(
            Canvas::photo_plain(8, 8, 1).rgb,
            Canvas::photo_plain(8, 8, 2).rgb
        );
    }
}
