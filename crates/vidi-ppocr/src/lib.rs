//! PP-OCR on ONNX Runtime: text detection (DB), optional 180-degree
//! direction classification and CTC recognition, for the scripts and
//! scenes tesseract reads poorly (Chinese, signs, rotated or small text).
//!
//! The models are PaddleOCR's PP-OCRv4 Chinese detection and recognition
//! networks and the mobile v2.0 direction classifier, as shipped by PyPI
//! `rapidocr_onnxruntime` and installed by `scripts/models/install-ppocr.sh`
//! under the manifest name [`MODEL_NAME`]. ONNX Runtime itself is a shared
//! library loaded at run time (crate `ort`, `load-dynamic`): the path comes
//! from `ORT_DYLIB_PATH` when set, else from the manifest [`RUNTIME_NAME`];
//! no system path is guessed and nothing is downloaded.
//!
//! The recognition dictionary (6,623 characters: Chinese, Latin, digits,
//! punctuation, five kana, no Hangul) is read from the recognition model's
//! metadata. Korean cannot be read by this model; Japanese only in its kanji.
//!
//! [`PpOcr`] loads the three sessions once and is `Sync` (each session is
//! behind a mutex); one intra-op thread per session by default.
#![warn(missing_docs)]

pub mod detect;
pub mod geom;
mod image_ops;
pub mod recognize;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ort::session::Session;
use ort::value::Tensor;
use vidi_types::Cancel;

pub use detect::{DbParams, DetBox};
pub use geom::{Point, Quad};
pub use image_ops::RgbView;

use image_ops::Rgb;

/// Manifest name of the PP-OCR models.
pub const MODEL_NAME: &str = "ppocr-v4";
/// Manifest name of the ONNX Runtime shared library.
pub const RUNTIME_NAME: &str = "onnxruntime";

/// Errors of PP-OCR.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PpOcrError {
    /// A model (or the runtime library) is not installed.
    #[error("model {name} missing (install it with scripts/models/install-ppocr.sh)")]
    ModelMissing {
        /// Manifest name.
        name: String,
        /// Why (not in the registry, no file of that role...).
        #[source]
        source: Option<vidi_models::ModelError>,
    },
    /// The manifest lists no file for a role.
    #[error("model {name} has no {role} file in its manifest")]
    RoleMissing {
        /// Manifest name.
        name: String,
        /// The role (`detection`, `recognition`, `direction`, `library`).
        role: &'static str,
    },
    /// The ONNX Runtime library could not be loaded.
    #[error("cannot load ONNX Runtime from {path}")]
    Runtime {
        /// The library.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ort::LoadDynamicError,
    },
    /// The ONNX Runtime environment or a session could not be created.
    #[error("ONNX Runtime could not load {path}")]
    Session {
        /// The model file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ort::Error,
    },
    /// The recognition model carries no character dictionary.
    #[error("recognition model {path} has no \"character\" dictionary in its metadata")]
    Dictionary {
        /// The model file.
        path: PathBuf,
    },
    /// Inference failed.
    #[error("{stage} inference failed")]
    Inference {
        /// `detection`, `direction` or `recognition`.
        stage: &'static str,
        /// The cause.
        #[source]
        source: ort::Error,
    },
    /// A network returned an output of an unexpected shape.
    #[error("{stage} output has shape {shape:?}")]
    OutputShape {
        /// The stage.
        stage: &'static str,
        /// The shape found.
        shape: Vec<i64>,
    },
    /// The pixel buffer does not hold `width * height * 3` bytes.
    #[error("RGB buffer of {len} bytes does not match {width}x{height}")]
    BufferSize {
        /// Claimed width.
        width: u32,
        /// Claimed height.
        height: u32,
        /// Actual length.
        len: usize,
    },
    /// The image has more pixels than [`PpOcrConfig::max_pixels`].
    #[error("image of {width}x{height} is larger than the limit")]
    TooLarge {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// The model registry could not be read.
    #[error("model registry could not be read")]
    Registry(#[source] vidi_models::ModelError),
    /// The caller cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// Settings. `Default` follows RapidOCR's configuration of these models.
#[derive(Debug, Clone, PartialEq)]
pub struct PpOcrConfig {
    /// ONNX Runtime intra-op threads per session.
    pub intra_threads: usize,
    /// The detector's input is enlarged until its shorter side is this long.
    pub det_min_side: u32,
    /// ... and its longer side is capped at this.
    pub det_max_side: u32,
    /// DB post-processing.
    pub db: DbParams,
    /// Run the 180-degree direction classifier on each line.
    pub direction: bool,
    /// Classifier probability needed to turn a line.
    pub direction_threshold: f32,
    /// Lines per recognition (and classifier) batch.
    pub batch: usize,
    /// Lines whose mean character probability is lower are dropped.
    pub min_confidence: f32,
    /// Longest line crop side, and widest line at height 48 / 48 (so a
    /// recognition batch is at most `48 x 48 * max_line_ratio`).
    pub max_line_ratio: f32,
    /// Images with more pixels are refused ([`PpOcrError::TooLarge`]).
    pub max_pixels: u64,
}

impl Default for PpOcrConfig {
    fn default() -> Self {
        Self {
            intra_threads: 1,
            det_min_side: 736,
            det_max_side: 2000,
            db: DbParams::default(),
            direction: true,
            direction_threshold: 0.9,
            batch: 6,
            min_confidence: 0.5,
            max_line_ratio: 50.0,
            max_pixels: 200_000_000,
        }
    }
}

/// Where the model files are.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFiles {
    /// The ONNX Runtime shared library.
    pub runtime: PathBuf,
    /// Detection network.
    pub detection: PathBuf,
    /// Recognition network (dictionary in its metadata).
    pub recognition: PathBuf,
    /// Direction classifier (None: never run).
    pub direction: Option<PathBuf>,
    /// Identity of the models: the manifest's content SHA-256.
    pub sha256: String,
}

impl ModelFiles {
    /// Find the models and the runtime in a models directory (manifests
    /// [`MODEL_NAME`] and [`RUNTIME_NAME`]); `ORT_DYLIB_PATH`, when set,
    /// names the runtime library instead.
    pub fn from_models_dir(dir: &Path) -> Result<ModelFiles, PpOcrError> {
        let reg = vidi_models::Registry::open(dir).map_err(PpOcrError::Registry)?;
        let missing = |name: &str, e| PpOcrError::ModelMissing {
            name: name.to_owned(),
            source: Some(e),
        };
        let m = reg.get(MODEL_NAME).map_err(|e| missing(MODEL_NAME, e))?;
        let role = |role: &'static str| {
            m.file(role).ok_or_else(|| PpOcrError::RoleMissing {
                name: MODEL_NAME.into(),
                role,
            })
        };
        let runtime = match std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => {
                let rt = reg
                    .get(RUNTIME_NAME)
                    .map_err(|e| missing(RUNTIME_NAME, e))?;
                rt.file("library").ok_or_else(|| PpOcrError::RoleMissing {
                    name: RUNTIME_NAME.into(),
                    role: "library",
                })?
            }
        };
        Ok(ModelFiles {
            runtime,
            detection: role("detection")?,
            recognition: role("recognition")?,
            direction: m.file("direction"),
            sha256: m.content_sha256(),
        })
    }
}

/// One line of text read.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// The text.
    pub text: String,
    /// Mean probability of its characters (0–1).
    pub confidence: f32,
    /// Its box in image pixels: top-left, top-right, bottom-right,
    /// bottom-left (a rotated rectangle).
    pub quad: Quad,
    /// The axis-aligned rectangle around `quad`: x, y, width, height.
    pub rect: [u32; 4],
    /// The detector's mean text probability in the box.
    pub box_score: f32,
    /// Whether the direction classifier turned the line 180 degrees.
    pub flipped: bool,
}

/// The process-wide ONNX Runtime environment (ort allows one).
static ENVIRONMENT: Mutex<Option<ort::environment::Environment>> = Mutex::new(None);

fn environment(lib: &Path) -> Result<ort::environment::Environment, PpOcrError> {
    let mut g = ENVIRONMENT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = g.as_ref() {
        return Ok(e.clone());
    }
    if !lib.is_file() {
        return Err(PpOcrError::ModelMissing {
            name: RUNTIME_NAME.into(),
            source: None,
        });
    }
    let builder = ort::init_from(lib).map_err(|source| PpOcrError::Runtime {
        path: lib.to_path_buf(),
        source,
    })?;
    let env = builder
        .with_name("vidi-ppocr")
        .build()
        .map_err(|source| PpOcrError::Session {
            path: lib.to_path_buf(),
            source,
        })?;
    *g = Some(env.clone());
    Ok(env)
}

fn session(
    env: &ort::environment::Environment,
    path: &Path,
    threads: usize,
) -> Result<Session, PpOcrError> {
    let err = |source: ort::Error| PpOcrError::Session {
        path: path.to_path_buf(),
        source,
    };
    if !path.is_file() {
        return Err(PpOcrError::ModelMissing {
            name: MODEL_NAME.into(),
            source: None,
        });
    }
    Session::builder(env)
        .map_err(err)?
        .with_intra_threads(threads.max(1))
        .map_err(|e| err(e.into()))?
        .with_inter_threads(1)
        .map_err(|e| err(e.into()))?
        .commit_from_file(path)
        .map_err(err)
}

/// A loaded PP-OCR pipeline.
#[derive(Debug)]
pub struct PpOcr {
    det: Mutex<Session>,
    cls: Option<Mutex<Session>>,
    rec: Mutex<Session>,
    dict: Vec<String>,
    config: PpOcrConfig,
    sha256: String,
}

/// Run one session on one `N x 3 x H x W` input; the first output's shape
/// and values.
fn run(
    s: &Mutex<Session>,
    stage: &'static str,
    shape: [usize; 4],
    data: Vec<f32>,
) -> Result<(Vec<i64>, Vec<f32>), PpOcrError> {
    let err = |source: ort::Error| PpOcrError::Inference { stage, source };
    let input = Tensor::from_array((shape, data)).map_err(err)?;
    let mut s = s.lock().unwrap_or_else(|p| p.into_inner());
    let outputs = s.run(ort::inputs![input]).map_err(err)?;
    if outputs.len() == 0 {
        return Err(PpOcrError::OutputShape {
            stage,
            shape: Vec::new(),
        });
    }
    let (shape, values) = outputs[0].try_extract_tensor::<f32>().map_err(err)?;
    Ok((shape.to_vec(), values.to_vec()))
}

fn dims<const N: usize>(stage: &'static str, shape: &[i64]) -> Result<[usize; N], PpOcrError> {
    let bad = || PpOcrError::OutputShape {
        stage,
        shape: shape.to_vec(),
    };
    if shape.len() != N {
        return Err(bad());
    }
    let mut out = [0usize; N];
    for (o, &d) in out.iter_mut().zip(shape) {
        *o = usize::try_from(d).map_err(|_| bad())?;
    }
    Ok(out)
}

impl PpOcr {
    /// Load the runtime and the sessions (once; reuse the result).
    pub fn load(files: &ModelFiles, config: PpOcrConfig) -> Result<PpOcr, PpOcrError> {
        let env = environment(&files.runtime)?;
        let t = config.intra_threads;
        let det = session(&env, &files.detection, t)?;
        let rec = session(&env, &files.recognition, t)?;
        let dict_text = rec
            .metadata()
            .ok()
            .and_then(|m| m.custom("character"))
            .ok_or_else(|| PpOcrError::Dictionary {
                path: files.recognition.clone(),
            })?;
        let dict: Vec<String> = dict_text.split('\n').map(str::to_owned).collect();
        if dict.len() < 10 {
            return Err(PpOcrError::Dictionary {
                path: files.recognition.clone(),
            });
        }
        let cls = match (&files.direction, config.direction) {
            (Some(p), true) => Some(Mutex::new(session(&env, p, t)?)),
            _ => None,
        };
        tracing::debug!(
            characters = dict.len(),
            direction = cls.is_some(),
            "PP-OCR loaded"
        );
        Ok(PpOcr {
            det: Mutex::new(det),
            cls,
            rec: Mutex::new(rec),
            dict,
            config,
            sha256: files.sha256.clone(),
        })
    }

    /// [`ModelFiles::from_models_dir`] then [`PpOcr::load`].
    pub fn from_models_dir(dir: &Path, config: PpOcrConfig) -> Result<PpOcr, PpOcrError> {
        Self::load(&ModelFiles::from_models_dir(dir)?, config)
    }

    /// The models' content SHA-256 (from the manifest).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The recognition dictionary.
    pub fn dictionary(&self) -> &[String] {
        &self.dict
    }

    /// The settings.
    pub fn config(&self) -> &PpOcrConfig {
        &self.config
    }

    /// Text boxes in image pixels, in reading order.
    pub fn detect(&self, img: RgbView<'_>) -> Result<Vec<DetBox>, PpOcrError> {
        if img.width == 0 || img.height == 0 {
            return Ok(Vec::new());
        }
        if u64::from(img.width) * u64::from(img.height) > self.config.max_pixels {
            return Err(PpOcrError::TooLarge {
                width: img.width,
                height: img.height,
            });
        }
        let (rw, rh) = detect::det_size(
            img.width,
            img.height,
            self.config.det_min_side,
            self.config.det_max_side,
        );
        let input = detect::det_input(img, rw, rh);
        let (shape, map) = run(
            &self.det,
            "detection",
            [1, 3, rh as usize, rw as usize],
            input,
        )?;
        let [_, _, mh, mw] = dims::<4>("detection", &shape)?;
        if map.len() < mh * mw {
            return Err(PpOcrError::OutputShape {
                stage: "detection",
                shape,
            });
        }
        let boxes = detect::boxes_from_map(&map, mw, mh, &self.config.db);
        Ok(detect::to_image(boxes, mw, mh, img.width, img.height))
    }

    /// Read every text line: detect, straighten each box, optionally turn
    /// lines the classifier finds upside down, recognise. Lines under
    /// [`PpOcrConfig::min_confidence`] or without text are dropped.
    pub fn recognize(
        &self,
        img: RgbView<'_>,
        cancel: Option<&Cancel>,
    ) -> Result<Vec<TextLine>, PpOcrError> {
        let cancelled = || cancel.is_some_and(Cancel::is_cancelled);
        let boxes = self.detect(img)?;
        if cancelled() {
            return Err(PpOcrError::Cancelled);
        }
        let max_side = (LINE_MAX_SIDE_FACTOR * self.config.max_line_ratio) as u32;
        let mut crops: Vec<Rgb> = boxes
            .iter()
            .map(|b| image_ops::crop_quad(img, &b.quad, max_side))
            .collect();
        let mut flipped = vec![false; crops.len()];
        if let Some(cls) = &self.cls {
            self.classify(cls, &mut crops, &mut flipped, &cancelled)?;
        }
        let texts = self.read_lines(&crops, &cancelled)?;
        let mut out = Vec::new();
        for ((b, d), flipped) in boxes.iter().zip(texts).zip(flipped) {
            if d.text.is_empty() || d.confidence < self.config.min_confidence {
                continue;
            }
            let xs = b.quad.map(|p| p[0]);
            let ys = b.quad.map(|p| p[1]);
            let x0 = xs.iter().copied().fold(f32::MAX, f32::min).max(0.0);
            let y0 = ys.iter().copied().fold(f32::MAX, f32::min).max(0.0);
            let x1 = xs.iter().copied().fold(0.0, f32::max);
            let y1 = ys.iter().copied().fold(0.0, f32::max);
            out.push(TextLine {
                text: d.text,
                confidence: d.confidence,
                quad: b.quad,
                rect: [
                    x0 as u32,
                    y0 as u32,
                    (x1 - x0).max(0.0) as u32,
                    (y1 - y0).max(0.0) as u32,
                ],
                box_score: b.score,
                flipped,
            });
        }
        Ok(out)
    }

    fn classify(
        &self,
        cls: &Mutex<Session>,
        crops: &mut [Rgb],
        flipped: &mut [bool],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(), PpOcrError> {
        let batch = self.config.batch.max(1);
        for start in (0..crops.len()).step_by(batch) {
            if cancelled() {
                return Err(PpOcrError::Cancelled);
            }
            let end = (start + batch).min(crops.len());
            let refs: Vec<&Rgb> = crops[start..end].iter().collect();
            let input = recognize::batch_input(&refs, recognize::CLS_WIDTH);
            let shape = [
                refs.len(),
                3,
                recognize::LINE_HEIGHT as usize,
                recognize::CLS_WIDTH as usize,
            ];
            let (oshape, probs) = run(cls, "direction", shape, input)?;
            let [n, k] = dims::<2>("direction", &oshape)?;
            if n != refs.len() || k < 2 || probs.len() < n * k {
                return Err(PpOcrError::OutputShape {
                    stage: "direction",
                    shape: oshape,
                });
            }
            for i in 0..n {
                let p180 = probs[i * k + 1];
                if p180 > probs[i * k] && p180 >= self.config.direction_threshold {
                    crops[start + i] = image_ops::rotate180(&crops[start + i]);
                    flipped[start + i] = true;
                }
            }
        }
        Ok(())
    }

    fn read_lines(
        &self,
        crops: &[Rgb],
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Vec<recognize::Decoded>, PpOcrError> {
        let ratio = |c: &Rgb| c.width as f32 / c.height.max(1) as f32;
        let mut order: Vec<usize> = (0..crops.len()).collect();
        order.sort_by(|&a, &b| ratio(&crops[a]).total_cmp(&ratio(&crops[b])));
        let mut out = vec![
            recognize::Decoded {
                text: String::new(),
                confidence: 0.0,
            };
            crops.len()
        ];
        let batch = self.config.batch.max(1);
        let h = recognize::LINE_HEIGHT as f32;
        for chunk in order.chunks(batch) {
            if cancelled() {
                return Err(PpOcrError::Cancelled);
            }
            let refs: Vec<&Rgb> = chunk.iter().map(|&i| &crops[i]).collect();
            let max_ratio = refs
                .iter()
                .map(|c| ratio(c))
                .fold(recognize::REC_WIDTH as f32 / h, f32::max)
                .min(self.config.max_line_ratio.max(1.0));
            let width = (h * max_ratio).ceil() as u32;
            let input = recognize::batch_input(&refs, width);
            let shape = [refs.len(), 3, h as usize, width as usize];
            let (oshape, probs) = run(&self.rec, "recognition", shape, input)?;
            let [n, steps, classes] = dims::<3>("recognition", &oshape)?;
            if n != refs.len() || probs.len() < n * steps * classes {
                return Err(PpOcrError::OutputShape {
                    stage: "recognition",
                    shape: oshape,
                });
            }
            for (j, &i) in chunk.iter().enumerate() {
                let seq = &probs[j * steps * classes..(j + 1) * steps * classes];
                out[i] = recognize::ctc_greedy(seq, steps, classes, &self.dict);
            }
        }
        Ok(out)
    }
}

/// Longest crop side = this x [`PpOcrConfig::max_line_ratio`].
const LINE_MAX_SIDE_FACTOR: f32 = 48.0;
