//! Rotated binary descriptors: 256 intensity comparisons between point
//! pairs of a smoothed patch, the pattern turned to the keypoint's
//! orientation (steered BRIEF, after Calonder et al. 2010 and Rublee et
//! al. 2011; the pattern here is our own, drawn from a fixed seed).

use std::sync::OnceLock;

use crate::gray::Gray;

/// Bits per descriptor.
pub const DESCRIPTOR_BITS: usize = 256;

/// A descriptor: 256 bits.
pub type Descriptor = [u64; 4];

/// Orientation bins of the precomputed rotated patterns.
pub(crate) const ANGLE_BINS: usize = 32;

/// Largest offset of a pattern point from the keypoint (before rotation
/// the points lie within this radius, so rotated ones do too).
const PATTERN_RADIUS: f32 = 13.0;

/// Point pairs, (x1, y1, x2, y2), unrotated.
fn base_pattern() -> Vec<[f32; 4]> {
    // Pairs drawn from an isotropic Gaussian (sigma = patch / 5, patch 31)
    // with a fixed linear congruential generator, clipped to the radius.
    let mut state: u64 = 0x5eed_1ca1_f00d_0001;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64).max(1e-12)
    };
    let sigma = 31.0 / 5.0;
    let mut point = || loop {
        // Box-Muller.
        let (u1, u2) = (uniform(), uniform());
        let r = (-2.0 * u1.ln()).sqrt() * sigma;
        let t = 2.0 * std::f64::consts::PI * u2;
        let (x, y) = ((r * t.cos()) as f32, (r * t.sin()) as f32);
        if x * x + y * y <= PATTERN_RADIUS * PATTERN_RADIUS {
            return (x, y);
        }
    };
    let mut out = Vec::with_capacity(DESCRIPTOR_BITS);
    while out.len() < DESCRIPTOR_BITS {
        let (a, b) = (point(), point());
        // A pair closer than 2 pixels compares nearly the same pixel.
        if (a.0 - b.0).hypot(a.1 - b.1) >= 2.0 {
            out.push([a.0, a.1, b.0, b.1]);
        }
    }
    out
}

/// Integer offsets of the pattern turned to each orientation bin.
fn rotated() -> &'static Vec<Vec<[i8; 4]>> {
    static R: OnceLock<Vec<Vec<[i8; 4]>>> = OnceLock::new();
    R.get_or_init(|| {
        let base = base_pattern();
        (0..ANGLE_BINS)
            .map(|bin| {
                let a = bin as f32 * std::f32::consts::TAU / ANGLE_BINS as f32;
                let (s, c) = a.sin_cos();
                let rot =
                    |x: f32, y: f32| ((c * x - s * y).round() as i8, (s * x + c * y).round() as i8);
                base.iter()
                    .map(|p| {
                        let (x1, y1) = rot(p[0], p[1]);
                        let (x2, y2) = rot(p[2], p[3]);
                        [x1, y1, x2, y2]
                    })
                    .collect()
            })
            .collect()
    })
}

/// Orientation bin of an angle in radians.
pub(crate) fn angle_bin(angle: f32) -> usize {
    let t = angle.rem_euclid(std::f32::consts::TAU) / std::f32::consts::TAU;
    ((t * ANGLE_BINS as f32).round() as usize) % ANGLE_BINS
}

/// Descriptor of the keypoint at (x, y) with orientation `angle` on the
/// smoothed level `smooth`; the caller keeps (x, y) at least
/// [`crate::keypoints::BORDER`] pixels inside.
pub(crate) fn describe(smooth: &Gray, x: usize, y: usize, angle: f32) -> Descriptor {
    let pattern = &rotated()[angle_bin(angle)];
    let w = smooth.width as isize;
    let base = y as isize * w + x as isize;
    let px = |dx: i8, dy: i8| smooth.data[(base + isize::from(dy) * w + isize::from(dx)) as usize];
    let mut d = [0u64; 4];
    for (i, p) in pattern.iter().enumerate() {
        if px(p[0], p[1]) < px(p[2], p[3]) {
            d[i / 64] |= 1 << (i % 64);
        }
    }
    d
}

/// Hamming distance between two descriptors.
#[inline]
pub fn hamming(a: &Descriptor, b: &Descriptor) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_is_fixed_and_inside() {
        let a = base_pattern();
        let b = base_pattern();
        assert_eq!(a, b);
        assert_eq!(a.len(), DESCRIPTOR_BITS);
        for bin in rotated() {
            for p in bin {
                assert!(p.iter().all(|v| v.unsigned_abs() <= 14));
            }
        }
        assert_eq!(angle_bin(0.0), 0);
        assert_eq!(angle_bin(std::f32::consts::TAU - 0.01), 0);
        assert_eq!(angle_bin(std::f32::consts::PI), ANGLE_BINS / 2);
        assert_eq!(hamming(&[0; 4], &[u64::MAX; 4]), 256);
    }
}
