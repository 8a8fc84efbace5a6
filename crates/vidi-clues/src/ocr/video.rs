//! Frames of a video for OCR: a few full-size frames, evenly spaced, grabbed
//! by an ffmpeg subprocess (PNG on a pipe) with a time budget, a size cap
//! and the caller's cancel token; the process is killed and reaped when
//! either runs out.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vidi_types::Cancel;

use crate::ClueError;

/// Largest PNG frame read from ffmpeg.
const MAX_FRAME_BYTES: u64 = 64 * 1024 * 1024;
/// Widest frame handed to OCR (larger frames are scaled down).
const MAX_WIDTH: u32 = 1920;
/// Time budget of one frame grab.
const GRAB_BUDGET: Duration = Duration::from_secs(60);

/// Times (seconds) of `count` frames spread over `duration`: the middles of
/// `count` equal slices, so that titles at the start and signs at the end
/// are both seen. Unknown or zero duration: the first frame only.
pub(crate) fn frame_times(duration: Option<f64>, count: usize) -> Vec<f64> {
    match duration {
        Some(d) if d.is_finite() && d > 0.0 && count > 0 => (0..count)
            .map(|i| (i as f64 + 0.5) * d / count as f64)
            .collect(),
        _ => vec![0.0],
    }
}

fn io_err(path: &Path, what: String) -> ClueError {
    ClueError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(what),
    }
}

/// One frame at `t` seconds as PNG bytes; `Ok(None)` when the video has no
/// frame there (past the end).
pub(crate) fn grab_png(path: &Path, t: f64, cancel: &Cancel) -> Result<Option<Vec<u8>>, ClueError> {
    let mut input = std::ffi::OsString::from("file:");
    input.push(path.as_os_str());
    let scale = format!("scale='min({MAX_WIDTH},iw)':-2");
    let mut child = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-protocol_whitelist",
            "file",
            "-ss",
            &format!("{t:.3}"),
            "-i",
        ])
        .arg(&input)
        .args([
            "-map",
            "0:V:0",
            "-an",
            "-sn",
            "-dn",
            "-frames:v",
            "1",
            "-vf",
            &scale,
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "pipe:1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|source| ClueError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let Some(stdout) = child.stdout.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(io_err(path, "ffmpeg gave no output pipe".into()));
    };
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let r = stdout.take(MAX_FRAME_BYTES + 1).read_to_end(&mut buf);
        r.map(|_| buf)
    });
    let deadline = Instant::now() + GRAB_BUDGET;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|source| ClueError::Io {
            path: path.to_path_buf(),
            source,
        })? {
            break Some(s);
        }
        if cancel.is_cancelled() || Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let bytes = reader
        .join()
        .map_err(|_| io_err(path, "ffmpeg output reader failed".into()))?
        .map_err(|source| ClueError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let Some(status) = status else {
        if cancel.is_cancelled() {
            return Err(ClueError::Cancelled);
        }
        return Err(io_err(
            path,
            format!(
                "ffmpeg took longer than {} s for one frame",
                GRAB_BUDGET.as_secs()
            ),
        ));
    };
    if bytes.len() as u64 > MAX_FRAME_BYTES {
        return Err(io_err(path, "video frame too large".into()));
    }
    if !status.success() {
        return Err(io_err(
            path,
            format!("ffmpeg could not decode a frame ({status})"),
        ));
    }
    Ok((!bytes.is_empty()).then_some(bytes))
}

#[cfg(test)]
#[allow(clippy::print_stderr)]
mod tests {
    use super::*;

    #[test]
    fn times_cover_the_video() {
        assert_eq!(frame_times(Some(8.0), 4), vec![1.0, 3.0, 5.0, 7.0]);
        assert_eq!(frame_times(None, 4), vec![0.0]);
        assert_eq!(frame_times(Some(f64::NAN), 4), vec![0.0]);
        assert_eq!(frame_times(Some(-1.0), 4), vec![0.0]);
    }

    #[test]
    fn missing_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nope.mp4");
        let r = grab_png(&p, 0.0, &Cancel::new());
        if std::process::Command::new("ffmpeg")
            .arg("-version")
            .output()
            .is_err()
        {
            eprintln!("SKIP: ffmpeg not found");
            return;
        }
        assert!(r.is_err());
    }
}
