//! Integration tests for vidi-index: exactness against brute force, persistence.

use proptest::prelude::*;
use vidi_index::{IndexError, PdqIndex, SubstringWidth, brute_force};
use vidi_types::PdqHash;

/// Small deterministic generator (splitmix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn hash(&mut self) -> PdqHash {
        let mut b = [0u8; 32];
        for c in b.chunks_exact_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        PdqHash(b)
    }
    /// `h` with exactly `d` distinct bits flipped.
    fn flip(&mut self, h: &PdqHash, d: u32) -> PdqHash {
        let mut out = *h;
        let mut flipped = [false; 256];
        let mut left = d;
        while left > 0 {
            let bit = (self.next() % 256) as usize;
            if !flipped[bit] {
                flipped[bit] = true;
                out.0[bit / 8] ^= 1 << (bit % 8);
                left -= 1;
            }
        }
        out
    }
}

/// A random set where the query has planted neighbours at each distance 0..=40.
fn planted(seed: u64, n_random: usize) -> (Vec<PdqHash>, PdqHash) {
    let mut rng = Rng(seed);
    let q = rng.hash();
    let mut set: Vec<PdqHash> = (0..n_random).map(|_| rng.hash()).collect();
    for d in 0..=40 {
        let h = rng.flip(&q, d);
        let at = (rng.next() as usize) % (set.len() + 1);
        set.insert(at, h);
    }
    // Some near-duplicates of each other too, so buckets hold collisions.
    for i in 0..20 {
        let base = set[i * 7 % set.len()];
        let d = (rng.next() % 41) as u32;
        set.push(rng.flip(&base, d));
    }
    (set, q)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn search_equals_brute_force(seed in any::<u64>(), n in 0usize..3000, wide in any::<bool>()) {
        let (set, q) = planted(seed, n);
        let width = if wide { SubstringWidth::Bits16 } else { SubstringWidth::Bits8 };
        let idx = PdqIndex::build_with(&set, width);
        prop_assert_eq!(idx.len(), set.len());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for radius in 0..=40 {
            idx.search(&q, radius, &mut a);
            brute_force(&set, &q, radius, &mut b);
            prop_assert_eq!(&a, &b, "radius {}", radius);
            // The planted neighbours at distance <= radius are all there.
            prop_assert!(a.len() as u32 > radius);
        }
        // Querying with an indexed hash finds itself.
        let probe = set[seed as usize % set.len()];
        idx.search(&probe, 31, &mut a);
        brute_force(&set, &probe, 31, &mut b);
        prop_assert_eq!(&a, &b);
    }
}

#[test]
fn large_radius_falls_back_exactly() {
    let (set, q) = planted(7, 500);
    let idx = PdqIndex::build(&set);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for radius in [64, 100, 128, 200, 256, 300, u32::MAX] {
        idx.search(&q, radius, &mut a);
        brute_force(&set, &q, radius, &mut b);
        assert_eq!(a, b, "radius {radius}");
    }
    idx.search(&q, 256, &mut a);
    assert_eq!(a.len(), set.len());
}

#[test]
fn hash_round_trips_and_bytes_reported() {
    let (set, _) = planted(3, 100);
    let idx = PdqIndex::build(&set);
    for (i, h) in set.iter().enumerate() {
        assert_eq!(idx.hash(i as u32), Some(*h));
    }
    assert_eq!(idx.hash(set.len() as u32), None);
    let bph = idx.bytes_per_hash();
    // 32 hash + 16 tables * 4 id bytes + the offsets spread over few hashes.
    assert!(bph > 96.0, "{bph}");
}

fn serialised(idx: &PdqIndex) -> Vec<u8> {
    let mut buf = Vec::new();
    idx.write_to(&mut buf).unwrap();
    buf
}

#[test]
fn persistence_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for width in [SubstringWidth::Bits8, SubstringWidth::Bits16] {
        let (set, q) = planted(11, 2000);
        let idx = PdqIndex::build_with(&set, width);
        let path = dir.path().join("pdq.idx");
        idx.write_to(std::fs::File::create(&path).unwrap()).unwrap();
        let back = PdqIndex::read_from(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(back, idx);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        back.search(&q, 31, &mut a);
        idx.search(&q, 31, &mut b);
        assert_eq!(a, b);
    }
    let empty = PdqIndex::build(&[]);
    assert_eq!(PdqIndex::read_from(&serialised(&empty)[..]).unwrap(), empty);
}

#[test]
fn truncated_file_rejected() {
    let (set, _) = planted(5, 300);
    let buf = serialised(&PdqIndex::build_with(&set, SubstringWidth::Bits8));
    for cut in [
        0,
        3,
        8,
        23,
        24,
        100,
        buf.len() / 2,
        buf.len() - 9,
        buf.len() - 1,
    ] {
        let err = PdqIndex::read_from(&buf[..cut]).unwrap_err();
        assert!(
            matches!(err, IndexError::Truncated { .. }),
            "cut {cut}: {err:?}"
        );
    }
}

#[test]
fn corrupted_file_rejected() {
    let (set, _) = planted(9, 300);
    let buf = serialised(&PdqIndex::build_with(&set, SubstringWidth::Bits8));
    let mut rng = Rng(1);
    for _ in 0..200 {
        let mut bad = buf.clone();
        let at = 24 + (rng.next() as usize) % (bad.len() - 24);
        bad[at] ^= 1 << (rng.next() % 8);
        let err = PdqIndex::read_from(&bad[..]).unwrap_err();
        assert!(
            matches!(err, IndexError::ChecksumMismatch { .. }),
            "flip at {at}: {err:?}"
        );
    }
    let mut bad = buf.clone();
    bad[0] = b'X';
    assert!(matches!(
        PdqIndex::read_from(&bad[..]),
        Err(IndexError::BadMagic)
    ));
    let mut bad = buf.clone();
    bad[8] = 2;
    assert!(matches!(
        PdqIndex::read_from(&bad[..]),
        Err(IndexError::UnsupportedVersion { found: 2 })
    ));
    let mut bad = buf.clone();
    bad[12] = 12;
    assert!(matches!(
        PdqIndex::read_from(&bad[..]),
        Err(IndexError::BadWidth { bits: 12 })
    ));
    // A header that claims billions of hashes on a short file: typed error, no huge allocation.
    let mut bad = buf[..24].to_vec();
    bad[16..24].copy_from_slice(&u64::from(u32::MAX).to_le_bytes());
    bad.extend_from_slice(&[0u8; 1000]);
    assert!(matches!(
        PdqIndex::read_from(&bad[..]),
        Err(IndexError::Truncated { .. })
    ));
    let mut bad = buf[..24].to_vec();
    bad[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        PdqIndex::read_from(&bad[..]),
        Err(IndexError::TooLarge { .. })
    ));
}
