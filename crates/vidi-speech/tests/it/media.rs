//! `audio_from_media` on good, silent, broken, missing and oversized files.

use std::process::Command;

use vidi_speech::{MediaLimits, SpeechError, audio_from_media};

fn ffmpeg(args: &[&str]) -> bool {
    match Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .status()
    {
        Ok(s) => s.success(),
        Err(_) => {
            println!("SKIP: ffmpeg not runnable");
            false
        }
    }
}

#[test]
fn tone_in_a_video_is_resampled_to_16k_mono() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tone.mkv");
    let p = out.to_str().unwrap();
    if !ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=2:size=64x64:rate=5",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=44100:duration=2",
        "-ac",
        "2",
        "-shortest",
        p,
    ]) {
        return;
    }
    let pcm = audio_from_media(&out, &MediaLimits::default()).unwrap();
    assert!((pcm.len() as i64 - 32_000).abs() < 1_600, "{}", pcm.len());
    let rms = (pcm.iter().map(|v| v * v).sum::<f32>() / pcm.len() as f32).sqrt();
    assert!(rms > 0.01, "rms {rms}");
    let limits = MediaLimits {
        max_duration_s: 0.5,
        ..MediaLimits::default()
    };
    // The resampler may drop a few samples at the very start.
    let n = audio_from_media(&out, &limits).unwrap().len();
    assert!((7_950..=8_000).contains(&n), "{n}");
    for odd in [f64::NAN, f64::INFINITY, -1.0] {
        let limits = MediaLimits {
            max_duration_s: odd,
            ..MediaLimits::default()
        };
        let n = audio_from_media(&out, &limits).unwrap().len();
        assert!(n == 0 || (30_400..=33_600).contains(&n), "{odd}: {n}");
    }
}

#[test]
fn video_without_audio_gives_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("silent.mp4");
    if !ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=1:size=64x64:rate=5",
        out.to_str().unwrap(),
    ]) {
        return;
    }
    assert!(
        audio_from_media(&out, &MediaLimits::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn broken_missing_and_oversized_files_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.mp4");
    std::fs::write(&broken, b"\x00\x00\x00\x18ftypmp42 this is not a movie").unwrap();
    match audio_from_media(&broken, &MediaLimits::default()) {
        Err(SpeechError::MediaDecode { path, .. }) => assert_eq!(path, broken),
        Err(SpeechError::FfmpegSpawn { .. }) => println!("SKIP: no ffprobe"),
        other => panic!("{other:?}"),
    }
    let missing = dir.path().join("missing.wav");
    assert!(matches!(
        audio_from_media(&missing, &MediaLimits::default()),
        Err(SpeechError::MediaIo { path, .. }) if path == missing
    ));
    let limits = MediaLimits {
        max_input_bytes: 4,
        ..MediaLimits::default()
    };
    assert!(matches!(
        audio_from_media(&broken, &limits),
        Err(SpeechError::MediaTooLarge { .. })
    ));
    let limits = MediaLimits {
        ffmpeg: dir.path().join("no-such-ffmpeg"),
        ..MediaLimits::default()
    };
    let wav = dir.path().join("x.wav");
    std::fs::write(&wav, b"RIFF").unwrap();
    assert!(matches!(
        audio_from_media(&wav, &limits),
        Err(SpeechError::FfmpegSpawn { .. })
    ));
}
