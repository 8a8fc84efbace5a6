//! Speed of the speech models on one core (matrixmultiply runs single-threaded).
//!
//! Throughput is reported in samples per second: divide by 16,000 for
//! seconds of audio per second (the real-time factor). Needs the models
//! (`scripts/models/install-speech.sh`) and the shared corpus; otherwise it
//! prints a message and measures nothing.
#![allow(clippy::print_stdout)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vidi_speech::{LidOptions, MediaLimits, SpeechLid, audio_from_media, default_models_dir};
use vidi_types::Cancel;

fn corpus_clip() -> Option<Vec<f32>> {
    let shared = vidi_testkit::shared_path();
    let path = shared.join("corpora/speech-picovoice/leopard/audio_samples/diarization_test.wav");
    audio_from_media(&path, &MediaLimits::default()).ok()
}

fn bench(c: &mut Criterion) {
    let (Ok(lid), Some(audio)) = (SpeechLid::load(&default_models_dir()), corpus_clip()) else {
        println!("SKIP: speech models or corpus missing; nothing measured");
        return;
    };
    let cancel = Cancel::new();
    // 19.8 s of two-speaker English conversation.
    let mut g = c.benchmark_group("speech");
    g.sample_size(10).measurement_time(Duration::from_secs(20));

    let minute: Vec<f32> = audio.iter().copied().cycle().take(60 * 16_000).collect();
    g.throughput(Throughput::Elements(minute.len() as u64));
    g.bench_function("vad_60s", |b| {
        b.iter(|| lid.vad_probabilities(&minute, &cancel).unwrap())
    });

    let clip = &audio[..5 * 16_000];
    g.throughput(Throughput::Elements(clip.len() as u64));
    g.bench_function("whisper_lid_5s_full_window", |b| {
        b.iter(|| lid.classify_clip(clip, 3))
    });
    let window = &minute[..30 * 16_000];
    g.throughput(Throughput::Elements(window.len() as u64));
    g.bench_function("whisper_lid_30s_full_window", |b| {
        b.iter(|| lid.classify_clip(window, 3))
    });

    g.throughput(Throughput::Elements(audio.len() as u64));
    let full = LidOptions::default();
    g.bench_function("identify_19.8s_full_window", |b| {
        b.iter(|| lid.identify_with(&audio, &full, &cancel).unwrap())
    });
    let trimmed = LidOptions::fast();
    g.bench_function("identify_19.8s_trimmed", |b| {
        b.iter(|| lid.identify_with(&audio, &trimmed, &cancel).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
