//! Compute cost of the crop passes: CPU time per image of the whole-image
//! pass alone (`analyse`) and with the default crops
//! (`analyse_with(.., &CropSet::DEFAULT)`), one thread, on synthetic
//! 1024x768 and 512x384 images.
//!
//! `cargo run -p vidi-embed --example crop_cost -- [IMAGES]` (default 20).
#![allow(clippy::print_stdout)]

use std::time::Instant;

use vidi_embed::{Backbone, CropSet};

fn cpu_seconds() -> f64 {
    // The thread's CPU time, so other processes on the machine do not count.
    let mut ts = std::mem::MaybeUninit::<[i64; 2]>::zeroed();
    // SAFETY: CLOCK_THREAD_CPUTIME_ID (3) with a valid timespec-sized
    // out-pointer (two i64 on 64-bit Linux).
    let rc = unsafe { clock_gettime(3, ts.as_mut_ptr().cast()) };
    if rc != 0 {
        return 0.0;
    }
    // SAFETY: clock_gettime succeeded and filled the struct.
    let [s, ns] = unsafe { ts.assume_init() };
    s as f64 + ns as f64 / 1e9
}

unsafe extern "C" {
    fn clock_gettime(clock: i32, tp: *mut std::ffi::c_void) -> i32;
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let dir = vidi_models::default_models_dir();
    let model = match vidi_models::Registry::open(&dir)
        .and_then(|r| r.get("mobilenet-v2-imagenet").cloned())
    {
        Ok(m) => m,
        Err(e) => {
            println!("SKIP: {e}; run scripts/models/install-vision.sh");
            return;
        }
    };
    let Ok(bb) = Backbone::load(&model) else {
        println!("cannot load the model");
        return;
    };
    println!("| input | passes | CPU ms per image | wall ms per image |");
    println!("|---|---|---|---|");
    for (w, h) in [(1024u32, 768u32), (512, 384)] {
        let img: Vec<u8> = (0..w * h * 3).map(|i| (i * 31 % 251) as u8).collect();
        for (name, crops) in [
            ("whole image (14 grid regions)", CropSet::NONE),
            ("whole + 5 crops (19 regions)", CropSet::DEFAULT),
        ] {
            let (c0, t0) = (cpu_seconds(), Instant::now());
            for _ in 0..n {
                if bb.analyse_with(&img, w, h, &crops).is_err() {
                    println!("analyse failed");
                    return;
                }
            }
            let cpu = (cpu_seconds() - c0) * 1000.0 / n as f64;
            let wall = t0.elapsed().as_secs_f64() * 1000.0 / n as f64;
            println!("| {w}x{h} | {name} | {cpu:.1} | {wall:.1} |");
        }
    }
}
