//! `ffprobe` JSON → [`VideoInfo`].

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use vidi_types::{Cancel, VideoInfo};

use crate::error::{Tool, VideoError};
use crate::process::{Ctx, run_capture};
use crate::{VideoLimits, input_arg};

/// ffprobe's JSON for a file is small; anything larger is hostile.
const MAX_PROBE_JSON: usize = 8 * 1024 * 1024;

/// Probe a video or audio file with ffprobe.
///
/// Audio-only files give a [`VideoInfo`] with `video_codec`, `width`,
/// `height` and `fps` unset. Cover art (attached pictures) is not counted as
/// a video stream.
pub fn probe(path: &Path, limits: &VideoLimits, cancel: &Cancel) -> Result<VideoInfo, VideoError> {
    let ctx = Ctx::new(path, Tool::Ffprobe, limits.time_budget);
    let deadline = Instant::now() + limits.time_budget;
    let args: Vec<OsString> = [
        "-v",
        "error",
        "-protocol_whitelist",
        "file",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
    ]
    .iter()
    .map(OsString::from)
    .chain(std::iter::once(input_arg(path)))
    .collect();
    let (out, fin) = run_capture(ctx, &args, deadline, cancel, MAX_PROBE_JSON)?;
    let json: Value = serde_json::from_slice(&out).map_err(|source| VideoError::ProbeJson {
        path: path.to_path_buf(),
        source,
    })?;
    let info = parse_probe_json(&json);
    if !fin.stderr_tail.trim().is_empty() {
        tracing::debug!(path = %path.display(), warning = %fin.last_line(), "ffprobe warnings");
    }
    Ok(info)
}

/// Check that `ffmpeg` and `ffprobe` can be run.
pub fn tools_available() -> Result<(), VideoError> {
    for tool in [Tool::Ffmpeg, Tool::Ffprobe] {
        let ctx = Ctx::new(Path::new(""), tool, Duration::from_secs(20));
        let args = [OsString::from("-version")];
        let deadline = Instant::now() + ctx.budget;
        run_capture(ctx, &args, deadline, &Cancel::new(), 1024 * 1024)?;
    }
    Ok(())
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Parse `"30000/1001"` (or a plain number) into frames per second.
pub(crate) fn parse_rate(v: Option<&Value>) -> Option<f64> {
    let s = v?.as_str()?;
    let r = match s.split_once('/') {
        Some((n, d)) => {
            let n: f64 = n.trim().parse().ok()?;
            let d: f64 = d.trim().parse().ok()?;
            if d == 0.0 {
                return None;
            }
            n / d
        }
        None => s.trim().parse().ok()?,
    };
    (r.is_finite() && r > 0.0).then_some(r)
}

fn is_cover_art(stream: &Value) -> bool {
    stream
        .get("disposition")
        .and_then(|d| d.get("attached_pic"))
        .and_then(Value::as_i64)
        == Some(1)
}

/// Clockwise display rotation in degrees (0, 90, 180, 270): ffmpeg's
/// convention, the rotation its `autorotate` applies.
fn rotation(stream: &Value) -> i32 {
    let from_matrix = stream
        .get("side_data_list")
        .and_then(Value::as_array)
        .and_then(|l| l.iter().find_map(|sd| num(sd.get("rotation"))))
        // The display matrix angle is counter-clockwise.
        .map(|r| -r);
    let from_tag = || num(stream.get("tags").and_then(|t| t.get("rotate")));
    let deg = from_matrix.or_else(from_tag).unwrap_or(0.0);
    let quarter = (deg / 90.0).round() as i64;
    (quarter.rem_euclid(4) * 90) as i32
}

fn dim(v: Option<&Value>) -> Option<u32> {
    v.and_then(Value::as_u64)
        .filter(|&d| d > 0)
        .and_then(|d| u32::try_from(d).ok())
}

/// Turn ffprobe's `-show_format -show_streams` JSON into a [`VideoInfo`].
pub fn parse_probe_json(json: &Value) -> VideoInfo {
    let empty = Vec::new();
    let streams = json
        .get("streams")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let format = json.get("format");
    let kind = |s: &&Value| {
        s.get("codec_type")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let video = streams
        .iter()
        .find(|s| kind(s).as_deref() == Some("video") && !is_cover_art(s));
    let audio = streams.iter().find(|s| kind(s).as_deref() == Some("audio"));

    let mut info = VideoInfo {
        container: text(format.and_then(|f| f.get("format_name"))),
        duration_s: num(format.and_then(|f| f.get("duration"))).filter(|d| *d >= 0.0),
        audio_codec: audio.and_then(|a| text(a.get("codec_name"))),
        has_audio: audio.is_some(),
        ..VideoInfo::default()
    };
    if info.duration_s.is_none() {
        info.duration_s = streams
            .iter()
            .filter_map(|s| num(s.get("duration")))
            .filter(|d| *d > 0.0)
            .reduce(f64::max);
    }
    if let Some(v) = video {
        info.video_codec = text(v.get("codec_name"));
        info.width = dim(v.get("width"));
        info.height = dim(v.get("height"));
        info.rotation = rotation(v);
        info.fps =
            parse_rate(v.get("avg_frame_rate")).or_else(|| parse_rate(v.get("r_frame_rate")));
    }
    let tag = |v: Option<&Value>| {
        text(
            v.and_then(|x| x.get("tags"))
                .and_then(|t| t.get("creation_time")),
        )
    };
    info.creation_time = tag(format).or_else(|| tag(video)).or_else(|| tag(audio));
    info
}

/// The average frame rate vPDQ uses (`avg_frame_rate`, else `r_frame_rate`),
/// as ffprobe reports it for the first video stream.
pub(crate) fn frame_rate(info: &VideoInfo) -> Option<f64> {
    info.fps.filter(|f| f.is_finite() && *f > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_typical_probe() {
        let j: Value = serde_json::from_str(
            r#"{"streams":[
                {"codec_type":"video","codec_name":"h264","width":720,"height":1280,
                 "avg_frame_rate":"30000/1001","r_frame_rate":"30/1",
                 "side_data_list":[{"side_data_type":"Display Matrix","rotation":-90}],
                 "tags":{"creation_time":"2020-01-02T03:04:05.000000Z"}},
                {"codec_type":"audio","codec_name":"aac"}],
              "format":{"format_name":"mov,mp4","duration":"6.866667"}}"#,
        )
        .unwrap();
        let i = parse_probe_json(&j);
        assert_eq!(i.container.as_deref(), Some("mov,mp4"));
        assert_eq!(i.video_codec.as_deref(), Some("h264"));
        assert_eq!(i.audio_codec.as_deref(), Some("aac"));
        assert_eq!((i.width, i.height), (Some(720), Some(1280)));
        assert_eq!(i.rotation, 90);
        assert!((i.fps.unwrap() - 29.97).abs() < 0.01);
        assert!((i.duration_s.unwrap() - 6.866667).abs() < 1e-9);
        assert!(i.has_audio);
        assert_eq!(
            i.creation_time.as_deref(),
            Some("2020-01-02T03:04:05.000000Z")
        );
    }

    #[test]
    fn rotate_tag_cover_art_and_garbage() {
        let j: Value = serde_json::from_str(
            r#"{"streams":[
                {"codec_type":"audio","codec_name":"mp3","duration":"3.5"},
                {"codec_type":"video","codec_name":"mjpeg","width":300,"height":300,
                 "disposition":{"attached_pic":1}}],
              "format":{"format_name":"mp3"}}"#,
        )
        .unwrap();
        let i = parse_probe_json(&j);
        assert_eq!(i.video_codec, None);
        assert_eq!(i.duration_s, Some(3.5));
        assert!(i.has_audio);

        let j: Value = serde_json::from_str(
            r#"{"streams":[{"codec_type":"video","width":-3,"height":"x",
                "avg_frame_rate":"0/0","r_frame_rate":"25/1","tags":{"rotate":"-90"}}]}"#,
        )
        .unwrap();
        let i = parse_probe_json(&j);
        assert_eq!((i.width, i.height), (None, None));
        assert_eq!(i.rotation, 270);
        assert_eq!(i.fps, Some(25.0));
        assert_eq!(parse_probe_json(&Value::Null), VideoInfo::default());
    }
}
