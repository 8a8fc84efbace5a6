//! Spoken language: voice activity (Silero VAD), then Whisper language
//! identification per speech segment, top three languages with their
//! probabilities and the time range.

use serde_json::json;
use sha2::Digest;
use vidi_speech::{MediaLimits, SpeechLid};
use vidi_types::{Cancel, MediaKind, MediaRecord};

use crate::{Clue, ClueError, ClueExtractor, ClueInput, ClueKind, ModelRef};

/// Spoken-language identification of videos and audio.
pub struct SpeechExtractor {
    lid: SpeechLid,
    model: ModelRef,
    limits: MediaLimits,
}

impl std::fmt::Debug for SpeechExtractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeechExtractor")
            .field("model", &self.model)
            .finish()
    }
}

impl SpeechExtractor {
    /// Load the models from a models directory; a missing model is
    /// [`ClueError::ModelMissing`] saying which file.
    pub fn load(models_dir: &std::path::Path) -> Result<SpeechExtractor, ClueError> {
        // The fast window setting: 11x real time on one core (the full 30 s
        // window is ~1x for short segments); see docs/accuracy.md.
        let lid = SpeechLid::load(models_dir)
            .map_err(|e| ClueError::ModelMissing {
                extractor: "speech",
                name: "whisper-base + silero-vad".into(),
                why: e.to_string(),
            })?
            .with_options(vidi_speech::LidOptions::fast());
        let mut h = sha2::Sha256::new();
        for m in [lid.whisper_manifest(), lid.vad_manifest()] {
            for f in &m.files {
                h.update(m.name.as_bytes());
                h.update([0]);
                h.update(f.sha256.as_bytes());
                h.update([0]);
            }
        }
        let model = ModelRef {
            name: format!(
                "{}+{}",
                lid.whisper_manifest().name,
                lid.vad_manifest().name
            ),
            sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        };
        Ok(SpeechExtractor {
            lid,
            model,
            limits: MediaLimits::default(),
        })
    }
}

impl ClueExtractor for SpeechExtractor {
    fn id(&self) -> &'static str {
        "speech"
    }

    fn version(&self) -> u32 {
        1
    }

    fn model(&self) -> Option<ModelRef> {
        Some(self.model.clone())
    }

    fn applies(&self, media: &MediaRecord) -> bool {
        match media.kind {
            MediaKind::Audio => true,
            MediaKind::Video => media.video.as_ref().is_none_or(|v| v.has_audio),
            _ => false,
        }
    }

    fn extract(&self, input: ClueInput<'_>, cancel: &Cancel) -> Result<Vec<Clue>, ClueError> {
        let Some(path) = input.path else {
            return Ok(Vec::new());
        };
        let samples =
            vidi_speech::audio_from_media(path, &self.limits).map_err(ClueError::Speech)?;
        if cancel.is_cancelled() {
            return Err(ClueError::Cancelled);
        }
        if samples.is_empty() {
            return Ok(Vec::new());
        }
        let segments = self.lid.identify(&samples).map_err(ClueError::Speech)?;
        Ok(segments
            .into_iter()
            .filter_map(|s| {
                let top = s.languages.first()?.clone();
                Some(Clue {
                    kind: ClueKind::SpokenLanguage,
                    value: top.code.clone(),
                    confidence: top.probability,
                    extractor: "speech".into(),
                    version: self.version(),
                    model: Some(self.model.clone()),
                    region: None,
                    time_range: Some([s.start_s, s.end_s]),
                    detail: json!({ "top": s.languages }),
                })
            })
            .collect())
    }
}
