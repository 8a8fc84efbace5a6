//! vPDQ throughput on a generated 30 s 640x360 25 fps video (750 frames):
//! the default 1 hash/s (decode-bound) and every frame (hash-bound).
//!
//! Run: `cargo bench -p vidi-video --bench vpdq`. Criterion's "elem/s" is
//! decoded frames per second of video processing.
#![allow(missing_docs)]

use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vidi_types::Cancel;
use vidi_video::{VideoLimits, VpdqParams, probe, vpdq_with};

const SECS: u32 = 30;
const FPS: u32 = 25;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.mp4");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-y", "-v", "error", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=size=640x360:rate={FPS}:duration={SECS}"))
        .args([
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        ])
        .arg(&path)
        .stdin(Stdio::null())
        .status()
        .expect("run ffmpeg");
    assert!(
        status.success(),
        "ffmpeg could not generate the bench video"
    );
    let limits = VideoLimits::default();
    let cancel = Cancel::new();
    let info = probe(&path, &limits, &cancel).expect("probe");

    let mut g = c.benchmark_group("vpdq_640x360_30s");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(u64::from(SECS * FPS)));
    for (name, params) in [
        ("one_per_second", VpdqParams::default()),
        ("every_frame", VpdqParams::every_frame()),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| vpdq_with(&path, &info, &params, &limits, &cancel).expect("vpdq"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
