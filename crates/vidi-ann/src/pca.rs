//! Linear projection to fewer dimensions (PCA, optionally centred and
//! whitened), fitted on a sample, and the int8 codes the compressed lists
//! hold.
//!
//! The projection keeps the top eigen-subspace of the sample's (centred)
//! second moment matrix; with whitening each component is divided by
//! `(eigenvalue + eps)^power`, so the few directions every vector shares
//! (the mean of non-negative CNN features, common textures) stop
//! dominating the cosine. Projected vectors are L2-normalised: the index
//! works on cosines in the projected space.

/// How to fit a [`Projection`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProjectionSpec {
    /// Output dimension (below the input's).
    pub out: usize,
    /// Subtract the sample mean first.
    pub centre: bool,
    /// Whitening power: components are divided by `(eigenvalue +
    /// eps)^whiten` (0 = no whitening, 0.5 = full whitening).
    pub whiten: f32,
}

use crate::dot;
use crate::kmeans::Rng;

/// A fitted projection from `dim` to `out` dimensions (rows of `out` x
/// `dim`, orthonormal).
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub(crate) dim: usize,
    pub(crate) out: usize,
    /// Subtracted before projecting (zeros when not centred).
    pub(crate) mean: Vec<f32>,
    /// `out` x `dim`, row-major, whitening scales folded in.
    pub(crate) rows: Vec<f32>,
    /// Share of the sample's energy (sum of squared norms) the subspace
    /// keeps, 0..=1.
    pub(crate) energy: f32,
}

/// Sample rows used to fit at most (a seeded choice beyond that).
const MAX_FIT_ROWS: usize = 8192;
/// Subspace iterations.
const ITERATIONS: usize = 16;

impl Projection {
    /// Fit a projection on the rows of `sample` (`dim` values each; at
    /// most 8192 rows are used, a seeded choice). `None` when `spec.out`
    /// is 0 or not below `dim`, the sample is empty or degenerate.
    pub fn fit(sample: &[f32], dim: usize, spec: ProjectionSpec, seed: u64) -> Option<Projection> {
        let out = spec.out;
        if dim == 0 || out == 0 || out >= dim || sample.len() < dim {
            return None;
        }
        let n_all = sample.len() / dim;
        let mut rng = Rng(seed);
        let mut order: Vec<usize> = (0..n_all).collect();
        let n = n_all.min(MAX_FIT_ROWS);
        for i in 0..n {
            let j = i + rng.below(n_all - i);
            order.swap(i, j);
        }
        let mut pick = order[..n].to_vec();
        pick.sort_unstable();
        let mut x = Vec::with_capacity(n * dim);
        for r in pick {
            x.extend_from_slice(&sample[r * dim..(r + 1) * dim]);
        }
        let mut mean = vec![0f32; dim];
        if spec.centre {
            for row in x.chunks_exact(dim) {
                for (m, v) in mean.iter_mut().zip(row) {
                    *m += v;
                }
            }
            mean.iter_mut().for_each(|m| *m /= n as f32);
            for row in x.chunks_exact_mut(dim) {
                for (v, m) in row.iter_mut().zip(&mean) {
                    *v -= m;
                }
            }
        }
        // Second moment C = X^T X / n (dim x dim).
        let mut c = vec![0f32; dim * dim];
        gemm(dim, n, dim, &x, 1, dim, &x, dim, 1, &mut c, 1.0 / n as f32);
        drop(x);
        let trace: f32 = (0..dim).map(|i| c[i * dim + i]).sum();
        // Subspace iteration: Q (out x dim) <- orth(Q C).
        let mut q: Vec<f32> = (0..out * dim)
            .map(|_| (rng.next() % 2001) as f32 / 1000.0 - 1.0)
            .collect();
        orthonormalise(&mut q, dim);
        let mut z = vec![0f32; out * dim];
        for _ in 0..ITERATIONS {
            z.fill(0.0);
            gemm(out, dim, dim, &q, dim, 1, &c, dim, 1, &mut z, 1.0);
            std::mem::swap(&mut q, &mut z);
            orthonormalise(&mut q, dim);
        }
        // Rayleigh-Ritz: S = Q C Q^T (out x out), its eigenvectors rotate Q
        // onto the principal axes, its eigenvalues are their variances.
        z.fill(0.0);
        gemm(out, dim, dim, &q, dim, 1, &c, dim, 1, &mut z, 1.0);
        let mut sm = vec![0f32; out * out];
        gemm(out, dim, out, &z, dim, 1, &q, 1, dim, &mut sm, 1.0);
        let (eig, vecs) = jacobi_eigen(&sm, out);
        let mut rows = vec![0f32; out * dim];
        gemm(out, out, dim, &vecs, out, 1, &q, dim, 1, &mut rows, 1.0);
        let kept: f32 = eig.iter().map(|e| e.max(0.0)).sum();
        let energy = if trace > 0.0 {
            (kept / trace).clamp(0.0, 1.0)
        } else {
            0.0
        };
        if spec.whiten > 0.0 {
            let eps = eig.first().copied().unwrap_or(0.0).max(0.0) * 1e-3 + 1e-12;
            for (row, e) in rows.chunks_exact_mut(dim).zip(&eig) {
                let s = (e.max(0.0) + eps).powf(-spec.whiten);
                row.iter_mut().for_each(|v| *v *= s);
            }
        }
        if rows.iter().chain(&mean).any(|v| !v.is_finite()) {
            return None;
        }
        Some(Projection {
            dim,
            out,
            mean,
            rows,
            energy,
        })
    }

    /// Input dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Output dimension.
    pub fn out(&self) -> usize {
        self.out
    }

    /// Share of the fitting sample's energy the subspace keeps (0..=1).
    pub fn energy(&self) -> f32 {
        self.energy
    }

    /// Project one vector of `dim` values (L2-normalised result).
    pub fn project(&self, v: &[f32]) -> Vec<f32> {
        self.project_rows(v)
    }

    /// Project rows of `dim` values (batched matrix product), each result
    /// L2-normalised.
    pub fn project_rows(&self, x: &[f32]) -> Vec<f32> {
        let n = x.len() / self.dim;
        let mut out = vec![0f32; n * self.out];
        // out (n x out) = x (n x dim) * rows^T (dim x out), minus the
        // projected mean.
        gemm(
            n, self.dim, self.out, x, self.dim, 1, &self.rows, 1, self.dim, &mut out, 1.0,
        );
        let pm: Vec<f32> = self
            .rows
            .chunks_exact(self.dim)
            .map(|r| dot(r, &self.mean))
            .collect();
        for row in out.chunks_exact_mut(self.out) {
            for (v, m) in row.iter_mut().zip(&pm) {
                *v -= m;
            }
            let nn = dot(row, row).sqrt();
            if nn > 0.0 {
                row.iter_mut().for_each(|v| *v /= nn);
            }
        }
        out
    }
}

/// `c (m x n) += alpha * a (m x k) * b (k x n)` with explicit strides
/// (row stride, column stride) for `a` and `b`; `c` is contiguous.
#[allow(clippy::too_many_arguments)]
fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    rsa: usize,
    csa: usize,
    b: &[f32],
    rsb: usize,
    csb: usize,
    c: &mut [f32],
    alpha: f32,
) {
    assert!(c.len() >= m * n, "gemm output too small");
    let last = |r: usize, cs: usize, rows: usize, cols: usize| {
        if rows == 0 || cols == 0 {
            0
        } else {
            (rows - 1) * r + (cols - 1) * cs + 1
        }
    };
    assert!(a.len() >= last(rsa, csa, m, k), "gemm a too small");
    assert!(b.len() >= last(rsb, csb, k, n), "gemm b too small");
    // SAFETY: the asserts above check that every element sgemm reads
    // (a: m x k, b: k x n with the given strides) and writes (c: m x n,
    // row stride n) is inside its slice; the slices do not overlap (c is
    // a distinct &mut).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.as_ptr(),
            rsa as isize,
            csa as isize,
            b.as_ptr(),
            rsb as isize,
            csb as isize,
            1.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// Modified Gram-Schmidt on the rows of `q` (rows of `dim`); a row that
/// collapses is replaced by a unit basis vector direction orthogonalised.
fn orthonormalise(q: &mut [f32], dim: usize) {
    let rows = q.len() / dim;
    for i in 0..rows {
        for pass in 0..2 {
            let (done, rest) = q.split_at_mut(i * dim);
            let row = &mut rest[..dim];
            for prev in done.chunks_exact(dim) {
                let p = dot(prev, row);
                for (r, v) in row.iter_mut().zip(prev) {
                    *r -= p * v;
                }
            }
            let n = dot(row, row).sqrt();
            if n > 1e-6 {
                row.iter_mut().for_each(|v| *v /= n);
                break;
            }
            // Degenerate: restart from a basis direction and re-orthogonalise.
            row.fill(0.0);
            row[(i + pass) % dim] = 1.0;
        }
    }
}

/// Eigen-decomposition of the symmetric `n` x `n` matrix `a` (cyclic
/// Jacobi): eigenvalues in decreasing order and the eigenvectors as rows
/// (`n` x `n`).
fn jacobi_eigen(a: &[f32], n: usize) -> (Vec<f32>, Vec<f32>) {
    let mut m: Vec<f64> = a.iter().map(|v| f64::from(*v)).collect();
    let mut v = vec![0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..30 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |j| *j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum();
        let diag: f64 = (0..n).map(|i| m[i * n + i] * m[i * n + i]).sum();
        if off <= diag * 1e-22 || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq.abs() < 1e-30 {
                    continue;
                }
                let (app, aqq) = (m[p * n + p], m[q * n + q]);
                let theta = (aqq - app) / (2.0 * apq);
                let sign = if theta >= 0.0 { 1.0 } else { -1.0 };
                let t = sign / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                // Eigenvectors as rows: row p and row q of v rotate.
                for k in 0..n {
                    let (vp, vq) = (v[p * n + k], v[q * n + k]);
                    v[p * n + k] = c * vp - s * vq;
                    v[q * n + k] = s * vp + c * vq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| m[b * n + b].total_cmp(&m[a * n + a]).then(a.cmp(&b)));
    let eig = order.iter().map(|&i| m[i * n + i] as f32).collect();
    let mut rows = Vec::with_capacity(n * n);
    for &i in &order {
        rows.extend(v[i * n..(i + 1) * n].iter().map(|x| *x as f32));
    }
    (eig, rows)
}

/// Quantise `v` to int8 with one scale (`max |v| / 127`): `v ~ code * scale`.
pub(crate) fn quantise(v: &[f32], codes: &mut Vec<i8>) -> f32 {
    let m = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    if m == 0.0 {
        codes.extend(std::iter::repeat_n(0i8, v.len()));
        return 0.0;
    }
    let s = m / 127.0;
    codes.extend(v.iter().map(|x| (x / s).round().clamp(-127.0, 127.0) as i8));
    s
}

/// `sum q[i] * c[i]` of a float query and int8 codes.
pub(crate) fn dot_i8(q: &[f32], c: &[i8]) -> f32 {
    let mut acc = [0f32; 16];
    let (cq, cc) = (q.chunks_exact(16), c.chunks_exact(16));
    let (rq, rc) = (cq.remainder(), cc.remainder());
    for (x, y) in cq.zip(cc) {
        for i in 0..16 {
            acc[i] += x[i] * f32::from(y[i]);
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in rq.iter().zip(rc) {
        s += x * f32::from(*y);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_finds_the_subspace() {
        // Vectors in a 3-d subspace of 12 dimensions, plus tiny noise.
        let dim = 12;
        let mut r = Rng(3);
        let mut x = Vec::new();
        for _ in 0..500 {
            let a: Vec<f32> = (0..3)
                .map(|_| (r.next() % 1000) as f32 / 500.0 - 1.0)
                .collect();
            for d in 0..dim {
                let base = match d {
                    0 => a[0],
                    5 => a[1],
                    9 => a[2] + a[0],
                    _ => 0.0,
                };
                x.push(base + (r.next() % 100) as f32 * 1e-5);
            }
        }
        let spec = |out| ProjectionSpec {
            out,
            centre: false,
            whiten: 0.0,
        };
        let p = Projection::fit(&x, dim, spec(3), 1).unwrap();
        assert!(p.energy() > 0.999, "energy {}", p.energy());
        // Cosines survive the projection.
        let (a, b) = (&x[..dim], &x[dim..2 * dim]);
        let cos = dot(a, b) / (dot(a, a) * dot(b, b)).sqrt();
        let (pa, pb) = (p.project(a), p.project(b));
        assert!((dot(&pa, &pa) - 1.0).abs() < 1e-4);
        assert!((dot(&pa, &pb) - cos).abs() < 1e-3);
        let rows = p.project_rows(&x[..2 * dim]);
        assert!((rows[0] - pa[0]).abs() < 1e-5);
        // Centred and whitened: still a valid unit projection.
        let w = ProjectionSpec {
            out: 3,
            centre: true,
            whiten: 0.5,
        };
        let pw = Projection::fit(&x, dim, w, 1).unwrap();
        let v = pw.project(a);
        assert!((dot(&v, &v) - 1.0).abs() < 1e-4);
        assert!(Projection::fit(&x, dim, spec(12), 1).is_none());
        assert!(Projection::fit(&[], dim, spec(3), 1).is_none());
    }

    #[test]
    fn jacobi_diagonalises() {
        let a = [4.0f32, 1.0, 0.0, 1.0, 3.0, 0.5, 0.0, 0.5, 1.0];
        let (e, v) = jacobi_eigen(&a, 3);
        assert!(e[0] >= e[1] && e[1] >= e[2]);
        // A v_i = e_i v_i.
        for i in 0..3 {
            let vi = &v[i * 3..i * 3 + 3];
            for r in 0..3 {
                let av: f32 = (0..3).map(|c| a[r * 3 + c] * vi[c]).sum();
                assert!((av - e[i] * vi[r]).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn int8_codes() {
        let v = [0.5f32, -0.25, 0.0, 0.125, 0.9];
        let mut c = Vec::new();
        let s = quantise(&v, &mut c);
        assert_eq!(c[4], 127);
        let q = [1.0f32, 1.0, 1.0, 1.0, 1.0];
        assert!((dot_i8(&q, &c) * s - v.iter().sum::<f32>()).abs() < 0.01);
        let mut z = Vec::new();
        assert_eq!(quantise(&[0.0; 3], &mut z), 0.0);
        assert_eq!(z, vec![0, 0, 0]);
    }
}
