//! Synthetic sign photos for OCR tests: text shaped with rustybuzz and
//! rasterised with ab_glyph (Debian's fonts-noto-cjk, fonts-noto-core and
//! fonts-dejavu) on a panel, composited, optionally turned a few degrees,
//! onto a textured "photo" background. Benign text only (station, shop and
//! street signs). Also used by vidi-clues' OCR measurement (`#[path]`).
#![allow(dead_code)]

use ab_glyph::{Font, FontVec, GlyphId, PxScale, ScaleFont, point};

/// An RGB8 image.
pub(crate) struct Canvas {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) rgb: Vec<u8>,
}

/// The font for a language: (file bytes, face index, parsed font).
pub(crate) fn font_for(lang: &str) -> Option<(Vec<u8>, u32, FontVec)> {
    const CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";
    // Face order in Noto Sans CJK collections: JP, KR, SC, TC, HK.
    let (path, index) = match lang {
        "ja" => (CJK, 0),
        "ko" => (CJK, 1),
        "zh" => (CJK, 2),
        "th" => ("/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf", 0),
        _ => ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
    };
    let data = std::fs::read(path).ok()?;
    let font = FontVec::try_from_vec_and_index(data.clone(), index).ok()?;
    Some((data, index, font))
}

/// (glyph id, x offset, advance, y offset) in pixels, visual order.
fn shape(
    data: &[u8],
    index: u32,
    font: &FontVec,
    text: &str,
    px: f32,
) -> Vec<(u16, f32, f32, f32)> {
    let Some(face) = rustybuzz::Face::from_slice(data, index) else {
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

impl Canvas {
    pub(crate) fn new(width: u32, height: u32, bg: [u8; 3]) -> Self {
        let rgb = bg
            .iter()
            .copied()
            .cycle()
            .take((width * height * 3) as usize)
            .collect();
        Self { width, height, rgb }
    }

    /// A textured background: gradient, a brick-like pattern and noise.
    pub(crate) fn photo(width: u32, height: u32, seed: u32) -> Self {
        let mut c = Self::new(width, height, [0, 0, 0]);
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        for y in 0..height {
            for x in 0..width {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                let n = (s % 25) as i32 - 12;
                let row = y / 24;
                let mortar = y % 24 < 2 || (x + (row % 2) * 30) % 60 < 2;
                let m = if mortar { 45 } else { 0 };
                let i = ((y * width + x) * 3) as usize;
                let gx = (x * 60 / width) as i32;
                let gy = (y * 50 / height) as i32;
                c.rgb[i] = (150 + gx - gy + n + m).clamp(0, 255) as u8;
                c.rgb[i + 1] = (95 + gy + n + m).clamp(0, 255) as u8;
                c.rgb[i + 2] = (80 + (gx + gy) / 3 + n + m).clamp(0, 255) as u8;
            }
        }
        c
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

    fn text_width(data: &[u8], index: u32, font: &FontVec, text: &str, px: f32) -> f32 {
        shape(data, index, font, text, px)
            .last()
            .map_or(0.0, |g| g.1 + g.2)
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_text(
        &mut self,
        data: &[u8],
        index: u32,
        font: &FontVec,
        text: &str,
        px: f32,
        x: f32,
        y: f32,
        color: [u8; 3],
    ) {
        for (gid, gx, _adv, gy) in shape(data, index, font, text, px) {
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

    /// Paste `src` with its centre at (cx, cy), turned `deg` degrees
    /// (bilinear, inverse mapping).
    fn paste_rotated(&mut self, src: &Canvas, cx: f32, cy: f32, deg: f32) {
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

/// How a sign is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignStyle {
    /// Text height in pixels.
    pub(crate) px: f32,
    /// Turn of the whole sign, degrees.
    pub(crate) angle: f32,
    /// Panel colour.
    pub(crate) panel: [u8; 3],
    /// Text colour.
    pub(crate) ink: [u8; 3],
    /// Photo size.
    pub(crate) size: (u32, u32),
    /// Background seed.
    pub(crate) seed: u32,
}

impl Default for SignStyle {
    fn default() -> Self {
        Self {
            px: 56.0,
            angle: 0.0,
            panel: [236, 238, 240],
            ink: [20, 30, 90],
            size: (1024, 768),
            seed: 1,
        }
    }
}

/// A sign photo with `lines` in `lang`'s font; None when the font is missing.
pub(crate) fn sign(lang: &str, lines: &[&str], st: SignStyle) -> Option<Canvas> {
    let (data, index, font) = font_for(lang)?;
    let px = st.px;
    let line_h = px * 1.5;
    let widest = lines
        .iter()
        .map(|l| Canvas::text_width(&data, index, &font, l, px))
        .fold(0.0f32, f32::max);
    let pw = (widest + px * 1.6) as u32;
    let ph = (line_h * lines.len() as f32 + px * 0.9) as u32;
    let mut panel = Canvas::new(pw, ph, st.panel);
    for (i, l) in lines.iter().enumerate() {
        let w = Canvas::text_width(&data, index, &font, l, px);
        let x = (pw as f32 - w) / 2.0;
        let y = px * 0.45 + line_h * i as f32 + px;
        panel.draw_text(&data, index, &font, l, px, x, y, st.ink);
    }
    let mut c = Canvas::photo(st.size.0, st.size.1, st.seed);
    c.paste_rotated(
        &panel,
        st.size.0 as f32 / 2.0,
        st.size.1 as f32 / 2.0,
        st.angle,
    );
    Some(c)
}

/// The measurement set: (id, language, lines, style). Chinese, Japanese and
/// Korean signs, plus Latin and Thai ones; some turned a few degrees, some
/// small, one light text on a dark panel.
pub(crate) fn sign_set() -> Vec<(&'static str, &'static str, Vec<&'static str>, SignStyle)> {
    let d = SignStyle::default();
    let small = SignStyle {
        px: 24.0,
        size: (640, 480),
        ..d
    };
    let dark = SignStyle {
        panel: [20, 70, 40],
        ink: [250, 250, 250],
        ..d
    };
    vec![
        ("zh-station", "zh", vec!["北京南站", "出口 地铁"], d),
        (
            "zh-nosmoke",
            "zh",
            vec!["禁止吸烟", "违者罚款"],
            SignStyle {
                angle: 4.0,
                seed: 2,
                ..d
            },
        ),
        (
            "zh-bank",
            "zh",
            vec!["中国工商银行", "营业时间 九点"],
            SignStyle { seed: 3, ..dark },
        ),
        (
            "zh-small",
            "zh",
            vec!["人民路", "停车场入口"],
            SignStyle { seed: 4, ..small },
        ),
        (
            "zh-hotel",
            "zh",
            vec!["欢迎光临", "上海大酒店"],
            SignStyle {
                angle: -6.0,
                seed: 5,
                ..d
            },
        ),
        ("ja-station", "ja", vec!["東京駅", "中央口"], d),
        (
            "ja-kana",
            "ja",
            vec!["いらっしゃいませ", "ラーメン"],
            SignStyle {
                angle: 3.0,
                seed: 6,
                ..d
            },
        ),
        (
            "ja-nosmoke",
            "ja",
            vec!["禁煙", "ご協力ください"],
            SignStyle { seed: 7, ..dark },
        ),
        (
            "ja-small",
            "ja",
            vec!["大阪市役所", "はこちら"],
            SignStyle { seed: 8, ..small },
        ),
        ("ko-station", "ko", vec!["서울역", "출구"], d),
        (
            "ko-welcome",
            "ko",
            vec!["환영합니다", "부산 시청"],
            SignStyle {
                angle: -4.0,
                seed: 9,
                ..d
            },
        ),
        (
            "ko-nosmoke",
            "ko",
            vec!["금연 구역", "감사합니다"],
            SignStyle { seed: 10, ..dark },
        ),
        (
            "ko-small",
            "ko",
            vec!["주차장", "입구"],
            SignStyle { seed: 11, ..small },
        ),
        (
            "en-street",
            "en",
            vec!["MAIN STREET", "City Centre 2 km"],
            SignStyle {
                angle: 5.0,
                seed: 12,
                ..d
            },
        ),
        (
            "de-shop",
            "de",
            vec!["Bäckerei Müller", "Geöffnet"],
            SignStyle { seed: 13, ..dark },
        ),
        (
            "fr-small",
            "fr",
            vec!["Gare du Nord", "Sortie"],
            SignStyle { seed: 14, ..small },
        ),
        (
            "th-temple",
            "th",
            vec!["ยินดีต้อนรับ", "ห้ามสูบบุหรี่"],
            SignStyle {
                angle: -3.0,
                seed: 15,
                ..d
            },
        ),
    ]
}
