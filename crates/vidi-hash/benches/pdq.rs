//! PDQ on synthetic buffers.
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn synthetic(w: usize, h: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(w * h * 3);
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    for y in 0..h {
        for x in 0..w {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            let noise = (s >> 59) as usize;
            let v = ((x * 255 / w + y * 255 / h) / 2 + noise) as u8;
            out.extend_from_slice(&[v, v.wrapping_mul(3), 255 - v]);
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    for (w, h) in [(1024usize, 768usize), (512, 512)] {
        let rgb = synthetic(w, h);
        c.bench_function(&format!("pdq_hash_rgb_{w}x{h}"), |b| {
            b.iter(|| vidi_hash::pdq::hash_rgb(black_box(&rgb), w, h))
        });
        c.bench_function(&format!("pdq_dihedral_{w}x{h}"), |b| {
            b.iter(|| vidi_hash::pdq::hash_rgb_dihedral(black_box(&rgb), w, h))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
