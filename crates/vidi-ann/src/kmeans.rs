//! Spherical k-means (cosine) with a seeded, deterministic initialisation.

use crate::dot;

/// SplitMix64: a small deterministic generator.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// For each row of `x` (`n` x `dim`), the index of the centroid (rows of
/// `c`, `k` x `dim`) with the largest dot product and that product.
pub(crate) fn assign(x: &[f32], c: &[f32], dim: usize, k: usize) -> Vec<(u32, f32)> {
    let n = x.len() / dim;
    let mut out = Vec::with_capacity(n);
    const BATCH: usize = 256;
    let mut scores = vec![0f32; BATCH * k];
    for start in (0..n).step_by(BATCH) {
        let m = BATCH.min(n - start);
        let xs = &x[start * dim..(start + m) * dim];
        // SAFETY: xs is m x dim (row stride dim), c is k x dim read as its
        // transpose dim x k (row stride 1, column stride dim), scores has
        // room for m x k (row stride k); all distinct allocations.
        unsafe {
            matrixmultiply::sgemm(
                m,
                dim,
                k,
                1.0,
                xs.as_ptr(),
                dim as isize,
                1,
                c.as_ptr(),
                1,
                dim as isize,
                0.0,
                scores.as_mut_ptr(),
                k as isize,
                1,
            );
        }
        for row in scores[..m * k].chunks_exact(k) {
            let mut best = (0u32, f32::NEG_INFINITY);
            for (j, &s) in row.iter().enumerate() {
                if s > best.1 {
                    best = (j as u32, s);
                }
            }
            out.push(best);
        }
    }
    out
}

/// Train `k` unit-length centroids on the rows of `x`.
pub(crate) fn train(x: &[f32], dim: usize, k: usize, iterations: usize, seed: u64) -> Vec<f32> {
    let n = x.len() / dim;
    let mut rng = Rng(seed);
    // Initial centroids: k distinct rows chosen by a seeded shuffle.
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..k.min(n) {
        let j = i + rng.below(n - i);
        order.swap(i, j);
    }
    let mut c = vec![0f32; k * dim];
    for (j, &i) in order.iter().take(k).enumerate() {
        c[j * dim..(j + 1) * dim].copy_from_slice(&x[i * dim..(i + 1) * dim]);
    }
    for _ in 0..iterations {
        let a = assign(x, &c, dim, k);
        let mut sums = vec![0f32; k * dim];
        let mut counts = vec![0usize; k];
        for (i, &(j, _)) in a.iter().enumerate() {
            let j = j as usize;
            counts[j] += 1;
            for (s, v) in sums[j * dim..(j + 1) * dim]
                .iter_mut()
                .zip(&x[i * dim..(i + 1) * dim])
            {
                *s += v;
            }
        }
        for j in 0..k {
            let dst = &mut sums[j * dim..(j + 1) * dim];
            if counts[j] == 0 {
                // Empty cluster: restart it on a random row.
                let i = rng.below(n);
                dst.copy_from_slice(&x[i * dim..(i + 1) * dim]);
            }
            let norm = dot(dst, dst).sqrt();
            if norm > 0.0 {
                for v in dst.iter_mut() {
                    *v /= norm;
                }
            }
        }
        c = sums;
    }
    c
}
