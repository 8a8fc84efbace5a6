//! Keyframe thumbnails: small JPEGs at scene changes, else evenly spaced.

use std::ffi::OsString;
use std::path::Path;
use std::time::Instant;

use vidi_types::{Cancel, VideoInfo};

use crate::error::{Tool, VideoError};
use crate::process::{Ctx, run_capture};
use crate::{VideoLimits, ffmpeg_input_args, has_video, input_arg};

/// Largest thumbnail side, in pixels.
pub const MAX_THUMB_SIDE: u32 = 256;
/// Default number of thumbnails per video.
pub const DEFAULT_THUMB_COUNT: usize = 4;
/// ffmpeg scene-change score above which a keyframe starts a new scene.
const SCENE_THRESHOLD: f64 = 0.3;
/// Output caps: scene list and one JPEG.
const MAX_SCENE_OUTPUT: usize = 4 * 1024 * 1024;
const MAX_JPEG: usize = 4 * 1024 * 1024;

/// One thumbnail: (timestamp in seconds, JPEG bytes, width, height).
pub type KeyframeThumb = (f64, Vec<u8>, u32, u32);

fn push(args: &mut Vec<OsString>, items: &[&str]) {
    args.extend(items.iter().map(OsString::from));
}

/// Up to `count` JPEG thumbnails (largest side <= `max_side`, itself capped at
/// 256) of the video, display rotation and pixel aspect applied. Frames are
/// taken at the strongest scene changes between keyframes when ffmpeg's scene
/// filter finds any, the rest evenly spaced over the duration. Audio-only
/// files give an empty list. Sorted by timestamp.
pub fn keyframe_thumbnails(
    path: &Path,
    info: &VideoInfo,
    max_side: u32,
    count: usize,
    limits: &VideoLimits,
    cancel: &Cancel,
) -> Result<Vec<KeyframeThumb>, VideoError> {
    if !has_video(info) || count == 0 {
        return Ok(Vec::new());
    }
    if let (Some(w), Some(h)) = (info.width, info.height) {
        limits.check_pixels(path, w, h)?;
    }
    let side = max_side.clamp(16, MAX_THUMB_SIDE);
    let deadline = Instant::now() + limits.time_budget;
    let scenes = scene_changes(path, limits, deadline, cancel)?;
    let times = pick_times(&scenes, info.duration_s, count);
    let mut out = Vec::with_capacity(times.len());
    for t in times {
        if let Some(jpeg) = grab(path, t, side, limits, deadline, cancel)? {
            out.push(jpeg);
        }
    }
    if out.is_empty() {
        // Seeking found nothing (unknown or wrong duration): take the first
        // frame.
        if let Some(jpeg) = grab(path, 0.0, side, limits, deadline, cancel)? {
            out.push(jpeg);
        }
    }
    Ok(out)
}

/// (timestamp, score) of keyframes that start a new scene.
fn scene_changes(
    path: &Path,
    limits: &VideoLimits,
    deadline: Instant,
    cancel: &Cancel,
) -> Result<Vec<(f64, f64)>, VideoError> {
    let mut args = ffmpeg_input_args(limits);
    push(&mut args, &["-skip_frame", "nokey", "-i"]);
    args.push(input_arg(path));
    let filter = format!(
        "scale=160:90:flags=fast_bilinear,select='gt(scene\\,{SCENE_THRESHOLD})',metadata=print:file='pipe\\:1'"
    );
    push(
        &mut args,
        &[
            "-map",
            "0:V:0",
            "-an",
            "-sn",
            "-dn",
            "-fps_mode",
            "passthrough",
            "-vf",
            &filter,
            "-f",
            "null",
            "-",
        ],
    );
    let ctx = Ctx::new(path, Tool::Ffmpeg, limits.time_budget);
    let (out, _) = run_capture(ctx, &args, deadline, cancel, MAX_SCENE_OUTPUT)?;
    Ok(parse_scene_output(&String::from_utf8_lossy(&out)))
}

/// Parse the metadata filter's `frame:N pts:P pts_time:T` /
/// `lavfi.scene_score=S` lines.
fn parse_scene_output(text: &str) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut time: Option<f64> = None;
    for line in text.lines() {
        if let Some(pos) = line.find("pts_time:") {
            time = line[pos + 9..]
                .split_whitespace()
                .next()
                .and_then(|s| s.parse().ok())
                .filter(|t: &f64| t.is_finite());
        } else if let Some(score) = line.trim().strip_prefix("lavfi.scene_score=")
            && let (Some(t), Ok(s)) = (time.take(), score.trim().parse::<f64>())
        {
            out.push((t.max(0.0), s));
        }
    }
    out
}

/// The strongest scene changes, topped up with evenly spaced times, sorted.
fn pick_times(scenes: &[(f64, f64)], duration: Option<f64>, count: usize) -> Vec<f64> {
    let mut by_score: Vec<(f64, f64)> = scenes.to_vec();
    by_score.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut times: Vec<f64> = by_score.iter().take(count).map(|s| s.0).collect();
    let duration = duration.filter(|d| d.is_finite() && *d > 0.0);
    if times.len() < count {
        match duration {
            Some(d) => {
                let min_gap = d / (2.0 * count as f64);
                for i in 0..count {
                    if times.len() >= count {
                        break;
                    }
                    let t = d * (i as f64 + 0.5) / count as f64;
                    if times.iter().all(|x| (x - t).abs() >= min_gap) {
                        times.push(t);
                    }
                }
            }
            None if times.is_empty() => times.push(0.0),
            None => {}
        }
    }
    times.sort_by(f64::total_cmp);
    times
}

/// One JPEG of the frame at (or just after) `t`; None when there is none.
fn grab(
    path: &Path,
    t: f64,
    side: u32,
    limits: &VideoLimits,
    deadline: Instant,
    cancel: &Cancel,
) -> Result<Option<KeyframeThumb>, VideoError> {
    let mut args = ffmpeg_input_args(limits);
    push(&mut args, &["-ss", &format!("{t:.3}"), "-i"]);
    args.push(input_arg(path));
    let filter = format!(
        "scale='trunc(iw*sar)':ih,setsar=1,\
         scale='min({side},iw)':'min({side},ih)':force_original_aspect_ratio=decrease,\
         format=yuvj420p"
    );
    push(
        &mut args,
        &[
            "-map",
            "0:V:0",
            "-an",
            "-sn",
            "-dn",
            "-frames:v",
            "1",
            "-vf",
            &filter,
            "-c:v",
            "mjpeg",
            "-q:v",
            "4",
            "-f",
            "image2pipe",
            "pipe:1",
        ],
    );
    let ctx = Ctx::new(path, Tool::Ffmpeg, limits.time_budget);
    let (jpeg, _) = run_capture(ctx, &args, deadline, cancel, MAX_JPEG)?;
    if jpeg.is_empty() {
        return Ok(None);
    }
    let Some((w, h)) = jpeg_size(&jpeg) else {
        return Err(VideoError::Failed {
            path: path.to_path_buf(),
            tool: Tool::Ffmpeg,
            status: "ok".into(),
            last_line: "thumbnail output is not a JPEG".into(),
        });
    };
    Ok(Some((t, jpeg, w, h)))
}

/// Width and height from a JPEG's first SOF marker.
pub fn jpeg_size(data: &[u8]) -> Option<(u32, u32)> {
    if data.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    while i + 4 <= data.len() {
        if data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let seg = data.get(i + 4..i + 2 + len)?;
            let h = u16::from_be_bytes([*seg.get(1)?, *seg.get(2)?]);
            let w = u16::from_be_bytes([*seg.get(3)?, *seg.get(4)?]);
            return Some((u32::from(w), u32::from(h)));
        }
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scene_output_parses() {
        let text = "frame:0    pts:30720   pts_time:2\nlavfi.scene_score=0.512\n\
                    frame:1    pts:61440   pts_time:4.5\nlavfi.scene_score=0.9\n\
                    frame:2    pts:NOPTS   pts_time:NOPTS\nlavfi.scene_score=0.7\n";
        assert_eq!(parse_scene_output(text), vec![(2.0, 0.512), (4.5, 0.9)]);
    }

    #[test]
    fn times_prefer_scenes_then_fill() {
        let scenes = [(1.0, 0.4), (5.0, 0.9), (7.0, 0.5)];
        assert_eq!(pick_times(&scenes, Some(10.0), 2), vec![5.0, 7.0]);
        let t = pick_times(&scenes[..1], Some(8.0), 4);
        assert_eq!(t.len(), 4, "{t:?}");
        assert!(t.contains(&1.0));
        assert_eq!(pick_times(&[], Some(8.0), 4), vec![1.0, 3.0, 5.0, 7.0]);
        assert_eq!(pick_times(&[], None, 4), vec![0.0]);
    }

    #[test]
    fn jpeg_size_reads_sof_and_rejects_junk() {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0];
        j.extend([
            0xFF, 0xC0, 0x00, 0x0B, 8, 0x00, 0x5A, 0x00, 0xA0, 1, 1, 0x11, 0,
        ]);
        assert_eq!(jpeg_size(&j), Some((160, 90)));
        assert_eq!(jpeg_size(&[0xFF, 0xD8, 0xFF]), None);
        assert_eq!(jpeg_size(b"not a jpeg"), None);
        assert_eq!(jpeg_size(&[0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x01]), None);
    }
}
