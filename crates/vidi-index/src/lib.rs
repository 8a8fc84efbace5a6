//! Exact radius search over 256-bit PDQ hashes by multi-index hashing.
//!
//! The 256 bits are split into 8 disjoint 32-bit substrings. If two hashes are
//! within Hamming distance `r`, the substring distances add up to at most `r`,
//! so by pigeonhole at least one substring is within `k = floor(r / 8)` of the
//! query's (k = 3 at the PDQ match radius 31). Each substring is cut into a
//! high and a low 16-bit half.
//!
//! A table lists every hash once, bucketed by a 16-bit *key* half (a dense
//! directory of `2^16 + 1` offsets), with the other half of the same substring
//! stored inline as the *residual* (sorted within a bucket) and the id (3 bytes
//! while the index holds at most 2^24 hashes, else 4). Two layouts:
//!
//! - [`Layout::Fast`] (the default): two tables per substring, one keyed by each
//!   half. A substring within `k` has its high half within `floor(k/2)`, or else
//!   its low half within `ceil(k/2) - 1`; so a query visits, per table, only the
//!   buckets within 1 bit of its key at k = 3 (17 buckets, 272 in all) and scans
//!   each bucket's residuals sequentially, keeping those within the remaining
//!   budget. 16 tables: 32 + 16 * 5 = 112 bytes per hash.
//! - [`Layout::Compact`]: one table per substring, keyed by the high half; a
//!   query visits every bucket within `k` of its key (697 at k = 3), scanning
//!   the residuals when budget remains and finding the equal residual at the
//!   interpolated rank otherwise. 8 tables: 32 + 8 * 5 = 72 bytes per hash, about
//!   4 times slower at 10 million hashes (more random memory accesses).
//!
//! Only entries whose whole substring is within `k` (about `N * 5489 / 2^32`
//! per substring for random hashes) touch the hash array, where the full
//! popcount distance decides, and a hit is reported only from the first
//! substring within `k`. Nothing within the radius can be missed, and nothing
//! outside it is returned. When the radius is so large that probing would
//! cost more than a scan, [`PdqIndex::search`] scans instead (still exact).
#![warn(missing_docs)]

pub mod bench;
mod persist;
mod popcount;

use std::sync::LazyLock;

use vidi_types::PdqHash;

pub use persist::IndexError;

/// Number of 32-bit substrings.
pub const SUBSTRINGS: usize = 8;
/// Buckets per table directory (top 16 bits of a substring).
const BUCKETS: usize = 1 << 16;
/// Hashes above this count store 4-byte ids instead of 3-byte ones.
const MAX_3BYTE_IDS: usize = 1 << 24;

/// Table layout (see the crate documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// 16 tables, two per 32-bit substring (one keyed by each half): fastest.
    Fast,
    /// 8 tables, one per 32-bit substring (keyed by the high half): 40 bytes per hash less.
    Compact,
}

impl Layout {
    /// Number of tables.
    pub fn tables(self) -> usize {
        match self {
            Layout::Fast => 16,
            Layout::Compact => 8,
        }
    }

    fn from_tables(t: u8) -> Option<Layout> {
        match t {
            16 => Some(Layout::Fast),
            8 => Some(Layout::Compact),
            _ => None,
        }
    }

    /// `(key, residual)` halves of `w` for table `t`.
    #[inline(always)]
    fn halves(self, w: &[u64; 4], t: usize) -> (u16, u16) {
        let (p, swap) = match self {
            Layout::Fast => (t / 2, t % 2 == 1),
            Layout::Compact => (t, false),
        };
        let s = key(w, p);
        let (hi, lo) = ((s >> 16) as u16, s as u16);
        if swap { (lo, hi) } else { (hi, lo) }
    }
}

/// How [`PdqIndex::search_with`] finds the neighbours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchPlan {
    /// Probe or scan, whichever the cost model expects to be cheaper.
    Auto,
    /// Always probe the tables (any radius; slow when the radius is large).
    Probe,
    /// Always scan every hash.
    Scan,
}

/// An exact multi-index-hashing radius-search index over PDQ hashes.
///
/// Ids are the positions of the hashes in the slice given to [`PdqIndex::build`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdqIndex {
    layout: Layout,
    /// The hashes as little-endian words (same bytes as `PdqHash`).
    words: Vec<[u64; 4]>,
    /// Per table, `BUCKETS + 1` offsets into that table's entries.
    offsets: Vec<u32>,
    /// Per table, `len` residuals (the other half of the substring), sorted within a bucket.
    resid: Vec<u16>,
    /// Per table, `len` little-endian ids of `id_bytes` bytes, then 4 zero bytes of padding.
    ids: Vec<u8>,
    /// 3 or 4.
    id_bytes: usize,
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

fn from_words(w: &[u64; 4]) -> PdqHash {
    let mut b = [0u8; 32];
    for (i, x) in w.iter().enumerate() {
        b[i * 8..i * 8 + 8].copy_from_slice(&x.to_le_bytes());
    }
    PdqHash(b)
}

/// Substring `p` (32 bits) of a hash.
#[inline]
fn key(w: &[u64; 4], p: usize) -> u32 {
    (w[p / 2] >> ((p % 2) * 32)) as u32
}

/// Id width used for an index of `n` hashes.
fn id_bytes_for(n: usize) -> usize {
    if n <= MAX_3BYTE_IDS { 3 } else { 4 }
}

/// A zeroed vector of `len` elements whose memory the kernel is asked to back
/// with transparent huge pages (Linux, where THP is in `madvise` mode): the
/// tables are read at random, and 2 MiB pages spare most TLB misses.
fn huge_vec<T: Clone + Default>(len: usize) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(len);
    advise_huge(&mut v);
    v.resize(len, T::default());
    v
}

/// Ask for huge pages over the whole capacity of `v` (pages not yet written
/// get them; written ones keep what they have).
#[allow(clippy::ptr_arg)]
fn advise_huge<T>(v: &mut Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes < 2 * HUGE {
            return;
        }
        let start = v.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(HUGE);
        let len = (start + bytes - aligned) / HUGE * HUGE;
        // SAFETY: the range lies inside the allocation owned by `v`; the advice
        // changes only how the kernel backs those pages, never their contents.
        let rc = unsafe { libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
        if rc != 0 {
            tracing::debug!("madvise(MADV_HUGEPAGE) refused");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// All 16-bit masks ordered by popcount, and for each weight `j` the number of
/// masks of weight `<= j` (`CUM[j]`).
struct Masks {
    masks: Vec<u16>,
    cum: [usize; 17],
}

static MASKS: LazyLock<Masks> = LazyLock::new(|| {
    let mut masks: Vec<u16> = (0..=u16::MAX).collect();
    masks.sort_by_key(|m| (m.count_ones(), *m));
    let mut cum = [0usize; 17];
    for m in &masks {
        cum[m.count_ones() as usize] += 1;
    }
    for j in 1..17 {
        cum[j] += cum[j - 1];
    }
    Masks { masks, cum }
});

/// `C(16, j)`.
fn binom16(j: u32) -> u64 {
    let mut c = 1u64;
    for i in 0..j.min(16) {
        c = c * u64::from(16 - i) / u64::from(i + 1);
    }
    if j > 16 { 0 } else { c }
}

impl PdqIndex {
    /// Build the index with the default [`Layout::Fast`].
    ///
    /// # Panics
    /// If `hashes` has more than `u32::MAX` entries (ids are `u32`).
    pub fn build(hashes: &[PdqHash]) -> PdqIndex {
        Self::build_with(hashes, Layout::Fast)
    }

    /// Build the index with the given layout (one thread).
    ///
    /// # Panics
    /// If `hashes` has more than `u32::MAX` entries (ids are `u32`).
    pub fn build_with(hashes: &[PdqHash], layout: Layout) -> PdqIndex {
        Self::build_inner(hashes, layout, id_bytes_for(hashes.len()))
    }

    fn build_inner(hashes: &[PdqHash], layout: Layout, id_bytes: usize) -> PdqIndex {
        assert!(
            u32::try_from(hashes.len()).is_ok(),
            "PdqIndex holds at most u32::MAX hashes"
        );
        let n = hashes.len();
        let tables = layout.tables();
        let mut words: Vec<[u64; 4]> = Vec::with_capacity(n);
        advise_huge(&mut words);
        words.extend(hashes.iter().map(to_words));
        let mut offsets: Vec<u32> = huge_vec(tables * (BUCKETS + 1));
        let mut resid: Vec<u16> = huge_vec(tables * n);
        let mut ids: Vec<u8> = huge_vec(tables * n * id_bytes + 4);
        // (key << 48 | residual << 32 | id), radix-sorted by key and residual
        // in two stable 16-bit passes.
        let mut a = vec![0u64; n];
        let mut b = vec![0u64; n];
        let mut count = vec![0u32; BUCKETS + 1];
        for t in 0..tables {
            for (i, (x, w)) in a.iter_mut().zip(&words).enumerate() {
                let (k, r) = layout.halves(w, t);
                *x = (u64::from(k) << 48) | (u64::from(r) << 32) | i as u64;
            }
            radix_pass(&a, &mut b, &mut count, 32);
            radix_pass(&b, &mut a, &mut count, 48);
            // After the second pass, `count[h]` is the start of bucket h.
            let off = &mut offsets[t * (BUCKETS + 1)..(t + 1) * (BUCKETS + 1)];
            off[..BUCKETS].copy_from_slice(&count[..BUCKETS]);
            off[BUCKETS] = n as u32;
            let r = &mut resid[t * n..(t + 1) * n];
            let idt = &mut ids[t * n * id_bytes..(t + 1) * n * id_bytes];
            for ((x, r), id) in a
                .iter()
                .zip(r.iter_mut())
                .zip(idt.chunks_exact_mut(id_bytes))
            {
                *r = (x >> 32) as u16;
                id.copy_from_slice(&(*x as u32).to_le_bytes()[..id_bytes]);
            }
        }
        tracing::debug!(n, ?layout, "built PDQ index");
        PdqIndex {
            layout,
            words,
            offsets,
            resid,
            ids,
            id_bytes,
        }
    }

    /// The table layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Number of hashes indexed.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the index holds no hash.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The indexed hash with this id, if any.
    pub fn hash(&self, id: u32) -> Option<PdqHash> {
        self.words.get(id as usize).map(from_words)
    }

    /// Every indexed hash within `radius` of `q`, as `(id, distance)` sorted by id.
    /// `out` is cleared first. Exact: no false negative, no false positive.
    pub fn search(&self, q: &PdqHash, radius: u32, out: &mut Vec<(u32, u32)>) {
        self.search_with(q, radius, SearchPlan::Auto, out);
    }

    /// [`PdqIndex::search`] with an explicit plan (all plans give the same result).
    pub fn search_with(
        &self,
        q: &PdqHash,
        radius: u32,
        plan: SearchPlan,
        out: &mut Vec<(u32, u32)>,
    ) {
        out.clear();
        if self.words.is_empty() {
            return;
        }
        let qw = to_words(q);
        let probe = match plan {
            SearchPlan::Probe => true,
            SearchPlan::Scan => false,
            SearchPlan::Auto => self.probe_is_cheaper(radius),
        };
        if probe {
            match self.layout {
                Layout::Fast => popcount::probe_fast_layout(self, &qw, radius, out),
                Layout::Compact => popcount::probe(self, &qw, radius, out),
            }
            out.sort_unstable();
        } else {
            popcount::scan(&self.words, &qw, radius, out);
        }
    }

    /// Cost model: entries touched by probing against a scan of every hash.
    fn probe_is_cheaper(&self, radius: u32) -> bool {
        let n = self.words.len() as u64;
        let k = radius / SUBSTRINGS as u32;
        if k >= 32 {
            return false;
        }
        let per_bucket = n / BUCKETS as u64 + 1;
        let buckets_upto = |w: u32| (0..=w.min(16)).map(binom16).sum::<u64>();
        let cost = match self.layout {
            Layout::Fast => {
                let (kh, kl) = fast_split(k);
                let visits = buckets_upto(kh) + kl.map_or(0, buckets_upto);
                visits.saturating_mul(12 + per_bucket)
            }
            Layout::Compact => (0..=k.min(16))
                .map(|j| {
                    let each = if k - j == 0 { 24 } else { 12 + per_bucket };
                    binom16(j).saturating_mul(each)
                })
                .sum(),
        };
        cost.saturating_mul(SUBSTRINGS as u64) < n.saturating_mul(3)
    }

    /// Bytes held in memory by the index (hashes, directories, residuals, ids).
    pub fn heap_bytes(&self) -> usize {
        self.words.len() * 32 + self.offsets.len() * 4 + self.resid.len() * 2 + self.ids.len()
    }

    /// Memory held per indexed hash, in bytes (everything in [`PdqIndex::heap_bytes`]).
    pub fn bytes_per_hash(&self) -> f64 {
        if self.words.is_empty() {
            return 0.0;
        }
        self.heap_bytes() as f64 / self.words.len() as f64
    }

    /// Id stored at entry `i` of table `t`.
    #[inline]
    fn id_at(&self, t: usize, i: usize) -> u32 {
        let n = self.words.len();
        let p = (t * n + i) * self.id_bytes;
        let mask = if self.id_bytes == 3 {
            0x00FF_FFFF
        } else {
            u32::MAX
        };
        match self.ids.get(p..p + 4) {
            Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) & mask,
            None => u32::MAX,
        }
    }
}

/// For substring radius `k` in [`Layout::Fast`]: the key radius of the
/// high-keyed table (`floor(k/2)`), and of the low-keyed table
/// (`ceil(k/2) - 1`, none when `k = 0`), which only takes entries whose high
/// half is beyond `floor(k/2)`.
fn fast_split(k: u32) -> (u32, Option<u32>) {
    (k / 2, k.div_ceil(2).checked_sub(1))
}

/// One stable counting-sort pass of `src` into `dst` by the 16 bits at `shift`.
/// Leaves in `count[v]` the start of value `v` in `dst`.
fn radix_pass(src: &[u64], dst: &mut [u64], count: &mut [u32], shift: u32) {
    count.fill(0);
    for x in src {
        count[((x >> shift) & 0xFFFF) as usize + 1] += 1;
    }
    for v in 0..BUCKETS {
        count[v + 1] += count[v];
    }
    let mut cursor = count[..BUCKETS].to_vec();
    for &x in src {
        let v = ((x >> shift) & 0xFFFF) as usize;
        dst[cursor[v] as usize] = x;
        cursor[v] += 1;
    }
}

/// The popcount scan baseline: every hash within `radius` of `q` as
/// `(id, distance)`, sorted by id (id = position in `hashes`). `out` is cleared first.
pub fn brute_force(hashes: &[PdqHash], q: &PdqHash, radius: u32, out: &mut Vec<(u32, u32)>) {
    out.clear();
    popcount::scan_hashes(hashes, &to_words(q), radius, out);
}

/// The popcount scan over hashes already held as words (the index's own
/// layout; what [`bench`] times): every word within `radius` of `q`.
pub(crate) fn brute_force_words(
    words: &[[u64; 4]],
    q: &[u64; 4],
    radius: u32,
    out: &mut Vec<(u32, u32)>,
) {
    out.clear();
    popcount::scan(words, q, radius, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_ordered_by_weight() {
        let m = &*MASKS;
        assert_eq!(m.cum[0], 1);
        assert_eq!(m.cum[1], 17);
        assert_eq!(m.cum[3], 697);
        assert_eq!(m.cum[16], 65536);
        for j in 0..=16u32 {
            assert_eq!(
                m.cum[j as usize] - if j == 0 { 0 } else { m.cum[j as usize - 1] },
                binom16(j) as usize
            );
        }
        assert!(
            m.masks
                .windows(2)
                .all(|p| p[0].count_ones() <= p[1].count_ones())
        );
    }

    #[test]
    fn keys_cover_all_bits() {
        let ones = [u64::MAX; 4];
        let total: u32 = (0..SUBSTRINGS).map(|p| key(&ones, p).count_ones()).sum();
        assert_eq!(total, 256);
        let w = [0x0123_4567_89AB_CDEF, 0x1122_3344_5566_7788, 3, 4];
        assert_eq!(Layout::Fast.halves(&w, 0), (0x89AB, 0xCDEF));
        assert_eq!(Layout::Fast.halves(&w, 1), (0xCDEF, 0x89AB));
        assert_eq!(Layout::Fast.halves(&w, 2), (0x0123, 0x4567));
        assert_eq!(Layout::Compact.halves(&w, 1), (0x0123, 0x4567));
        assert_eq!(Layout::Compact.halves(&w, 2), (0x5566, 0x7788));
    }

    #[test]
    fn four_byte_ids_search_exactly() {
        let data = crate::bench::planted(700, 2, 5);
        for layout in [Layout::Fast, Layout::Compact] {
            let idx = PdqIndex::build_inner(&data.hashes, layout, 4);
            assert_eq!(idx.ids.len(), layout.tables() * 700 * 4 + 4);
            let r = crate::bench::check_against_scan(&idx, &data, SearchPlan::Probe, 0..=40);
            assert_eq!(r, Ok(()));
        }
    }

    #[test]
    fn fast_split_covers() {
        assert_eq!(fast_split(0), (0, None));
        assert_eq!(fast_split(1), (0, Some(0)));
        assert_eq!(fast_split(3), (1, Some(1)));
        assert_eq!(fast_split(4), (2, Some(1)));
        // Every (d_hi, d_lo) with d_hi + d_lo <= k is taken by exactly one table.
        for k in 0..40u32 {
            let (kh, kl) = fast_split(k);
            for dh in 0..=k {
                for dl in 0..=k - dh {
                    let hi_table = dh <= kh;
                    let lo_table = kl.is_some_and(|kl| dl <= kl) && dh > kh;
                    assert!(hi_table != lo_table, "k {k} dh {dh} dl {dl}");
                }
            }
        }
    }

    #[test]
    fn empty_index() {
        let idx = PdqIndex::build(&[]);
        let mut out = vec![(1, 1)];
        idx.search(&PdqHash::default(), 31, &mut out);
        assert!(out.is_empty());
        assert!(idx.is_empty());
        idx.search_with(&PdqHash::default(), 31, SearchPlan::Probe, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn ids_round_trip_through_bytes() {
        let hashes: Vec<PdqHash> = (0..300u32)
            .map(|i| {
                let mut b = [0u8; 32];
                b[..4].copy_from_slice(&i.wrapping_mul(2_654_435_761).to_le_bytes());
                PdqHash(b)
            })
            .collect();
        let idx = PdqIndex::build(&hashes);
        for t in 0..idx.layout.tables() {
            let mut seen = vec![false; hashes.len()];
            for i in 0..hashes.len() {
                let id = idx.id_at(t, i) as usize;
                assert!(!seen[id]);
                seen[id] = true;
            }
        }
    }
}
