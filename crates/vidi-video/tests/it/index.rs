//! Probe every video listed in the corpus `VIDEO-INDEX.tsv`.

use std::time::Duration;

use vidi_types::{Cancel, FileErrorKind};
use vidi_video::{VideoLimits, keyframe_thumbnails, probe, vpdq};

use crate::common::shared_dir;

#[test]
fn probe_matches_the_video_index() {
    let Some(shared) = shared_dir() else { return };
    let corpora = shared.join("corpora");
    let Ok(tsv) = std::fs::read_to_string(corpora.join("VIDEO-INDEX.tsv")) else {
        println!("SKIP: VIDEO-INDEX.tsv missing");
        return;
    };
    let limits = VideoLimits {
        time_budget: Duration::from_secs(30),
        ..VideoLimits::default()
    };
    let cancel = Cancel::new();
    let mut ok = 0;
    let mut typed_errors = 0;
    let mut mismatches = Vec::new();
    println!("file | index status | ours: container duration codec WxH rot fps audio | error");
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let Some(file) = cols.first() else { continue };
        let get = |i: usize| cols.get(i).copied().unwrap_or("").trim();
        let (idx_duration, idx_codec, idx_w, idx_h, status) =
            (get(2), get(3), get(4), get(5), get(7));
        let path = corpora.join(file);
        let started = std::time::Instant::now();
        match probe(&path, &limits, &cancel) {
            Ok(info) => {
                ok += 1;
                println!(
                    "{file} | {} | {:?} {:?} {:?} {:?}x{:?} {} {:?} {}",
                    status.split(':').next().unwrap_or(""),
                    info.container,
                    info.duration_s,
                    info.video_codec,
                    info.width,
                    info.height,
                    info.rotation,
                    info.fps.map(|f| (f * 1000.0).round() / 1000.0),
                    info.has_audio,
                );
                if status.starts_with("ok") {
                    if let Ok(d) = idx_duration.parse::<f64>()
                        && info.duration_s.is_none_or(|x| (x - d).abs() > 0.01)
                    {
                        mismatches.push(format!("{file}: duration {:?} vs {d}", info.duration_s));
                    }
                    if !idx_codec.is_empty() && info.video_codec.as_deref() != Some(idx_codec) {
                        mismatches.push(format!(
                            "{file}: codec {:?} vs {idx_codec}",
                            info.video_codec
                        ));
                    }
                    let dims = (
                        info.width.map(|w| w.to_string()),
                        info.height.map(|h| h.to_string()),
                    );
                    if !idx_w.is_empty() && dims != (Some(idx_w.to_owned()), Some(idx_h.to_owned()))
                    {
                        mismatches.push(format!("{file}: size {dims:?} vs {idx_w}x{idx_h}"));
                    }
                }
                // Hashing and thumbnails on every probed file must end in
                // Ok or a typed error, never a hang or panic.
                let short = VideoLimits {
                    max_hashed_frames: 5,
                    ..limits.clone()
                };
                let v = vpdq(&path, &info, &short, &cancel);
                let t = keyframe_thumbnails(&path, &info, 128, 2, &short, &cancel);
                println!(
                    "    {:.2} s | vpdq: {} | thumbs: {}",
                    started.elapsed().as_secs_f64(),
                    v.as_ref().map_or_else(
                        |e| e.to_file_error().to_string(),
                        |f| format!("{} frames", f.len())
                    ),
                    t.as_ref().map_or_else(
                        |e| e.to_file_error().to_string(),
                        |f| format!("{} jpegs", f.len())
                    ),
                );
            }
            Err(e) => {
                typed_errors += 1;
                let fe = e.to_file_error();
                println!("{file} | {status} | error {fe}");
                assert!(
                    matches!(fe.kind, FileErrorKind::Corrupt | FileErrorKind::Video),
                    "{file}: unexpected kind {fe}"
                );
                assert!(
                    !status.starts_with("ok"),
                    "{file}: the index says ffprobe reads it, we failed: {fe}"
                );
            }
        }
    }
    println!("probed ok: {ok}, typed errors: {typed_errors}");
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert!(ok > 0);
}
