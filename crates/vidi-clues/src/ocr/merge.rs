//! Combining tesseract's blocks with PP-OCR's lines, region by region, and
//! the text languages of the result.
//!
//! PP-OCR's recognition dictionary holds Chinese, Latin letters, digits and
//! punctuation (no Hangul, five kana); its detector is a far better judge of
//! where text is than tesseract's layout analysis on textured photos. The
//! rule, chosen by measurement on rendered signs (docs/accuracy-ocr.md):
//! * a tesseract block and the PP-OCR lines that overlap it: the block is
//!   kept when tesseract is confident (≥ [`STRONG`]) in a script other than
//!   Han (Latin keeps its spaces, Hangul and kana PP-OCR cannot write);
//!   otherwise the side with the larger Σ characters × confidence² wins;
//! * a tesseract block over no PP-OCR line is kept only when it looks like
//!   text: confidence ≥ [`STRONG`], at least three letters, letters the
//!   majority of its characters (brick joints and foliage read as `|`, `=`,
//!   `ar`... are dropped);
//! * PP-OCR lines over no tesseract block are added (text tesseract missed).

use serde_json::json;
use vidi_ocr::{LanguageGuess, detect_language, detect_script};

use crate::Region;

/// Which engine read a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    Tesseract,
    PpOcr,
}

/// A piece of text read by one engine.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub(crate) text: String,
    pub(crate) confidence: f32,
    pub(crate) region: Region,
    pub(crate) engine: Engine,
    pub(crate) detail: serde_json::Value,
}

impl Candidate {
    fn weight(&self) -> f32 {
        let chars = self.text.chars().filter(|c| c.is_alphanumeric()).count() as f32;
        chars * self.confidence * self.confidence
    }
}

/// Tesseract confidence above which its reading of a block is trusted.
pub(crate) const STRONG: f32 = 0.85;

/// Tesseract is confident in a script where it beats PP-OCR (anything but
/// Han: Latin spacing, Hangul, kana, Thai, Cyrillic, Arabic...).
fn tesseract_strong(t: &Candidate) -> bool {
    t.confidence >= STRONG && detect_script(&t.text).is_some_and(|(s, _)| s != "Hani")
}

/// A tesseract block with no PP-OCR line under it that still looks like text.
fn looks_like_text(t: &Candidate) -> bool {
    let visible = t.text.chars().filter(|c| !c.is_whitespace()).count();
    let letters = t.text.chars().filter(|c| c.is_alphabetic()).count();
    t.confidence >= STRONG && letters >= 3 && letters * 2 > visible
}

fn area(r: &Region) -> u64 {
    u64::from(r.w) * u64::from(r.h)
}

fn intersection(a: &Region, b: &Region) -> u64 {
    let x0 = a.x.max(b.x);
    let y0 = a.y.max(b.y);
    let x1 = (a.x.saturating_add(a.w)).min(b.x.saturating_add(b.w));
    let y1 = (a.y.saturating_add(a.h)).min(b.y.saturating_add(b.h));
    if x1 <= x0 || y1 <= y0 {
        0
    } else {
        u64::from(x1 - x0) * u64::from(y1 - y0)
    }
}

/// Whether a PP-OCR line lies over a tesseract block: at least half of the
/// smaller of the two is shared.
fn overlaps(block: &Region, line: &Region) -> bool {
    let small = area(block).min(area(line)).max(1);
    intersection(block, line) * 2 >= small
}

/// Merge tesseract blocks and PP-OCR lines (see the module doc); the result
/// is in reading order (top to bottom, then left to right).
pub(crate) fn merge(tess: Vec<Candidate>, pp: Vec<Candidate>) -> Vec<Candidate> {
    let mut used = vec![false; pp.len()];
    let mut out: Vec<Candidate> = Vec::new();
    for t in tess {
        let over: Vec<usize> = pp
            .iter()
            .enumerate()
            .filter(|(i, p)| !used[*i] && overlaps(&t.region, &p.region))
            .map(|(i, _)| i)
            .collect();
        for &i in &over {
            used[i] = true;
        }
        if over.is_empty() {
            if looks_like_text(&t) {
                out.push(t);
            }
            continue;
        }
        if tesseract_strong(&t) {
            out.push(t);
            continue;
        }
        let pp_weight: f32 = over.iter().map(|&i| pp[i].weight()).sum();
        if pp_weight >= t.weight() {
            out.extend(over.iter().map(|&i| pp[i].clone()));
        } else {
            out.push(t);
        }
    }
    out.extend(pp.into_iter().zip(used).filter(|(_, u)| !u).map(|(p, _)| p));
    sort_reading_order(&mut out);
    out
}

fn sort_reading_order(v: &mut [Candidate]) {
    v.sort_by_key(|c| (c.region.y, c.region.x));
    // Items on the same line (tops within 10 px) go left to right.
    for i in 0..v.len().saturating_sub(1) {
        if v[i + 1].region.y.abs_diff(v[i].region.y) < 10 && v[i + 1].region.x < v[i].region.x {
            v.swap(i, i + 1);
        }
    }
}

/// Language guesses: the whole text first, then any candidate whose
/// language differs from every guess so far (confidence ≥ 0.5).
pub(crate) fn languages(cands: &[Candidate]) -> Vec<LanguageGuess> {
    let all: Vec<&str> = cands.iter().map(|c| c.text.as_str()).collect();
    let mut out: Vec<LanguageGuess> = Vec::new();
    if let Some(g) = detect_language(&all.join("\n")) {
        out.push(g);
    }
    for c in cands {
        if let Some(g) = detect_language(&c.text)
            && g.confidence >= 0.5
            && !out.iter().any(|o| o.lang == g.lang)
        {
            out.push(g);
        }
    }
    out
}

/// A PP-OCR line as a candidate.
pub(crate) fn from_pp(l: &vidi_ppocr::TextLine) -> Candidate {
    Candidate {
        text: l.text.clone(),
        confidence: l.confidence,
        region: Region {
            x: l.rect[0],
            y: l.rect[1],
            w: l.rect[2],
            h: l.rect[3],
        },
        engine: Engine::PpOcr,
        detail: json!({
            "engine": "ppocr",
            "quad": l.quad,
            "box_score": l.box_score,
            "flipped": l.flipped,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A candidate read by `engine` over `[x, y, w, h]`.
    fn cand(engine: Engine, text: &str, conf: f32, [x, y, w, h]: [u32; 4]) -> Candidate {
        Candidate {
            text: text.into(),
            confidence: conf,
            region: Region { x, y, w, h },
            engine,
            detail: serde_json::Value::Null,
        }
    }

    fn tess(text: &str, conf: f32, r: [u32; 4]) -> Candidate {
        cand(Engine::Tesseract, text, conf, r)
    }

    fn pp(text: &str, conf: f32, r: [u32; 4]) -> Candidate {
        cand(Engine::PpOcr, text, conf, r)
    }

    fn texts(m: &[Candidate]) -> Vec<&str> {
        m.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn chinese_read_better_by_ppocr_replaces_tesseract_garbage() {
        let t = vec![tess("Ab HR 7E", 0.35, [100, 100, 300, 120])];
        let p = vec![
            pp("北京南站", 0.99, [110, 100, 200, 50]),
            pp("出口", 0.98, [110, 160, 100, 50]),
        ];
        let m = merge(t, p);
        assert_eq!(texts(&m), ["北京南站", "出口"]);
        assert!(m.iter().all(|c| c.engine == Engine::PpOcr));
    }

    #[test]
    fn scripts_ppocr_cannot_write_stay_with_tesseract() {
        let t = vec![tess("서울역 출구", 0.9, [100, 100, 300, 120])];
        let p = vec![pp("片品品", 0.9, [110, 110, 200, 50])];
        assert_eq!(texts(&merge(t, p)), ["서울역 출구"]);
    }

    #[test]
    fn texture_read_as_text_is_dropped_when_ppocr_saw_nothing_there() {
        let t = vec![
            tess("|\n|\n]\nI", 0.8, [900, 0, 30, 700]),
            tess("ar", 0.81, [10, 10, 20, 10]),
            tess("nie", 0.22, [10, 500, 20, 10]),
            tess("부산 시청", 0.96, [400, 400, 150, 40]),
        ];
        assert_eq!(texts(&merge(t, Vec::new())), ["부산 시청"]);
        // A doubtful block over a confident PP-OCR line loses to it.
        let t = vec![tess("= Ly لنا هم", 0.6, [338, 306, 360, 65])];
        let p = vec![pp("MAIN STREET", 0.95, [335, 302, 366, 74])];
        assert_eq!(merge(t, p)[0].text, "MAIN STREET");
    }

    #[test]
    fn good_latin_from_tesseract_is_kept_and_extra_lines_are_added() {
        let t = vec![tess("MAIN STREET", 0.95, [100, 100, 300, 50])];
        let p = vec![
            pp("MAIN STRFET", 0.7, [100, 100, 300, 50]),
            pp("EXIT", 0.9, [500, 400, 80, 40]),
        ];
        assert_eq!(texts(&merge(t, p)), ["MAIN STREET", "EXIT"]);
    }

    #[test]
    fn languages_of_merged_text() {
        let m = vec![
            pp("欢迎光临上海大酒店", 0.99, [0, 0, 10, 10]),
            tess("환영합니다 부산 시청", 0.9, [0, 50, 10, 10]),
        ];
        let l = languages(&m);
        let codes: Vec<&str> = l.iter().map(|g| g.lang.as_str()).collect();
        assert!(codes.contains(&"zh") && codes.contains(&"ko"), "{l:?}");
    }
}
