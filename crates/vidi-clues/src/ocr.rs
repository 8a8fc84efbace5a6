//! OCR: text read in images (tesseract), with word boxes, and the language
//! and script of that text.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::json;
use sha2::Digest;
use vidi_ocr::{Ocr, OcrConfig, RgbImageRef};
use vidi_types::{Cancel, MediaKind, MediaRecord};

use crate::{Clue, ClueError, ClueExtractor, ClueInput, ClueKind, ModelRef, Region, read_bytes};

/// Where Debian's tesseract-ocr packages put the traineddata.
const DEBIAN_TESSDATA: &str = "/usr/share/tesseract-ocr/5/tessdata";

/// Text and text language of images. Engines are pooled (one per thread
/// at a time: a tesseract engine is not `Sync`).
#[derive(Debug)]
pub struct OcrExtractor {
    config: OcrConfig,
    pool: Mutex<Vec<Ocr>>,
    model: ModelRef,
    limits: vidi_media::Limits,
}

/// Every tesseract language pack a configuration uses.
fn languages(config: &OcrConfig) -> Vec<String> {
    let mut langs: Vec<String> = config
        .languages
        .split('+')
        .chain(
            config
                .script_passes
                .iter()
                .flat_map(|p| p.languages.split('+')),
        )
        .map(str::to_owned)
        .collect();
    langs.push("osd".into());
    langs.sort();
    langs.dedup();
    langs
}

fn traineddata_sha256(dir: &Path, langs: &[String]) -> Result<String, ClueError> {
    let mut all = sha2::Sha256::new();
    for l in langs {
        let path = dir.join(format!("{l}.traineddata"));
        let mut f = std::fs::File::open(&path).map_err(|source| ClueError::ModelMissing {
            extractor: "ocr",
            name: format!("tesseract {l}"),
            why: format!("{}: {source}", path.display()),
        })?;
        let mut h = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf).map_err(|source| ClueError::Io {
                path: path.clone(),
                source,
            })?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        all.update(l.as_bytes());
        all.update(h.finalize());
    }
    Ok(all.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

impl OcrExtractor {
    /// An extractor with the default languages (Latin-script set plus
    /// Cyrillic, Arabic and Thai passes). Fails with
    /// [`ClueError::ModelMissing`] naming the missing language pack.
    pub fn new() -> Result<OcrExtractor, ClueError> {
        Self::with_config(OcrConfig::default())
    }

    /// An extractor with a given OCR configuration.
    pub fn with_config(config: OcrConfig) -> Result<OcrExtractor, ClueError> {
        let dir: PathBuf = config
            .tessdata
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEBIAN_TESSDATA));
        let langs = languages(&config);
        let sha256 = traineddata_sha256(&dir, &langs)?;
        let model = ModelRef {
            name: format!(
                "tesseract-{}:{}",
                vidi_ocr::tesseract_version(),
                langs.join("+")
            ),
            sha256,
        };
        Ok(OcrExtractor {
            config,
            pool: Mutex::new(Vec::new()),
            model,
            limits: vidi_media::Limits::default(),
        })
    }

    fn engine(&self) -> Result<Ocr, ClueError> {
        if let Some(e) = self.pool.lock().ok().and_then(|mut p| p.pop()) {
            return Ok(e);
        }
        Ocr::new(self.config.clone()).map_err(ClueError::Ocr)
    }

    fn give_back(&self, e: Ocr) {
        if let Ok(mut p) = self.pool.lock() {
            p.push(e);
        }
    }
}

fn region(b: &vidi_ocr::BBox) -> Region {
    Region {
        x: b.x,
        y: b.y,
        w: b.w,
        h: b.h,
    }
}

impl ClueExtractor for OcrExtractor {
    fn id(&self) -> &'static str {
        "ocr"
    }

    fn version(&self) -> u32 {
        vidi_ocr::EXTRACTOR_VERSION
    }

    fn model(&self) -> Option<ModelRef> {
        Some(self.model.clone())
    }

    fn applies(&self, media: &MediaRecord) -> bool {
        media.kind == MediaKind::Image && media.error.is_none()
    }

    fn extract(&self, input: ClueInput<'_>, cancel: &Cancel) -> Result<Vec<Clue>, ClueError> {
        let Some(bytes) = read_bytes(input)? else {
            return Ok(Vec::new());
        };
        let img = vidi_media::decode_image(&bytes, &self.limits).map_err(ClueError::Decode)?;
        drop(bytes);
        let rgb = RgbImageRef::new(img.width, img.height, &img.rgb).map_err(ClueError::Ocr)?;
        let mut engine = self.engine()?;
        let result = engine.recognize(rgb, Some(cancel));
        self.give_back(engine);
        let result = result.map_err(ClueError::Ocr)?;
        if cancel.is_cancelled() {
            return Err(ClueError::Cancelled);
        }
        let clue = |kind, value: String, confidence: f32, region, detail| Clue {
            kind,
            value,
            confidence,
            extractor: "ocr".into(),
            version: self.version(),
            model: Some(self.model.clone()),
            region,
            time_range: None,
            detail,
        };
        let mut out = Vec::new();
        for b in &result.blocks {
            let lines =
                &result.lines[b.first_line..(b.first_line + b.line_count).min(result.lines.len())];
            let chars: usize = lines.iter().map(|l| l.text.chars().count()).sum();
            if chars == 0 {
                continue;
            }
            let conf = lines
                .iter()
                .map(|l| l.confidence * l.text.chars().count() as f32)
                .sum::<f32>()
                / chars as f32;
            let words: Vec<_> = lines
                .iter()
                .flat_map(|l| {
                    &result.words
                        [l.first_word..(l.first_word + l.word_count).min(result.words.len())]
                })
                .map(
                    |w| json!({"text": w.text, "box": region(&w.bbox), "confidence": w.confidence}),
                )
                .collect();
            out.push(clue(
                ClueKind::Text,
                b.text.clone(),
                conf,
                Some(region(&b.bbox)),
                json!({"words": words, "tesseract": result.model, "rotation": result.rotation}),
            ));
        }
        for g in &result.languages {
            out.push(clue(
                ClueKind::TextLanguage,
                g.lang.clone(),
                g.confidence,
                None,
                json!({"script": g.script}),
            ));
        }
        Ok(out)
    }
}
