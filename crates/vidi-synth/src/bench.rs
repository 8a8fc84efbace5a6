//! The benchmark corpus: many photo-like JPEGs of 1–12 MP and some videos.

use std::path::{Path, PathBuf};

use image::RgbImage;
use rayon::prelude::*;
use vidi_types::Cancel;

use crate::canvas::{resample, resize};
use crate::exif::{ExifData, quantised_gps};
use crate::rng::{Noise, Rng};
use crate::scenes::{SceneKind, render};
use crate::tools::{VideoJob, encode_video, has};
use crate::{BenchSpec, SynthError, encode};

const KINDS: [SceneKind; 6] = [
    SceneKind::Room,
    SceneKind::Mountains,
    SceneKind::Sea,
    SceneKind::Lake,
    SceneKind::Fields,
    SceneKind::Street,
];

/// Build the benchmark corpus under `out` (`photos/` and `videos/`) and
/// return the paths written, photos first, in a stable order.
///
/// Photos are drawn scenes upscaled to 1–12 MP with film-grain noise so
/// they compress like photographs, JPEG quality 85–95, half of them with
/// EXIF. Videos (640x360 to 1280x720, no audio) need ffmpeg and are skipped
/// with a warning when it is missing. Photos are made in parallel (rayon).
pub fn generate_bench_corpus(
    out: &Path,
    spec: &BenchSpec,
    cancel: &Cancel,
) -> Result<Vec<PathBuf>, SynthError> {
    let sizes_ok = spec.min_mp > 0.0 && spec.max_mp >= spec.min_mp && spec.max_mp <= 100.0;
    if !sizes_ok {
        return Err(SynthError::InvalidSpec {
            what: "need 0 < min_mp <= max_mp <= 100",
        });
    }
    if spec.video_seconds > 600 {
        return Err(SynthError::InvalidSpec {
            what: "video_seconds must be at most 600",
        });
    }
    let photos_dir = out.join("photos");
    std::fs::create_dir_all(&photos_dir).map_err(SynthError::io(&photos_dir))?;
    let mut paths: Vec<PathBuf> = (0..spec.photos)
        .into_par_iter()
        .map(|i| {
            if cancel.is_cancelled() {
                return Err(SynthError::Cancelled);
            }
            let path = photos_dir.join(format!("P{i:06}.jpg"));
            let bytes = bench_photo(spec, i, &path)?;
            encode::write(&path, &bytes)?;
            Ok(path)
        })
        .collect::<Result<_, _>>()?;
    if spec.videos > 0 {
        if has("ffmpeg") {
            let dir = out.join("videos");
            std::fs::create_dir_all(&dir).map_err(SynthError::io(&dir))?;
            for i in 0..spec.videos {
                if cancel.is_cancelled() {
                    return Err(SynthError::Cancelled);
                }
                paths.push(bench_video(spec, i, &dir, cancel)?);
            }
        } else {
            tracing::warn!("ffmpeg not found: benchmark videos skipped");
        }
    }
    Ok(paths)
}

fn bench_photo(spec: &BenchSpec, i: usize, path: &Path) -> Result<Vec<u8>, SynthError> {
    let mut rng = Rng::derive(spec.seed, i as u64);
    let mp = spec.min_mp + (spec.max_mp - spec.min_mp) * f64::from(rng.unit());
    let aspect = *rng
        .pick(&[4.0 / 3.0, 3.0 / 2.0, 16.0 / 9.0, 1.0])
        .unwrap_or(&1.5);
    let portrait = rng.chance(0.3);
    let long = (mp * 1e6 * aspect).sqrt();
    let short = long / aspect;
    let (w, h) = if portrait {
        (short, long)
    } else {
        (long, short)
    };
    let (w, h) = ((w.round() as u32).max(16), (h.round() as u32).max(16));
    let kind = *rng.pick(&KINDS).unwrap_or(&SceneKind::Fields);
    // Draw at a modest size, upscale, add grain.
    let k = (1024.0 / w.max(h) as f32).min(1.0);
    let small = render(
        kind,
        ((w as f32 * k) as u32).max(16),
        ((h as f32 * k) as u32).max(16),
        rng.next_u64(),
        None,
    );
    let mut img: RgbImage = resize(&small, w, h);
    // Full-resolution texture: a tiled fractal-noise layer (cheap lookups)
    // plus per-pixel grain, so the photo has detail at every scale.
    let grain = Noise::new(rng.next_u64());
    let detail = Noise::new(rng.next_u64());
    const TILE: u32 = 256;
    let tile: Vec<f32> = (0..TILE * TILE)
        .map(|i| detail.fbm((i % TILE) as f32 / 12.0, (i / TILE) as f32 / 12.0, 3) * 2.0 - 1.0)
        .collect();
    let amount = rng.range(6.0, 18.0);
    let relief = rng.range(8.0, 20.0);
    for (x, y, p) in img.enumerate_pixels_mut() {
        // Mirrored tiling: continuous across tile edges, so no seams.
        let fold = |v: u32| {
            let m = v % (2 * TILE);
            if m < TILE { m } else { 2 * TILE - 1 - m }
        };
        let t = tile
            .get((fold(y) * TILE + fold(x)) as usize)
            .copied()
            .unwrap_or(0.0);
        let g = (grain.grain(x, y) - 0.5) * amount + t * relief;
        for c in &mut p.0 {
            *c = (f32::from(*c) + g).round().clamp(0.0, 255.0) as u8;
        }
    }
    let exif = rng.chance(0.5).then(|| ExifData {
        make: Some("Canon".into()),
        model: Some("Canon EOS R6".into()),
        serial: Some(format!("{:012}", rng.next_u64() % 1_000_000_000_000)),
        datetime: Some(format!("2024:05:{:02} 12:{:02}:00", 1 + i % 28, i % 60)),
        offset: Some("+02:00".into()),
        gps: Some(quantised_gps((
            f64::from(rng.range(-60.0, 70.0)),
            f64::from(rng.range(-180.0, 180.0)),
            Some(f64::from(rng.range(0.0, 2000.0)).round()),
        ))),
        dims: Some((w, h)),
    });
    encode::jpeg(&img, rng.int(85, 95) as u8, exif.as_ref(), path)
}

fn bench_video(
    spec: &BenchSpec,
    i: usize,
    dir: &Path,
    cancel: &Cancel,
) -> Result<PathBuf, SynthError> {
    let mut rng = Rng::derive(spec.seed ^ 0x5EED, i as u64);
    let (vw, vh) = *rng
        .pick(&[(640u32, 360u32), (854, 480), (1280, 720)])
        .unwrap_or(&(640, 360));
    let kind = *rng.pick(&KINDS).unwrap_or(&SceneKind::Street);
    let (bw, bh) = (vw * 13 / 10, vh * 13 / 10);
    let base = render(kind, bw, bh, rng.next_u64(), None);
    let path = dir.join(format!("V{i:04}.mp4"));
    let fps = 25;
    let frames = spec.video_seconds.max(1) * fps;
    let job = VideoJob {
        out: &path,
        width: vw,
        height: vh,
        fps,
        frames,
        audio: None,
        location: None,
        creation_time: None,
    };
    let last = frames.saturating_sub(1).max(1) as f32;
    let (fw, fh) = (bw as f32, bh as f32);
    encode_video(
        &job,
        |k| {
            let t = k as f32 / last;
            let ww = fw * (0.95 - 0.2 * t);
            let wh = ww * vh as f32 / vw as f32;
            resample(
                &base,
                fw * (0.4 + 0.2 * t) - ww / 2.0,
                fh * 0.5 - wh / 2.0,
                ww,
                wh,
                vw,
                vh,
            )
        },
        cancel,
    )?;
    Ok(path)
}
