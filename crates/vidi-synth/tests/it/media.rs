use std::process::Command;

use vidi_types::MediaKind;

use crate::{has_tool, shared};

fn probe(path: &std::path::Path) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(out.status.success(), "{}", path.display());
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn videos_have_audio_and_location() {
    if !has_tool("ffmpeg") || !has_tool("ffprobe") {
        println!("SKIP: ffmpeg/ffprobe not installed");
        assert!(shared().manifest.notes.iter().any(|n| n.contains("ffmpeg")));
        return;
    }
    let m = &shared().manifest;
    let videos: Vec<_> = m
        .files
        .iter()
        .filter(|f| f.kind == MediaKind::Video)
        .collect();
    assert!(videos.len() >= 4);
    let mut containers = std::collections::BTreeSet::new();
    for v in videos {
        let j = probe(&v.path);
        let streams = j["streams"].as_array().expect("streams");
        let has = |t: &str| streams.iter().any(|s| s["codec_type"] == t);
        assert!(has("video"), "{}", v.path.display());
        if has_tool("espeak-ng") {
            assert!(has("audio"), "{}", v.path.display());
            assert!(v.speech_lang.is_some());
        }
        let tags = j["format"]["tags"].as_object().expect("tags");
        let loc = tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("location"))
            .and_then(|(_, v)| v.as_str())
            .expect("location tag");
        let (lat, lon, _) = v.gps.expect("gps");
        assert_eq!(loc, format!("{lat:+08.4}{lon:+09.4}/"));
        let dur: f64 = j["format"]["duration"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .expect("duration");
        assert!((2.9..=8.5).contains(&dur), "{}: {dur}", v.path.display());
        containers.insert(
            v.path
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
    }
    for c in ["mp4", "mov", "mkv"] {
        assert!(containers.contains(c), "no .{c}");
    }
}

#[test]
fn audio_files_probe() {
    if !has_tool("espeak-ng") {
        println!("SKIP: espeak-ng not installed");
        return;
    }
    let audio: Vec<_> = shared()
        .manifest
        .files
        .iter()
        .filter(|f| f.kind == MediaKind::Audio)
        .collect();
    assert_eq!(audio.len(), 2);
    if !has_tool("ffprobe") {
        println!("SKIP: ffprobe not installed");
        return;
    }
    for a in audio {
        let j = probe(&a.path);
        assert!(
            j["streams"]
                .as_array()
                .expect("streams")
                .iter()
                .any(|s| s["codec_type"] == "audio")
        );
        assert!(a.speech_lang.is_some() && a.speech_text.is_some());
    }
}
