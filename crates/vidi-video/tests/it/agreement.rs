//! Our vPDQ against the reference's sample hashes (ThreatExchange
//! `vpdq/sample-hashes`, made by hashing every frame of `tmk/sample-videos`).

use std::collections::HashMap;

use vidi_hash::vpdq::{match_videos_default, parse_vpdq_file};
use vidi_types::{Cancel, VpdqFrame};
use vidi_video::{VideoLimits, VpdqParams, probe, vpdq_with};

use crate::common::shared_dir;

struct Row {
    name: String,
    ours: usize,
    theirs: usize,
    exact_pct: f64,
    query_pct: f64,
    target_pct: f64,
    matched: bool,
}

fn exact_share(ours: &[VpdqFrame], theirs: &[VpdqFrame]) -> f64 {
    let by_no: HashMap<u32, &VpdqFrame> = theirs.iter().map(|f| (f.frame_number, f)).collect();
    let same = ours
        .iter()
        .filter(|f| by_no.get(&f.frame_number).is_some_and(|t| t.hash == f.hash))
        .count();
    same as f64 * 100.0 / theirs.len().max(1) as f64
}

fn run_variant(suffix: &str, params: VpdqParams, only: Option<&[&str]>) {
    let Some(shared) = shared_dir() else { return };
    let base = shared.join("corpora/threatexchange-video");
    let videos = base.join("tmk-sample-videos");
    let hashes = base.join("vpdq-sample-hashes");
    let Ok(entries) = std::fs::read_dir(&videos) else {
        println!("SKIP: {} missing", videos.display());
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".mp4"))
        .collect();
    names.sort();
    let limits = VideoLimits::default();
    let cancel = Cancel::new();
    let mut rows = Vec::new();
    for name in names {
        let stem = name.trim_end_matches(".mp4");
        if only.is_some_and(|o| !o.contains(&stem)) {
            continue;
        }
        let reference = hashes.join(format!("{stem}{suffix}.txt"));
        let Ok(text) = std::fs::read_to_string(&reference) else {
            println!("no reference hashes for {name}");
            continue;
        };
        let theirs = parse_vpdq_file(&text).expect("reference file parses");
        let path = videos.join(&name);
        let info = probe(&path, &limits, &cancel).expect("probe sample video");
        let ours = vpdq_with(&path, &info, &params, &limits, &cancel).expect("vpdq");
        let m = match_videos_default(&ours, &theirs);
        rows.push(Row {
            name: stem.to_owned(),
            ours: ours.len(),
            theirs: theirs.len(),
            exact_pct: exact_share(&ours, &theirs),
            query_pct: m.query_match_pct,
            target_pct: m.target_match_pct,
            matched: m.matched,
        });
    }
    println!(
        "vPDQ agreement{suffix}: video | frames ours/theirs | exact % | ours-in-ref % | ref-in-ours % | match"
    );
    for r in &rows {
        println!(
            "{:<32} {:>4}/{:<4} {:>6.1} {:>6.1} {:>6.1} {}",
            r.name, r.ours, r.theirs, r.exact_pct, r.query_pct, r.target_pct, r.matched
        );
    }
    let total_ours: usize = rows.iter().map(|r| r.ours).sum();
    let total_theirs: usize = rows.iter().map(|r| r.theirs).sum();
    println!("total frames ours/theirs: {total_ours}/{total_theirs}");
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| !r.matched)
        .map(|r| r.name.as_str())
        .collect();
    assert!(
        failed.is_empty(),
        "videos that do not match the reference: {failed:?}"
    );
    for r in &rows {
        assert_eq!(r.ours, r.theirs, "{}: frame count differs", r.name);
    }
}

#[test]
fn every_frame_matches_reference_sample_hashes() {
    run_variant("", VpdqParams::every_frame(), None);
}

#[test]
fn downsampled_128_matches_reference_variant() {
    let params = VpdqParams {
        seconds_per_hash: 0.0,
        downsample: Some((128, 128)),
    };
    run_variant(
        "-128x128",
        params,
        Some(&[
            "doorknob-hd-no-bar",
            "pattern-sd-grey-bar",
            "chair-19-sd-bar",
        ]),
    );
}

#[test]
fn one_per_second_matches_every_frame_reference_as_a_clip() {
    // The default (1 hash/s) is a subset of the every-frame hash: each of
    // our frames must have an exact or near frame in the reference.
    let Some(shared) = shared_dir() else { return };
    let base = shared.join("corpora/threatexchange-video");
    let path = base.join("tmk-sample-videos/pattern-sd-grey-bar.mp4");
    let Ok(text) = std::fs::read_to_string(base.join("vpdq-sample-hashes/pattern-sd-grey-bar.txt"))
    else {
        println!("SKIP: reference missing");
        return;
    };
    let theirs = parse_vpdq_file(&text).expect("parse");
    let limits = VideoLimits::default();
    let info = probe(&path, &limits, &Cancel::new()).expect("probe");
    let ours = vidi_video::vpdq(&path, &info, &limits, &Cancel::new()).expect("vpdq");
    // 206 frames at 30 fps: frames 0, 30, ..., 180.
    let numbers: Vec<u32> = ours.iter().map(|f| f.frame_number).collect();
    assert_eq!(numbers, vec![0, 30, 60, 90, 120, 150, 180]);
    assert!((ours[1].timestamp_s - 1.0).abs() < 1e-6);
    let m = vidi_hash::vpdq::match_videos(&ours, &theirs, 31, 50, 80.0, 0.0);
    println!(
        "1/s vs every-frame reference: {} frames, ours-in-ref {:.1} %, ref-in-ours {:.1} %",
        ours.len(),
        m.query_match_pct,
        m.target_match_pct
    );
    assert!(m.matched);
}
