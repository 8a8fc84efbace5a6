//! A tiny deterministic random generator and hash-based value noise.
//!
//! Everything the generator draws comes from here, so a given seed gives the
//! same bytes on every platform and every run.

/// SplitMix64: small, fast, good enough for drawing.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A child generator for a named sub-stream, independent of how many
    /// numbers the parent has drawn.
    pub(crate) fn derive(seed: u64, stream: u64) -> Self {
        Self::new(mix(seed ^ mix(stream.wrapping_add(0x51_7C_C1_B7))))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in [lo, hi).
    pub(crate) fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in [lo, hi] (inclusive); `lo` when the range is empty.
    pub(crate) fn int(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            return lo;
        }
        let span = u64::from(hi - lo) + 1;
        lo + (self.next_u64() % span) as u32
    }

    pub(crate) fn chance(&mut self, p: f32) -> bool {
        self.unit() < p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        let i = (self.next_u64() % items.len() as u64) as usize;
        items.get(i)
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Lattice value noise: smooth, deterministic, in [0, 1].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Noise {
    seed: u64,
}

impl Noise {
    pub(crate) fn new(seed: u64) -> Self {
        Self { seed }
    }

    fn lattice(&self, x: i64, y: i64) -> f32 {
        let h = mix(self.seed ^ mix((x as u64).wrapping_mul(0x9E37_79B1) ^ (y as u64) << 32));
        (h >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Smooth noise at (x, y), one lattice cell per unit.
    pub(crate) fn at(&self, x: f32, y: f32) -> f32 {
        let x0 = x.floor();
        let y0 = y.floor();
        let fx = x - x0;
        let fy = y - y0;
        let sx = fx * fx * (3.0 - 2.0 * fx);
        let sy = fy * fy * (3.0 - 2.0 * fy);
        let (ix, iy) = (x0 as i64, y0 as i64);
        let a = self.lattice(ix, iy);
        let b = self.lattice(ix + 1, iy);
        let c = self.lattice(ix, iy + 1);
        let d = self.lattice(ix + 1, iy + 1);
        let top = a + (b - a) * sx;
        let bottom = c + (d - c) * sx;
        top + (bottom - top) * sy
    }

    /// Fractal sum of `octaves` layers, normalised to [0, 1].
    pub(crate) fn fbm(&self, x: f32, y: f32, octaves: u32) -> f32 {
        let mut sum = 0.0;
        let mut amp = 1.0;
        let mut norm = 0.0;
        let mut f = 1.0;
        for o in 0..octaves {
            let layer = Noise::new(self.seed.wrapping_add(u64::from(o) * 7919));
            sum += amp * layer.at(x * f, y * f);
            norm += amp;
            amp *= 0.5;
            f *= 2.0;
        }
        if norm > 0.0 { sum / norm } else { 0.0 }
    }

    /// White noise in [0, 1] for a pixel (film grain, jitter).
    pub(crate) fn grain(&self, x: u32, y: u32) -> f32 {
        self.lattice(i64::from(x), i64::from(y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..1000 {
            let x = a.unit();
            assert_eq!(x, b.unit());
            assert!((0.0..1.0).contains(&x));
        }
        assert_eq!(a.int(3, 3), 3);
        for _ in 0..100 {
            assert!((2..=5).contains(&a.int(2, 5)));
        }
        let n = Noise::new(1);
        for i in 0..100 {
            let v = n.fbm(i as f32 * 0.37, i as f32 * 0.11, 4);
            assert!((0.0..=1.0).contains(&v));
        }
    }
}
