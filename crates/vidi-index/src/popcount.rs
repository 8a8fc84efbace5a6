//! The hot loops (table probing and popcount scans), compiled twice: for the
//! baseline x86-64 target and, chosen at run time when the CPU has them, with
//! the `popcnt` and AVX2 instructions. Both copies are the same safe Rust code.

use vidi_types::PdqHash;

use crate::{BUCKETS, MASKS, PdqIndex, SUBSTRINGS, fast_split, key, to_words};

#[inline(always)]
pub(crate) fn dist(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

/// Whether the running CPU has the instructions the fast copies use.
#[cfg(target_arch = "x86_64")]
fn fast_cpu() -> bool {
    use std::sync::OnceLock;
    static FAST: OnceLock<bool> = OnceLock::new();
    *FAST.get_or_init(|| {
        std::arch::is_x86_feature_detected!("popcnt") && std::arch::is_x86_feature_detected!("avx2")
    })
}

/// Defines `$name`, dispatching to a copy of `$core` built with popcnt+AVX2
/// when the CPU has them.
macro_rules! dispatch {
    ($(#[$m:meta])* fn $name:ident / $fast:ident = $core:ident ($($a:ident : $t:ty),*) $(-> $r:ty)?) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "popcnt,avx2,bmi1")]
        fn $fast($($a: $t),*) $(-> $r)? {
            $core($($a),*)
        }

        $(#[$m])*
        pub(crate) fn $name($($a: $t),*) $(-> $r)? {
            #[cfg(target_arch = "x86_64")]
            if fast_cpu() {
                // SAFETY: the CPU supports every feature `$fast` is compiled for
                // (checked by `fast_cpu`), and `$fast` is otherwise plain safe code.
                return unsafe { $fast($($a),*) };
            }
            $core($($a),*)
        }
    };
}

dispatch! {
    /// Every word within `radius` of `q`, appended as `(id, distance)` in id order.
    fn scan / scan_fast = scan_core(words: &[[u64; 4]], q: &[u64; 4], radius: u32, out: &mut Vec<(u32, u32)>)
}

dispatch! {
    /// Every hash within `radius` of `q`, appended as `(id, distance)` in id order.
    fn scan_hashes / scan_hashes_fast = scan_hashes_core(hashes: &[PdqHash], q: &[u64; 4], radius: u32, out: &mut Vec<(u32, u32)>)
}

#[inline(always)]
fn scan_hashes_core(hashes: &[PdqHash], q: &[u64; 4], radius: u32, out: &mut Vec<(u32, u32)>) {
    for (id, h) in hashes.iter().enumerate() {
        let d = dist(&to_words(h), q);
        if d <= radius {
            out.push((id as u32, d));
        }
    }
}

dispatch! {
    /// Probe every table of `idx`; appends each hit within `radius` exactly once (unsorted).
    fn probe / probe_fast = probe_core(idx: &PdqIndex, q: &[u64; 4], radius: u32, out: &mut Vec<(u32, u32)>)
}

dispatch! {
    /// For each query, every word of `words` (ids from `base`) within `radius`,
    /// appended to that query's list (the batched brute-force scan).
    fn scan_many / scan_many_fast = scan_many_core(words: &[[u64; 4]], base: u32, queries: &[[u64; 4]], radius: u32, out: &mut [Vec<(u32, u32)>])
}

#[inline(always)]
fn scan_core(words: &[[u64; 4]], q: &[u64; 4], radius: u32, out: &mut Vec<(u32, u32)>) {
    for (id, w) in words.iter().enumerate() {
        let d = dist(w, q);
        if d <= radius {
            out.push((id as u32, d));
        }
    }
}

#[inline(always)]
fn scan_many_core(
    words: &[[u64; 4]],
    base: u32,
    queries: &[[u64; 4]],
    radius: u32,
    out: &mut [Vec<(u32, u32)>],
) {
    for (q, o) in queries.iter().zip(out.iter_mut()) {
        for (i, w) in words.iter().enumerate() {
            let d = dist(w, q);
            if d <= radius {
                o.push((base + i as u32, d));
            }
        }
    }
}

/// Bitmask of the residuals of a 32-entry block within `B` bits of `ql`.
#[inline(always)]
fn mask32<const B: u32>(block: &[u16; 32], ql: u16) -> u32 {
    let mut mask = 0u32;
    for (j, &r) in block.iter().enumerate() {
        // Clearing the lowest set bit B times leaves 0 iff at most B bits differ.
        let mut x = r ^ ql;
        for _ in 0..B {
            x &= x.wrapping_sub(1);
        }
        mask |= u32::from(x == 0) << j;
    }
    mask
}

/// Hands `hit` the positions (within `bucket`) of the residuals within `B`
/// bits of `ql`.
#[inline(always)]
fn scan_bucket<const B: u32>(bucket: &[u16], ql: u16, mut hit: impl FnMut(usize)) {
    let mut blocks = bucket.chunks_exact(32);
    let mut base = 0;
    for block in &mut blocks {
        if let Ok(block) = <&[u16; 32]>::try_from(block) {
            let mut mask = mask32::<B>(block, ql);
            while mask != 0 {
                hit(base + mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
        }
        base += 32;
    }
    for (j, &r) in blocks.remainder().iter().enumerate() {
        let mut x = r ^ ql;
        for _ in 0..B {
            x &= x.wrapping_sub(1);
        }
        if x == 0 {
            hit(base + j);
        }
    }
}

/// Hands `hit` the positions of the residuals equal to `ql` in a sorted
/// bucket: a 32-entry window at the interpolated rank (residuals are near
/// uniform) when the window provably holds them all, else the whole bucket.
#[inline(always)]
fn find_equal(bucket: &[u16], ql: u16, mut hit: impl FnMut(usize)) {
    let len = bucket.len();
    if len > 32 {
        let p = (usize::from(ql) * len) >> 16;
        let wlo = p.saturating_sub(16).min(len - 32);
        if let Some(Ok(win)) = bucket.get(wlo..wlo + 32).map(<&[u16; 32]>::try_from) {
            // Sorted: nothing equal lies before a smaller first or after a larger last entry.
            if (wlo == 0 || win[0] < ql) && (wlo + 32 == len || win[31] > ql) {
                let mut mask = mask32::<0>(win, ql);
                while mask != 0 {
                    hit(wlo + mask.trailing_zeros() as usize);
                    mask &= mask - 1;
                }
                return;
            }
        }
    }
    scan_bucket::<0>(bucket, ql, hit);
}

/// Hint the CPU to fetch `s[i]` into cache (no effect when out of bounds).
#[inline(always)]
fn prefetch<T>(s: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = s.get(i) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch never faults and only reads; the pointer is to a live element.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (s, i);
}

#[inline(always)]
fn probe_core(idx: &PdqIndex, q: &[u64; 4], radius: u32, out: &mut Vec<(u32, u32)>) {
    let n = idx.words.len();
    let k = radius / SUBSTRINGS as u32;
    let masks = &*MASKS;
    let used = &masks.masks[..masks.cum[k.min(16) as usize]];
    // Phase 1: every bucket to visit, as (table, directory entry, residual
    // budget), with the directory entry prefetched.
    let mut ranges: Vec<(u8, u32, u32, u8)> = Vec::with_capacity(SUBSTRINGS * used.len());
    for t in 0..SUBSTRINGS {
        let (qh, _) = idx.layout.halves(q, t);
        for &m in used {
            let d = t * (BUCKETS + 1) + usize::from(qh ^ m);
            prefetch(&idx.offsets, d);
            ranges.push((t as u8, d as u32, 0, (k - m.count_ones()).min(255) as u8));
        }
    }
    // Phase 2: bucket bounds, prefetching the lines that will be read.
    for r in &mut ranges {
        let d = r.1 as usize;
        let (Some(&lo), Some(&hi)) = (idx.offsets.get(d), idx.offsets.get(d + 1)) else {
            return;
        };
        let (lo, hi) = (lo as usize, hi as usize);
        let t = usize::from(r.0);
        let base = t * n;
        if r.3 == 0 {
            let (_, ql) = idx.layout.halves(q, t);
            prefetch(
                &idx.resid,
                base + lo + ((usize::from(ql) * (hi - lo)) >> 16),
            );
        } else {
            for i in (lo..hi).step_by(32) {
                prefetch(&idx.resid, base + i);
            }
        }
        (r.1, r.2) = (lo as u32, hi as u32);
    }
    // Phase 3: scan or search the residuals.
    let mut cands = Candidates {
        found: Vec::with_capacity(256),
    };
    for &(t, lo, hi, budget) in &ranges {
        let t = usize::from(t);
        let (lo, hi) = (lo as usize, hi as usize);
        let (_, ql) = idx.layout.halves(q, t);
        let Some(bucket) = idx.resid.get(t * n + lo..t * n + hi) else {
            continue;
        };
        let mut hit = |j: usize| cands.push(idx, t, lo + j);
        match budget {
            0 => find_equal(bucket, ql, hit),
            1 => scan_bucket::<1>(bucket, ql, hit),
            2 => scan_bucket::<2>(bucket, ql, hit),
            3 => scan_bucket::<3>(bucket, ql, hit),
            b if b >= 16 => (0..bucket.len()).for_each(hit),
            b => {
                for (j, &r) in bucket.iter().enumerate() {
                    if (r ^ ql).count_ones() <= u32::from(b) {
                        hit(j);
                    }
                }
            }
        }
    }
    // Phase 4: verify.
    cands.verify(idx, q, radius, k, |t| t, out);
}

/// The first substring of `w` within `k` of the query's.
#[inline(always)]
fn first_table(w: &[u64; 4], q: &[u64; 4], k: u32) -> usize {
    (0..SUBSTRINGS)
        .find(|&p| (key(w, p) ^ key(q, p)).count_ones() <= k)
        .unwrap_or(SUBSTRINGS)
}

/// Bitmask of the residuals of a 32-entry block whose distance to `q` is in `lo..=hi`.
#[inline(always)]
fn mask32_range(block: &[u16; 32], q: u16, lo: u32, hi: u32) -> u32 {
    let mut mask = 0u32;
    for (j, &r) in block.iter().enumerate() {
        let d = (r ^ q).count_ones();
        mask |= u32::from(d >= lo && d <= hi) << j;
    }
    mask
}

/// Hands `hit` the positions (within `bucket`) of the residuals whose
/// distance to `q` is in `lo..=hi`.
#[inline(always)]
fn scan_range(bucket: &[u16], q: u16, lo: u32, hi: u32, mut hit: impl FnMut(usize)) {
    let mut blocks = bucket.chunks_exact(32);
    let mut base = 0;
    for block in &mut blocks {
        if let Ok(block) = <&[u16; 32]>::try_from(block) {
            let mut mask = mask32_range(block, q, lo, hi);
            while mask != 0 {
                hit(base + mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
        }
        base += 32;
    }
    for (j, &r) in blocks.remainder().iter().enumerate() {
        let d = (r ^ q).count_ones();
        if d >= lo && d <= hi {
            hit(base + j);
        }
    }
}

dispatch! {
    /// Probe every table of a [`crate::Layout::Fast`] index; appends each hit
    /// within `radius` exactly once (unsorted).
    fn probe_fast_layout / probe_fast_layout_fast = probe_fast_layout_core(idx: &PdqIndex, q: &[u64; 4], radius: u32, out: &mut Vec<(u32, u32)>)
}

/// Candidates found in the tables, verified in batches so that the random
/// reads of ids and hashes overlap instead of queueing one after another.
struct Candidates {
    /// `(table, entry)` pairs whose substring is within the substring radius.
    found: Vec<(u32, u32)>,
}

impl Candidates {
    #[inline(always)]
    fn push(&mut self, idx: &PdqIndex, t: usize, i: usize) {
        let n = idx.words.len();
        prefetch(&idx.ids, (t * n + i) * idx.id_bytes);
        self.found.push((t as u32, i as u32));
    }

    /// Verify every candidate: full distance within `radius`, reported only
    /// from the first substring within `k` (`substring(t)` maps a table to it).
    #[inline(always)]
    fn verify(
        &mut self,
        idx: &PdqIndex,
        q: &[u64; 4],
        radius: u32,
        k: u32,
        substring: impl Fn(usize) -> usize,
        out: &mut Vec<(u32, u32)>,
    ) {
        // Ids replace entries, and their hashes are prefetched.
        for c in &mut self.found {
            let id = idx.id_at(c.0 as usize, c.1 as usize);
            prefetch(&idx.words, id as usize);
            c.1 = id;
        }
        for &(t, id) in &self.found {
            let Some(w) = idx.words.get(id as usize) else {
                continue;
            };
            let d = dist(w, q);
            if d <= radius && first_table(w, q, k) == substring(t as usize) {
                out.push((id, d));
            }
        }
    }
}

#[inline(always)]
fn probe_fast_layout_core(idx: &PdqIndex, q: &[u64; 4], radius: u32, out: &mut Vec<(u32, u32)>) {
    let n = idx.words.len();
    let k = radius / SUBSTRINGS as u32;
    let (kh, kl) = fast_split(k);
    let masks = &*MASKS;
    // Phase 1: every bucket to scan, as (table, directory entry, key
    // distance), with the directory entry prefetched.
    let mut ranges: Vec<(u8, u32, u32, u8)> = Vec::with_capacity(2 * SUBSTRINGS * 17);
    for t in 0..2 * SUBSTRINGS {
        let kr = if t % 2 == 0 {
            kh
        } else {
            match kl {
                Some(kl) if kh < 16 => kl,
                _ => continue,
            }
        };
        let (qkey, _) = idx.layout.halves(q, t);
        for &m in &masks.masks[..masks.cum[kr.min(16) as usize]] {
            let d = t * (BUCKETS + 1) + usize::from(qkey ^ m);
            prefetch(&idx.offsets, d);
            ranges.push((t as u8, d as u32, 0, m.count_ones() as u8));
        }
    }
    // Phase 2: bucket bounds, with every line of the bucket prefetched.
    for r in &mut ranges {
        let d = r.1 as usize;
        let (Some(&lo), Some(&hi)) = (idx.offsets.get(d), idx.offsets.get(d + 1)) else {
            return;
        };
        let base = usize::from(r.0) * n;
        for i in (lo as usize..hi as usize).step_by(32) {
            prefetch(&idx.resid, base + i);
        }
        prefetch(&idx.resid, base + hi as usize);
        (r.1, r.2) = (lo, hi);
    }
    // Phase 3: scan the residuals of each bucket.
    let mut cands = Candidates {
        found: Vec::with_capacity(256),
    };
    for &(t, lo, hi, w) in &ranges {
        let t = usize::from(t);
        let (lo, hi) = (lo as usize, hi as usize);
        let (_, qres) = idx.layout.halves(q, t);
        // Residual distances this table takes for a key at distance w: [rmin, k - w].
        let rmin = if t % 2 == 0 { 0 } else { kh + 1 };
        let rmax = k - u32::from(w);
        let Some(bucket) = idx.resid.get(t * n + lo..t * n + hi) else {
            continue;
        };
        if rmin == 0 && rmax >= 16 {
            (lo..hi).for_each(|i| cands.push(idx, t, i));
        } else {
            scan_range(bucket, qres, rmin, rmax, |j| cands.push(idx, t, lo + j));
        }
    }
    // Phase 4: verify.
    cands.verify(idx, q, radius, k, |t| t / 2, out);
}
