//! Synthetic signs: text shaped with rustybuzz and rasterised with ab_glyph
//! onto RGB8 pixels, using fonts from Debian's font packages.

use ab_glyph::{Font, FontVec, GlyphId, PxScale, ScaleFont, point};

/// Font file for a script, if installed.
pub(crate) fn font_for(lang: &str) -> Option<(Vec<u8>, FontVec)> {
    let path = match lang {
        "ar" => "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf",
        "th" => "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
        _ => "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    };
    let data = std::fs::read(path).ok()?;
    let font = FontVec::try_from_vec(data.clone()).ok()?;
    Some((data, font))
}

/// An RGB8 canvas.
pub(crate) struct Canvas {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) rgb: Vec<u8>,
}

impl Canvas {
    pub(crate) fn new(width: u32, height: u32, bg: [u8; 3]) -> Self {
        let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
        for _ in 0..width * height {
            rgb.extend_from_slice(&bg);
        }
        Self { width, height, rgb }
    }

    /// A "photo" background: smooth gradient plus deterministic noise.
    pub(crate) fn photo(width: u32, height: u32, seed: u32) -> Self {
        let mut c = Self::new(width, height, [0, 0, 0]);
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        for y in 0..height {
            for x in 0..width {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                let n = (s % 17) as i32 - 8;
                let i = ((y * width + x) * 3) as usize;
                let gx = (x * 120 / width) as i32;
                let gy = (y * 90 / height) as i32;
                c.rgb[i] = (70 + gx + n).clamp(0, 255) as u8;
                c.rgb[i + 1] = (110 + gy + n).clamp(0, 255) as u8;
                c.rgb[i + 2] = (60 + (gx + gy) / 2 + n).clamp(0, 255) as u8;
            }
        }
        c
    }

    pub(crate) fn fill_rect(&mut self, x0: u32, y0: u32, w: u32, h: u32, color: [u8; 3]) {
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

    /// Width in pixels of `text` at `px`.
    pub(crate) fn text_width(font_data: &[u8], font: &FontVec, text: &str, px: f32) -> f32 {
        shape(font_data, font, text, px)
            .last()
            .map_or(0.0, |g| g.1 + g.2)
    }

    /// Draw one shaped line with its left baseline at (x, y).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn draw_text(
        &mut self,
        font_data: &[u8],
        font: &FontVec,
        text: &str,
        px: f32,
        x: f32,
        y: f32,
        color: [u8; 3],
    ) {
        for (gid, gx, _adv, gy) in shape(font_data, font, text, px) {
            let glyph =
                GlyphId(gid).with_scale_and_position(PxScale::from(px), point(x + gx, y - gy));
            if let Some(og) = font.outline_glyph(glyph) {
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
}

/// (glyph id, x offset, advance, y offset) in pixels, visual order.
fn shape(font_data: &[u8], font: &FontVec, text: &str, px: f32) -> Vec<(u16, f32, f32, f32)> {
    let Some(face) = rustybuzz::Face::from_slice(font_data, 0) else {
        return Vec::new();
    };
    let mut buf = rustybuzz::UnicodeBuffer::new();
    buf.push_str(text);
    buf.guess_segment_properties();
    let out = rustybuzz::shape(&face, &[], buf);
    let f = font.as_scaled(PxScale::from(px)).h_scale_factor();
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

/// A 1024x768 "sign photo": a white panel on a noisy background with the
/// given lines centred in dark text.
pub(crate) fn sign_photo(lang: &str, lines: &[&str], seed: u32) -> Option<Canvas> {
    let (data, font) = font_for(lang)?;
    let mut c = Canvas::photo(1024, 768, seed);
    let px = 52.0;
    let line_h = px * 1.6;
    let panel_h = (line_h * lines.len() as f32 + px) as u32;
    let widest = lines
        .iter()
        .map(|l| Canvas::text_width(&data, &font, l, px))
        .fold(0.0f32, f32::max);
    let panel_w = ((widest + px * 2.0) as u32).min(1000);
    let (x0, y0) = ((1024 - panel_w) / 2, (768 - panel_h) / 2);
    c.fill_rect(x0, y0, panel_w, panel_h, [235, 238, 240]);
    for (i, l) in lines.iter().enumerate() {
        let w = Canvas::text_width(&data, &font, l, px);
        let x = (1024.0 - w) / 2.0;
        let y = y0 as f32 + px * 0.5 + line_h * i as f32 + px;
        c.draw_text(&data, &font, l, px, x, y, [20, 30, 90]);
    }
    Some(c)
}

/// A full A4-like page at about 150 dpi (1240x1754) of body text, and
/// the text drawn (lines joined by newlines).
pub(crate) fn document_page(paragraph: &str) -> Option<(Canvas, String)> {
    let (data, font) = font_for("en")?;
    let mut c = Canvas::new(1240, 1754, [255, 255, 255]);
    let px = 26.0;
    let max_w = 1240.0 - 2.0 * 120.0;
    let mut y = 160.0;
    let mut line = String::new();
    let words: Vec<&str> = paragraph.split_whitespace().collect();
    let mut i = 0;
    let mut drawn = String::new();
    while y < 1754.0 - 160.0 {
        let w = words[i % words.len()];
        let candidate = if line.is_empty() {
            w.to_owned()
        } else {
            format!("{line} {w}")
        };
        if Canvas::text_width(&data, &font, &candidate, px) > max_w {
            c.draw_text(&data, &font, &line, px, 120.0, y, [0, 0, 0]);
            drawn.push_str(&line);
            drawn.push('\n');
            y += px * 1.5;
            line = w.to_owned();
        } else {
            line = candidate;
        }
        i += 1;
    }
    Some((c, drawn))
}
