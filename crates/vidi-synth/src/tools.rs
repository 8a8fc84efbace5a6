//! External tools: ffmpeg for videos and stills, espeak-ng for speech.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use image::RgbImage;

use crate::SynthError;

/// Whether the external tools are available: `[("ffmpeg", ..),
/// ("ffprobe", ..), ("espeak-ng", ..)]`.
pub fn tools_available() -> Vec<(&'static str, bool)> {
    vec![
        ("ffmpeg", has("ffmpeg")),
        ("ffprobe", has("ffprobe")),
        ("espeak-ng", has("espeak-ng")),
    ]
}

pub(crate) fn has(tool: &str) -> bool {
    Command::new(tool)
        .arg(if tool == "espeak-ng" {
            "--version"
        } else {
            "-version"
        })
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(tool: &'static str, cmd: &mut Command, path: &Path) -> Result<(), SynthError> {
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|_| SynthError::Tool {
            tool,
            path: path.to_path_buf(),
            status: "not started".into(),
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(SynthError::Tool {
            tool,
            path: path.to_path_buf(),
            status: status.to_string(),
        })
    }
}

/// Speak `text` in `voice` into a WAV file.
pub(crate) fn speak(voice: &str, text: &str, out: &Path) -> Result<(), SynthError> {
    run(
        "espeak-ng",
        Command::new("espeak-ng")
            .args(["-v", voice, "-s", "150", "-w"])
            .arg(out)
            .arg(text),
        out,
    )
}

/// Duration of a PCM WAV file in seconds, from its header.
pub(crate) fn wav_seconds(path: &Path) -> Option<f64> {
    let b = std::fs::read(path).ok()?;
    if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WAVE" {
        return None;
    }
    let mut pos = 12;
    let mut byte_rate = None;
    while pos + 8 <= b.len() {
        let id = &b[pos..pos + 4];
        let len = u32::from_le_bytes([b[pos + 4], b[pos + 5], b[pos + 6], b[pos + 7]]) as usize;
        let body = pos + 8;
        if id == b"fmt " && body + 12 <= b.len() {
            byte_rate = Some(u32::from_le_bytes([
                b[body + 8],
                b[body + 9],
                b[body + 10],
                b[body + 11],
            ]));
        }
        if id == b"data" {
            // espeak-ng writing to a file fixes the size up; trust the
            // actual byte count when the header is a placeholder.
            let len = len.min(b.len() - body);
            return byte_rate
                .filter(|r| *r > 0)
                .map(|r| len as f64 / f64::from(r));
        }
        pos = body + len + (len & 1);
    }
    None
}

/// Encode one video from frames produced on demand.
pub(crate) struct VideoJob<'a> {
    pub(crate) out: &'a Path,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) fps: u32,
    pub(crate) frames: u32,
    pub(crate) audio: Option<PathBuf>,
    /// ISO 6709 string for the `location` tag.
    pub(crate) location: Option<String>,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub(crate) creation_time: Option<String>,
}

pub(crate) fn encode_video(
    job: &VideoJob<'_>,
    mut frame: impl FnMut(u32) -> RgbImage,
    cancel: &vidi_types::Cancel,
) -> Result<(), SynthError> {
    let path = job.out;
    let mut cmd = Command::new("ffmpeg");
    cmd.args([
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostdin",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
    ])
    .arg("-s")
    .arg(format!("{}x{}", job.width, job.height))
    .arg("-framerate")
    .arg(job.fps.to_string())
    .args(["-i", "pipe:0"]);
    if let Some(a) = &job.audio {
        cmd.arg("-i").arg(a);
    }
    cmd.args(["-map", "0:v"]);
    if job.audio.is_some() {
        cmd.args([
            "-map",
            "1:a",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-ac",
            "1",
            "-af",
            "apad",
            "-shortest",
        ]);
    }
    cmd.args([
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p", "-threads",
        "1",
    ])
    .args([
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
    ]);
    if let Some(l) = &job.location {
        cmd.arg("-metadata").arg(format!("location={l}"));
        // Matroska's own tag name for the same ISO 6709 string.
        if path.extension().is_some_and(|e| e == "mkv" || e == "webm") {
            cmd.arg("-metadata").arg(format!("RECORDING_LOCATION={l}"));
        }
    }
    if let Some(t) = &job.creation_time {
        cmd.arg("-metadata").arg(format!("creation_time={t}"));
    }
    cmd.arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let not_started = |_| SynthError::Tool {
        tool: "ffmpeg",
        path: path.to_path_buf(),
        status: "not started".into(),
    };
    let mut child = cmd.spawn().map_err(not_started)?;
    let mut result = Ok(());
    if let Some(mut stdin) = child.stdin.take() {
        for i in 0..job.frames {
            if cancel.is_cancelled() {
                result = Err(SynthError::Cancelled);
                break;
            }
            let f = frame(i);
            if let Err(source) = stdin.write_all(f.as_raw()) {
                result = Err(SynthError::Io {
                    path: path.to_path_buf(),
                    source,
                });
                break;
            }
        }
        // Dropping stdin closes the pipe so ffmpeg finishes.
    }
    if result.is_err() {
        let _ = child.kill();
    }
    let status = child.wait().map_err(SynthError::io(path))?;
    result?;
    if status.success() {
        Ok(())
    } else {
        Err(SynthError::Tool {
            tool: "ffmpeg",
            path: path.to_path_buf(),
            status: status.to_string(),
        })
    }
}

/// Add a QuickTime `©xyz` location atom (ISO 6709 text, as phones write it)
/// to the `moov/udta` of an MP4 whose `moov` is the last top-level box (as
/// ffmpeg writes it without `+faststart`), so no chunk offset moves. ffmpeg's
/// MP4 muxer stores `location` only as a 3GPP `loci` box. Returns false and
/// leaves the file alone when its layout is not the expected one.
pub(crate) fn add_xyz_atom(path: &Path, iso6709: &str) -> Result<bool, SynthError> {
    let mut b = std::fs::read(path).map_err(SynthError::io(path))?;
    let be32 = |b: &[u8], at: usize| -> Option<usize> {
        b.get(at..at + 4)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize)
    };
    // Find the top-level moov and check it ends the file.
    let mut pos = 0;
    let mut moov = None;
    while let Some(size) = be32(&b, pos) {
        if size < 8 || pos + size > b.len() {
            return Ok(false);
        }
        if b.get(pos + 4..pos + 8) == Some(b"moov") {
            moov = Some((pos, size));
        }
        pos += size;
    }
    let Some((moov_at, moov_size)) = moov.filter(|(at, size)| at + size == b.len()) else {
        return Ok(false);
    };
    // Its udta child, if any.
    let mut child = moov_at + 8;
    let mut udta = None;
    while let Some(size) = be32(&b, child).filter(|_| child + 8 <= moov_at + moov_size) {
        if size < 8 || child + size > moov_at + moov_size {
            return Ok(false);
        }
        if b.get(child + 4..child + 8) == Some(b"udta") {
            udta = Some((child, size));
        }
        child += size;
    }
    let text = iso6709.as_bytes();
    let Ok(text_len) = u16::try_from(text.len()) else {
        return Ok(false);
    };
    let mut atom = Vec::with_capacity(12 + text.len());
    atom.extend_from_slice(&((12 + text.len()) as u32).to_be_bytes());
    atom.extend_from_slice(b"\xa9xyz");
    atom.extend_from_slice(&text_len.to_be_bytes());
    atom.extend_from_slice(&0x15C7u16.to_be_bytes()); // language: "eng"
    atom.extend_from_slice(text);
    let grow = |b: &mut Vec<u8>, at: usize, old: usize, by: usize| -> bool {
        match u32::try_from(old + by) {
            Ok(v) => {
                b[at..at + 4].copy_from_slice(&v.to_be_bytes());
                true
            }
            Err(_) => false,
        }
    };
    let added = match udta {
        Some((at, size)) => {
            b.splice(at + size..at + size, atom.iter().copied());
            grow(&mut b, at, size, atom.len())
        }
        None => {
            let mut u = ((8 + atom.len()) as u32).to_be_bytes().to_vec();
            u.extend_from_slice(b"udta");
            u.extend_from_slice(&atom);
            atom = u;
            b.extend_from_slice(&atom);
            true
        }
    };
    if !added || !grow(&mut b, moov_at, moov_size, atom.len()) {
        return Ok(false);
    }
    std::fs::write(path, &b).map_err(SynthError::io(path))?;
    Ok(true)
}

/// The frame of `video` shown at `t` seconds, decoded.
pub(crate) fn extract_frame(video: &Path, t: f64, for_path: &Path) -> Result<RgbImage, SynthError> {
    let out = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-threads",
            "1",
        ])
        .arg("-ss")
        .arg(format!("{t:.3}"))
        .arg("-i")
        .arg(video)
        .args([
            "-frames:v",
            "1",
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "pipe:1",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|_| SynthError::Tool {
            tool: "ffmpeg",
            path: for_path.to_path_buf(),
            status: "not started".into(),
        })?;
    if !out.status.success() {
        return Err(SynthError::Tool {
            tool: "ffmpeg",
            path: for_path.to_path_buf(),
            status: out.status.to_string(),
        });
    }
    image::load_from_memory_with_format(&out.stdout, image::ImageFormat::Png)
        .map(|i| i.to_rgb8())
        .map_err(|source| SynthError::Decode {
            path: for_path.to_path_buf(),
            source,
        })
}

/// Re-encode a WAV file to AAC in an M4A container.
pub(crate) fn wav_to_m4a(wav: &Path, out: &Path) -> Result<(), SynthError> {
    run(
        "ffmpeg",
        Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i"])
            .arg(wav)
            .args([
                "-c:a",
                "aac",
                "-b:a",
                "64k",
                "-threads",
                "1",
                "-fflags",
                "+bitexact",
                "-flags:a",
                "+bitexact",
            ])
            .arg(out),
        out,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(data_len: u32, byte_rate: u32, body: usize) -> Vec<u8> {
        let mut b = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&[1, 0, 1, 0]); // PCM, mono
        b.extend_from_slice(&(byte_rate / 2).to_le_bytes());
        b.extend_from_slice(&byte_rate.to_le_bytes());
        b.extend_from_slice(&[2, 0, 16, 0]);
        b.extend_from_slice(b"data");
        b.extend_from_slice(&data_len.to_le_bytes());
        b.extend(std::iter::repeat_n(0u8, body));
        b
    }

    #[test]
    fn wav_duration_from_header_and_hostile_input() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.wav");
        std::fs::write(&p, wav(44100, 44100, 44100)).expect("write");
        assert_eq!(wav_seconds(&p), Some(1.0));
        // A placeholder size larger than the file: the bytes present count.
        std::fs::write(&p, wav(u32::MAX, 44100, 22050)).expect("write");
        assert_eq!(wav_seconds(&p), Some(0.5));
        std::fs::write(&p, wav(10, 0, 10)).expect("write");
        assert_eq!(wav_seconds(&p), None);
        std::fs::write(&p, b"RIFF\xff\xff\xff\xffWAVEjunk\xff\xff\xff\xff").expect("write");
        assert_eq!(wav_seconds(&p), None);
        std::fs::write(&p, b"RIFF").expect("write");
        assert_eq!(wav_seconds(&p), None);
    }

    fn bx(typ: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((8 + body.len()) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(typ);
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn xyz_atom_goes_into_a_trailing_moov_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("v.mp4");
        let loc = "+50.8466+004.3528/";
        // moov last, with a udta: the atom lands in udta, sizes follow.
        let udta = bx(b"udta", &bx(b"loci", &[0; 6]));
        let file = [
            bx(b"ftyp", b"isom"),
            bx(b"mdat", &[1; 20]),
            bx(b"moov", &[bx(b"mvhd", &[0; 4]), udta].concat()),
        ]
        .concat();
        std::fs::write(&p, &file).expect("write");
        assert!(add_xyz_atom(&p, loc).expect("io"));
        let out = std::fs::read(&p).expect("read");
        assert_eq!(out.len(), file.len() + 12 + loc.len());
        let moov_at = 12 + 28;
        assert_eq!(
            u32::from_be_bytes(out[moov_at..moov_at + 4].try_into().expect("4")) as usize,
            out.len() - moov_at
        );
        assert!(out.windows(4).any(|w| w == b"\xa9xyz"));
        assert!(out.ends_with(loc.as_bytes()));
        // moov without udta: a udta is appended.
        std::fs::write(
            &p,
            [bx(b"mdat", &[1; 4]), bx(b"moov", &bx(b"mvhd", &[0; 4]))].concat(),
        )
        .expect("write");
        assert!(add_xyz_atom(&p, loc).expect("io"));
        // moov not last, lying sizes, or not a box file at all: untouched.
        for bad in [
            [bx(b"moov", &[0; 4]), bx(b"mdat", &[1; 4])].concat(),
            vec![0, 0, 0, 200, b'm', b'o', b'o', b'v'],
            b"plain text, not boxes".to_vec(),
            Vec::new(),
        ] {
            std::fs::write(&p, &bad).expect("write");
            assert!(!add_xyz_atom(&p, loc).expect("io"));
            assert_eq!(std::fs::read(&p).expect("read"), bad);
        }
    }
}
