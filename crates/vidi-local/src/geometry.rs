//! Similarity transforms (scale, rotation, translation) fitted by RANSAC
//! over tentative matches, with keypoint scale and orientation checks.

/// A point (x, y).
type Point = (f32, f32);

/// A 2-D similarity transform: `p' = scale * R(rotation) * p + (tx, ty)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Scale factor (lengths in the target over lengths in the source).
    pub scale: f32,
    /// Rotation in radians, counter-clockwise in image coordinates (y down).
    pub rotation: f32,
    /// Translation, x.
    pub tx: f32,
    /// Translation, y.
    pub ty: f32,
}

impl Similarity {
    /// The transform applied to a point.
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let (s, c) = self.rotation.sin_cos();
        (
            self.scale * (c * x - s * y) + self.tx,
            self.scale * (s * x + c * y) + self.ty,
        )
    }

    /// From the complex factor `z = scale * e^(i rotation)` and translation.
    fn from_complex(zr: f32, zi: f32, tx: f32, ty: f32) -> Similarity {
        Similarity {
            scale: zr.hypot(zi),
            rotation: zi.atan2(zr),
            tx,
            ty,
        }
    }

    /// The transform mapping `a` to `b` (two point pairs), or `None` when
    /// the source points nearly coincide.
    fn from_two(a1: (f32, f32), a2: (f32, f32), b1: (f32, f32), b2: (f32, f32)) -> Option<Self> {
        let (ax, ay) = (a2.0 - a1.0, a2.1 - a1.1);
        let (bx, by) = (b2.0 - b1.0, b2.1 - b1.1);
        let n = ax * ax + ay * ay;
        if n < 1e-6 {
            return None;
        }
        // z = b / a (complex division).
        let zr = (bx * ax + by * ay) / n;
        let zi = (by * ax - bx * ay) / n;
        let tx = b1.0 - (zr * a1.0 - zi * a1.1);
        let ty = b1.1 - (zi * a1.0 + zr * a1.1);
        Some(Self::from_complex(zr, zi, tx, ty))
    }

    /// Least-squares fit over point pairs (at least two distinct sources).
    fn fit(pairs: &[(Point, Point)]) -> Option<Self> {
        if pairs.len() < 2 {
            return None;
        }
        let n = pairs.len() as f32;
        let (mut max, mut may, mut mbx, mut mby) = (0f32, 0f32, 0f32, 0f32);
        for (a, b) in pairs {
            max += a.0;
            may += a.1;
            mbx += b.0;
            mby += b.1;
        }
        let (max, may, mbx, mby) = (max / n, may / n, mbx / n, mby / n);
        let (mut num_r, mut num_i, mut den) = (0f32, 0f32, 0f32);
        for (a, b) in pairs {
            let (ax, ay) = (a.0 - max, a.1 - may);
            let (bx, by) = (b.0 - mbx, b.1 - mby);
            // b * conj(a)
            num_r += bx * ax + by * ay;
            num_i += by * ax - bx * ay;
            den += ax * ax + ay * ay;
        }
        if den < 1e-6 {
            return None;
        }
        let (zr, zi) = (num_r / den, num_i / den);
        let tx = mbx - (zr * max - zi * may);
        let ty = mby - (zi * max + zr * may);
        Some(Self::from_complex(zr, zi, tx, ty))
    }
}

/// One tentative correspondence as RANSAC sees it: positions and keypoint
/// sizes and orientations on both sides.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Corr {
    pub(crate) a: (f32, f32),
    pub(crate) b: (f32, f32),
    /// Keypoint size ratio, b over a.
    pub(crate) size_ratio: f32,
    /// Keypoint orientation difference, b minus a (radians).
    pub(crate) angle_diff: f32,
}

/// RANSAC settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ransac {
    pub(crate) inlier_px: f32,
    pub(crate) min_scale: f32,
    pub(crate) max_scale: f32,
    /// Largest factor between the keypoint size ratio and the model's scale.
    pub(crate) scale_tolerance: f32,
    /// Largest difference between keypoint orientation change and the
    /// model's rotation (radians).
    pub(crate) angle_tolerance: f32,
    pub(crate) iterations: usize,
}

fn wrap(a: f32) -> f32 {
    let t = std::f32::consts::TAU;
    let r = a.rem_euclid(t);
    if r > std::f32::consts::PI { r - t } else { r }
}

impl Ransac {
    fn consistent(&self, m: &Similarity, c: &Corr) -> bool {
        let (px, py) = m.apply(c.a.0, c.a.1);
        let e = (px - c.b.0).hypot(py - c.b.1);
        if e > self.inlier_px {
            return false;
        }
        let r = c.size_ratio / m.scale;
        if !(r <= self.scale_tolerance && r * self.scale_tolerance >= 1.0) {
            return false;
        }
        wrap(c.angle_diff - m.rotation).abs() <= self.angle_tolerance
    }

    fn inliers(&self, m: &Similarity, corr: &[Corr]) -> Vec<usize> {
        corr.iter()
            .enumerate()
            .filter(|(_, c)| self.consistent(m, c))
            .map(|(i, _)| i)
            .collect()
    }

    fn plausible(&self, m: &Similarity) -> bool {
        m.scale.is_finite() && m.scale >= self.min_scale && m.scale <= self.max_scale
    }

    /// Best model and its inliers (indices into `corr`); `None` when no
    /// plausible model has two inliers.
    pub(crate) fn run(&self, corr: &[Corr]) -> Option<(Similarity, Vec<usize>)> {
        let n = corr.len();
        if n < 2 {
            return None;
        }
        let mut best: Option<(Similarity, Vec<usize>)> = None;
        let mut state: u64 = 0x0dd_b1a5 ^ n as u64;
        let mut next = move |k: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % k
        };
        // Exhaustive when the pairs are few, sampled otherwise.
        let all_pairs = n * (n - 1) / 2;
        let exhaustive = all_pairs <= self.iterations;
        let mut budget = if exhaustive {
            all_pairs
        } else {
            self.iterations
        };
        let (mut ei, mut ej) = (0usize, 1usize);
        let mut it = 0usize;
        while it < budget {
            it += 1;
            let (i, j) = if exhaustive {
                let p = (ei, ej);
                ej += 1;
                if ej == n {
                    ei += 1;
                    ej = ei + 1;
                }
                p
            } else {
                let i = next(n);
                let j = next(n - 1);
                (i, if j >= i { j + 1 } else { j })
            };
            let (ci, cj) = (&corr[i], &corr[j]);
            let Some(m) = Similarity::from_two(ci.a, cj.a, ci.b, cj.b) else {
                continue;
            };
            if !self.plausible(&m) || !self.consistent(&m, ci) || !self.consistent(&m, cj) {
                continue;
            }
            let inl = self.inliers(&m, corr);
            if best.as_ref().is_none_or(|(_, b)| inl.len() > b.len()) {
                if !exhaustive {
                    // Adaptive stop: enough draws to find an all-inlier
                    // pair with probability 0.999.
                    let w = inl.len() as f64 / n as f64;
                    let need = ((1.0f64 - 0.999).ln() / (1.0 - w * w).max(1e-9).ln()).ceil();
                    if need.is_finite() && (need as usize) < budget {
                        budget = (need as usize).max(it);
                    }
                }
                best = Some((m, inl));
            }
        }
        let (mut model, mut inl) = best?;
        // Refine by least squares on the inliers, keep it if it holds at
        // least as many.
        for _ in 0..2 {
            let pairs: Vec<_> = inl.iter().map(|&i| (corr[i].a, corr[i].b)).collect();
            let Some(m) = Similarity::fit(&pairs) else {
                break;
            };
            if !self.plausible(&m) {
                break;
            }
            let again = self.inliers(&m, corr);
            if again.len() >= inl.len() {
                model = m;
                inl = again;
            } else {
                break;
            }
        }
        (inl.len() >= 2).then_some((model, inl))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ransac() -> Ransac {
        Ransac {
            inlier_px: 3.0,
            min_scale: 0.1,
            max_scale: 10.0,
            scale_tolerance: 2.0,
            angle_tolerance: 0.6,
            iterations: 500,
        }
    }

    #[test]
    fn recovers_a_transform_among_outliers() {
        let t = Similarity {
            scale: 0.55,
            rotation: 0.3,
            tx: 40.0,
            ty: -12.0,
        };
        let mut corr = Vec::new();
        for k in 0..30 {
            let a = ((k * 37 % 200) as f32, (k * 53 % 150) as f32);
            corr.push(Corr {
                a,
                b: t.apply(a.0, a.1),
                size_ratio: 0.6,
                angle_diff: 0.3,
            });
        }
        for k in 0..60 {
            corr.push(Corr {
                a: ((k * 17 % 190) as f32, (k * 29 % 140) as f32),
                b: ((k * 71 % 180) as f32, (k * 13 % 120) as f32),
                size_ratio: 1.0,
                angle_diff: 0.0,
            });
        }
        let (m, inl) = ransac().run(&corr).expect("model");
        assert!(inl.len() >= 30, "{}", inl.len());
        assert!((m.scale - 0.55).abs() < 0.01, "{m:?}");
        assert!((m.rotation - 0.3).abs() < 0.01, "{m:?}");
        assert!(
            (m.tx - 40.0).abs() < 0.5 && (m.ty + 12.0).abs() < 0.5,
            "{m:?}"
        );
        assert!(ransac().run(&corr[..1]).is_none());
        let fit =
            Similarity::fit(&[((0.0, 0.0), (1.0, 1.0)), ((2.0, 0.0), (1.0, 3.0))]).expect("fit");
        assert!((fit.scale - 1.0).abs() < 1e-5);
        assert!((fit.rotation - std::f32::consts::FRAC_PI_2).abs() < 1e-5);
    }
}
