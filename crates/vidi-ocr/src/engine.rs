//! The reusable OCR engine: language sets, passes, limits.

use std::collections::HashMap;
use std::ffi::CString;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use vidi_types::Cancel;

use crate::ffi::{self, Api, FfiError, RawWord};
use crate::prep::{self, PrepLimits, RgbImageRef};
use crate::{BBox, OcrError, OcrResult, RawWordScaled, assemble, guess_languages};

/// Default first pass: the Latin-script languages vidi supports.
pub const DEFAULT_LATIN_LANGUAGES: &str = "eng+fra+deu+nld+spa+por+ita+pol";

/// Tesseract page segmentation modes vidi uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageSegMode {
    /// Fully automatic layout analysis (documents; tesseract's default).
    Auto,
    /// Find as much text as possible in no particular order (photos, signs).
    SparseText,
    /// The image is one uniform block of text.
    SingleBlock,
    /// The image is one text line.
    SingleLine,
}

impl PageSegMode {
    fn code(self) -> i32 {
        match self {
            Self::Auto => 3,
            Self::SingleBlock => 6,
            Self::SingleLine => 7,
            Self::SparseText => 11,
        }
    }
}

/// A second pass for a non-Latin script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptPass {
    /// Script name as tesseract's OSD reports it (`Cyrillic`, `Arabic`, `Thai`...).
    pub osd_script: String,
    /// ISO 15924 code for the same script (`Cyrl`, `Arab`, `Thai`...).
    pub iso15924: String,
    /// Tesseract languages for the pass (`rus+eng`...).
    pub languages: String,
    /// Page segmentation for this pass (None: [`OcrConfig::psm`]).
    pub psm: Option<PageSegMode>,
}

impl ScriptPass {
    fn new(osd: &str, iso: &str, langs: &str, psm: Option<PageSegMode>) -> Self {
        Self {
            osd_script: osd.into(),
            iso15924: iso.into(),
            languages: langs.into(),
            psm,
        }
    }
}

/// Engine settings. `Default` is what vidi's clue extractor uses.
#[derive(Debug, Clone)]
pub struct OcrConfig {
    /// Traineddata folder; None uses libtesseract's default
    /// (`TESSDATA_PREFIX`, else Debian's `/usr/share/tesseract-ocr/5/tessdata`).
    pub tessdata: Option<PathBuf>,
    /// Languages of the first pass (tesseract syntax).
    pub languages: String,
    /// Extra passes for non-Latin scripts, tried when OSD or the first pass
    /// points to them. Empty: first pass only.
    pub script_passes: Vec<ScriptPass>,
    /// Page segmentation.
    pub psm: PageSegMode,
    /// Longest side given to tesseract; larger images are box-downscaled.
    pub max_side: u32,
    /// Images whose longest side is smaller are enlarged (integer factor ≤ 4).
    pub upscale_below: u32,
    /// Time limit for one recognition pass.
    pub deadline: Duration,
    /// Words below this confidence (0–1) are dropped.
    pub min_word_confidence: f32,
    /// Run tesseract's orientation and script detection (OSD) first: turn
    /// pages it finds rotated by 90/180/270 degrees, and pick script passes.
    pub osd: bool,
    /// OSD orientation confidence needed to turn the image (tesseract's
    /// scale; upright pages score about 10, sparse signs far less).
    pub min_rotation_confidence: f32,
    /// When the first pass finds no word at all, run it again in
    /// [`PageSegMode::SparseText`] (automatic layout misses lone words and
    /// short lines; sparse mode scrambles multi-column pages, so it is not
    /// the default).
    pub sparse_retry: bool,
}

impl Default for OcrConfig {
    fn default() -> Self {
        Self {
            tessdata: None,
            languages: DEFAULT_LATIN_LANGUAGES.into(),
            script_passes: vec![
                ScriptPass::new("Cyrillic", "Cyrl", "rus+eng", None),
                ScriptPass::new("Arabic", "Arab", "ara+eng", None),
                // Automatic layout drops whole Thai lines on signs; sparse
                // text finds them (measured, docs/accuracy-ocr.md).
                ScriptPass::new("Thai", "Thai", "tha+eng", Some(PageSegMode::SparseText)),
            ],
            psm: PageSegMode::Auto,
            max_side: 4000,
            upscale_below: 600,
            deadline: Duration::from_secs(60),
            min_word_confidence: 0.0,
            osd: true,
            min_rotation_confidence: 5.0,
            sparse_retry: true,
        }
    }
}

/// A reusable tesseract engine.
///
/// Holds one initialised tesseract API per language set used so far (and
/// one for orientation/script detection), created on first use. `Send`,
/// not `Sync`: use one per thread.
#[derive(Debug)]
pub struct Ocr {
    config: OcrConfig,
    tessdata: Option<CString>,
    apis: HashMap<String, Api>,
    osd: Option<Option<Api>>,
}

/// Only ASCII letters, digits, `_` and `+` (tesseract's list syntax).
fn valid_languages(s: &str) -> bool {
    !s.is_empty()
        && s.split('+')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

impl Ocr {
    /// Create an engine and load the first-pass languages (fails early if
    /// their traineddata are missing). Script passes load lazily.
    pub fn new(config: OcrConfig) -> Result<Self, OcrError> {
        let tessdata = match &config.tessdata {
            Some(p) => Some(CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| {
                OcrError::Init {
                    languages: config.languages.clone(),
                    tessdata: Some(p.clone()),
                }
            })?),
            None => None,
        };
        let mut ocr = Self {
            config,
            tessdata,
            apis: HashMap::new(),
            osd: None,
        };
        let langs = ocr.config.languages.clone();
        ocr.api(&langs)?;
        if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
            // Debian's libtesseract uses OpenMP; its spinning worker threads
            // made recognition about 3x slower on a loaded 2-core machine.
            // libgomp reads the limit once at load, so only the process
            // environment can set it.
            tracing::warn!("OMP_THREAD_LIMIT is unset: set it to 1 for faster OCR");
        }
        Ok(ocr)
    }

    /// The configuration in use.
    pub fn config(&self) -> &OcrConfig {
        &self.config
    }

    fn api(&mut self, languages: &str) -> Result<&mut Api, OcrError> {
        if !valid_languages(languages) {
            return Err(OcrError::LanguageList {
                languages: languages.into(),
            });
        }
        if !self.apis.contains_key(languages) {
            let init_err = || OcrError::Init {
                languages: languages.into(),
                tessdata: self.config.tessdata.clone(),
            };
            let c = ffi::cstring(languages).ok_or_else(init_err)?;
            let started = Instant::now();
            let api =
                Api::new(self.tessdata.as_deref(), &c, ffi::OEM_LSTM).map_err(|_| init_err())?;
            tracing::debug!(
                languages,
                ms = started.elapsed().as_millis() as u64,
                "tesseract initialised"
            );
            self.apis.insert(languages.to_owned(), api);
        }
        self.apis.get_mut(languages).ok_or(OcrError::Recognize)
    }

    fn osd_api(&mut self) -> Option<&mut Api> {
        if self.osd.is_none() {
            let api = Api::new(self.tessdata.as_deref(), c"osd", ffi::OEM_LEGACY).ok();
            if api.is_none() {
                tracing::warn!(
                    "osd.traineddata not loadable: script passes rely on the first pass only"
                );
            }
            self.osd = Some(api);
        }
        self.osd.as_mut().and_then(Option::as_mut)
    }

    /// Recognise with the configured languages and script passes.
    pub fn recognize(
        &mut self,
        image: RgbImageRef<'_>,
        cancel: Option<&Cancel>,
    ) -> Result<OcrResult, OcrError> {
        let langs = self.config.languages.clone();
        self.run(image, &langs, true, cancel)
    }

    /// Recognise with an explicit tesseract language set for this call
    /// (`"eng"`, `"rus+eng"`...), without script passes.
    pub fn recognize_with(
        &mut self,
        image: RgbImageRef<'_>,
        languages: &str,
        cancel: Option<&Cancel>,
    ) -> Result<OcrResult, OcrError> {
        self.run(image, languages, false, cancel)
    }

    fn run(
        &mut self,
        image: RgbImageRef<'_>,
        languages: &str,
        script_passes: bool,
        cancel: Option<&Cancel>,
    ) -> Result<OcrResult, OcrError> {
        let limits = PrepLimits {
            max_side: self.config.max_side.max(16),
            upscale_below: self.config.upscale_below,
            max_upscale: 4,
        };
        // Validate the language list even when the image turns out empty.
        self.api(languages)?;
        let Some(mut p) = prep::prepare(image, limits) else {
            return Ok(OcrResult::default());
        };
        // Tesseract cannot segment anything this small, and flat images have
        // no text: skip the call.
        if p.width < 8 || p.height < 8 || !prep::has_contrast(&p.gray) {
            return Ok(OcrResult::default());
        }
        let osd = if self.config.osd {
            self.osd_api()
                .and_then(|api| api.detect_script(&p.gray, p.width, p.height, 300))
        } else {
            None
        };
        let mut rotation = 0u32;
        if let Some(o) = &osd {
            tracing::debug!(
                deg = o.degrees,
                conf = o.orientation_confidence,
                script = o.script,
                "osd"
            );
            if matches!(o.degrees, 90 | 180 | 270)
                && o.orientation_confidence >= self.config.min_rotation_confidence
            {
                rotation = o.degrees as u32;
                p = prep::rotate_ccw(p, rotation);
            }
        }
        let mut psm = self.config.psm;
        let mut first = self.pass(&p, languages, psm, cancel)?;
        if first.is_empty() && self.config.sparse_retry && psm != PageSegMode::SparseText {
            psm = PageSegMode::SparseText;
            first = self.pass(&p, languages, psm, cancel)?;
        }
        let mut best = (score(&first), first, languages.to_owned());
        let mut osd_script = None;
        if script_passes && !self.config.script_passes.is_empty() {
            let candidates = self.script_candidates(osd.as_ref(), &best.1, &mut osd_script);
            for sp in candidates {
                if cancel.is_some_and(Cancel::is_cancelled) {
                    return Err(OcrError::Cancelled);
                }
                // A page that needed the sparse retry needs it in every pass.
                let pass_psm = sp.psm.unwrap_or(psm);
                let words = match self.pass(&p, &sp.languages, pass_psm, cancel) {
                    Ok(w) => w,
                    Err(OcrError::Init { languages, .. }) => {
                        tracing::warn!(languages, "script pass skipped: traineddata missing");
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let s = score(&words);
                tracing::debug!(
                    languages = sp.languages,
                    score = s,
                    best = best.0,
                    "script pass"
                );
                if s > best.0 {
                    best = (s, words, sp.languages.clone());
                }
            }
        }
        let (_, words, model) = best;
        let (words, lines, blocks, text) = assemble(words);
        let languages = guess_languages(&text, &blocks);
        Ok(OcrResult {
            words,
            lines,
            blocks,
            text,
            languages,
            model,
            osd_script,
            rotation,
        })
    }

    /// Which script passes to try after the first pass.
    ///
    /// OSD (tesseract's orientation and script detector) names the script
    /// of a page with enough text; a pass for it runs when it is not Latin.
    /// On sparse text OSD is unsure; then a weak first pass (mean
    /// confidence under 0.75, at least one word of 3+ letters) tries every
    /// script pass; when the first pass read nothing, OSD's unsure guess
    /// gets its one pass.
    fn script_candidates(
        &self,
        osd: Option<&ffi::Osd>,
        first: &[RawWordScaled],
        osd_script: &mut Option<String>,
    ) -> Vec<ScriptPass> {
        // A single word or line is too little for a confident OSD answer,
        // but its best guess still deserves one pass when it names a script
        // we have a pass for (the score decides which pass wins).
        let hinted = osd
            .filter(|o| o.script_confidence < 1.0 && o.script != "Latin")
            .and_then(|o| {
                self.config
                    .script_passes
                    .iter()
                    .find(|s| s.osd_script == o.script)
            });
        if let Some(o) = osd
            && o.script_confidence >= 1.0
        {
            if let Some(sp) = self
                .config
                .script_passes
                .iter()
                .find(|s| s.osd_script == o.script)
            {
                *osd_script = Some(sp.iso15924.clone());
                return vec![sp.clone()];
            }
            if o.script == "Latin" {
                *osd_script = Some("Latn".into());
            }
        }
        let chars: usize = first.iter().map(|w| w.text.chars().count()).sum();
        let mean = if chars == 0 {
            0.0
        } else {
            first
                .iter()
                .map(|w| w.confidence * w.text.chars().count() as f32)
                .sum::<f32>()
                / chars as f32
        };
        if osd_script.as_deref() == Some("Latn") && mean >= 0.5 {
            return Vec::new();
        }
        // Noise read as text gives short, doubtful "words"; only a word of
        // three or more letters justifies trying every script.
        let has_word = first
            .iter()
            .any(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 3);
        if has_word && mean < 0.75 {
            return self.config.script_passes.clone();
        }
        // OSD's unsure guess on a page where nothing at all was read.
        if first.is_empty() {
            return hinted.cloned().into_iter().collect();
        }
        Vec::new()
    }

    fn pass(
        &mut self,
        p: &prep::Prepared,
        languages: &str,
        psm: PageSegMode,
        cancel: Option<&Cancel>,
    ) -> Result<Vec<RawWordScaled>, OcrError> {
        let deadline = self.config.deadline;
        let deadline_ms = i32::try_from(deadline.as_millis()).unwrap_or(i32::MAX);
        let min_conf = self.config.min_word_confidence;
        let api = self.api(languages)?;
        api.set_psm(psm.code());
        let started = Instant::now();
        let raw = api
            .recognize_gray(&p.gray, p.width, p.height, 300, deadline_ms, cancel)
            .map_err(|e| match e {
                _ if cancel.is_some_and(Cancel::is_cancelled) => OcrError::Cancelled,
                _ if started.elapsed() >= deadline => OcrError::Timeout {
                    deadline_ms: deadline.as_millis() as u64,
                },
                FfiError::Create | FfiError::Init | FfiError::Recognize => OcrError::Recognize,
            })?;
        if cancel.is_some_and(Cancel::is_cancelled) {
            return Err(OcrError::Cancelled);
        }
        if started.elapsed() >= deadline {
            return Err(OcrError::Timeout {
                deadline_ms: deadline.as_millis() as u64,
            });
        }
        tracing::debug!(
            languages,
            words = raw.len(),
            ms = started.elapsed().as_millis() as u64,
            "pass"
        );
        Ok(raw
            .into_iter()
            .filter_map(|w| scale_word(prep::unrotate_word(w, p), p.scale))
            .filter(|w| w.confidence >= min_conf)
            .collect())
    }
}

/// Map a word back to input pixels; drops degenerate boxes.
fn scale_word(w: RawWord, scale: f64) -> Option<RawWordScaled> {
    if w.right <= w.left || w.bottom <= w.top || w.left < 0 || w.top < 0 {
        return None;
    }
    let f = |v: i32| (f64::from(v) * scale).round().max(0.0) as u32;
    let (x, y, r, b) = (f(w.left), f(w.top), f(w.right), f(w.bottom));
    Some(RawWordScaled {
        text: w.text,
        bbox: BBox {
            x,
            y,
            w: r.saturating_sub(x).max(1),
            h: b.saturating_sub(y).max(1),
        },
        confidence: (w.conf / 100.0).clamp(0.0, 1.0),
        block: w.block,
        line: w.line,
        model: w.lang,
    })
}

/// How good a pass is: confident letters. Non-letters count little so a
/// pass that reads noise as punctuation does not win.
fn score(words: &[RawWordScaled]) -> f32 {
    words
        .iter()
        .map(|w| {
            let letters = w.text.chars().filter(|c| c.is_alphanumeric()).count() as f32;
            let c = w.confidence;
            // Confidence squared: a few sure words beat many doubtful ones.
            letters * c * c
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_lists() {
        assert!(valid_languages("eng"));
        assert!(valid_languages("eng+fra+chi_sim"));
        assert!(!valid_languages(""));
        assert!(!valid_languages("eng+"));
        assert!(!valid_languages("../etc"));
        assert!(!valid_languages("eng\0"));
    }
}
