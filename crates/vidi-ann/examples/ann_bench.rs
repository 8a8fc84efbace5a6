//! Recall / speed benchmark of the IVF index against exact search.
//!
//! `cargo run --release -p vidi-ann --example ann_bench -- [N] [DIM] [QUERIES]`
//! Prints one table row per data kind and nprobe (Markdown).
#![allow(clippy::print_stdout)]

use std::time::Instant;

use vidi_ann::{Index, IndexParams, dot};

struct Rng(u64);
impl Rng {
    fn f(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

fn normalise(v: &mut [f32]) {
    let n = dot(v, v).sqrt();
    v.iter_mut().for_each(|x| *x /= n);
}

/// Random unit vectors, or vectors around `centres` cluster centres with
/// noise of relative size `noise`.
fn data(n: usize, dim: usize, centres: usize, noise: f32, seed: u64) -> Vec<f32> {
    let mut r = Rng(seed);
    let c: Vec<f32> = (0..centres.max(1) * dim).map(|_| r.f()).collect();
    let mut out = Vec::with_capacity(n * dim);
    for i in 0..n {
        let mut v: Vec<f32> = if centres == 0 {
            (0..dim).map(|_| r.f()).collect()
        } else {
            let k = (r.0 as usize >> 7) % centres;
            let _ = i;
            c[k * dim..(k + 1) * dim]
                .iter()
                .map(|x| x + noise * r.f())
                .collect()
        };
        normalise(&mut v);
        out.extend(v);
    }
    out
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let dim = args.get(1).copied().unwrap_or(1280);
    let nq = args.get(2).copied().unwrap_or(200);
    println!(
        "| data | n | dim | lists | build s | memory MB | nprobe | recall@10 | queries/s | exact queries/s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, centres, noise) in [
        ("clustered (1000 centres)", 1000, 0.7f32),
        ("uniform random", 0, 0.0),
    ] {
        let d = data(n, dim, centres, noise, 1);
        let ids: Vec<u64> = (0..n as u64).collect();
        let t = Instant::now();
        let mut idx = Index::new(dim, IndexParams::default()).expect("params");
        idx.extend(&ids, &d).expect("extend");
        let build = t.elapsed().as_secs_f64();
        // Queries: held-out vectors from the same distribution.
        let q = data(nq, dim, centres, noise, 2);
        // For clustered data the held-out queries share the centres.
        let q = if centres > 0 {
            let mut r = Rng(99);
            let mut out = Vec::with_capacity(nq * dim);
            for i in 0..nq {
                let base = &d[(i * 7919 % n) * dim..(i * 7919 % n + 1) * dim];
                let mut v: Vec<f32> = base.iter().map(|x| x + 0.02 * r.f()).collect();
                normalise(&mut v);
                out.extend(v);
            }
            out
        } else {
            q
        };
        let t = Instant::now();
        let exact: Vec<Vec<u64>> = q
            .chunks_exact(dim)
            .map(|v| idx.exact(v, 10).expect("q").iter().map(|h| h.id).collect())
            .collect();
        let exact_qps = nq as f64 / t.elapsed().as_secs_f64();
        for nprobe in [4, 8, 16, 32, 64] {
            let t = Instant::now();
            let mut found = 0;
            for (v, e) in q.chunks_exact(dim).zip(&exact) {
                let hits = idx.search(v, 10, nprobe).expect("q");
                found += hits.iter().filter(|h| e.contains(&h.id)).count();
            }
            let qps = nq as f64 / t.elapsed().as_secs_f64();
            println!(
                "| {name} | {n} | {dim} | {} | {build:.1} | {:.0} | {nprobe} | {:.3} | {qps:.0} | {exact_qps:.0} |",
                idx.lists(),
                idx.memory_bytes() as f64 / 1e6,
                found as f64 / (nq * 10) as f64,
            );
        }
    }
}
