//! Video and audio through ffmpeg/ffprobe subprocesses: probe, vPDQ frames,
//! keyframe thumbnails.
//!
//! Every subprocess runs with a null stdin, a bounded stderr tail, a time
//! budget and the caller's cancel token; it is killed and reaped when either
//! fires. Inputs are passed as `file:` URLs with the protocol whitelist set to
//! `file`, so a crafted name or playlist cannot reach the network.
#![warn(missing_docs)]

mod error;
mod probe;
mod process;
mod thumbs;
mod vpdq;

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use vidi_types::VideoInfo;

pub use error::{Tool, VideoError};
pub use probe::{parse_probe_json, probe, tools_available};
pub use thumbs::{
    DEFAULT_THUMB_COUNT, KeyframeThumb, MAX_THUMB_SIDE, jpeg_size, keyframe_thumbnails,
};
pub use vpdq::{VpdqParams, vpdq, vpdq_with};

/// Resource limits for one operation on one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoLimits {
    /// Largest frame (width × height) that will be decoded.
    pub max_pixels_per_frame: u64,
    /// Wall-clock budget of one call (probe, vPDQ, thumbnails); the
    /// subprocess is killed when it runs out.
    pub time_budget: Duration,
    /// Most vPDQ frames hashed per video (later frames are skipped).
    pub max_hashed_frames: u32,
}

impl Default for VideoLimits {
    fn default() -> Self {
        Self {
            max_pixels_per_frame: 36_000_000,
            time_budget: Duration::from_secs(120),
            max_hashed_frames: 7200,
        }
    }
}

impl VideoLimits {
    pub(crate) fn check_pixels(
        &self,
        path: &Path,
        width: u32,
        height: u32,
    ) -> Result<(), VideoError> {
        if u64::from(width) * u64::from(height) > self.max_pixels_per_frame {
            return Err(VideoError::TooLarge {
                path: path.to_path_buf(),
                width,
                height,
                max_pixels: self.max_pixels_per_frame,
            });
        }
        Ok(())
    }
}

/// Input options that make the decoder itself refuse frames far above the
/// pixel limit (a stream can change size after the probe). Twice the limit,
/// since decoders check the padded coded size.
pub(crate) fn decoder_limit_args(limits: &VideoLimits) -> [OsString; 2] {
    let max = limits
        .max_pixels_per_frame
        .saturating_mul(2)
        .clamp(1, i32::MAX as u64);
    [
        OsString::from("-max_pixels"),
        OsString::from(max.to_string()),
    ]
}

/// The options every ffmpeg decoding run starts with: no stdin, errors
/// only, the `file` protocol only, and [`decoder_limit_args`].
pub(crate) fn ffmpeg_input_args(limits: &VideoLimits) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-protocol_whitelist",
        "file",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    args.extend(decoder_limit_args(limits));
    args
}

/// Whether the probe found a (non cover-art) video stream.
pub(crate) fn has_video(info: &VideoInfo) -> bool {
    info.video_codec.is_some() || info.width.is_some()
}

/// The input as a `file:` URL, so names like `http:…` or `-x` are never
/// taken for a protocol or an option.
pub(crate) fn input_arg(path: &Path) -> OsString {
    let mut s = OsString::from("file:");
    s.push(path.as_os_str());
    s
}
