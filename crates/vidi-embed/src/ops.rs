//! Kernels: pointwise (1x1) convolution as a matrix product, depthwise 3x3
//! convolution, full 3x3 convolution through im2col, resampling.

/// `out[cout, n] = w[cout, cin] * x[cin, n] + b[cout]`, then ReLU6 if asked.
pub(crate) fn pointwise(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    cin: usize,
    cout: usize,
    n: usize,
    relu6: bool,
) -> Vec<f32> {
    debug_assert_eq!(w.len(), cout * cin);
    debug_assert_eq!(x.len(), cin * n);
    let mut out = vec![0f32; cout * n];
    for (row, &bias) in out.chunks_exact_mut(n).zip(b) {
        row.fill(bias);
    }
    // SAFETY: the slices have the sizes sgemm reads and writes: a is
    // cout x cin (row stride cin), b is cin x n (row stride n), c is
    // cout x n (row stride n), all contiguous and distinct.
    unsafe {
        matrixmultiply::sgemm(
            cout,
            cin,
            n,
            1.0,
            w.as_ptr(),
            cin as isize,
            1,
            x.as_ptr(),
            n as isize,
            1,
            1.0,
            out.as_mut_ptr(),
            n as isize,
            1,
        );
    }
    if relu6 {
        clamp6(&mut out);
    }
    out
}

pub(crate) fn clamp6(v: &mut [f32]) {
    for x in v {
        *x = x.clamp(0.0, 6.0);
    }
}

/// Output size of a 3x3 convolution with padding 1.
pub(crate) fn out_size(n: usize, stride: usize) -> usize {
    (n + 2 - 3) / stride + 1
}

/// Depthwise 3x3 convolution, padding 1, with bias and ReLU6.
pub(crate) fn depthwise3x3(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    c: usize,
    h: usize,
    wd: usize,
    stride: usize,
) -> Vec<f32> {
    let (oh, ow) = (out_size(h, stride), out_size(wd, stride));
    let (ph, pw) = (h + 2, wd + 2);
    let mut pad = vec![0f32; ph * pw];
    let mut out = vec![0f32; c * oh * ow];
    for ch in 0..c {
        let src = &x[ch * h * wd..(ch + 1) * h * wd];
        for y in 0..h {
            pad[(y + 1) * pw + 1..(y + 1) * pw + 1 + wd]
                .copy_from_slice(&src[y * wd..(y + 1) * wd]);
        }
        let k = &w[ch * 9..ch * 9 + 9];
        let dst = &mut out[ch * oh * ow..(ch + 1) * oh * ow];
        for oy in 0..oh {
            let r0 = &pad[oy * stride * pw..];
            let r1 = &pad[(oy * stride + 1) * pw..];
            let r2 = &pad[(oy * stride + 2) * pw..];
            let drow = &mut dst[oy * ow..(oy + 1) * ow];
            if stride == 1 {
                for (ox, d) in drow.iter_mut().enumerate() {
                    let v = b[ch]
                        + k[0] * r0[ox]
                        + k[1] * r0[ox + 1]
                        + k[2] * r0[ox + 2]
                        + k[3] * r1[ox]
                        + k[4] * r1[ox + 1]
                        + k[5] * r1[ox + 2]
                        + k[6] * r2[ox]
                        + k[7] * r2[ox + 1]
                        + k[8] * r2[ox + 2];
                    *d = v.clamp(0.0, 6.0);
                }
            } else {
                for (ox, d) in drow.iter_mut().enumerate() {
                    let i = ox * stride;
                    let v = b[ch]
                        + k[0] * r0[i]
                        + k[1] * r0[i + 1]
                        + k[2] * r0[i + 2]
                        + k[3] * r1[i]
                        + k[4] * r1[i + 1]
                        + k[5] * r1[i + 2]
                        + k[6] * r2[i]
                        + k[7] * r2[i + 1]
                        + k[8] * r2[i + 2];
                    *d = v.clamp(0.0, 6.0);
                }
            }
        }
    }
    out
}

/// Full 3x3 convolution (padding 1) through im2col, with bias and ReLU6.
#[allow(clippy::too_many_arguments)]
pub(crate) fn conv3x3(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    cin: usize,
    cout: usize,
    h: usize,
    wd: usize,
    stride: usize,
) -> (Vec<f32>, usize, usize) {
    let (oh, ow) = (out_size(h, stride), out_size(wd, stride));
    let n = oh * ow;
    let mut cols = vec![0f32; cin * 9 * n];
    for c in 0..cin {
        for ky in 0..3 {
            for kx in 0..3 {
                let row = &mut cols[((c * 3 + ky) * 3 + kx) * n..][..n];
                for oy in 0..oh {
                    let iy = (oy * stride + ky) as isize - 1;
                    if iy < 0 || iy >= h as isize {
                        continue;
                    }
                    for ox in 0..ow {
                        let ix = (ox * stride + kx) as isize - 1;
                        if ix >= 0 && ix < wd as isize {
                            row[oy * ow + ox] = x[(c * h + iy as usize) * wd + ix as usize];
                        }
                    }
                }
            }
        }
    }
    (pointwise(w, b, &cols, cin * 9, cout, n, true), oh, ow)
}

/// Resample an interleaved RGB u8 image to `ow` x `oh` planar f32 (0..255)
/// with a separable triangle filter widened when downscaling (area-like).
pub(crate) fn resize_rgb_planar(rgb: &[u8], w: usize, h: usize, ow: usize, oh: usize) -> Vec<f32> {
    let hx = weights(w, ow);
    let hy = weights(h, oh);
    // Horizontal pass: h rows x ow columns x 3 channels.
    let mut tmp = vec![0f32; 3 * h * ow];
    for y in 0..h {
        let row = &rgb[y * w * 3..(y + 1) * w * 3];
        for (ox, (start, ws)) in hx.iter().enumerate() {
            let mut acc = [0f32; 3];
            for (i, &wt) in ws.iter().enumerate() {
                let p = &row[(start + i) * 3..(start + i) * 3 + 3];
                acc[0] += wt * f32::from(p[0]);
                acc[1] += wt * f32::from(p[1]);
                acc[2] += wt * f32::from(p[2]);
            }
            for c in 0..3 {
                tmp[(c * h + y) * ow + ox] = acc[c];
            }
        }
    }
    let mut out = vec![0f32; 3 * oh * ow];
    for c in 0..3 {
        for (oy, (start, ws)) in hy.iter().enumerate() {
            let dst = &mut out[(c * oh + oy) * ow..(c * oh + oy + 1) * ow];
            for (i, &wt) in ws.iter().enumerate() {
                let src = &tmp[(c * h + start + i) * ow..(c * h + start + i + 1) * ow];
                for (d, s) in dst.iter_mut().zip(src) {
                    *d += wt * s;
                }
            }
        }
    }
    out
}

/// For each output index, the first input index and the normalised weights.
fn weights(n_in: usize, n_out: usize) -> Vec<(usize, Vec<f32>)> {
    let scale = n_in as f64 / n_out as f64;
    let support = scale.max(1.0);
    (0..n_out)
        .map(|o| {
            let center = (o as f64 + 0.5) * scale;
            let lo = ((center - support).floor().max(0.0)) as usize;
            let hi = ((center + support).ceil() as usize).min(n_in);
            let mut ws: Vec<f32> = (lo..hi)
                .map(|i| {
                    let d = ((i as f64 + 0.5 - center) / support).abs();
                    (1.0 - d).max(0.0) as f32
                })
                .collect();
            let sum: f32 = ws.iter().sum();
            if sum > 0.0 {
                for v in &mut ws {
                    *v /= sum;
                }
                (lo, ws)
            } else {
                let i = (center as usize).min(n_in - 1);
                (i, vec![1.0])
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_identity_and_constant() {
        let rgb: Vec<u8> = (0..4 * 3 * 3).map(|i| (i * 7) as u8).collect();
        let out = resize_rgb_planar(&rgb, 4, 3, 4, 3);
        for y in 0..3 {
            for x in 0..4 {
                for c in 0..3 {
                    let want = f32::from(rgb[(y * 4 + x) * 3 + c]);
                    assert!((out[(c * 3 + y) * 4 + x] - want).abs() < 1e-4);
                }
            }
        }
        let flat = vec![100u8; 37 * 23 * 3];
        let out = resize_rgb_planar(&flat, 37, 23, 8, 8);
        assert!(out.iter().all(|v| (v - 100.0).abs() < 1e-3));
        let out = resize_rgb_planar(&flat[..3], 1, 1, 5, 5);
        assert!(out.iter().all(|v| (v - 100.0).abs() < 1e-3));
    }

    #[test]
    fn depthwise_matches_naive() {
        let (c, h, w) = (2, 5, 4);
        let x: Vec<f32> = (0..c * h * w)
            .map(|i| ((i * 37) % 11) as f32 * 0.1)
            .collect();
        let k: Vec<f32> = (0..c * 9)
            .map(|i| ((i * 5) % 7) as f32 * 0.1 - 0.3)
            .collect();
        let b = vec![0.05, -0.02];
        for stride in [1, 2] {
            let got = depthwise3x3(&k, &b, &x, c, h, w, stride);
            let (oh, ow) = (out_size(h, stride), out_size(w, stride));
            for ch in 0..c {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let mut v = b[ch];
                        for ky in 0..3 {
                            for kx in 0..3 {
                                let iy = (oy * stride + ky) as isize - 1;
                                let ix = (ox * stride + kx) as isize - 1;
                                if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                    v += k[ch * 9 + ky * 3 + kx]
                                        * x[(ch * h + iy as usize) * w + ix as usize];
                                }
                            }
                        }
                        let g = got[(ch * oh + oy) * ow + ox];
                        assert!((g - v.clamp(0.0, 6.0)).abs() < 1e-5);
                    }
                }
            }
        }
    }
}
