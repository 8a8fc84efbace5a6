//! Shared helpers: corpus location, the models (loaded once), espeak-ng.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use vidi_speech::{MediaLimits, SpeechLid, audio_from_media, default_models_dir};

pub(crate) use vidi_testkit::shared_dir;

/// The speech models, loaded once; `None` (with a message) when absent.
pub(crate) fn lid() -> Option<&'static SpeechLid> {
    static LID: OnceLock<Option<SpeechLid>> = OnceLock::new();
    let lid = LID.get_or_init(|| match SpeechLid::load(&default_models_dir()) {
        Ok(lid) => Some(lid),
        Err(e) if e.is_model_missing() => None,
        Err(e) => panic!("speech models present but unusable: {e}"),
    });
    if lid.is_none() {
        println!(
            "SKIP: speech models not installed in {} (run scripts/models/install-speech.sh)",
            default_models_dir().display()
        );
    }
    lid.as_ref()
}

/// Decoded 16 kHz mono samples of a media file.
pub(crate) fn samples(path: &Path) -> Vec<f32> {
    audio_from_media(path, &MediaLimits::default()).unwrap()
}

/// Synthesises `text` with espeak-ng voice `voice` into `dir`, returning
/// the 16 kHz samples; `None` (with a message) when espeak-ng is missing.
pub(crate) fn espeak(dir: &Path, voice: &str, text: &str) -> Option<Vec<f32>> {
    let wav = dir.join(format!("{voice}.wav"));
    match Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&wav)
        .arg(text)
        .status()
    {
        Ok(s) if s.success() => Some(samples(&wav)),
        Ok(s) => panic!("espeak-ng failed for voice {voice}: {s}"),
        Err(e) => {
            println!("SKIP: espeak-ng not runnable: {e}");
            None
        }
    }
}

/// Per-language tally of top-1 / top-3 hits.
#[derive(Default)]
pub(crate) struct Tally {
    rows: Vec<(String, usize, usize, usize)>,
    pub(crate) misses: Vec<String>,
}

impl Tally {
    pub(crate) fn add(&mut self, lang: &str, predicted: &[String], what: &str) {
        let top1 = predicted.first().is_some_and(|p| p == lang);
        let top3 = predicted.iter().take(3).any(|p| p == lang);
        if !top1 {
            self.misses
                .push(format!("{what}: expected {lang}, got {predicted:?}"));
        }
        match self.rows.iter_mut().find(|r| r.0 == lang) {
            Some(r) => {
                r.1 += 1;
                r.2 += usize::from(top1);
                r.3 += usize::from(top3);
            }
            None => self
                .rows
                .push((lang.to_owned(), 1, usize::from(top1), usize::from(top3))),
        }
    }

    /// (clips, top-1 hits, top-3 hits) over everything.
    pub(crate) fn totals(&self) -> (usize, usize, usize) {
        self.rows
            .iter()
            .fold((0, 0, 0), |a, r| (a.0 + r.1, a.1 + r.2, a.2 + r.3))
    }

    pub(crate) fn print(&self, title: &str) {
        println!("\n{title}\n| language | clips | top-1 | top-3 |\n|---|---|---|---|");
        for (lang, n, t1, t3) in &self.rows {
            println!("| {lang} | {n} | {t1}/{n} | {t3}/{n} |");
        }
        let (n, t1, t3) = self.totals();
        println!("| all | {n} | {t1}/{n} | {t3}/{n} |");
        for m in &self.misses {
            println!("miss: {m}");
        }
    }
}
