//! Audio extraction from any media file through `ffmpeg`/`ffprobe`
//! subprocesses: the first audio stream, resampled to 16 kHz mono `f32`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::SpeechError;

/// Sample rate of everything this crate consumes.
pub const SAMPLE_RATE: u32 = 16_000;

/// Bounds on one extraction.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaLimits {
    /// Files larger than this are refused ([`SpeechError::MediaTooLarge`]).
    pub max_input_bytes: u64,
    /// Only the first this many seconds of audio are extracted.
    pub max_duration_s: f64,
    /// ffmpeg is killed after this long ([`SpeechError::MediaTimeout`]).
    pub timeout: Duration,
    /// The ffmpeg executable (ffprobe is looked for beside it, or on `PATH`).
    pub ffmpeg: PathBuf,
}

impl Default for MediaLimits {
    fn default() -> Self {
        Self {
            max_input_bytes: 64 << 30,
            max_duration_s: 3.0 * 3600.0,
            timeout: Duration::from_secs(600),
            ffmpeg: PathBuf::from("ffmpeg"),
        }
    }
}

fn ffprobe_for(ffmpeg: &Path) -> PathBuf {
    match ffmpeg.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("ffprobe"),
        _ => PathBuf::from("ffprobe"),
    }
}

/// Runs a command with a wall-clock limit; returns (status code, stdout,
/// last stderr line). Stdout beyond `max_stdout` bytes is discarded.
fn run_bounded(
    mut cmd: Command,
    path: &Path,
    timeout: Duration,
    max_stdout: usize,
) -> Result<(i32, Vec<u8>, String), SpeechError> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| SpeechError::FfmpegSpawn { source })?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut block = [0u8; 1 << 16];
        if let Some(s) = stdout.as_mut() {
            while let Ok(n) = s.read(&mut block) {
                if n == 0 {
                    break;
                }
                if buf.len() < max_stdout {
                    let take = n.min(max_stdout - buf.len());
                    buf.extend_from_slice(&block[..take]);
                }
            }
        }
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut tail = Vec::new();
        let mut block = [0u8; 4096];
        if let Some(s) = stderr.as_mut() {
            while let Ok(n) = s.read(&mut block) {
                if n == 0 {
                    break;
                }
                tail.extend_from_slice(&block[..n]);
                if tail.len() > 8192 {
                    tail.drain(..tail.len() - 4096);
                }
            }
        }
        tail
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(source) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SpeechError::MediaIo {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    };
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        let _ = out_thread.join();
        let _ = err_thread.join();
        return Err(SpeechError::MediaTimeout {
            path: path.to_path_buf(),
        });
    };
    let out = out_thread.join().unwrap_or_default();
    let err = err_thread.join().unwrap_or_default();
    let last = String::from_utf8_lossy(&err)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_owned();
    Ok((status.code().unwrap_or(-1), out, last))
}

/// Extracts the first audio stream of `path` as 16 kHz mono `f32` PCM in
/// [-1, 1]. A file without an audio stream gives an empty vector; a missing,
/// oversized or undecodable file gives a typed error naming it. At most
/// `limits.max_duration_s` seconds are returned.
pub fn audio_from_media(path: &Path, limits: &MediaLimits) -> Result<Vec<f32>, SpeechError> {
    let meta = std::fs::metadata(path).map_err(|source| SpeechError::MediaIo {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.len() > limits.max_input_bytes {
        return Err(SpeechError::MediaTooLarge {
            path: path.to_path_buf(),
            bytes: meta.len(),
            limit: limits.max_input_bytes,
        });
    }
    // Is there an audio stream at all? ffprobe fails on broken files.
    let mut probe = Command::new(ffprobe_for(&limits.ffmpeg));
    probe
        .args(["-v", "error", "-select_streams", "a", "-show_entries"])
        .args(["stream=index", "-of", "csv=p=0", "--"])
        .arg(path);
    let (code, out, detail) = run_bounded(probe, path, limits.timeout, 1 << 16)?;
    if code != 0 {
        return Err(SpeechError::MediaDecode {
            path: path.to_path_buf(),
            status: code,
            detail,
        });
    }
    if String::from_utf8_lossy(&out).trim().is_empty() {
        tracing::debug!(path = %path.display(), "no audio stream");
        return Ok(Vec::new());
    }
    // NaN becomes 0; at most ~116 days.
    let max_duration = limits.max_duration_s.clamp(0.0, 1e7);
    let max_duration = if max_duration.is_nan() {
        0.0
    } else {
        max_duration
    };
    let max_bytes = ((max_duration * f64::from(SAMPLE_RATE) * 4.0) as usize).saturating_add(4096);
    let mut cmd = Command::new(&limits.ffmpeg);
    cmd.args(["-nostdin", "-hide_banner", "-loglevel", "error", "-i"])
        .arg(path)
        .args(["-map", "0:a:0", "-vn", "-sn", "-dn", "-ac", "1", "-ar"])
        .arg(SAMPLE_RATE.to_string())
        .arg("-t")
        .arg(format!("{max_duration:.3}"))
        .args(["-f", "f32le", "-"]);
    let (code, pcm, detail) = run_bounded(cmd, path, limits.timeout, max_bytes)?;
    if code != 0 {
        return Err(SpeechError::MediaDecode {
            path: path.to_path_buf(),
            status: code,
            detail,
        });
    }
    let max_samples = (max_duration * f64::from(SAMPLE_RATE)) as usize;
    Ok(pcm
        .chunks_exact(4)
        .take(max_samples)
        .map(|b| {
            let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            if v.is_finite() {
                v.clamp(-1.0, 1.0)
            } else {
                0.0
            }
        })
        .collect())
}
