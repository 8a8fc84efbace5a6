//! Text rendering: fonts loaded at run time from Debian font packages,
//! shaped with rustybuzz (so Arabic joins and Thai marks are placed) and
//! rasterised with ab_glyph.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ab_glyph::{Font as _, FontRef, Glyph, GlyphId, PxScale, point};
use image::RgbImage;

use crate::canvas::{Rgb, blend};

/// Writing systems the generator knows how to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// Latin and Cyrillic (DejaVu covers both).
    Latin,
    /// Arabic (needs shaping).
    Arabic,
    /// Thai.
    Thai,
    /// Simplified Chinese.
    Chinese,
    /// Japanese.
    Japanese,
}

impl Script {
    /// The script a language is written in, by ISO 639-1 code.
    pub(crate) fn for_lang(lang: &str) -> Self {
        match lang {
            "ar" => Self::Arabic,
            "th" => Self::Thai,
            "zh" => Self::Chinese,
            "ja" => Self::Japanese,
            _ => Self::Latin,
        }
    }

    fn candidates(self) -> &'static [(&'static str, u32)] {
        match self {
            Self::Latin => &[
                ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
                ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
                ("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", 0),
                ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", 0),
            ],
            Self::Arabic => &[
                ("/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf", 0),
                (
                    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
                    0,
                ),
                (
                    "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
                    0,
                ),
            ],
            Self::Thai => &[
                ("/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf", 0),
                ("/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf", 0),
                (
                    "/usr/share/fonts/truetype/noto/NotoLoopedThai-Regular.ttf",
                    0,
                ),
            ],
            // NotoSansCJK-*.ttc faces: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK.
            Self::Chinese => &[
                ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
                ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
            ],
            Self::Japanese => &[
                ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 0),
                ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
            ],
        }
    }
}

/// One loaded font face.
#[derive(Debug)]
pub(crate) struct FontFile {
    /// Shared between faces of one collection file (CJK).
    data: Arc<Vec<u8>>,
    index: u32,
    /// Where it was loaded from.
    pub(crate) path: PathBuf,
}

/// The fonts found on this machine, one per script.
#[derive(Debug, Default)]
pub(crate) struct Fonts {
    faces: Vec<(Script, FontFile)>,
}

impl Fonts {
    /// Load the first usable candidate for every script; scripts whose font
    /// is missing are simply absent (see [`Fonts::get`]).
    pub(crate) fn load() -> Self {
        let mut faces = Vec::new();
        for script in [
            Script::Latin,
            Script::Arabic,
            Script::Thai,
            Script::Chinese,
            Script::Japanese,
        ] {
            for &(path, index) in script.candidates() {
                // Reuse bytes already read (one .ttc serves several scripts).
                let cached = faces
                    .iter()
                    .find(|(_, f): &&(Script, FontFile)| f.path == Path::new(path))
                    .map(|(_, f)| Arc::clone(&f.data));
                if let Some(f) = load_face(Path::new(path), index, cached) {
                    tracing::debug!(?script, path = %f.path.display(), "font loaded");
                    faces.push((script, f));
                    break;
                }
            }
            if !faces.iter().any(|(s, _)| *s == script) {
                tracing::warn!(
                    ?script,
                    "no font found for script; text in it will be skipped"
                );
            }
        }
        Self { faces }
    }

    /// The font for a script, if one was found.
    pub(crate) fn get(&self, script: Script) -> Option<&FontFile> {
        self.faces
            .iter()
            .find(|(s, _)| *s == script)
            .map(|(_, f)| f)
    }
}

fn load_face(path: &Path, index: u32, cached: Option<Arc<Vec<u8>>>) -> Option<FontFile> {
    let data = match cached {
        Some(d) => d,
        None => Arc::new(std::fs::read(path).ok()?),
    };
    // Both the shaper and the rasteriser must accept it.
    FontRef::try_from_slice_and_index(&data, index).ok()?;
    rustybuzz::Face::from_slice(&data, index)?;
    Some(FontFile {
        data,
        index,
        path: path.to_path_buf(),
    })
}

/// A shaped line: glyph ids with pen positions, in pixels.
struct Shaped {
    glyphs: Vec<(u16, f32, f32)>,
    width: f32,
    ascent: f32,
    descent: f32,
}

fn shape(font: &FontFile, text: &str, size: f32) -> Option<Shaped> {
    let face = rustybuzz::Face::from_slice(&font.data, font.index)?;
    let upem = f32::from(face.units_per_em().max(1) as u16);
    let k = size / upem;
    let mut buf = rustybuzz::UnicodeBuffer::new();
    buf.push_str(text);
    buf.guess_segment_properties();
    let out = rustybuzz::shape(&face, &[], buf);
    let mut x = 0.0f32;
    let mut glyphs = Vec::with_capacity(out.len());
    for (info, pos) in out.glyph_infos().iter().zip(out.glyph_positions()) {
        let gid = u16::try_from(info.glyph_id).unwrap_or(0);
        glyphs.push((gid, x + pos.x_offset as f32 * k, -(pos.y_offset as f32) * k));
        x += pos.x_advance as f32 * k;
    }
    Some(Shaped {
        glyphs,
        width: x,
        ascent: f32::from(face.ascender()) * k,
        descent: -f32::from(face.descender()) * k,
    })
}

/// Width and line height of `text` (one line) at `size` px per em.
pub(crate) fn measure(font: &FontFile, text: &str, size: f32) -> Option<(f32, f32)> {
    let s = shape(font, text, size)?;
    Some((s.width, s.ascent + s.descent))
}

/// Draw one line with its baseline at `y`, starting at `x`. Returns the width.
pub(crate) fn draw_line(
    img: &mut RgbImage,
    font: &FontFile,
    text: &str,
    size: f32,
    x: f32,
    y: f32,
    c: Rgb,
) -> f32 {
    let Some(shaped) = shape(font, text, size) else {
        return 0.0;
    };
    let Ok(rast) = FontRef::try_from_slice_and_index(&font.data, font.index) else {
        return 0.0;
    };
    let upem = rast.units_per_em().unwrap_or(1000.0);
    let px = PxScale::from(size * rast.height_unscaled() / upem);
    for &(gid, gx, gy) in &shaped.glyphs {
        let glyph = Glyph {
            id: GlyphId(gid),
            scale: px,
            position: point(x + gx, y + gy),
        };
        if let Some(outline) = rast.outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline.draw(|ox, oy, cov| {
                blend(
                    img,
                    b.min.x as i64 + i64::from(ox),
                    b.min.y as i64 + i64::from(oy),
                    c,
                    cov,
                );
            });
        }
    }
    shaped.width
}

/// Draw (possibly multi-line, `\n`-separated) text centred in a box, as
/// large as fits. Returns false when the text could not be shaped.
pub(crate) fn draw_in_box(
    img: &mut RgbImage,
    font: &FontFile,
    text: &str,
    b: (f32, f32, f32, f32),
    c: Rgb,
) -> bool {
    let (x0, y0, x1, y1) = b;
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return false;
    }
    let (bw, bh) = ((x1 - x0) * 0.88, (y1 - y0) * 0.8);
    // Measure at a reference size, then scale.
    let reference = 100.0;
    let mut widest = 0.0f32;
    let mut line_h = 0.0f32;
    for l in &lines {
        let Some((w, h)) = measure(font, l, reference) else {
            return false;
        };
        widest = widest.max(w);
        line_h = line_h.max(h);
    }
    if widest <= 0.0 || line_h <= 0.0 {
        return false;
    }
    let n = lines.len() as f32;
    let size = (reference * bw / widest).min(reference * bh / (line_h * n));
    let Some(shaped_h) = shape(font, lines[0], size).map(|s| (s.ascent, s.descent)) else {
        return false;
    };
    let lh = shaped_h.0 + shaped_h.1;
    let top = y0 + ((y1 - y0) - lh * n) / 2.0;
    for (i, l) in lines.iter().enumerate() {
        let w = measure(font, l, size).map_or(0.0, |m| m.0);
        let x = x0 + ((x1 - x0) - w) / 2.0;
        draw_line(img, font, l, size, x, top + lh * i as f32 + shaped_h.0, c);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_available_script() {
        let fonts = Fonts::load();
        for (script, text) in [
            (Script::Latin, "Straße Привет"),
            (Script::Arabic, "مغلق"),
            (Script::Thai, "ร้านกาแฟ"),
            (Script::Chinese, "欢迎光临"),
            (Script::Japanese, "営業中"),
        ] {
            let Some(font) = fonts.get(script) else {
                continue;
            };
            let mut img = RgbImage::from_pixel(200, 60, image::Rgb([255, 255, 255]));
            assert!(draw_in_box(
                &mut img,
                font,
                text,
                (0.0, 0.0, 200.0, 60.0),
                [0, 0, 0]
            ));
            let dark = img.pixels().filter(|p| p.0[0] < 128).count();
            assert!(dark > 50, "{script:?} drew {dark} dark pixels");
        }
    }
}
