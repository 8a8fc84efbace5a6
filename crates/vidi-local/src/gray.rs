//! Grey-level images: conversion, resampling and smoothing.

/// An 8-bit grey image, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gray {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) data: Vec<u8>,
}

impl Gray {
    /// Pixel at (x, y); the caller keeps it inside.
    #[inline]
    pub(crate) fn at(&self, x: usize, y: usize) -> u8 {
        self.data[y * self.width + x]
    }

    /// Luma of an interleaved buffer with `channels` bytes per pixel (1 or
    /// 3 or 4; the first three are R, G, B). The caller checked the length.
    pub(crate) fn from_interleaved(
        pixels: &[u8],
        width: usize,
        height: usize,
        channels: usize,
    ) -> Gray {
        let data = if channels == 1 {
            pixels[..width * height].to_vec()
        } else {
            pixels
                .chunks_exact(channels)
                .take(width * height)
                .map(|p| {
                    let v = 77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]);
                    (v >> 8) as u8
                })
                .collect()
        };
        Gray {
            width,
            height,
            data,
        }
    }

    /// Resampled to `w` x `h` with a triangle filter widened to the scale
    /// factor when shrinking (so no aliasing), separable.
    pub(crate) fn resize(&self, w: usize, h: usize) -> Gray {
        if w == self.width && h == self.height {
            return self.clone();
        }
        let w = w.max(1);
        let h = h.max(1);
        let xw = weights(self.width, w);
        let yw = weights(self.height, h);
        // Horizontal pass into f32 rows.
        let mut tmp = vec![0f32; w * self.height];
        for y in 0..self.height {
            let row = &self.data[y * self.width..(y + 1) * self.width];
            let out = &mut tmp[y * w..(y + 1) * w];
            for (o, (start, ws)) in out.iter_mut().zip(&xw) {
                *o = ws
                    .iter()
                    .enumerate()
                    .map(|(i, wt)| wt * f32::from(row[start + i]))
                    .sum();
            }
        }
        let mut data = vec![0u8; w * h];
        for (y, (start, ws)) in yw.iter().enumerate() {
            let out = &mut data[y * w..(y + 1) * w];
            for (x, o) in out.iter_mut().enumerate() {
                let v: f32 = ws
                    .iter()
                    .enumerate()
                    .map(|(i, wt)| wt * tmp[(start + i) * w + x])
                    .sum();
                *o = v.round().clamp(0.0, 255.0) as u8;
            }
        }
        Gray {
            width: w,
            height: h,
            data,
        }
    }

    /// Smoothed with the 5-tap binomial kernel [1 4 6 4 1] / 16 in both
    /// directions (borders replicated).
    pub(crate) fn blur5(&self) -> Gray {
        let (w, h) = (self.width, self.height);
        if w == 0 || h == 0 {
            return self.clone();
        }
        const K: [u32; 5] = [1, 4, 6, 4, 1];
        let clampi = |v: isize, n: usize| v.clamp(0, n as isize - 1) as usize;
        let mut tmp = vec![0u16; w * h];
        for y in 0..h {
            for x in 0..w {
                let s: u32 = K
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        k * u32::from(self.data[y * w + clampi(x as isize + i as isize - 2, w)])
                    })
                    .sum();
                tmp[y * w + x] = s as u16;
            }
        }
        let mut data = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let s: u32 = K
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        k * u32::from(tmp[clampi(y as isize + i as isize - 2, h) * w + x])
                    })
                    .sum();
                data[y * w + x] = ((s + 128) >> 8) as u8;
            }
        }
        Gray {
            width: w,
            height: h,
            data,
        }
    }
}

/// For every output sample: first input index and normalised weights.
fn weights(n_in: usize, n_out: usize) -> Vec<(usize, Vec<f32>)> {
    let scale = n_in as f32 / n_out as f32;
    let support = scale.max(1.0);
    (0..n_out)
        .map(|o| {
            let centre = (o as f32 + 0.5) * scale - 0.5;
            let lo = ((centre - support).floor().max(0.0)) as usize;
            let hi = ((centre + support).ceil() as usize).min(n_in.saturating_sub(1));
            let mut ws: Vec<f32> = (lo..=hi)
                .map(|i| (1.0 - ((i as f32 - centre) / support).abs()).max(0.0))
                .collect();
            let sum: f32 = ws.iter().sum();
            if sum > 0.0 {
                ws.iter_mut().for_each(|w| *w /= sum);
            } else {
                // Degenerate (one input sample): take the nearest.
                ws.iter_mut().for_each(|w| *w = 0.0);
                if let Some(first) = ws.first_mut() {
                    *first = 1.0;
                }
            }
            (lo, ws)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_keeps_flat_and_mean() {
        let g = Gray {
            width: 10,
            height: 7,
            data: vec![100; 70],
        };
        let r = g.resize(4, 3);
        assert!(r.data.iter().all(|v| *v == 100));
        let up = g.resize(25, 13);
        assert!(up.data.iter().all(|v| *v == 100));
        let one = g.resize(1, 1);
        assert_eq!(one.data, vec![100]);
        let b = g.blur5();
        assert_eq!(b, g);
    }

    #[test]
    fn luma_of_rgb() {
        let g = Gray::from_interleaved(&[255, 255, 255, 0, 0, 0], 2, 1, 3);
        assert_eq!(g.data, vec![255, 0]);
    }
}
