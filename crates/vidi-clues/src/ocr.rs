//! OCR: text read in images and video frames, with boxes, and the language
//! and script of that text.
//!
//! Two engines: tesseract (every image; Latin-script set plus Cyrillic,
//! Arabic and Thai passes, and Chinese, Japanese and Korean passes when
//! their language packs are installed) and, when its models are installed,
//! PP-OCR (`vidi-ppocr`), which reads Chinese and signs far better. Their
//! outputs are merged region by region ([`merge`]); each text clue says
//! which engine read it (`detail.engine`).
//!
//! A video is read on a few frames spread over its length ([`VIDEO_FRAMES`]);
//! the same text read on several frames becomes one clue whose time range
//! runs from the first to the last frame it was read on.

mod merge;
mod video;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::json;
use sha2::Digest;
use vidi_ocr::{Ocr, OcrConfig, RgbImageRef};
use vidi_types::{Cancel, MediaKind, MediaRecord};

use crate::{Clue, ClueError, ClueExtractor, ClueInput, ClueKind, ModelRef, Region, read_bytes};
use merge::{Candidate, Engine};

/// Frames of a video read by OCR.
pub(crate) const VIDEO_FRAMES: usize = 6;

/// Where Debian's tesseract-ocr packages put the traineddata.
const DEBIAN_TESSDATA: &str = "/usr/share/tesseract-ocr/5/tessdata";

/// Text and text language of images. Tesseract engines are pooled (one per
/// thread at a time: a tesseract engine is not `Sync`); the PP-OCR pipeline
/// is shared.
#[derive(Debug)]
pub struct OcrExtractor {
    config: OcrConfig,
    pool: Mutex<Vec<Ocr>>,
    model: ModelRef,
    limits: vidi_media::Limits,
    pp: Option<vidi_ppocr::PpOcr>,
    pp_missing: Option<String>,
}

/// Tesseract passes for Chinese, Japanese and Korean: (OSD script name,
/// ISO 15924, languages). Added only when the language pack is installed.
const CJK_PASSES: [(&str, &str, &str); 3] = [
    ("Han", "Hani", "chi_sim+eng"),
    ("Japanese", "Jpan", "jpn+eng"),
    ("Korean", "Hang", "kor+eng"),
];

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
            pp: None,
            pp_missing: None,
        })
    }

    /// The extractor vidi runs: tesseract with the default languages plus
    /// the CJK passes whose language packs are installed, and PP-OCR from
    /// `models_dir` when its models are installed (else tesseract alone;
    /// [`OcrExtractor::ppocr_missing`] says why).
    pub fn load(models_dir: &Path) -> Result<OcrExtractor, ClueError> {
        let mut config = OcrConfig::default();
        let dir = config
            .tessdata
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEBIAN_TESSDATA));
        for (osd, iso, langs) in CJK_PASSES {
            let installed = langs
                .split('+')
                .all(|l| dir.join(format!("{l}.traineddata")).is_file());
            if installed {
                config.script_passes.push(vidi_ocr::ScriptPass {
                    osd_script: osd.into(),
                    iso15924: iso.into(),
                    languages: langs.into(),
                    psm: None,
                });
            }
        }
        let mut e = Self::with_config(config)?;
        match vidi_ppocr::PpOcr::from_models_dir(models_dir, vidi_ppocr::PpOcrConfig::default()) {
            Ok(pp) => e = e.with_ppocr(pp),
            Err(err) => {
                tracing::warn!(error = %err, "PP-OCR not available: OCR runs with tesseract alone");
                e.pp_missing = Some(error_chain(&err));
            }
        }
        Ok(e)
    }

    /// Add a loaded PP-OCR pipeline (its model SHA-256 joins the
    /// extractor's model identity).
    pub fn with_ppocr(mut self, pp: vidi_ppocr::PpOcr) -> OcrExtractor {
        let mut h = sha2::Sha256::new();
        h.update(self.model.sha256.as_bytes());
        h.update(pp.sha256().as_bytes());
        self.model = ModelRef {
            name: format!("{}+{}", self.model.name, vidi_ppocr::MODEL_NAME),
            sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        };
        self.pp = Some(pp);
        self.pp_missing = None;
        self
    }

    /// Why PP-OCR is not used, when [`OcrExtractor::load`] could not load it.
    pub fn ppocr_missing(&self) -> Option<&str> {
        self.pp_missing.as_deref()
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

/// An error and its sources on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
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
        crate::has_pictures(media)
    }

    fn extract(&self, input: ClueInput<'_>, cancel: &Cancel) -> Result<Vec<Clue>, ClueError> {
        if input.media.kind == MediaKind::Video {
            let Some(path) = input.path else {
                return Ok(Vec::new());
            };
            let duration = input.media.duration_s.or(input
                .media
                .video
                .as_ref()
                .and_then(|v| v.duration_s));
            return self.read_video(path, duration, cancel);
        }
        let Some(bytes) = read_bytes(input)? else {
            return Ok(Vec::new());
        };
        self.read_image(&bytes, cancel)
    }
}

impl OcrExtractor {
    /// Clues of one encoded image (a still, or a video frame as PNG).
    fn read_image(&self, bytes: &[u8], cancel: &Cancel) -> Result<Vec<Clue>, ClueError> {
        let img = vidi_media::decode_image(bytes, &self.limits).map_err(ClueError::Decode)?;
        let rgb = RgbImageRef::new(img.width, img.height, &img.rgb).map_err(ClueError::Ocr)?;
        let mut engine = self.engine()?;
        let result = engine.recognize(rgb, Some(cancel));
        self.give_back(engine);
        let result = result.map_err(ClueError::Ocr)?;
        if cancel.is_cancelled() {
            return Err(ClueError::Cancelled);
        }
        let pp_lines = match &self.pp {
            Some(pp) => {
                let view = vidi_ppocr::RgbView::new(img.width, img.height, &img.rgb)
                    .map_err(ClueError::PpOcr)?;
                match pp.recognize(view, Some(cancel)) {
                    Ok(l) => l,
                    Err(vidi_ppocr::PpOcrError::Cancelled) => return Err(ClueError::Cancelled),
                    Err(e) => return Err(ClueError::PpOcr(e)),
                }
            }
            None => Vec::new(),
        };
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
        let mut tess = Vec::new();
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
            tess.push(Candidate {
                text: b.text.clone(),
                confidence: conf,
                region: region(&b.bbox),
                engine: Engine::Tesseract,
                detail: json!({"engine": "tesseract", "words": words, "tesseract": result.model, "rotation": result.rotation}),
            });
        }
        let pp: Vec<Candidate> = pp_lines.iter().map(merge::from_pp).collect();
        let merged = if self.pp.is_some() {
            merge::merge(tess, pp)
        } else {
            tess
        };
        let languages = if self.pp.is_some() {
            merge::languages(&merged)
        } else {
            result.languages.clone()
        };
        let mut out = Vec::new();
        for c in merged {
            out.push(clue(
                ClueKind::Text,
                c.text,
                c.confidence,
                Some(c.region),
                c.detail,
            ));
        }
        for g in &languages {
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

    /// Clues of a video: OCR on [`VIDEO_FRAMES`] frames, the same text (or
    /// language) on several frames merged into one clue with the time range
    /// it was seen in and the highest confidence.
    fn read_video(
        &self,
        path: &Path,
        duration: Option<f64>,
        cancel: &Cancel,
    ) -> Result<Vec<Clue>, ClueError> {
        let mut merged: BTreeMap<(ClueKind, String), (Clue, Vec<f64>)> = BTreeMap::new();
        let mut order = Vec::new();
        for t in video::frame_times(duration, VIDEO_FRAMES) {
            if cancel.is_cancelled() {
                return Err(ClueError::Cancelled);
            }
            let Some(png) = video::grab_png(path, t, cancel)? else {
                continue;
            };
            for c in self.read_image(&png, cancel)? {
                let k = (c.kind, dedup_key(&c.value));
                if k.1.is_empty() {
                    continue;
                }
                match merged.get_mut(&k) {
                    Some((best, times)) => {
                        times.push(t);
                        if c.confidence > best.confidence {
                            *best = c;
                        }
                    }
                    None => {
                        order.push(k.clone());
                        merged.insert(k, (c, vec![t]));
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(order.len());
        for k in order {
            if let Some((mut c, times)) = merged.remove(&k) {
                let first = times.iter().copied().fold(f64::INFINITY, f64::min);
                let last = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                c.time_range = Some([first, last]);
                if let serde_json::Value::Object(o) = &mut c.detail {
                    o.insert("frames".into(), json!(times));
                }
                out.push(c);
            }
        }
        Ok(out)
    }
}

/// What makes two readings of a text the same: letters and digits only,
/// lower case (OCR of the same sign differs in spaces and punctuation from
/// frame to frame).
fn dedup_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
#[allow(clippy::print_stderr)]
mod tests {
    use super::*;

    const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    /// A 4 s video: "WELCOME TO ANTWERP" for 2 s, then "GRAND HOTEL".
    fn sign_video(dir: &Path) -> Option<PathBuf> {
        let path = dir.join("sign.mp4");
        let text = |t: &str, when: &str| {
            format!(
                "drawtext=fontfile={FONT}:text='{t}':fontsize=44:fontcolor=black:x=40:y=140:enable='{when}'"
            )
        };
        let filter = format!(
            "{},{}",
            text("WELCOME TO ANTWERP", "lt(t,2)"),
            text("GRAND HOTEL", "gte(t,2)")
        );
        let ok = std::process::Command::new("ffmpeg")
            .args([
                "-hide_banner",
                "-loglevel",
                "error",
                "-nostdin",
                "-f",
                "lavfi",
                "-i",
                "color=c=white:s=640x360:d=4:r=10",
                "-vf",
                &filter,
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-y",
            ])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(path)
    }

    #[test]
    fn text_burned_into_a_video_with_time_ranges() {
        let ocr = match OcrExtractor::new() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("SKIP: {e}");
                return;
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let Some(path) = sign_video(dir.path()) else {
            eprintln!("SKIP: ffmpeg with drawtext not available");
            return;
        };
        let clues = ocr.read_video(&path, Some(4.0), &Cancel::new()).unwrap();
        let texts: Vec<&Clue> = clues.iter().filter(|c| c.kind == ClueKind::Text).collect();
        let antwerp: Vec<&&Clue> = texts
            .iter()
            .filter(|c| c.value.to_uppercase().contains("ANTWERP"))
            .collect();
        // Read on 3 of the 6 frames, kept once, with the time it was seen.
        assert_eq!(antwerp.len(), 1, "{texts:?}");
        let [start, end] = antwerp[0].time_range.unwrap();
        assert!(start < 1.0 && end < 2.0 && end > start, "{start}..{end}");
        assert_eq!(antwerp[0].detail["frames"].as_array().unwrap().len(), 3);
        let hotel: Vec<&&Clue> = texts
            .iter()
            .filter(|c| c.value.to_uppercase().contains("HOTEL"))
            .collect();
        assert_eq!(hotel.len(), 1, "{texts:?}");
        assert!(hotel[0].time_range.unwrap()[0] > 2.0);
        assert!(antwerp[0].region.is_some());
        // What locate makes of it: Belgium, Flanders.
        let h = crate::locate(&clues, &crate::Weights::default(), 3);
        assert_eq!(h[0].country, "BE", "{h:?}");
    }

    #[test]
    fn dedup_key_ignores_spacing_and_case() {
        assert_eq!(dedup_key("Grand  Hotel!"), dedup_key("GRAND HOTEL"));
        assert_eq!(dedup_key("- -"), "");
    }
}
