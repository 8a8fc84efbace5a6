//! End-to-end single-thread throughput over a folder of images:
//! read + MD5/SHA-1/SHA-256 + decode + PDQ, the work an ingest does per image.
//!
//! ```text
//! cargo run --release -p vidi-media --example bench_folder -- DIR [--generate N]
//! ```
//! `--generate N` first writes N synthetic 1024x768 q90 JPEG "photos" into DIR
//! (textured gradients, shapes and noise), the peer script's input.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use vidi_hash::crypto::MultiHasher;
use vidi_media::{Limits, decode_image, pdq_of};

fn synthetic_photo(seed: u64) -> RgbImage {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let (w, h) = (1024u32, 768u32);
    let c0 = [rnd() as u8, rnd() as u8, rnd() as u8];
    let c1 = [rnd() as u8, rnd() as u8, rnd() as u8];
    let circles: Vec<(i64, i64, i64, [u8; 3])> = (0..12)
        .map(|_| {
            (
                (rnd() % 1024) as i64,
                (rnd() % 768) as i64,
                (rnd() % 150 + 20) as i64,
                [rnd() as u8, rnd() as u8, rnd() as u8],
            )
        })
        .collect();
    let fx = (rnd() % 40 + 5) as f32;
    let mut img = RgbImage::new(w, h);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let t = (x + y) as f32 / (w + h) as f32;
        let mut c = [0f32; 3];
        for k in 0..3 {
            c[k] = f32::from(c0[k]) * (1.0 - t) + f32::from(c1[k]) * t;
        }
        for &(cx, cy, r, col) in &circles {
            let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
            if dx * dx + dy * dy < r * r {
                for k in 0..3 {
                    c[k] = 0.5 * c[k] + 0.5 * f32::from(col[k]);
                }
            }
        }
        let texture = 20.0 * ((x as f32 / fx).sin() * (y as f32 / (fx * 0.7)).cos());
        let noise = (rnd() % 24) as f32 - 12.0;
        *p = Rgb(c.map(|v| (v + texture + noise).clamp(0.0, 255.0) as u8));
    }
    img
}

fn generate(dir: &Path, n: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for i in 0..n {
        let img = synthetic_photo(i as u64 + 1);
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .map_err(std::io::Error::other)?;
        std::fs::write(dir.join(format!("synth_{i:04}.jpg")), out)?;
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: bench_folder DIR [--generate N]");
        std::process::exit(2);
    };
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let n = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(200);
        generate(&dir, n)?;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    files.sort();
    let limits = Limits::default();
    let run = |label: &str, with_crypto: bool| -> std::io::Result<()> {
        let start = Instant::now();
        let mut ok = 0usize;
        let mut check = 0u32;
        for f in &files {
            let bytes = std::fs::read(f)?;
            if with_crypto {
                let mut h = MultiHasher::new();
                h.update(&bytes);
                check ^= u32::from(h.finish().sha256.0[0]);
            }
            if let Ok(img) = decode_image(&bytes, &limits) {
                let (p, _) = pdq_of(&img, false);
                check ^= u32::from(p.hash.0[0]);
                ok += 1;
            }
        }
        let s = start.elapsed().as_secs_f64();
        println!(
            "{label}: {ok}/{} images in {s:.2}s = {:.1} images/s (check {check})",
            files.len(),
            files.len() as f64 / s
        );
        Ok(())
    };
    run("vidi decode+PDQ", false)?;
    run("vidi read+MD5+SHA1+SHA256+decode+PDQ", true)?;
    Ok(())
}
