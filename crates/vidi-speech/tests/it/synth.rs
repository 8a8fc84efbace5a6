//! Clips synthesised here with espeak-ng, and robustness on odd input.

use vidi_speech::{LidOptions, VadOptions};
use vidi_types::Cancel;

use crate::support::{Tally, espeak, lid};

const TEXTS: [(&str, &str); 4] = [
    (
        "en",
        "The weather is lovely today, so we are taking the train to the seaside to visit my grandmother.",
    ),
    (
        "de",
        "Das Wetter ist heute sehr schön, deshalb fahren wir mit dem Zug an die See und besuchen meine Großmutter.",
    ),
    (
        "es",
        "Hoy hace muy buen tiempo, así que vamos en tren a la playa para visitar a mi abuela.",
    ),
    (
        "it",
        "Oggi il tempo è bellissimo, quindi prendiamo il treno per andare al mare a trovare mia nonna.",
    ),
];

#[test]
fn espeak_synthesised_languages() {
    let Some(lid) = lid() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut tally = Tally::default();
    for (lang, text) in TEXTS {
        let Some(audio) = espeak(dir.path(), lang, text) else {
            return;
        };
        let segments = lid.identify(&audio).unwrap();
        let codes: Vec<String> = vidi_speech::summarize(&segments, 3)
            .into_iter()
            .map(|l| l.code)
            .collect();
        tally.add(lang, &codes, lang);
    }
    tally.print("espeak-ng synthesised in the test");
    let (n, top1, _) = tally.totals();
    assert!(top1 >= 3, "top-1 {top1}/{n}");
}

#[test]
fn two_languages_in_one_recording_give_two_segments() {
    let Some(lid) = lid() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (Some(en), Some(de)) = (
        espeak(dir.path(), "en", TEXTS[0].1),
        espeak(dir.path(), "de", TEXTS[1].1),
    ) else {
        return;
    };
    let silence = vec![0.0f32; 2 * 16_000];
    let mut audio = silence.clone();
    let en_start = audio.len() as f64 / 16_000.0;
    audio.extend(&en);
    audio.extend(&silence);
    let de_start = audio.len() as f64 / 16_000.0;
    audio.extend(&de);
    audio.extend(&silence);
    let segments = lid.identify(&audio).unwrap();
    let first = segments.iter().find(|s| s.end_s < de_start).unwrap();
    let last = segments
        .iter()
        .rfind(|s| s.start_s > de_start - 0.5)
        .unwrap();
    assert!((first.start_s - en_start).abs() < 0.5, "{segments:?}");
    assert_eq!(first.languages[0].code, "en", "{segments:?}");
    assert_eq!(last.languages[0].code, "de", "{segments:?}");
    assert!(segments.iter().all(|s| s.languages.len() == 3));
}

#[test]
fn silence_noise_and_garbage_give_no_panic() {
    let Some(lid) = lid() else { return };
    assert!(lid.identify(&[]).unwrap().is_empty());
    assert!(lid.identify(&[0.0; 100]).unwrap().is_empty());
    assert!(lid.identify(&vec![0.0; 16_000 * 3]).unwrap().is_empty());
    let mut odd = vec![f32::NAN; 1000];
    odd.extend([f32::INFINITY, -1e30, 1e30]);
    let _ = lid.identify(&odd).unwrap();
    // Whole-clip classification of a very short clip still returns scores.
    let scores = lid.classify_clip(&[0.1, -0.1, 0.2], 3);
    assert_eq!(scores.len(), 3);
    assert!(scores.iter().all(|s| s.probability.is_finite()));
}

#[test]
fn long_speech_is_split_into_windows_and_cancel_works() {
    let Some(lid) = lid() else { return };
    let dir = tempfile::tempdir().unwrap();
    let Some(en) = espeak(dir.path(), "en", TEXTS[0].1) else {
        return;
    };
    // A continuous signal: speech repeated with no pauses, over 12 s.
    let mut audio = Vec::new();
    while audio.len() < 16_000 * 12 {
        audio.extend(&en);
    }
    let opts = LidOptions {
        max_segment_s: 5.0,
        min_window_s: 1.0,
        vad: VadOptions {
            min_silence_s: 2.0,
            ..VadOptions::default()
        },
        ..LidOptions::default()
    };
    let segments = lid.identify_with(&audio, &opts, &Cancel::new()).unwrap();
    assert!(segments.len() >= 3, "{segments:?}");
    assert!(segments.iter().all(|s| s.end_s - s.start_s <= 5.0 + 1e-6));
    let cancel = Cancel::new();
    cancel.cancel();
    assert!(matches!(
        lid.identify_with(&audio, &opts, &cancel),
        Err(vidi_speech::SpeechError::Cancelled)
    ));
}
