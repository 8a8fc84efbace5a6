//! Synthetic signs and pages for tesseract, drawn with
//! [`vidi_testkit::render`] in faces from Debian's font packages.

use vidi_testkit::render::{Canvas, Font};

/// The face for a script (DejaVu Sans, Noto Sans Thai, Noto Naskh Arabic
/// Bold), if installed.
pub(crate) fn font_for(lang: &str) -> Option<Font> {
    let path = match lang {
        "ar" => "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf",
        "th" => "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
        _ => "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    };
    Font::load(path, 0)
}

/// A 1024x768 "sign photo": a white panel on a noisy background with the
/// given lines centred in dark text.
pub(crate) fn sign_photo(lang: &str, lines: &[&str], seed: u32) -> Option<Canvas> {
    let font = font_for(lang)?;
    let mut c = Canvas::photo_plain(1024, 768, seed);
    let px = 52.0;
    let line_h = px * 1.6;
    let panel_h = (line_h * lines.len() as f32 + px) as u32;
    let widest = lines
        .iter()
        .map(|l| font.text_width(l, px))
        .fold(0.0f32, f32::max);
    let panel_w = ((widest + px * 2.0) as u32).min(1000);
    let (x0, y0) = ((1024 - panel_w) / 2, (768 - panel_h) / 2);
    c.fill_rect(x0, y0, panel_w, panel_h, [235, 238, 240]);
    for (i, l) in lines.iter().enumerate() {
        let w = font.text_width(l, px);
        let x = (1024.0 - w) / 2.0;
        let y = y0 as f32 + px * 0.5 + line_h * i as f32 + px;
        c.draw_text(&font, l, px, (x, y), [20, 30, 90]);
    }
    Some(c)
}

/// A full A4-like page at about 150 dpi (1240x1754) of body text, and
/// the text drawn (lines joined by newlines).
pub(crate) fn document_page(paragraph: &str) -> Option<(Canvas, String)> {
    let font = font_for("en")?;
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
        if font.text_width(&candidate, px) > max_w {
            c.draw_text(&font, &line, px, (120.0, y), [0, 0, 0]);
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
