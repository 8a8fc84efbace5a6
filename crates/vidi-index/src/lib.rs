//! Exact radius search over 256-bit PDQ hashes by multi-index hashing.
//!
//! The 256 bits are split into `m` disjoint substrings of `w` bits (`m * w = 256`).
//! If two hashes are within Hamming distance `r`, the substring distances add up
//! to at most `r`, so by pigeonhole at least one substring is within
//! `floor(r / m)` of the query's. Each substring has its own table (a CSR layout:
//! `2^w + 1` offsets and the ids sorted by substring value); a query enumerates
//! every value within `floor(r / m)` of each of its substrings, collects the
//! ids found there and verifies each with a full popcount distance. Nothing
//! within the radius can be missed, and nothing outside it is returned.
//!
//! When the radius is so large that probing would touch more entries than a
//! scan, [`PdqIndex::search`] scans instead (still exact).
#![warn(missing_docs)]

mod persist;

use vidi_types::PdqHash;

pub use persist::IndexError;

/// Width of the substrings the 256 bits are split into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubstringWidth {
    /// 32 tables of 8-bit substrings (radius 31 probes each table exactly).
    Bits8,
    /// 16 tables of 16-bit substrings (radius 31 probes 17 values per table).
    Bits16,
}

impl SubstringWidth {
    /// Bits per substring.
    pub fn bits(self) -> u32 {
        match self {
            SubstringWidth::Bits8 => 8,
            SubstringWidth::Bits16 => 16,
        }
    }

    /// Number of substrings (tables).
    pub fn tables(self) -> usize {
        (256 / self.bits()) as usize
    }

    fn from_bits(bits: u32) -> Option<Self> {
        match bits {
            8 => Some(SubstringWidth::Bits8),
            16 => Some(SubstringWidth::Bits16),
            _ => None,
        }
    }

    /// Number of possible values of one substring.
    fn buckets(self) -> usize {
        1usize << self.bits()
    }
}

/// An exact multi-index-hashing radius-search index over PDQ hashes.
///
/// Ids are the positions of the hashes in the slice given to [`PdqIndex::build`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdqIndex {
    width: SubstringWidth,
    /// The hashes as little-endian words (same bytes as `PdqHash`).
    words: Vec<[u64; 4]>,
    /// Per table, `buckets + 1` offsets into that table's slice of `ids`.
    offsets: Vec<u32>,
    /// Per table, `len` ids sorted by that table's substring value.
    ids: Vec<u32>,
}

#[inline]
fn to_words(h: &PdqHash) -> [u64; 4] {
    let mut w = [0u64; 4];
    for (i, c) in h.0.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        w[i] = u64::from_le_bytes(b);
    }
    w
}

#[inline]
fn dist(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

/// Substring `t` of a hash for the given width.
#[inline]
fn key(width: SubstringWidth, w: &[u64; 4], t: usize) -> usize {
    let bits = width.bits() as usize;
    let per_word = 64 / bits;
    let mask = (1u64 << bits) - 1;
    ((w[t / per_word] >> ((t % per_word) * bits)) & mask) as usize
}

/// Calls `f` with every `bits`-bit value within Hamming distance `k` of `v`,
/// each exactly once.
fn for_each_within(v: usize, bits: u32, k: u32, f: &mut impl FnMut(usize)) {
    fn rec(v: usize, start: u32, left: u32, bits: u32, f: &mut impl FnMut(usize)) {
        f(v);
        if left == 0 {
            return;
        }
        for b in start..bits {
            rec(v ^ (1usize << b), b + 1, left - 1, bits, f);
        }
    }
    rec(v, 0, k, bits, f);
}

/// Number of `bits`-bit values within distance `k` of a value.
fn ball_size(bits: u32, k: u32) -> u64 {
    let mut total = 0u64;
    let mut c = 1u64; // C(bits, i)
    for i in 0..=k.min(bits) {
        total = total.saturating_add(c);
        c = c.saturating_mul(u64::from(bits - i)) / u64::from(i + 1);
    }
    total
}

impl PdqIndex {
    /// Build with 16 tables of 16-bit substrings (the faster choice at radius 31;
    /// see `docs/benchmarks.md`, "PDQ index").
    ///
    /// # Panics
    /// If `hashes` has more than `u32::MAX` entries (ids are `u32`).
    pub fn build(hashes: &[PdqHash]) -> PdqIndex {
        Self::build_with(hashes, SubstringWidth::Bits16)
    }

    /// Build with an explicit substring width.
    ///
    /// # Panics
    /// If `hashes` has more than `u32::MAX` entries (ids are `u32`).
    pub fn build_with(hashes: &[PdqHash], width: SubstringWidth) -> PdqIndex {
        assert!(
            u32::try_from(hashes.len()).is_ok(),
            "PdqIndex holds at most u32::MAX hashes"
        );
        let n = hashes.len();
        let words: Vec<[u64; 4]> = hashes.iter().map(to_words).collect();
        let tables = width.tables();
        let buckets = width.buckets();
        let mut offsets = vec![0u32; tables * (buckets + 1)];
        let mut ids = vec![0u32; tables * n];
        for t in 0..tables {
            let off = &mut offsets[t * (buckets + 1)..(t + 1) * (buckets + 1)];
            for w in &words {
                off[key(width, w, t) + 1] += 1;
            }
            for b in 0..buckets {
                off[b + 1] += off[b];
            }
            let mut cursor: Vec<u32> = off[..buckets].to_vec();
            let tid = &mut ids[t * n..(t + 1) * n];
            for (id, w) in words.iter().enumerate() {
                let k = key(width, w, t);
                tid[cursor[k] as usize] = id as u32;
                cursor[k] += 1;
            }
        }
        tracing::debug!(n, tables, "built PDQ index");
        PdqIndex {
            width,
            words,
            offsets,
            ids,
        }
    }

    /// Number of hashes indexed.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the index holds no hash.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The substring width the index was built with.
    pub fn width(&self) -> SubstringWidth {
        self.width
    }

    /// The indexed hash with this id, if any.
    pub fn hash(&self, id: u32) -> Option<PdqHash> {
        let w = self.words.get(id as usize)?;
        let mut b = [0u8; 32];
        for (i, x) in w.iter().enumerate() {
            b[i * 8..i * 8 + 8].copy_from_slice(&x.to_le_bytes());
        }
        Some(PdqHash(b))
    }

    /// Every indexed hash within `radius` of `q`, as `(id, distance)` sorted by id.
    /// `out` is cleared first. Exact: no false negative, no false positive.
    pub fn search(&self, q: &PdqHash, radius: u32, out: &mut Vec<(u32, u32)>) {
        out.clear();
        let n = self.words.len();
        if n == 0 {
            return;
        }
        let qw = to_words(q);
        let tables = self.width.tables();
        let bits = self.width.bits();
        let k = radius / tables as u32;
        // Expected entries touched when probing; scan when that is not cheaper.
        let probes = ball_size(bits, k).saturating_mul(tables as u64);
        let expected = probes.saturating_mul(n as u64) >> bits;
        if k >= bits || probes.saturating_add(expected) >= n as u64 {
            scan_words(&self.words, &qw, radius, out);
            return;
        }
        let buckets = self.width.buckets();
        for t in 0..tables {
            let off = &self.offsets[t * (buckets + 1)..(t + 1) * (buckets + 1)];
            let tid = &self.ids[t * n..(t + 1) * n];
            let qk = key(self.width, &qw, t);
            for_each_within(qk, bits, k, &mut |v| {
                let (lo, hi) = (off[v] as usize, off[v + 1] as usize);
                for &id in &tid[lo..hi] {
                    let w = &self.words[id as usize];
                    // Count each hit once: only in the first table where it can be found.
                    let d = dist(w, &qw);
                    if d <= radius && first_table(self.width, w, &qw, k) == t {
                        out.push((id, d));
                    }
                }
            });
        }
        out.sort_unstable();
    }

    /// Memory held per indexed hash, in bytes (hashes, offsets and ids).
    pub fn bytes_per_hash(&self) -> f64 {
        if self.words.is_empty() {
            return 0.0;
        }
        let bytes = self.words.len() * 32 + self.offsets.len() * 4 + self.ids.len() * 4;
        bytes as f64 / self.words.len() as f64
    }
}

/// The first table whose substring of `w` is within `k` of the query's.
#[inline]
fn first_table(width: SubstringWidth, w: &[u64; 4], q: &[u64; 4], k: u32) -> usize {
    let tables = width.tables();
    (0..tables)
        .find(|&t| ((key(width, w, t) ^ key(width, q, t)) as u64).count_ones() <= k)
        .unwrap_or(tables)
}

fn scan_words(words: &[[u64; 4]], q: &[u64; 4], radius: u32, out: &mut Vec<(u32, u32)>) {
    for (id, w) in words.iter().enumerate() {
        let d = dist(w, q);
        if d <= radius {
            out.push((id as u32, d));
        }
    }
}

/// The popcount scan baseline: every hash within `radius` of `q` as
/// `(id, distance)`, sorted by id (id = position in `hashes`). `out` is cleared first.
pub fn brute_force(hashes: &[PdqHash], q: &PdqHash, radius: u32, out: &mut Vec<(u32, u32)>) {
    out.clear();
    let qw = to_words(q);
    for (id, h) in hashes.iter().enumerate() {
        let d = dist(&to_words(h), &qw);
        if d <= radius {
            out.push((id as u32, d));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ball_sizes() {
        assert_eq!(ball_size(16, 0), 1);
        assert_eq!(ball_size(16, 1), 17);
        assert_eq!(ball_size(16, 2), 1 + 16 + 120);
        assert_eq!(ball_size(8, 8), 256);
    }

    #[test]
    fn enumeration_is_exact() {
        for k in 0..=3 {
            let mut seen = Vec::new();
            for_each_within(0b1010_0101, 8, k, &mut |v| seen.push(v));
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), seen.len());
            assert_eq!(seen.len() as u64, ball_size(8, k));
            assert!(
                seen.iter()
                    .all(|v| ((v ^ 0b1010_0101) as u32).count_ones() <= k)
            );
        }
    }

    #[test]
    fn keys_cover_all_bits() {
        for width in [SubstringWidth::Bits8, SubstringWidth::Bits16] {
            let ones = [u64::MAX; 4];
            let total: u32 = (0..width.tables())
                .map(|t| (key(width, &ones, t) as u64).count_ones())
                .sum();
            assert_eq!(total, 256);
        }
    }

    #[test]
    fn empty_index() {
        let idx = PdqIndex::build(&[]);
        let mut out = vec![(1, 1)];
        idx.search(&PdqHash::default(), 31, &mut out);
        assert!(out.is_empty());
        assert!(idx.is_empty());
    }
}
