//! CPU cost of local features: `cargo run --release -p vidi-local --example
//! local_cost -- [images] [width] [height]` extracts features from
//! synthetic textured pictures and verifies every pair, timing the
//! thread's CPU (so other processes on the machine do not count).

#![allow(clippy::print_stdout)]

use vidi_local::{ExtractParams, VerifyParams, extract, verify};

fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Boxes of random grey levels on a gradient: plenty of corners.
fn picture(seed: u64, w: u32, h: u32) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move |n: u32| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % u64::from(n.max(1))) as u32
    };
    let mut px: Vec<u8> = (0..w * h)
        .map(|i| ((i % w + i / w) * 80 / (w + h)) as u8 + 60)
        .collect();
    for _ in 0..80 {
        let (bw, bh) = (next(w / 6) + 4, next(h / 6) + 4);
        let (x0, y0) = (next(w - bw), next(h - bh));
        let v = next(256) as u8;
        for y in y0..y0 + bh {
            for x in x0..x0 + bw {
                px[(y * w + x) as usize] = v;
            }
        }
    }
    px
}

fn main() {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(20).max(2);
    let w = args.get(1).copied().unwrap_or(1024);
    let h = args.get(2).copied().unwrap_or(768);
    let pics: Vec<Vec<u8>> = (0..n).map(|i| picture(u64::from(i) + 1, w, h)).collect();
    let t = cpu_seconds();
    let feats: Vec<_> = pics
        .iter()
        .map(|p| extract(p, w, h, 1, &ExtractParams::default()).expect("extract"))
        .collect();
    let ext = (cpu_seconds() - t) / f64::from(n);
    let kp = feats.iter().map(|f| f.len()).sum::<usize>() as f64 / f64::from(n);
    let bytes = feats.iter().map(|f| f.to_bytes().len()).sum::<usize>() as f64 / f64::from(n);
    let p = VerifyParams::default();
    let t = cpu_seconds();
    let mut pairs = 0u32;
    let mut verified = 0u32;
    for i in 0..feats.len() {
        for j in 0..feats.len() {
            if i != j {
                pairs += 1;
                verified += u32::from(verify(&feats[i], &feats[j], &p).verified);
            }
        }
    }
    let ver = (cpu_seconds() - t) / f64::from(pairs);
    println!(
        "{n} images {w}x{h} (grey): extract {:.1} ms CPU per image, {kp:.0} keypoints, {bytes:.0} bytes; verify {:.2} ms CPU per pair ({pairs} pairs, {verified} verified)",
        ext * 1000.0,
        ver * 1000.0
    );
}
