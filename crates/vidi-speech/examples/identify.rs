//! Prints the speech segments and languages of media files.
//!
//! `cargo run --release -p vidi-speech --example identify -- FILE...`
//! (models from `$VIDI_MODELS_DIR`, default `~/.cache/vidi-models`).
#![allow(clippy::print_stdout)]

use std::path::Path;

use vidi_speech::{LidOptions, MediaLimits, SpeechLid, audio_from_media, default_models_dir};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut options = LidOptions::default();
    let mut files = Vec::new();
    let mut probs = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            a if a.starts_with("--window=") => {
                options.min_window_s = a.trim_start_matches("--window=").parse()?;
            }
            "--vad-probs" => probs = true,
            _ => files.push(arg),
        }
    }
    let lid = SpeechLid::load(&default_models_dir())?.with_options(options);
    for file in files {
        let samples = audio_from_media(Path::new(&file), &MediaLimits::default())?;
        if probs {
            let p = lid.vad_probabilities(&samples, &vidi_types::Cancel::new())?;
            let text: Vec<String> = p.iter().map(|v| format!("{v:.4}")).collect();
            println!("{file}\tvad\t{}", text.join(" "));
        }
        let clip = lid.classify_clip(&samples, 5);
        let text: Vec<String> = clip
            .iter()
            .map(|l| format!("{}:{:.4}", l.code, l.probability))
            .collect();
        println!("{file}\tclip\t{}", text.join(" "));
        for seg in lid.identify(&samples)? {
            let text: Vec<String> = seg
                .languages
                .iter()
                .map(|l| format!("{}:{:.3}", l.code, l.probability))
                .collect();
            println!(
                "{file}\t{:.2}-{:.2}\t{}",
                seg.start_s,
                seg.end_s,
                text.join(" ")
            );
        }
    }
    Ok(())
}
