//! Small videos generated with ffmpeg `testsrc`/`sine` in a temp dir.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use vidi_types::{Cancel, FileErrorKind};
use vidi_video::{
    VideoError, VideoLimits, VpdqParams, jpeg_size, keyframe_thumbnails, probe, tools_available,
    vpdq, vpdq_with,
};

use crate::common::{ffmpeg, shared_dir, testsrc};

fn limits() -> VideoLimits {
    VideoLimits {
        time_budget: Duration::from_secs(60),
        ..VideoLimits::default()
    }
}

/// Decode a JPEG with ffprobe and return its size.
fn decoded_size(dir: &Path, jpeg: &[u8]) -> (u32, u32) {
    let p = dir.join("thumb-check.jpg");
    std::fs::write(&p, jpeg).expect("write jpeg");
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(&p)
        .stdin(Stdio::null())
        .output()
        .expect("ffprobe");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text
        .trim()
        .split(',')
        .map(|s| s.parse::<u32>().expect("number"));
    (it.next().expect("w"), it.next().expect("h"))
}

#[test]
fn tools_are_available() {
    tools_available().expect("ffmpeg and ffprobe installed");
}

#[test]
fn probe_and_vpdq_of_a_generated_video() {
    let dir = tempfile::tempdir().unwrap();
    let path = testsrc(dir.path(), "a.mp4", "160x90", 10, 3, true);
    let info = probe(&path, &limits(), &Cancel::new()).unwrap();
    assert_eq!(info.video_codec.as_deref(), Some("h264"));
    assert_eq!(info.audio_codec.as_deref(), Some("aac"));
    assert!(info.has_audio);
    assert_eq!((info.width, info.height), (Some(160), Some(90)));
    assert_eq!(info.fps, Some(10.0));
    assert_eq!(info.rotation, 0);
    assert!(
        (info.duration_s.unwrap() - 3.0).abs() < 0.1,
        "{:?}",
        info.duration_s
    );

    let frames = vpdq(&path, &info, &limits(), &Cancel::new()).unwrap();
    let numbers: Vec<u32> = frames.iter().map(|f| f.frame_number).collect();
    assert_eq!(numbers, vec![0, 10, 20]);
    let times: Vec<f64> = frames.iter().map(|f| f.timestamp_s).collect();
    assert_eq!(times, vec![0.0, 1.0, 2.0]);

    let all = vpdq_with(
        &path,
        &info,
        &VpdqParams::every_frame(),
        &limits(),
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(all.len(), 30);
    assert!(
        all.iter()
            .enumerate()
            .all(|(i, f)| f.frame_number as usize == i)
    );
    // The 1/s frames are the every-frame hashes at 0, 10, 20.
    for f in &frames {
        assert_eq!(f.hash, all[f.frame_number as usize].hash);
    }

    let capped = VideoLimits {
        max_hashed_frames: 2,
        ..limits()
    };
    assert_eq!(
        vpdq(&path, &info, &capped, &Cancel::new()).unwrap().len(),
        2
    );
}

#[test]
fn rotation_is_reported_thumbnails_rotate_and_vpdq_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let plain = testsrc(dir.path(), "plain.mp4", "320x180", 10, 2, false);
    let rotated = dir.path().join("rotated.mp4");
    ffmpeg(&[
        "-i",
        &plain.to_string_lossy(),
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        &rotated.to_string_lossy(),
    ]);
    let info = probe(&rotated, &limits(), &Cancel::new()).unwrap();
    assert!(
        matches!(info.rotation, 90 | 270),
        "rotation {}",
        info.rotation
    );
    assert_eq!((info.width, info.height), (Some(320), Some(180)));

    let thumbs = keyframe_thumbnails(&rotated, &info, 256, 2, &limits(), &Cancel::new()).unwrap();
    assert!(!thumbs.is_empty());
    for (_, jpeg, w, h) in &thumbs {
        assert_eq!((*w, *h), (144, 256), "rotated thumbnail is portrait");
        assert_eq!(decoded_size(dir.path(), jpeg), (*w, *h));
    }

    // vPDQ hashes coded frames, as the reference does.
    let plain_info = probe(&plain, &limits(), &Cancel::new()).unwrap();
    let a = vpdq(&plain, &plain_info, &limits(), &Cancel::new()).unwrap();
    let b = vpdq(&rotated, &info, &limits(), &Cancel::new()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn thumbnails_of_a_generated_video() {
    let dir = tempfile::tempdir().unwrap();
    let path = testsrc(dir.path(), "t.mp4", "640x360", 25, 6, false);
    let info = probe(&path, &limits(), &Cancel::new()).unwrap();
    let thumbs = keyframe_thumbnails(&path, &info, 256, 4, &limits(), &Cancel::new()).unwrap();
    assert!(!thumbs.is_empty() && thumbs.len() <= 4, "{}", thumbs.len());
    let mut last = -1.0;
    for (t, jpeg, w, h) in &thumbs {
        assert!(*t > last && *t < 6.0, "timestamps sorted and inside: {t}");
        last = *t;
        assert_eq!((*w, *h), (256, 144));
        assert_eq!(jpeg_size(jpeg), Some((*w, *h)));
        assert_eq!(decoded_size(dir.path(), jpeg), (256, 144));
    }
    // A smaller side is honoured; 0 thumbnails asked, none given.
    let small = keyframe_thumbnails(&path, &info, 64, 1, &limits(), &Cancel::new()).unwrap();
    assert_eq!(small.len(), 1);
    assert_eq!((small[0].2, small[0].3), (64, 36));
    assert!(
        keyframe_thumbnails(&path, &info, 256, 0, &limits(), &Cancel::new())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn thumbnails_of_a_sample_video() {
    let Some(shared) = shared_dir() else { return };
    let path = shared
        .join("corpora/threatexchange-video/tmk-sample-videos/chair-22-with-large-logo-bar.mp4");
    if !path.is_file() {
        println!("SKIP: {} missing", path.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let info = probe(&path, &limits(), &Cancel::new()).unwrap();
    let thumbs = keyframe_thumbnails(&path, &info, 256, 4, &limits(), &Cancel::new()).unwrap();
    println!(
        "sample thumbnails: {:?}",
        thumbs
            .iter()
            .map(|t| (t.0, t.1.len(), t.2, t.3))
            .collect::<Vec<_>>()
    );
    assert_eq!(thumbs.len(), 4);
    for (_, jpeg, w, h) in &thumbs {
        assert!(*w <= 256 && *h <= 256 && (*w == 256 || *h == 256));
        assert_eq!(decoded_size(dir.path(), jpeg), (*w, *h));
    }
}

#[test]
fn audio_only_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tone.m4a");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=2",
        "-c:a",
        "aac",
        &path.to_string_lossy(),
    ]);
    let info = probe(&path, &limits(), &Cancel::new()).unwrap();
    assert_eq!(info.video_codec, None);
    assert_eq!(info.width, None);
    assert_eq!(info.audio_codec.as_deref(), Some("aac"));
    assert!(info.has_audio);
    assert!((info.duration_s.unwrap() - 2.0).abs() < 0.1);
    assert!(
        vpdq(&path, &info, &limits(), &Cancel::new())
            .unwrap()
            .is_empty()
    );
    assert!(
        keyframe_thumbnails(&path, &info, 256, 4, &limits(), &Cancel::new())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn cancel_budget_and_size_limits_give_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = testsrc(dir.path(), "c.mp4", "160x90", 10, 2, false);
    let info = probe(&path, &limits(), &Cancel::new()).unwrap();

    let cancelled = Cancel::new();
    cancelled.cancel();
    let e = vpdq(&path, &info, &limits(), &cancelled).unwrap_err();
    assert!(matches!(e, VideoError::Cancelled { .. }), "{e}");
    assert_eq!(e.to_file_error().kind, FileErrorKind::Timeout);
    let e = probe(&path, &limits(), &cancelled).unwrap_err();
    assert!(matches!(e, VideoError::Cancelled { .. }), "{e}");

    let no_time = VideoLimits {
        time_budget: Duration::ZERO,
        ..limits()
    };
    let e = vpdq(&path, &info, &no_time, &Cancel::new()).unwrap_err();
    assert!(matches!(e, VideoError::Timeout { .. }), "{e}");
    let fe = e.to_file_error();
    assert_eq!(fe.kind, FileErrorKind::Timeout);
    assert!(fe.message.contains("c.mp4"), "{fe}");

    let tiny = VideoLimits {
        max_pixels_per_frame: 100,
        ..limits()
    };
    let e = vpdq(&path, &info, &tiny, &Cancel::new()).unwrap_err();
    assert_eq!(e.to_file_error().kind, FileErrorKind::TooLarge);
    let e = keyframe_thumbnails(&path, &info, 256, 4, &tiny, &Cancel::new()).unwrap_err();
    assert_eq!(e.to_file_error().kind, FileErrorKind::TooLarge);

    // A stream larger than its probe said is refused by the decoder itself.
    let mut lying = info.clone();
    lying.width = Some(10);
    lying.height = Some(10);
    let e = vpdq(&path, &lying, &tiny, &Cancel::new()).unwrap_err();
    let fe = e.to_file_error();
    assert!(
        matches!(fe.kind, FileErrorKind::Corrupt | FileErrorKind::Video),
        "{fe}"
    );
}

#[test]
fn broken_inputs_give_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = testsrc(dir.path(), "g.mp4", "160x90", 10, 2, false);
    let bytes = std::fs::read(&good).unwrap();

    let garbage = dir.path().join("garbage.mp4");
    std::fs::write(
        &garbage,
        b"this is not a video at all, just some text bytes",
    )
    .unwrap();
    let e = probe(&garbage, &limits(), &Cancel::new()).unwrap_err();
    let fe = e.to_file_error();
    assert_eq!(fe.kind, FileErrorKind::Corrupt, "{fe}");
    assert!(
        fe.message.contains("Invalid data"),
        "ffmpeg's last line is in the message: {fe}"
    );

    let missing = dir.path().join("does-not-exist.mp4");
    let fe = probe(&missing, &limits(), &Cancel::new())
        .unwrap_err()
        .to_file_error();
    assert!(
        matches!(fe.kind, FileErrorKind::Video | FileErrorKind::Corrupt),
        "{fe}"
    );
    assert!(fe.message.contains("does-not-exist.mp4"), "{fe}");

    // A name that looks like a protocol or an option stays a local file.
    let odd = dir.path().join("http:evil");
    std::fs::write(&odd, &bytes).unwrap();
    let info = probe(&odd, &limits(), &Cancel::new()).unwrap();
    assert_eq!(info.width, Some(160));

    // Truncated in the middle of the media data: probe may work, hashing
    // and thumbnails end in Ok or a typed error.
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    match probe(&cut, &limits(), &Cancel::new()) {
        Ok(info) => {
            let _ = vpdq(&cut, &info, &limits(), &Cancel::new()).map_err(|e| e.to_file_error());
            let _ = keyframe_thumbnails(&cut, &info, 256, 4, &limits(), &Cancel::new())
                .map_err(|e| e.to_file_error());
        }
        Err(e) => {
            let k = e.to_file_error().kind;
            assert!(
                matches!(k, FileErrorKind::Corrupt | FileErrorKind::Video),
                "{e}"
            );
        }
    }
}
