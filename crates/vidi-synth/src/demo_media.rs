//! The demo's videos (ffmpeg, with espeak-ng speech), stills taken from
//! them, and stand-alone speech recordings. A single item that fails is
//! skipped with a note; cancellation stops everything.

use std::path::Path;

use vidi_types::MediaKind;

use crate::canvas::resample;
use crate::demo::{Ctx, ymd};
use crate::plan::{AUDIO, CASES, VIDEOS, VideoDef};
use crate::rng::Rng;
use crate::scenes::render;
use crate::tools::{
    VideoJob, add_xyz_atom, encode_video, extract_frame, has, speak, wav_seconds, wav_to_m4a,
};
use crate::{DemoFile, SynthError, encode};

/// ISO 6709 as QuickTime stores it: `+50.8466+004.3528/`.
fn iso6709(lat: f64, lon: f64) -> String {
    format!("{lat:+08.4}{lon:+09.4}/")
}

pub(crate) fn media(ctx: &mut Ctx<'_>) -> Result<(), SynthError> {
    let want_video = ctx.spec.videos;
    let want_audio = ctx.spec.audio;
    if !want_video && !want_audio {
        return Ok(());
    }
    let ffmpeg = has("ffmpeg");
    let espeak = has("espeak-ng");
    if want_video && !ffmpeg {
        ctx.notes
            .push("ffmpeg not found: videos and video stills skipped".into());
    }
    if want_audio && !espeak {
        ctx.notes
            .push("espeak-ng not found: speech skipped (videos are silent)".into());
    }
    let tmp = ctx.root.join(".vidi-synth-tmp");
    std::fs::create_dir_all(&tmp).map_err(SynthError::io(&tmp))?;
    let result = media_in(
        ctx,
        &tmp,
        want_video && ffmpeg,
        want_audio && espeak,
        ffmpeg,
    );
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// Keep the files of a successful item; note and clean up a failed one.
fn settle(
    ctx: &mut Ctx<'_>,
    what: &str,
    r: Result<Vec<DemoFile>, SynthError>,
    partial: &[&Path],
) -> Result<(), SynthError> {
    match r {
        Ok(files) => {
            ctx.files.extend(files);
            Ok(())
        }
        Err(SynthError::Cancelled) => Err(SynthError::Cancelled),
        Err(e) => {
            tracing::warn!(error = %e, what, "skipped");
            ctx.notes.push(format!("{what} skipped: {e}"));
            for p in partial {
                let _ = std::fs::remove_file(p);
            }
            Ok(())
        }
    }
}

fn media_in(
    ctx: &mut Ctx<'_>,
    tmp: &Path,
    video: bool,
    audio: bool,
    ffmpeg: bool,
) -> Result<(), SynthError> {
    if video {
        for (vi, v) in VIDEOS.iter().enumerate() {
            ctx.check()?;
            let r = one_video(ctx, tmp, vi, v, audio);
            let path = ctx.case_dir(v.case).join(v.name);
            let still = v
                .still
                .map(|(sci, _)| ctx.case_dir(sci).join(still_name(vi)));
            let partial: Vec<&Path> = [Some(path.as_path()), still.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            settle(ctx, v.name, r, &partial)?;
        }
    }
    if audio {
        for &(ci, name, voice, lang, text) in AUDIO {
            ctx.check()?;
            let name = if name.ends_with(".m4a") && !ffmpeg {
                name.replace(".m4a", ".wav")
            } else {
                name.to_string()
            };
            let mut f = ctx.blank(ci, &name, MediaKind::Audio, "speech");
            let wav = tmp.join(format!("audio_{ci}.wav"));
            let r = (|| {
                speak(voice, text, &wav)?;
                encode::create_parent(&f.path)?;
                if name.ends_with(".m4a") {
                    wav_to_m4a(&wav, &f.path)?;
                } else {
                    std::fs::copy(&wav, &f.path).map_err(SynthError::io(&f.path))?;
                }
                Ok(())
            })();
            f.speech_lang = Some(lang.into());
            f.speech_text = Some(text.into());
            let path = f.path.clone();
            settle(ctx, &name, r.map(|()| vec![f]), &[&path])?;
        }
    }
    Ok(())
}

fn still_name(vi: usize) -> String {
    format!("still_{vi:02}.jpg")
}

/// One video and, when planned, its still in another case.
fn one_video(
    ctx: &mut Ctx<'_>,
    tmp: &Path,
    vi: usize,
    v: &VideoDef,
    audio: bool,
) -> Result<Vec<DemoFile>, SynthError> {
    let def = &CASES[v.case];
    let wav = tmp.join(format!("video_{vi}.wav"));
    // A voice espeak-ng lacks gives a silent video, not a failed demo.
    let speech = audio
        && match speak(v.voice, v.speech, &wav) {
            Ok(()) => true,
            Err(e) => {
                ctx.notes.push(format!("{}: no speech ({e})", v.name));
                false
            }
        };
    let secs = if speech {
        wav_seconds(&wav).map_or(4.0, |s| (s + 0.5).ceil().clamp(3.0, 8.0))
    } else {
        4.0
    };
    // 640x360, or smaller when the photos are smaller (quick tests).
    let vw = (ctx.spec.width.min(640) / 16 * 16).max(64);
    let vh = (vw * 9 / 16) & !1;
    let fps = 15u32;
    let (bw, bh) = (vw * 13 / 10, vh * 13 / 10);
    let base = render(
        v.scene,
        bw,
        bh,
        Rng::derive(ctx.spec.seed, 7000 + vi as u64).next_u64(),
        None,
    );
    let frames = (secs as u32) * fps;
    let mut f = ctx.blank(v.case, v.name, MediaKind::Video, v.scene.name());
    let (lat, lon) = (
        (def.place.0 * 1e4).round() / 1e4,
        (def.place.1 * 1e4).round() / 1e4,
    );
    let (y, m, d) = ymd(def.date);
    let job = VideoJob {
        out: &f.path,
        width: vw,
        height: vh,
        fps,
        frames,
        audio: speech.then(|| wav.clone()),
        location: Some(iso6709(lat, lon)),
        creation_time: Some(format!("{y:04}-{m:02}-{d:02}T12:00:00Z")),
    };
    encode::create_parent(&f.path)?;
    let last = frames.saturating_sub(1).max(1) as f32;
    encode_video(
        &job,
        |k| {
            // Slow pan left to right with a gentle zoom in.
            let t = k as f32 / last;
            let ww = bw as f32 * (0.95 - 0.2 * t);
            let wh = ww * vh as f32 / vw as f32;
            let cx = bw as f32 * (0.4 + 0.2 * t);
            let cy = bh as f32 * 0.5;
            resample(&base, cx - ww / 2.0, cy - wh / 2.0, ww, wh, vw, vh)
        },
        ctx.cancel,
    )?;
    // MOV gets `©xyz` from ffmpeg; MP4 only a 3GPP `loci`, so add `©xyz`.
    if v.name.ends_with(".mp4") && !add_xyz_atom(&f.path, &iso6709(lat, lon))? {
        ctx.notes
            .push(format!("{}: could not add a ©xyz atom", v.name));
    }
    f.gps = Some((lat, lon, None));
    f.taken_at = Some(format!("{y:04}-{m:02}-{d:02}T12:00:00+00:00"));
    f.size = Some((vw, vh));
    if speech {
        f.speech_lang = Some(v.lang.into());
        f.speech_text = Some(v.speech.into());
    }
    let mut out = vec![f];
    if let Some((sci, t)) = v.still {
        ctx.check()?;
        let video_path = out[0].path.clone();
        let mut s = ctx.blank(sci, &still_name(vi), MediaKind::Image, v.scene.name());
        let img = extract_frame(&video_path, t, &s.path)?;
        encode::write(&s.path, &encode::jpeg(&img, 90, None, &s.path)?)?;
        s.variant_of = Some(video_path);
        s.variant = Some("frame_of_video".into());
        s.video_time_s = Some(t);
        s.size = Some((img.width(), img.height()));
        out.push(s);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso6709_pads_and_signs() {
        assert_eq!(iso6709(50.8466, 4.3528), "+50.8466+004.3528/");
        assert_eq!(iso6709(-23.5505, -46.6333), "-23.5505-046.6333/");
        assert_eq!(iso6709(13.7563, 100.5018), "+13.7563+100.5018/");
        assert_eq!(iso6709(5.5, -0.25), "+05.5000-000.2500/");
    }
}
