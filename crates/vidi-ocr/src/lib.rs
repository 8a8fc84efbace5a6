//! OCR and text-language identification for vidi's clues.
//!
//! * [`Ocr`]: a reusable tesseract engine (libtesseract 5 through a small
//!   FFI over its C API; no CLI, no re-decoding). It takes RGB8 pixels
//!   ([`RgbImageRef`]) and returns an [`OcrResult`]: words with boxes in
//!   input pixels and confidences 0–1, lines and blocks, the full text and
//!   language guesses.
//! * [`detect_language`]: ISO 639-1 language and ISO 15924 script of a text.
//!
//! Engine initialisation costs tens to hundreds of milliseconds per
//! language set, so keep one [`Ocr`] per worker thread: it is `Send` but not
//! `Sync`.
//!
//! Traineddata come from Debian's `tesseract-ocr-<lang>` packages
//! (`/usr/share/tesseract-ocr/5/tessdata`), see `scripts/setup-ocr.sh`.

#![warn(missing_docs)]

mod engine;
mod ffi;
mod lang;
mod prep;

use std::path::PathBuf;

use serde::Serialize;

pub use engine::{DEFAULT_LATIN_LANGUAGES, Ocr, OcrConfig, PageSegMode, ScriptPass};
pub use lang::{LanguageGuess, MIN_LETTERS, detect_language, detect_script};
pub use prep::RgbImageRef;

/// Version of this extractor's output; bump when results change for the
/// same input (new traineddata, other defaults, other post-processing).
/// 2: vidi-clues' `ocr` adds Chinese/Japanese/Korean passes and merges
/// PP-OCR lines region by region.
pub const EXTRACTOR_VERSION: u32 = 2;

/// The libtesseract version linked at run time (e.g. `5.3.0`).
pub fn tesseract_version() -> String {
    ffi::version()
}

/// An axis-aligned box in pixels of the input image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BBox {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl BBox {
    fn union(self, o: Self) -> Self {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        let r = (self.x + self.w).max(o.x + o.w);
        let b = (self.y + self.h).max(o.y + o.h);
        Self {
            x,
            y,
            w: r - x,
            h: b - y,
        }
    }
}

/// One recognised word.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    /// The word's text (UTF-8, trimmed).
    pub text: String,
    /// Where it is, in input pixels.
    pub bbox: BBox,
    /// Tesseract's confidence mapped to 0–1.
    pub confidence: f32,
    /// Index of its line in [`OcrResult::lines`].
    pub line: usize,
    /// The traineddata that recognised it (`eng`, `rus`...).
    pub model: String,
}

/// One text line: consecutive words tesseract put on the same line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// Its words joined by single spaces.
    pub text: String,
    /// Union of its words' boxes.
    pub bbox: BBox,
    /// Mean word confidence, weighted by characters.
    pub confidence: f32,
    /// Index of its block in [`OcrResult::blocks`].
    pub block: usize,
    /// Its words: `words[first_word..first_word + word_count]`.
    pub first_word: usize,
    /// Number of words.
    pub word_count: usize,
}

/// One block (a text region) made of lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// Its lines joined by newlines.
    pub text: String,
    /// Union of its lines' boxes.
    pub bbox: BBox,
    /// Its lines: `lines[first_line..first_line + line_count]`.
    pub first_line: usize,
    /// Number of lines.
    pub line_count: usize,
}

/// What OCR found in one image.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OcrResult {
    /// Words in reading order.
    pub words: Vec<Word>,
    /// Lines in reading order.
    pub lines: Vec<Line>,
    /// Blocks in reading order.
    pub blocks: Vec<Block>,
    /// Full text: lines joined by `\n`, blocks separated by an empty line.
    pub text: String,
    /// Language guesses, most text first: the whole text, then any block
    /// whose language differs (multilingual signs).
    pub languages: Vec<LanguageGuess>,
    /// Tesseract language set of the pass whose result this is
    /// (`eng+fra+...`, `rus+eng`...); empty when no pass ran.
    pub model: String,
    /// Script reported by tesseract's orientation/script detection
    /// (ISO 15924), when it ran and was confident.
    pub osd_script: Option<String>,
    /// Degrees the image was turned counter-clockwise before recognition
    /// because OSD found it rotated (0, 90, 180, 270). Boxes are always in
    /// the input's own orientation.
    pub rotation: u32,
}

impl OcrResult {
    /// Whether nothing was recognised.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// OCR errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OcrError {
    /// The pixel buffer does not hold `width * height * 3` bytes.
    #[error("RGB buffer of {len} bytes does not match {width}x{height}")]
    BufferSize {
        /// Claimed width.
        width: u32,
        /// Claimed height.
        height: u32,
        /// Actual buffer length.
        len: usize,
    },
    /// A language list is malformed (empty, or characters other than
    /// ASCII letters, digits, `_` and `+`).
    #[error("invalid tesseract language list {languages:?}")]
    LanguageList {
        /// The list given.
        languages: String,
    },
    /// Tesseract could not initialise (usually a missing traineddata file).
    #[error("tesseract could not load {languages:?} from {tessdata:?}")]
    Init {
        /// The languages requested.
        languages: String,
        /// The traineddata folder (None: libtesseract's default).
        tessdata: Option<PathBuf>,
    },
    /// Recognition took longer than [`OcrConfig::deadline`].
    #[error("recognition stopped at the {deadline_ms} ms deadline")]
    Timeout {
        /// The deadline that was hit.
        deadline_ms: u64,
    },
    /// The caller cancelled.
    #[error("cancelled")]
    Cancelled,
    /// Tesseract reported a recognition failure.
    #[error("tesseract recognition failed")]
    Recognize,
}

pub(crate) fn assemble(raw: Vec<RawWordScaled>) -> (Vec<Word>, Vec<Line>, Vec<Block>, String) {
    let mut words: Vec<Word> = Vec::with_capacity(raw.len());
    let mut lines: Vec<Line> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut prev: Option<(u32, u32)> = None;
    for rw in raw {
        let key = (rw.block, rw.line);
        if prev != Some(key) {
            if prev.map(|p| p.0) != Some(rw.block) {
                blocks.push(Block {
                    text: String::new(),
                    bbox: rw.bbox,
                    first_line: lines.len(),
                    line_count: 0,
                });
            }
            let block = blocks.len().saturating_sub(1);
            lines.push(Line {
                text: String::new(),
                bbox: rw.bbox,
                confidence: 0.0,
                block,
                first_word: words.len(),
                word_count: 0,
            });
            if let Some(b) = blocks.last_mut() {
                b.line_count += 1;
            }
            prev = Some(key);
        }
        let line_idx = lines.len().saturating_sub(1);
        if let Some(l) = lines.last_mut() {
            if l.word_count > 0 && needs_space(l.text.chars().last(), rw.text.chars().next()) {
                l.text.push(' ');
            }
            l.text.push_str(&rw.text);
            l.bbox = l.bbox.union(rw.bbox);
            l.word_count += 1;
        }
        words.push(Word {
            text: rw.text,
            bbox: rw.bbox,
            confidence: rw.confidence,
            line: line_idx,
            model: rw.model,
        });
    }
    for l in &mut lines {
        let ws = words
            .get(l.first_word..l.first_word + l.word_count)
            .unwrap_or(&[]);
        let (mut num, mut den) = (0.0f32, 0.0f32);
        for w in ws {
            let n = w.text.chars().count() as f32;
            num += w.confidence * n;
            den += n;
        }
        l.confidence = if den > 0.0 { num / den } else { 0.0 };
    }
    for b in &mut blocks {
        let ls = lines
            .get(b.first_line..b.first_line + b.line_count)
            .unwrap_or(&[]);
        let mut text = String::new();
        for (i, l) in ls.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(&l.text);
            b.bbox = b.bbox.union(l.bbox);
        }
        b.text = text;
    }
    let text = blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    (words, lines, blocks, text)
}

/// Scripts written without spaces between words. Tesseract reports Thai
/// (and CJK) text one character or cluster per "word"; joining those with
/// spaces would misspell every line.
fn unspaced(c: char) -> bool {
    matches!(
        lang::char_script(c),
        Some("Thai" | "Laoo" | "Khmr" | "Mymr" | "Hani" | "Hira" | "Kana")
    )
}

fn needs_space(prev: Option<char>, next: Option<char>) -> bool {
    match (prev, next) {
        (Some(a), Some(b)) => !(unspaced(a) && unspaced(b)),
        _ => true,
    }
}

/// A word mapped back to input pixels, before grouping.
#[derive(Debug, Clone)]
pub(crate) struct RawWordScaled {
    pub(crate) text: String,
    pub(crate) bbox: BBox,
    pub(crate) confidence: f32,
    pub(crate) block: u32,
    pub(crate) line: u32,
    pub(crate) model: String,
}

/// Language guesses for a result: the whole text first, then blocks whose
/// language differs from every guess so far.
pub(crate) fn guess_languages(text: &str, blocks: &[Block]) -> Vec<LanguageGuess> {
    let mut out: Vec<LanguageGuess> = Vec::new();
    if let Some(g) = detect_language(text) {
        out.push(g);
    }
    for b in blocks {
        if let Some(g) = detect_language(&b.text)
            && g.confidence >= 0.5
            && !out.iter().any(|o| o.lang == g.lang)
        {
            out.push(g);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw(text: &str, x: u32, block: u32, line: u32) -> RawWordScaled {
        RawWordScaled {
            text: text.into(),
            bbox: BBox {
                x,
                y: line * 20,
                w: 10,
                h: 10,
            },
            confidence: 0.9,
            block,
            line,
            model: "eng".into(),
        }
    }

    #[test]
    fn groups_lines_and_blocks() {
        let (words, lines, blocks, text) = assemble(vec![
            rw("a", 0, 0, 0),
            rw("b", 20, 0, 0),
            rw("c", 0, 0, 1),
            rw("d", 0, 1, 2),
        ]);
        assert_eq!(words.len(), 4);
        assert_eq!(lines.len(), 3);
        assert_eq!(blocks.len(), 2);
        assert_eq!(text, "a b\nc\n\nd");
        assert_eq!(
            lines[0].bbox,
            BBox {
                x: 0,
                y: 0,
                w: 30,
                h: 10
            }
        );
        assert_eq!(words[2].line, 1);
        assert_eq!(lines[2].block, 1);
    }

    #[test]
    fn thai_clusters_join_without_spaces() {
        let (_, lines, _, text) = assemble(vec![
            rw("ห", 0, 0, 0),
            rw("\u{e49}า", 10, 0, 0),
            rw("ม", 20, 0, 0),
            rw("BTS", 30, 0, 0),
        ]);
        assert_eq!(text, "ห\u{e49}าม BTS");
        assert_eq!(lines[0].word_count, 4);
    }

    #[test]
    fn empty() {
        let (w, l, b, t) = assemble(Vec::new());
        assert!(w.is_empty() && l.is_empty() && b.is_empty() && t.is_empty());
    }
}
