//! Spoken-language identification for clues.
//!
//! [`SpeechLid`] finds speech with Silero VAD, then asks Whisper which
//! language each speech segment is in (encoder on at most 30 s, one decoder
//! step, softmax over the language tokens). Both networks run in plain Rust
//! (`matrixmultiply` for the products) from safetensors files named by model
//! manifests; nothing is downloaded. Install the models with
//! `scripts/models/install-speech.sh`.
//!
//! [`audio_from_media`] extracts 16 kHz mono PCM from any audio or video file
//! with an `ffmpeg` subprocess, bounded in size, duration and time.
#![warn(missing_docs)]

mod audio;
mod error;
mod manifest;
mod mel;
mod ops;
mod vad;
mod whisper;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vidi_types::Cancel;

pub use audio::{MediaLimits, SAMPLE_RATE, audio_from_media};
pub use error::SpeechError;
pub use vad::{VAD_CHUNK, VadOptions};
pub use vidi_models::{Manifest, TensorProblem};

/// Manifest of the Whisper model, relative to a models folder.
pub const WHISPER_MANIFEST: &str = "speech/whisper-base/manifest.json";
/// Manifest of the Silero VAD model, relative to a models folder.
pub const VAD_MANIFEST: &str = "speech/silero-vad/manifest.json";

/// One language hypothesis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageScore {
    /// ISO 639-1 code where one exists (`en`, `de`, …); Whisper's few
    /// languages without one keep their ISO 639-2/3 code (`haw`, `yue`).
    pub code: String,
    /// Probability in [0, 1] (softmax over the model's languages).
    pub probability: f32,
}

/// A speech segment and its most likely languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, in seconds from the start of the audio.
    pub start_s: f64,
    /// End, in seconds.
    pub end_s: f64,
    /// The top languages, most likely first.
    pub languages: Vec<LanguageScore>,
}

/// Options of [`SpeechLid::identify`].
#[derive(Debug, Clone, PartialEq)]
pub struct LidOptions {
    /// Speech segmentation.
    pub vad: VadOptions,
    /// Longer speech segments are split into equal parts of at most this
    /// length (Whisper sees at most 30 s).
    pub max_segment_s: f64,
    /// Shortest window Whisper encodes, in seconds (1 to 30). Segments are
    /// zero-padded to this length. 30 (the default) is Whisper's full window,
    /// as it was trained: the most accurate, and a constant cost per segment
    /// (about 1.5 s of one core). Lower values encode only the positions
    /// covering the (padded) segment: cost proportional to speech length,
    /// a little less accurate on short segments.
    pub min_window_s: f32,
    /// Languages reported per segment.
    pub top_k: usize,
}

impl Default for LidOptions {
    fn default() -> Self {
        Self {
            vad: VadOptions::default(),
            max_segment_s: 30.0,
            min_window_s: 30.0,
            top_k: 3,
        }
    }
}

impl LidOptions {
    /// Options for speed over accuracy: segments are encoded without padding
    /// to 30 s (cost proportional to speech length, over 10× real time on
    /// one core; see docs/accuracy-speech.md for the accuracy cost).
    pub fn fast() -> Self {
        Self {
            min_window_s: 1.0,
            ..Self::default()
        }
    }
}

/// The loaded speech models. Loading takes about a second and ~200 MB of
/// memory; load once and share (`&self` methods, `Send + Sync`).
pub struct SpeechLid {
    whisper: whisper::Whisper,
    vad: vad::SileroVad,
    labels: Vec<String>,
    whisper_model: vidi_models::Model,
    vad_model: vidi_models::Model,
    options: LidOptions,
}

/// The default models folder (the same as every model crate's):
/// `$VIDI_MODELS_DIR`, else `$HOME/.cache/vidi-models`.
pub fn default_models_dir() -> PathBuf {
    vidi_models::default_models_dir()
}

/// Whisper's non-standard codes mapped to ISO 639-1.
fn iso_code(whisper: &str) -> String {
    match whisper {
        "jw" => "jv".to_owned(),
        other => other.to_owned(),
    }
}

impl SpeechLid {
    /// Loads both models from a models folder laid out by the install script
    /// ([`WHISPER_MANIFEST`], [`VAD_MANIFEST`]). A missing file gives
    /// [`SpeechError::ModelMissing`] naming it.
    pub fn load(models_dir: &Path) -> Result<Self, SpeechError> {
        Self::load_manifests(
            &models_dir.join(WHISPER_MANIFEST),
            &models_dir.join(VAD_MANIFEST),
        )
    }

    /// Loads both models from explicit manifest paths.
    pub fn load_manifests(
        whisper_manifest: &Path,
        vad_manifest: &Path,
    ) -> Result<Self, SpeechError> {
        let wm = manifest::read(whisper_manifest)?;
        let vm = manifest::read(vad_manifest)?;
        let bad = |path: &Path, reason| SpeechError::ModelFormat {
            path: path.to_path_buf(),
            reason,
        };
        if wm.architecture != "whisper" {
            return Err(bad(whisper_manifest, "architecture is not whisper"));
        }
        if !vm.architecture.starts_with("silero-vad") {
            return Err(bad(vad_manifest, "architecture is not silero-vad"));
        }
        let dims: whisper::Dims = manifest::extra(&wm, "dims", whisper_manifest)?;
        let tokens: serde_json::Value = manifest::extra(&wm, "tokens", whisper_manifest)?;
        let sot = tokens
            .get("start_of_transcript")
            .and_then(serde_json::Value::as_u64)
            .ok_or(bad(whisper_manifest, "no start_of_transcript token"))?;
        let label_token_ids: Vec<usize> =
            manifest::extra::<Option<_>>(&wm, "label_token_ids", whisper_manifest)?
                .unwrap_or_default();
        if wm.labels.len() != label_token_ids.len() {
            return Err(bad(
                whisper_manifest,
                "labels and label_token_ids differ in length",
            ));
        }
        let wpath = manifest::file(&wm, "weights", whisper_manifest)?;
        let vpath = manifest::file(&vm, "weights", vad_manifest)?;
        let whisper = whisper::Whisper::load(&wpath, dims, sot as usize, &label_token_ids)?;
        let vad = vad::SileroVad::load(&vpath)?;
        tracing::info!(whisper = %wm.name, vad = %vm.name, "speech models loaded");
        Ok(Self {
            whisper,
            vad,
            labels: wm.labels.iter().map(|l| iso_code(l)).collect(),
            whisper_model: wm,
            vad_model: vm,
            options: LidOptions::default(),
        })
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: LidOptions) -> Self {
        self.options = options;
        self
    }

    /// The current options.
    pub fn options(&self) -> &LidOptions {
        &self.options
    }

    /// The language codes the model knows, in its label order.
    pub fn languages(&self) -> &[String] {
        &self.labels
    }

    /// The Whisper model's manifest.
    pub fn whisper_manifest(&self) -> &Manifest {
        &self.whisper_model.manifest
    }

    /// The VAD model's manifest.
    pub fn vad_manifest(&self) -> &Manifest {
        &self.vad_model.manifest
    }

    /// Recomputes the SHA-256 of every model file against the manifests.
    pub fn verify_checksums(&self) -> Result<(), SpeechError> {
        manifest::verify(&self.whisper_model)?;
        manifest::verify(&self.vad_model)
    }

    /// Speech segments of 16 kHz mono audio with their top languages, with
    /// the model's options.
    pub fn identify(&self, samples_16k_mono: &[f32]) -> Result<Vec<Segment>, SpeechError> {
        self.identify_with(samples_16k_mono, &self.options, &Cancel::new())
    }

    /// [`identify`](Self::identify) with explicit options, checking
    /// `cancel` between steps ([`SpeechError::Cancelled`]).
    pub fn identify_with(
        &self,
        samples_16k_mono: &[f32],
        options: &LidOptions,
        cancel: &Cancel,
    ) -> Result<Vec<Segment>, SpeechError> {
        let samples = sanitize(samples_16k_mono);
        let probs = self.vad.probabilities(&samples, cancel)?;
        let spans = vad::segments(&probs, samples.len(), &options.vad);
        let rate = f64::from(SAMPLE_RATE);
        let max = ((options.max_segment_s.clamp(1.0, 30.0) * rate) as usize)
            .min(self.whisper.window_samples());
        let mut out = Vec::new();
        for (s, e) in spans {
            let parts = (e - s).div_ceil(max).max(1);
            let step = (e - s).div_ceil(parts);
            let mut a = s;
            while a < e {
                if cancel.is_cancelled() {
                    return Err(SpeechError::Cancelled);
                }
                let b = (a + step).min(e);
                let languages =
                    self.top_languages(&samples[a..b], options.min_window_s, options.top_k);
                out.push(Segment {
                    start_s: a as f64 / rate,
                    end_s: b as f64 / rate,
                    languages,
                });
                a = b;
            }
        }
        Ok(out)
    }

    /// Speech spans `(start_s, end_s)` found by the VAD alone.
    pub fn speech_spans(
        &self,
        samples_16k_mono: &[f32],
        cancel: &Cancel,
    ) -> Result<Vec<(f64, f64)>, SpeechError> {
        let samples = sanitize(samples_16k_mono);
        let rate = f64::from(SAMPLE_RATE);
        let probs = self.vad.probabilities(&samples, cancel)?;
        Ok(vad::segments(&probs, samples.len(), &self.options.vad)
            .into_iter()
            .map(|(s, e)| (s as f64 / rate, e as f64 / rate))
            .collect())
    }

    /// Speech probability of every [`VAD_CHUNK`]-sample chunk.
    pub fn vad_probabilities(
        &self,
        samples_16k_mono: &[f32],
        cancel: &Cancel,
    ) -> Result<Vec<f32>, SpeechError> {
        self.vad.probabilities(&sanitize(samples_16k_mono), cancel)
    }

    /// Languages of a whole clip without VAD (only its first 30 s are
    /// heard), the `top_k` most likely first.
    pub fn classify_clip(&self, samples_16k_mono: &[f32], top_k: usize) -> Vec<LanguageScore> {
        self.top_languages(
            &sanitize(samples_16k_mono),
            self.options.min_window_s,
            top_k,
        )
    }

    fn top_languages(
        &self,
        samples: &[f32],
        min_window_s: f32,
        top_k: usize,
    ) -> Vec<LanguageScore> {
        let window = &samples[..samples.len().min(self.whisper.window_samples())];
        let probs = self.whisper.language_probs(window, min_window_s);
        let mut scored: Vec<LanguageScore> = self
            .labels
            .iter()
            .zip(probs)
            .map(|(code, probability)| LanguageScore {
                code: code.clone(),
                probability,
            })
            .collect();
        scored.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        scored.truncate(top_k);
        scored
    }
}

/// Duration-weighted language probabilities over segments (the languages
/// of a whole file), the `top_k` most likely first. Only the languages
/// reported per segment contribute.
pub fn summarize(segments: &[Segment], top_k: usize) -> Vec<LanguageScore> {
    let mut acc: Vec<(String, f64)> = Vec::new();
    let mut total = 0.0;
    for seg in segments {
        let w = (seg.end_s - seg.start_s).max(0.0);
        total += w;
        for l in &seg.languages {
            match acc.iter_mut().find(|(c, _)| *c == l.code) {
                Some((_, v)) => *v += w * f64::from(l.probability),
                None => acc.push((l.code.clone(), w * f64::from(l.probability))),
            }
        }
    }
    if total <= 0.0 {
        return Vec::new();
    }
    acc.sort_by(|a, b| b.1.total_cmp(&a.1));
    acc.into_iter()
        .take(top_k)
        .map(|(code, v)| LanguageScore {
            code,
            probability: (v / total) as f32,
        })
        .collect()
}

/// Replaces non-finite samples by silence (copying only when needed).
fn sanitize(samples: &[f32]) -> std::borrow::Cow<'_, [f32]> {
    if samples.iter().all(|v| v.is_finite()) {
        std::borrow::Cow::Borrowed(samples)
    } else {
        std::borrow::Cow::Owned(
            samples
                .iter()
                .map(|v| if v.is_finite() { *v } else { 0.0 })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarize_weights_by_duration() {
        let seg = |s, e, code: &str, p| Segment {
            start_s: s,
            end_s: e,
            languages: vec![LanguageScore {
                code: code.to_owned(),
                probability: p,
            }],
        };
        let all = [seg(0.0, 3.0, "de", 0.9), seg(3.0, 4.0, "en", 0.8)];
        let s = summarize(&all, 3);
        assert_eq!(s[0].code, "de");
        assert!((s[0].probability - 0.675).abs() < 1e-6);
        assert_eq!(s[1].code, "en");
        assert!(summarize(&[], 3).is_empty());
    }

    #[test]
    fn missing_models_are_reported_as_missing() {
        let dir = tempfile::tempdir().unwrap();
        let err = SpeechLid::load(dir.path()).err().unwrap();
        assert!(err.is_model_missing(), "{err}");
        assert!(err.to_string().contains("whisper-base"));
    }

    #[test]
    fn codes() {
        assert_eq!(iso_code("jw"), "jv");
        assert_eq!(iso_code("de"), "de");
    }
}
