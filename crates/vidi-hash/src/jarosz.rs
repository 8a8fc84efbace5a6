//! The reference's "Jarosz" tent filter (two passes of 1-D box filters along
//! rows then columns) followed by decimation to 64x64.
//!
//! Every output value is computed with exactly the same sequence of `f32`
//! additions, subtractions and divisions as Meta's C++ `box1DFloat`, so the
//! result is bit-identical. The speed comes from the data layout only:
//! column passes run over whole rows at once (vectorised across columns),
//! row passes run on blocks of eight rows transposed into lanes, and the
//! last two passes compute only the 64 columns and rows the decimation keeps.

/// Number of rows processed together by the row pass.
const LANES: usize = 8;

/// Window size of the reference: `ceil(old / (2 * new))`.
pub(crate) fn window_size(old: usize, new: usize) -> usize {
    old.div_ceil(2 * new)
}

/// Source index sampled by the reference decimation for output `out` of `n_out`.
pub(crate) fn decimation_index(out: usize, n_in: usize, n_out: usize) -> usize {
    (((out as f64 + 0.5) * n_in as f64) / n_out as f64) as usize
}

/// Phase lengths of the reference 1-D box filter for a vector of `len`.
struct Phases {
    accumulate: usize,
    grow: usize,
    slide: usize,
    shrink: usize,
}

fn phases(len: usize, window: usize) -> Phases {
    let window = window.clamp(1, len.max(1));
    let half = (window + 2) / 2;
    Phases {
        accumulate: half - 1,
        grow: window + 1 - half,
        slide: len - window,
        shrink: half - 1,
    }
}

/// Box filter along the column direction of a row-major `rows x cols`
/// matrix: every column is an independent 1-D signal; all columns advance
/// together so the inner loops vectorise. `out` must hold `rows * cols`.
pub(crate) fn box_along_cols(
    inp: &[f32],
    out: &mut [f32],
    rows: usize,
    cols: usize,
    window: usize,
    sum: &mut Vec<f32>,
) {
    sum.clear();
    sum.resize(cols, 0.0);
    let row = |r: usize| &inp[r * cols..(r + 1) * cols];
    let p = phases(rows, window);
    let (mut li, mut ri, mut oi, mut cnt) = (0usize, 0usize, 0usize, 0usize);
    for _ in 0..p.accumulate {
        for (s, &x) in sum.iter_mut().zip(row(ri)) {
            *s += x;
        }
        cnt += 1;
        ri += 1;
    }
    for _ in 0..p.grow {
        cnt += 1;
        let c = cnt as f32;
        let o = &mut out[oi * cols..(oi + 1) * cols];
        for ((s, &x), o) in sum.iter_mut().zip(row(ri)).zip(o) {
            *s += x;
            *o = *s / c;
        }
        ri += 1;
        oi += 1;
    }
    let c = cnt as f32;
    for _ in 0..p.slide {
        let o = &mut out[oi * cols..(oi + 1) * cols];
        for (((s, &x), &y), o) in sum.iter_mut().zip(row(ri)).zip(row(li)).zip(o) {
            *s += x;
            *s -= y;
            *o = *s / c;
        }
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p.shrink {
        cnt -= 1;
        let c = cnt as f32;
        let o = &mut out[oi * cols..(oi + 1) * cols];
        for ((s, &y), o) in sum.iter_mut().zip(row(li)).zip(o) {
            *s -= y;
            *o = *s / c;
        }
        li += 1;
        oi += 1;
    }
}

/// Run the reference 1-D box filter over `x` (a signal of `LANES`-wide
/// vectors), calling `emit(index, sum, count)` for every output position.
#[inline(always)]
fn box_lanes(x: &[[f32; LANES]], window: usize, mut emit: impl FnMut(usize, &[f32; LANES], f32)) {
    let p = phases(x.len(), window);
    let mut sum = [0f32; LANES];
    let (mut li, mut ri, mut oi, mut cnt) = (0usize, 0usize, 0usize, 0usize);
    for _ in 0..p.accumulate {
        for (s, v) in sum.iter_mut().zip(&x[ri]) {
            *s += v;
        }
        cnt += 1;
        ri += 1;
    }
    for _ in 0..p.grow {
        for (s, v) in sum.iter_mut().zip(&x[ri]) {
            *s += v;
        }
        cnt += 1;
        emit(oi, &sum, cnt as f32);
        ri += 1;
        oi += 1;
    }
    for _ in 0..p.slide {
        for ((s, a), b) in sum.iter_mut().zip(&x[ri]).zip(&x[li]) {
            *s += a;
            *s -= b;
        }
        emit(oi, &sum, cnt as f32);
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p.shrink {
        for (s, b) in sum.iter_mut().zip(&x[li]) {
            *s -= b;
        }
        cnt -= 1;
        emit(oi, &sum, cnt as f32);
        li += 1;
        oi += 1;
    }
}

/// Copy rows `r0..r0+n` (n <= LANES) of a row-major matrix into lanes.
fn load_block(inp: &[f32], cols: usize, r0: usize, n: usize, t: &mut Vec<[f32; LANES]>) {
    t.clear();
    t.resize(cols, [0.0; LANES]);
    for l in 0..n {
        let row = &inp[(r0 + l) * cols..(r0 + l + 1) * cols];
        for (v, &x) in t.iter_mut().zip(row) {
            v[l] = x;
        }
    }
}

/// Box filter along every row of a row-major `rows x cols` matrix.
pub(crate) fn box_along_rows(
    inp: &[f32],
    out: &mut [f32],
    rows: usize,
    cols: usize,
    window: usize,
    t: &mut Vec<[f32; LANES]>,
) {
    let mut r0 = 0;
    while r0 < rows {
        let n = LANES.min(rows - r0);
        load_block(inp, cols, r0, n, t);
        let block = &mut out[r0 * cols..(r0 + n) * cols];
        box_lanes(t, window, |oi, sum, c| {
            let mut q = [0f32; LANES];
            for (q, s) in q.iter_mut().zip(sum) {
                *q = s / c;
            }
            for (l, &v) in q.iter().enumerate().take(n) {
                block[l * cols + oi] = v;
            }
        });
        r0 += n;
    }
}

/// Reusable lane buffers for [`box_along_rows_selected`].
#[derive(Default)]
pub(crate) struct LaneScratch {
    pub(crate) t: Vec<[f32; LANES]>,
    row_out: Vec<[f32; LANES]>,
}

/// Box filter along every row, keeping only the columns listed in `keep`:
/// writes a row-major `rows x keep.len()` matrix into `out`.
pub(crate) fn box_along_rows_selected(
    inp: &[f32],
    out: &mut [f32],
    rows: usize,
    cols: usize,
    window: usize,
    keep: &[usize],
    scratch: &mut LaneScratch,
) {
    let LaneScratch { t, row_out } = scratch;
    let k = keep.len();
    let mut wanted = vec![false; cols];
    for &c in keep {
        wanted[c] = true;
    }
    let mut r0 = 0;
    while r0 < rows {
        let n = LANES.min(rows - r0);
        load_block(inp, cols, r0, n, t);
        row_out.clear();
        row_out.resize(cols, [0.0; LANES]);
        box_lanes(t, window, |oi, sum, c| {
            if wanted[oi] {
                let q = &mut row_out[oi];
                for (q, s) in q.iter_mut().zip(sum) {
                    *q = s / c;
                }
            }
        });
        for l in 0..n {
            let o = &mut out[(r0 + l) * k..(r0 + l + 1) * k];
            for (o, &c) in o.iter_mut().zip(keep) {
                *o = row_out[c][l];
            }
        }
        r0 += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straightforward transcription of the reference semantics, for checking.
    fn box1d_naive(inv: &[f32], window: usize) -> Vec<f32> {
        let len = inv.len();
        let half = (window + 2) / 2;
        let mut out = vec![0f32; len];
        let mut sum = 0f32;
        let mut cur = 0usize;
        let (mut li, mut ri, mut oi) = (0, 0, 0);
        for _ in 0..half - 1 {
            sum += inv[ri];
            cur += 1;
            ri += 1;
        }
        for _ in 0..window - half + 1 {
            sum += inv[ri];
            cur += 1;
            out[oi] = sum / cur as f32;
            ri += 1;
            oi += 1;
        }
        for _ in 0..len - window {
            sum += inv[ri];
            sum -= inv[li];
            out[oi] = sum / cur as f32;
            li += 1;
            ri += 1;
            oi += 1;
        }
        for _ in 0..half - 1 {
            sum -= inv[li];
            cur -= 1;
            out[oi] = sum / cur as f32;
            li += 1;
            oi += 1;
        }
        out
    }

    fn matrix(rows: usize, cols: usize) -> Vec<f32> {
        (0..rows * cols)
            .map(|i| ((i * 7919 + 13) % 256) as f32 * 0.731)
            .collect()
    }

    #[test]
    fn row_and_column_passes_match_naive() {
        for (rows, cols) in [(5, 5), (9, 13), (17, 300), (130, 67)] {
            let m = matrix(rows, cols);
            for window in [1, 2, 3, 4, 5] {
                let mut out = vec![0f32; rows * cols];
                let mut t = Vec::new();
                box_along_rows(&m, &mut out, rows, cols, window, &mut t);
                for r in 0..rows {
                    let want = box1d_naive(&m[r * cols..(r + 1) * cols], window);
                    assert_eq!(&out[r * cols..(r + 1) * cols], &want[..]);
                }
                let mut out = vec![0f32; rows * cols];
                box_along_cols(&m, &mut out, rows, cols, window, &mut Vec::new());
                for c in 0..cols {
                    let col: Vec<f32> = (0..rows).map(|r| m[r * cols + c]).collect();
                    let want = box1d_naive(&col, window);
                    let got: Vec<f32> = (0..rows).map(|r| out[r * cols + c]).collect();
                    assert_eq!(got, want);
                }
                let keep = [0, cols / 2, cols - 1, cols / 2];
                let mut sel = vec![0f32; rows * keep.len()];
                let mut full = vec![0f32; rows * cols];
                box_along_rows(&m, &mut full, rows, cols, window, &mut t);
                let mut scratch = LaneScratch::default();
                box_along_rows_selected(&m, &mut sel, rows, cols, window, &keep, &mut scratch);
                for r in 0..rows {
                    for (k, &c) in keep.iter().enumerate() {
                        assert_eq!(sel[r * keep.len() + k], full[r * cols + c]);
                    }
                }
            }
        }
    }

    #[test]
    fn window_and_decimation_match_reference_formulas() {
        assert_eq!(window_size(1024, 64), 8);
        assert_eq!(window_size(1025, 64), 9);
        assert_eq!(window_size(5, 64), 1);
        assert_eq!(decimation_index(0, 1024, 64), 8);
        assert_eq!(decimation_index(63, 1024, 64), 1016);
        assert_eq!(decimation_index(63, 5, 64), 4);
    }
}
