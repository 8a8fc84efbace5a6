//! Dense kernels shared by the two models: strided matrix products on top of
//! `matrixmultiply`, layer norm, GELU, softmax, convolution by im2col.

/// A row-major matrix view: `rows` × `cols` with arbitrary (non-negative)
/// row and column strides into `data`.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub(crate) data: &'a [f32],
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) rs: usize,
    pub(crate) cs: usize,
}

impl<'a> View<'a> {
    /// A dense row-major matrix.
    pub(crate) fn dense(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            rs: cols,
            cs: 1,
        }
    }

    /// The transpose (no copy).
    pub(crate) fn t(self) -> Self {
        Self {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
        }
    }

    /// Columns `start..start + len` (no copy).
    pub(crate) fn cols(self, start: usize, len: usize) -> Self {
        assert!(start + len <= self.cols, "column slice out of range");
        Self {
            data: &self.data[start * self.cs..],
            cols: len,
            ..self
        }
    }

    fn fits(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.rs + (self.cols - 1) * self.cs < self.data.len()
    }
}

/// `c[i * rsc + j] = alpha * (a · b)[i][j] + beta * c[...]` for an
/// `a.rows` × `b.cols` output written with row stride `rsc` (column stride 1).
pub(crate) fn gemm(alpha: f32, a: View<'_>, b: View<'_>, beta: f32, c: &mut [f32], rsc: usize) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(k, b.rows, "inner dimensions differ");
    assert!(a.fits() && b.fits(), "operand view out of range");
    assert!(
        m == 0 || n == 0 || (m - 1) * rsc + n <= c.len(),
        "output out of range"
    );
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the asserts above check that every element addressed through
    // the strides lies inside the borrowed slices, and `c` is borrowed
    // mutably so it cannot alias `a` or `b`.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.data.as_ptr(),
            a.rs as isize,
            a.cs as isize,
            b.data.as_ptr(),
            b.rs as isize,
            b.cs as isize,
            beta,
            c.as_mut_ptr(),
            rsc as isize,
            1,
        );
    }
}

/// A fully connected layer `y = x Wᵀ + b` with `W` stored `out` × `inp`.
pub(crate) struct Linear {
    pub(crate) w: Vec<f32>,
    pub(crate) b: Vec<f32>,
    pub(crate) out: usize,
    pub(crate) inp: usize,
}

impl Linear {
    /// Applies the layer to `rows` row vectors stored densely in `x`.
    pub(crate) fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut y = vec![0.0; rows * self.out];
        for row in y.chunks_exact_mut(self.out) {
            row.copy_from_slice(&self.b);
        }
        gemm(
            1.0,
            View::dense(x, rows, self.inp),
            View::dense(&self.w, self.out, self.inp).t(),
            1.0,
            &mut y,
            self.out,
        );
        y
    }
}

/// Layer normalisation over the last dimension (eps 1e-5).
pub(crate) struct LayerNorm {
    pub(crate) gamma: Vec<f32>,
    pub(crate) beta: Vec<f32>,
}

impl LayerNorm {
    pub(crate) fn forward(&self, x: &[f32]) -> Vec<f32> {
        let d = self.gamma.len();
        let mut y = vec![0.0; x.len()];
        for (xr, yr) in x.chunks_exact(d).zip(y.chunks_exact_mut(d)) {
            let mean = xr.iter().sum::<f32>() / d as f32;
            let var = xr.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / d as f32;
            let inv = 1.0 / (var + 1e-5).sqrt();
            for (((o, v), g), b) in yr.iter_mut().zip(xr).zip(&self.gamma).zip(&self.beta) {
                *o = (v - mean) * inv * g + b;
            }
        }
        y
    }
}

/// The error function (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7).
pub(crate) fn erf(x: f32) -> f32 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = f64::from(x.abs());
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    sign * (1.0 - poly * (-x * x).exp()) as f32
}

/// Exact (erf-based) GELU, in place.
pub(crate) fn gelu(x: &mut [f32]) {
    for v in x {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// Numerically stable softmax, in place.
pub(crate) fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    if sum > 0.0 {
        for v in x.iter_mut() {
            *v /= sum;
        }
    }
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Adds `b` to `a` element-wise.
pub(crate) fn add_assign(a: &mut [f32], b: &[f32]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemm_matches_naive_with_transpose() {
        let a: Vec<f32> = (0..6).map(|v| v as f32).collect(); // 2x3
        let b: Vec<f32> = (0..12).map(|v| v as f32 * 0.5).collect(); // 4x3, used transposed
        let mut c = vec![0.0; 8];
        gemm(
            1.0,
            View::dense(&a, 2, 3),
            View::dense(&b, 4, 3).t(),
            0.0,
            &mut c,
            4,
        );
        for i in 0..2 {
            for j in 0..4 {
                let want: f32 = (0..3).map(|k| a[i * 3 + k] * b[j * 3 + k]).sum();
                assert!((c[i * 4 + j] - want).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn erf_and_softmax() {
        assert!((erf(0.5) - 0.520_499_9).abs() < 1e-6);
        assert!((erf(-1.0) + 0.842_700_8).abs() < 1e-6);
        let mut x = [1.0, 2.0, 3.0];
        softmax(&mut x);
        assert!((x.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(x[2] > x[1] && x[1] > x[0]);
    }

    #[test]
    fn linear_and_layer_norm() {
        let lin = Linear {
            w: vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0],
            b: vec![0.5, 0.0, -1.0],
            out: 3,
            inp: 2,
        };
        assert_eq!(lin.forward(&[2.0, 3.0], 1), vec![2.5, 3.0, 4.0]);
        let ln = LayerNorm {
            gamma: vec![1.0; 4],
            beta: vec![0.0; 4],
        };
        let y = ln.forward(&[1.0, 2.0, 3.0, 4.0]);
        assert!(y.iter().sum::<f32>().abs() < 1e-5);
    }
}
