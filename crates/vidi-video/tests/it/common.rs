//! Shared helpers: locating `/work/shared`, generating test videos.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub(crate) use vidi_testkit::shared_dir;

/// Run ffmpeg with `args` (after `-y -v error`), panicking on failure.
pub(crate) fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-y", "-v", "error"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A `testsrc` video of `secs` seconds at `size` and `rate` fps, with a sine
/// audio track when `audio`.
pub(crate) fn testsrc(
    dir: &Path,
    name: &str,
    size: &str,
    rate: u32,
    secs: u32,
    audio: bool,
) -> PathBuf {
    let out = dir.join(name);
    let video = format!("testsrc=size={size}:rate={rate}:duration={secs}");
    let sine = format!("sine=frequency=440:duration={secs}");
    let mut args = vec!["-f", "lavfi", "-i", &video];
    if audio {
        args.extend(["-f", "lavfi", "-i", &sine, "-c:a", "aac"]);
    }
    args.extend([
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "25",
    ]);
    let o = out.to_string_lossy().into_owned();
    args.push(&o);
    ffmpeg(&args);
    out
}
