//! Accuracy over the shared speech corpora. Floors sit a little below the
//! measured values (see docs/accuracy-speech.md); misses are printed.

use std::path::Path;

use vidi_speech::{Segment, summarize};
use vidi_types::Cancel;

use crate::support::{Tally, lid, samples, shared_dir};

fn file_languages(segments: &[Segment]) -> Vec<String> {
    summarize(segments, 3).into_iter().map(|l| l.code).collect()
}

/// The language of a picovoice clip from its file name.
fn picovoice_language(name: &str) -> Option<&str> {
    match name {
        "test.wav" | "diarization_test.wav" => Some("en"),
        "empty.wav" => None,
        _ => name
            .strip_prefix("test_")
            .and_then(|s| s.strip_suffix(".wav"))
            .map(|s| s.trim_end_matches("_norm")),
    }
}

#[test]
fn picovoice_real_speech() {
    let (Some(shared), Some(lid)) = (shared_dir(), lid()) else {
        return;
    };
    let root = shared.join("corpora/speech-picovoice");
    let mut pipeline = Tally::default();
    for sub in ["leopard", "cheetah"] {
        let dir = root.join(sub).join("audio_samples");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".wav"))
            .collect();
        names.sort();
        for name in names {
            let Some(lang) = picovoice_language(&name) else {
                continue;
            };
            let audio = samples(&dir.join(&name));
            let segments = lid.identify(&audio).unwrap();
            let what = format!("{sub}/{name}");
            assert!(!segments.is_empty(), "{what}: no speech found");
            pipeline.add(lang, &file_languages(&segments), &what);
        }
    }
    pipeline.print("picovoice, VAD + per-segment Whisper, duration-weighted per file");
    let (n, top1, top3) = pipeline.totals();
    assert!(n >= 20, "expected the 21 picovoice speech clips, found {n}");
    // Measured 21/21 top-1 and top-3.
    assert!(top1 * 100 >= n * 90, "top-1 {top1}/{n} below 90 %");
    assert!(top3 * 100 >= n * 95, "top-3 {top3}/{n} below 95 %");
}

#[test]
fn picovoice_empty_clip_has_no_speech() {
    let (Some(shared), Some(lid)) = (shared_dir(), lid()) else {
        return;
    };
    let path = shared.join("corpora/speech-picovoice/leopard/audio_samples/empty.wav");
    let segments = lid.identify(&samples(&path)).unwrap();
    assert!(segments.is_empty(), "{segments:?}");
}

#[test]
fn picovoice_segments_follow_word_timings() {
    let (Some(shared), Some(lid)) = (shared_dir(), lid()) else {
        return;
    };
    let root = shared.join("corpora/speech-picovoice/leopard");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("test_data/test_data.json")).unwrap())
            .unwrap();
    for test in json["tests"]["language_tests"].as_array().unwrap() {
        let words = test["words"].as_array().unwrap();
        let first = words.first().unwrap()["start_sec"].as_f64().unwrap();
        let last = words.last().unwrap()["end_sec"].as_f64().unwrap();
        let file = test["audio_file"].as_str().unwrap();
        // VAD only: the segments identify() reports are these spans.
        let spans = lid
            .speech_spans(
                &samples(&root.join("audio_samples").join(file)),
                &Cancel::new(),
            )
            .unwrap();
        let start = spans.first().unwrap().0;
        let end = spans.last().unwrap().1;
        // The speech found covers every word and not much more (the VAD
        // pads 0.2 s and keeps trailing breaths).
        assert!(
            start <= first + 0.1 && start >= first - 0.8 && end >= last - 0.1 && end <= last + 1.2,
            "{file}: speech {start:.2}-{end:.2} s, words {first:.2}-{last:.2} s"
        );
    }
}

#[test]
fn espeak_corpus() {
    let (Some(shared), Some(lid)) = (shared_dir(), lid()) else {
        return;
    };
    let dir = shared.join("corpora/speech-espeak-ng");
    let mut tally = Tally::default();
    for lang in ["fr", "nl", "de", "es", "pt", "pl", "ru", "ar", "th"] {
        let path = dir.join(format!("{lang}.wav"));
        if !Path::new(&path).exists() {
            continue;
        }
        let segments = lid.identify(&samples(&path)).unwrap();
        tally.add(lang, &file_languages(&segments), lang);
    }
    tally.print("espeak-ng corpus (robotic voices), VAD + Whisper");
    let (n, top1, top3) = tally.totals();
    // Measured: see docs/accuracy-speech.md. Whisper base is known to miss
    // several espeak voices; the floor guards against regressions only.
    assert!(n == 9, "expected 9 espeak clips, found {n}");
    // Measured 6/9 top-1 (misses nl, pt, ar) and 7/9 top-3.
    assert!(top1 >= 5, "top-1 {top1}/{n}");
    assert!(top3 >= 6, "top-3 {top3}/{n}");
}
