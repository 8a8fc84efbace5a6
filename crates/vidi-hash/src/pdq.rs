//! PDQ (Meta ThreatExchange) perceptual hash, computed exactly as the C++
//! reference does on a byte array.
//!
//! Pipeline (each step reproduces the reference's `f32` arithmetic, so the
//! result is bit-identical): luma `0.299 R + 0.587 G + 0.114 B` in `f32`;
//! two passes of the Jarosz tent filter (1-D box filters along rows then
//! columns, window `ceil(dim / 128)`); decimation to 64x64 at pixel centres;
//! quality from the 64x64 gradients; 16x16 corner of the 2-D DCT; each bit is
//! "coefficient > median". The eight dihedral variants are derived from the
//! same DCT by sign flips and transposition, in the reference order
//! ([`DIHEDRAL_NAMES`]).
//!
//! Contract used by other crates (keep these signatures):
//! - `pub fn hash_rgb(rgb: &[u8], width: usize, height: usize) -> vidi_types::PdqWithQuality`
//!   (interleaved 8-bit RGB, row-major, no padding)
//! - `pub fn hash_rgb_dihedral(rgb: &[u8], width: usize, height: usize) -> (Vec<vidi_types::PdqHash>, u8)`
//!   (8 variants in reference order, and the quality)
//!
//! Images smaller than 5 pixels on a side, and buffers shorter than
//! `width * height * 3`, give the all-zero hash with quality 0 (the
//! reference's answer for too-small images; never matched since quality < 50).

use std::cell::RefCell;
use std::sync::OnceLock;

use vidi_types::{PdqHash, PdqWithQuality};

use crate::jarosz::{
    LaneScratch, box_along_cols, box_along_rows, box_along_rows_selected, decimation_index,
    window_size,
};

/// Smallest width or height the reference hashes.
pub const MIN_HASHABLE_DIM: usize = 5;

/// Side of the nearest-neighbour pre-resize done by the C++ file tool.
pub const CPP_TOOL_RESIZE: usize = 512;

/// Names of the dihedral variants, in the order [`hash_rgb_dihedral`] returns them.
pub const DIHEDRAL_NAMES: [&str; 8] = [
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flipx",
    "flipy",
    "flipplus1",
    "flipminus1",
];

/// How 8-bit RGB becomes float luma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LumaRounding {
    /// As the C++ reference: products and sums in `f32`.
    #[default]
    Reference,
    /// As the PyPI `pdqhash` binding: computed in `f64` (NumPy), then rounded
    /// to `f32`. Differs from `Reference` by at most one ulp per pixel.
    Numpy,
}

/// Convert interleaved RGB8 to float luma (`out` is resized to `width * height`).
/// Pixels beyond the end of a short `rgb` buffer are not written.
pub fn luma_from_rgb(
    rgb: &[u8],
    width: usize,
    height: usize,
    mode: LumaRounding,
    out: &mut Vec<f32>,
) {
    let n = width.saturating_mul(height);
    out.clear();
    out.reserve(n);
    match mode {
        LumaRounding::Reference => {
            // Per-channel products as the reference computes them (f32), summed
            // in the same order: table lookups give bit-identical results.
            let t = luma_tables_f32();
            out.extend(rgb.chunks_exact(3).take(n).map(|p| {
                t[0][usize::from(p[0])] + t[1][usize::from(p[1])] + t[2][usize::from(p[2])]
            }));
        }
        LumaRounding::Numpy => {
            let t = luma_tables_f64();
            out.extend(rgb.chunks_exact(3).take(n).map(|p| {
                (t[0][usize::from(p[0])] + t[1][usize::from(p[1])] + t[2][usize::from(p[2])]) as f32
            }));
        }
    }
    out.resize(n, 0.0);
}

fn luma_tables_f32() -> &'static [[f32; 256]; 3] {
    static T: OnceLock<[[f32; 256]; 3]> = OnceLock::new();
    T.get_or_init(|| {
        let c = [0.299f64 as f32, 0.587f64 as f32, 0.114f64 as f32];
        let mut t = [[0f32; 256]; 3];
        for (row, k) in t.iter_mut().zip(c) {
            for (i, v) in row.iter_mut().enumerate() {
                *v = k * i as f32;
            }
        }
        t
    })
}

fn luma_tables_f64() -> &'static [[f64; 256]; 3] {
    static T: OnceLock<[[f64; 256]; 3]> = OnceLock::new();
    T.get_or_init(|| {
        let c = [0.299f64, 0.587, 0.114];
        let mut t = [[0f64; 256]; 3];
        for (row, k) in t.iter_mut().zip(c) {
            for (i, v) in row.iter_mut().enumerate() {
                *v = i as f64 * k;
            }
        }
        t
    })
}

/// Per-thread reusable buffers, so hashing allocates nothing in steady state.
#[derive(Default)]
struct Scratch {
    buf1: Vec<f32>,
    buf2: Vec<f32>,
    compact1: Vec<f32>,
    compact2: Vec<f32>,
    lanes: LaneScratch,
    sum: Vec<f32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The 16x64 DCT-II matrix of the reference (rows 1..=16 of the 64-point basis).
fn dct_matrix() -> &'static [[f32; 64]; 16] {
    static D: OnceLock<[[f32; 64]; 16]> = OnceLock::new();
    D.get_or_init(|| {
        let scale = (2.0f64 / 64.0).sqrt() as f32;
        let mut d = [[0f32; 64]; 16];
        for (i, row) in d.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                let arg = (std::f64::consts::PI / 2.0 / 64.0) * (i + 1) as f64 * (2 * j + 1) as f64;
                *v = (f64::from(scale) * arg.cos()) as f32;
            }
        }
        d
    })
}

/// 16x16 DCT coefficients before thresholding, plus quality.
type Dct16 = [[f32; 16]; 16];

/// Blur, decimate, quality and DCT for the luma already in `s.buf1`.
/// `shortcut64`: a 64x64 input is used as is (the reference's single-hash
/// path does this; its dihedral path filters anyway).
fn float_hash(s: &mut Scratch, width: usize, height: usize, shortcut64: bool) -> (Dct16, u8) {
    let mut a = [[0f32; 64]; 64];
    if shortcut64 && width == 64 && height == 64 {
        for (row, src) in a.iter_mut().zip(s.buf1.chunks_exact(64)) {
            row.copy_from_slice(src);
        }
    } else {
        let along_rows = window_size(width, 64);
        let along_cols = window_size(height, 64);
        s.buf2.clear();
        s.buf2.resize(width * height, 0.0);
        box_along_rows(
            &s.buf1,
            &mut s.buf2,
            height,
            width,
            along_rows,
            &mut s.lanes.t,
        );
        box_along_cols(&s.buf2, &mut s.buf1, height, width, along_cols, &mut s.sum);
        let keep: Vec<usize> = (0..64).map(|j| decimation_index(j, width, 64)).collect();
        s.compact1.clear();
        s.compact1.resize(height * 64, 0.0);
        box_along_rows_selected(
            &s.buf1,
            &mut s.compact1,
            height,
            width,
            along_rows,
            &keep,
            &mut s.lanes,
        );
        s.compact2.clear();
        s.compact2.resize(height * 64, 0.0);
        box_along_cols(
            &s.compact1,
            &mut s.compact2,
            height,
            64,
            along_cols,
            &mut s.sum,
        );
        for (i, row) in a.iter_mut().enumerate() {
            let r = decimation_index(i, height, 64);
            row.copy_from_slice(&s.compact2[r * 64..(r + 1) * 64]);
        }
    }
    let quality = quality_metric(&a);
    (dct64_to_16(&a), quality)
}

/// The reference's image-domain quality: quantised gradient magnitudes.
fn quality_metric(a: &[[f32; 64]; 64]) -> u8 {
    let step = |u: f32, v: f32| -> i64 { i64::from((((u - v) * 100.0) / 255.0) as i32).abs() };
    let mut sum: i64 = 0;
    for (upper, lower) in a.iter().zip(&a[1..]) {
        for (&u, &v) in upper.iter().zip(lower) {
            sum += step(u, v);
        }
    }
    for row in a {
        for j in 0..63 {
            sum += step(row[j], row[j + 1]);
        }
    }
    (sum / 90).min(100) as u8
}

/// `B = D A D^T`, summing in the reference's order.
fn dct64_to_16(a: &[[f32; 64]; 64]) -> Dct16 {
    let d = dct_matrix();
    let mut t = [[0f32; 64]; 16];
    for (trow, drow) in t.iter_mut().zip(d) {
        for (dk, arow) in drow.iter().zip(a) {
            for (tv, av) in trow.iter_mut().zip(arow) {
                *tv += dk * av;
            }
        }
    }
    let mut dt = [[0f32; 16]; 64];
    for (j, drow) in d.iter().enumerate() {
        for (k, v) in drow.iter().enumerate() {
            dt[k][j] = *v;
        }
    }
    let mut b = [[0f32; 16]; 16];
    for (brow, trow) in b.iter_mut().zip(&t) {
        for (tk, dtrow) in trow.iter().zip(&dt) {
            for (bv, dv) in brow.iter_mut().zip(dtrow) {
                *bv += tk * dv;
            }
        }
    }
    b
}

/// Threshold at the median (the 128th smallest value, as Torben's algorithm
/// returns for 256 values) and pack in the reference's hex order.
fn to_bits(b: &Dct16) -> PdqHash {
    let mut flat = [0f32; 256];
    for (dst, row) in flat.chunks_exact_mut(16).zip(b) {
        dst.copy_from_slice(row);
    }
    let mut sorted = flat;
    let (_, median, _) = sorted.select_nth_unstable_by(127, f32::total_cmp);
    let median = *median;
    let mut out = [0u8; 32];
    for (k, &v) in flat.iter().enumerate() {
        if v > median {
            let (word, bit) = (k / 16, k % 16);
            let byte = 2 * (15 - word) + usize::from(bit < 8);
            out[byte] |= 1 << (bit % 8);
        }
    }
    PdqHash(out)
}

/// The DCT of variant `v` (reference order) from the original's DCT.
fn dihedral(a: &Dct16, v: usize) -> Dct16 {
    let mut b = [[0f32; 16]; 16];
    for i in 0..16 {
        for j in 0..16 {
            let x = a[i][j];
            let (odd_i, odd_j, odd_sum) = (i & 1 == 1, j & 1 == 1, (i + j) & 1 == 1);
            match v {
                1 => b[j][i] = if odd_j { x } else { -x },
                2 => b[i][j] = if odd_sum { -x } else { x },
                3 => b[j][i] = if odd_i { x } else { -x },
                4 => b[i][j] = if odd_i { x } else { -x },
                5 => b[i][j] = if odd_j { x } else { -x },
                6 => b[j][i] = x,
                7 => b[j][i] = if odd_sum { -x } else { x },
                _ => b[i][j] = x,
            }
        }
    }
    b
}

fn zero() -> PdqWithQuality {
    PdqWithQuality {
        hash: PdqHash::default(),
        quality: 0,
    }
}

fn rgb_ok(rgb: &[u8], width: usize, height: usize) -> bool {
    width >= MIN_HASHABLE_DIM
        && height >= MIN_HASHABLE_DIM
        && width
            .checked_mul(height)
            .and_then(|n| n.checked_mul(3))
            .is_some_and(|n| rgb.len() >= n)
}

fn with_rgb<T>(
    rgb: &[u8],
    width: usize,
    height: usize,
    mode: LumaRounding,
    f: impl FnOnce(&mut Scratch) -> T,
) -> T {
    SCRATCH.with(|cell| {
        let mut s = cell.borrow_mut();
        let mut luma = std::mem::take(&mut s.buf1);
        luma_from_rgb(rgb, width, height, mode, &mut luma);
        s.buf1 = luma;
        f(&mut s)
    })
}

/// PDQ hash and quality of an interleaved RGB8 buffer, as given (no resize).
pub fn hash_rgb(rgb: &[u8], width: usize, height: usize) -> PdqWithQuality {
    hash_rgb_with(rgb, width, height, LumaRounding::Reference)
}

/// [`hash_rgb`] with a choice of luma rounding.
pub fn hash_rgb_with(
    rgb: &[u8],
    width: usize,
    height: usize,
    mode: LumaRounding,
) -> PdqWithQuality {
    if !rgb_ok(rgb, width, height) {
        return zero();
    }
    with_rgb(rgb, width, height, mode, |s| {
        let (dct, quality) = float_hash(s, width, height, true);
        PdqWithQuality {
            hash: to_bits(&dct),
            quality,
        }
    })
}

/// The eight dihedral PDQ hashes (order: [`DIHEDRAL_NAMES`]) and the quality.
pub fn hash_rgb_dihedral(rgb: &[u8], width: usize, height: usize) -> (Vec<PdqHash>, u8) {
    hash_rgb_dihedral_with(rgb, width, height, LumaRounding::Reference)
}

/// [`hash_rgb_dihedral`] with a choice of luma rounding.
pub fn hash_rgb_dihedral_with(
    rgb: &[u8],
    width: usize,
    height: usize,
    mode: LumaRounding,
) -> (Vec<PdqHash>, u8) {
    if !rgb_ok(rgb, width, height) {
        return (vec![PdqHash::default(); 8], 0);
    }
    with_rgb(rgb, width, height, mode, |s| {
        dihedral_from_scratch(s, width, height)
    })
}

fn dihedral_from_scratch(s: &mut Scratch, width: usize, height: usize) -> (Vec<PdqHash>, u8) {
    let (dct, quality) = float_hash(s, width, height, false);
    let hashes = (0..8).map(|v| to_bits(&dihedral(&dct, v))).collect();
    (hashes, quality)
}

fn luma_ok(luma: &[f32], width: usize, height: usize) -> bool {
    width >= MIN_HASHABLE_DIM
        && height >= MIN_HASHABLE_DIM
        && width.checked_mul(height).is_some_and(|n| luma.len() >= n)
}

fn with_luma<T>(luma: &[f32], width: usize, height: usize, f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| {
        let mut s = cell.borrow_mut();
        s.buf1.clear();
        s.buf1.extend_from_slice(&luma[..width * height]);
        f(&mut s)
    })
}

/// PDQ hash of a float luma plane (row-major, `width * height` values 0..=255).
pub fn hash_luma(luma: &[f32], width: usize, height: usize) -> PdqWithQuality {
    if !luma_ok(luma, width, height) {
        return zero();
    }
    with_luma(luma, width, height, |s| {
        let (dct, quality) = float_hash(s, width, height, true);
        PdqWithQuality {
            hash: to_bits(&dct),
            quality,
        }
    })
}

/// The eight dihedral hashes of a float luma plane, and the quality.
pub fn hash_luma_dihedral(luma: &[f32], width: usize, height: usize) -> (Vec<PdqHash>, u8) {
    if !luma_ok(luma, width, height) {
        return (vec![PdqHash::default(); 8], 0);
    }
    with_luma(luma, width, height, |s| {
        dihedral_from_scratch(s, width, height)
    })
}

/// The C++ file tool's pre-resize: when either side exceeds 512, resample to
/// exactly 512x512 (aspect NOT kept) by nearest neighbour, source index
/// `floor(x * W / 512)`. Returns `None` when no resize is needed or the
/// buffer is shorter than `width * height * 3`.
pub fn resize_nearest_512(rgb: &[u8], width: usize, height: usize) -> Option<Vec<u8>> {
    let n = CPP_TOOL_RESIZE;
    if (width <= n && height <= n) || !rgb_ok(rgb, width, height) {
        return None;
    }
    let xs: Vec<usize> = (0..n).map(|x| x * width / n).collect();
    let mut out = Vec::with_capacity(n * n * 3);
    for y in 0..n {
        let sy = y * height / n;
        let row = &rgb[sy * width * 3..(sy + 1) * width * 3];
        for &sx in &xs {
            out.extend_from_slice(&row[sx * 3..sx * 3 + 3]);
        }
    }
    Some(out)
}

#[cfg(test)]
#[path = "pdq_tests.rs"]
mod tests;
