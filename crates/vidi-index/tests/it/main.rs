//! Integration tests for vidi-index: exactness against brute force, persistence.

use proptest::prelude::*;
use vidi_index::bench::{Rng, check_against_scan, planted};
use vidi_index::{IndexError, Layout, PdqIndex, SearchPlan, brute_force};

const LAYOUTS: [Layout; 2] = [Layout::Fast, Layout::Compact];

fn layout(fast: bool) -> Layout {
    if fast { Layout::Fast } else { Layout::Compact }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn search_equals_brute_force(seed in any::<u64>(), n in 41usize..3000, fast in any::<bool>()) {
        let mut data = planted(n, 1, seed);
        // Exact duplicates and near-copies, so buckets hold collisions.
        let mut rng = Rng(seed ^ 0xABCD);
        for _ in 0..10 {
            let h = data.hashes[rng.below(n)];
            let d = rng.below(5) as u32;
            data.hashes.push(rng.flip(&h, d));
        }
        let idx = PdqIndex::build_with(&data.hashes, layout(fast));
        prop_assert_eq!(idx.len(), data.hashes.len());
        for plan in [SearchPlan::Probe, SearchPlan::Auto] {
            prop_assert_eq!(check_against_scan(&idx, &data, plan, 0..=40), Ok(()));
        }
        // The planted neighbours at distance <= radius are all there.
        let mut a = Vec::new();
        for radius in [0, 7, 8, 15, 31, 40] {
            idx.search_with(&data.queries[0], radius, SearchPlan::Probe, &mut a);
            prop_assert!(a.len() as u32 > radius);
        }
        // Querying with an indexed hash finds itself.
        let probe = data.hashes[seed as usize % n];
        let mut b = Vec::new();
        idx.search_with(&probe, 31, SearchPlan::Probe, &mut a);
        brute_force(&data.hashes, &probe, 31, &mut b);
        prop_assert_eq!(&a, &b);
    }

    #[test]
    fn persistence_round_trips(seed in any::<u64>(), n in 0usize..600, fast in any::<bool>()) {
        let data = planted(n, 2, seed);
        let idx = PdqIndex::build_with(&data.hashes, layout(fast));
        let buf = serialised(&idx);
        let back = PdqIndex::read_from(&buf[..]).unwrap();
        prop_assert_eq!(&back, &idx);
        prop_assert_eq!(check_against_scan(&back, &data, SearchPlan::Probe, [0, 31, 33]), Ok(()));
    }

    #[test]
    fn corrupt_or_truncated_files_give_typed_errors(
        seed in any::<u64>(),
        fast in any::<bool>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let data = planted(200, 1, seed);
        let buf = serialised(&PdqIndex::build_with(&data.hashes, layout(fast)));
        let mut bad = buf.clone();
        for (at, bit) in &flips {
            bad[at.index(buf.len())] ^= 1 << bit;
        }
        if bad != buf {
            // Never a panic, never an index: some typed error.
            prop_assert!(PdqIndex::read_from(&bad[..]).is_err());
        }
        let cut = cut.index(buf.len());
        let err = PdqIndex::read_from(&buf[..cut]).unwrap_err();
        prop_assert!(
            matches!(err, IndexError::Truncated { .. } | IndexError::BadMagic),
            "cut {}: {:?}", cut, err
        );
    }
}

#[test]
fn tiny_sets_and_every_radius() {
    for n in 0..45 {
        let data = planted(n, 2, n as u64);
        for l in LAYOUTS {
            let idx = PdqIndex::build_with(&data.hashes, l);
            for plan in [SearchPlan::Probe, SearchPlan::Auto, SearchPlan::Scan] {
                assert_eq!(
                    check_against_scan(&idx, &data, plan, 0..=64),
                    Ok(()),
                    "n {n} {l:?} {plan:?}"
                );
            }
        }
    }
}

#[test]
fn large_radius_exact_on_every_plan() {
    let data = planted(500, 1, 7);
    for l in LAYOUTS {
        let idx = PdqIndex::build_with(&data.hashes, l);
        let radii = [64, 100, 128, 135, 200, 255, 256, 300, u32::MAX];
        for plan in [SearchPlan::Auto, SearchPlan::Probe] {
            assert_eq!(
                check_against_scan(&idx, &data, plan, radii),
                Ok(()),
                "{l:?}"
            );
        }
        let mut a = Vec::new();
        idx.search(&data.queries[0], 256, &mut a);
        assert_eq!(a.len(), data.hashes.len());
    }
}

#[test]
fn hash_round_trips_and_bytes_reported() {
    let data = planted(100, 1, 3);
    for (l, per_table) in [(Layout::Fast, 16.0 * 5.0), (Layout::Compact, 8.0 * 5.0)] {
        let idx = PdqIndex::build_with(&data.hashes, l);
        assert_eq!(idx.layout(), l);
        for (i, h) in data.hashes.iter().enumerate() {
            assert_eq!(idx.hash(i as u32), Some(*h));
        }
        assert_eq!(idx.hash(data.hashes.len() as u32), None);
        // 32 hash bytes + 5 per table (2 residual, 3 id), + the directories
        // (2^16 + 1 offsets of 4 bytes per table) spread over few hashes.
        let dirs = l.tables() as f64 * 65537.0 * 4.0 / 100.0;
        let want = 32.0 + per_table + dirs + 4.0 / 100.0;
        assert!((idx.bytes_per_hash() - want).abs() < 1e-9, "{l:?}");
    }
    assert_eq!(PdqIndex::build(&[]).bytes_per_hash(), 0.0);
}

fn serialised(idx: &PdqIndex) -> Vec<u8> {
    let mut buf = Vec::new();
    idx.write_to(&mut buf).unwrap();
    buf
}

#[test]
fn persistence_round_trip_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    for l in LAYOUTS {
        let data = planted(2000, 3, 11);
        let idx = PdqIndex::build_with(&data.hashes, l);
        let path = dir.path().join("pdq.idx");
        idx.write_to(std::fs::File::create(&path).unwrap()).unwrap();
        let back = PdqIndex::read_from(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(back, idx);
        assert_eq!(
            check_against_scan(&back, &data, SearchPlan::Probe, [31]),
            Ok(())
        );
    }
    let empty = PdqIndex::build(&[]);
    assert_eq!(PdqIndex::read_from(&serialised(&empty)[..]).unwrap(), empty);
}

#[test]
fn truncated_file_rejected() {
    let data = planted(300, 1, 5);
    let buf = serialised(&PdqIndex::build(&data.hashes));
    for cut in [
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
    assert!(matches!(
        PdqIndex::read_from(&buf[..0]),
        Err(IndexError::Truncated { .. })
    ));
}

#[test]
fn corrupted_file_rejected() {
    let data = planted(300, 1, 9);
    let buf = serialised(&PdqIndex::build_with(&data.hashes, Layout::Compact));
    let mut rng = Rng(1);
    for _ in 0..200 {
        let mut bad = buf.clone();
        let at = 24 + rng.below(bad.len() - 24);
        bad[at] ^= 1 << rng.below(8);
        let err = PdqIndex::read_from(&bad[..]).unwrap_err();
        assert!(
            matches!(err, IndexError::ChecksumMismatch { .. }),
            "flip at {at}: {err:?}"
        );
    }
    let header = |at: usize, v: u8| {
        let mut bad = buf.clone();
        bad[at] = v;
        PdqIndex::read_from(&bad[..])
    };
    assert!(matches!(header(0, b'X'), Err(IndexError::BadMagic)));
    assert!(matches!(
        header(8, 1),
        Err(IndexError::UnsupportedVersion { found: 1 })
    ));
    assert!(matches!(
        header(12, 4),
        Err(IndexError::BadIdWidth { bytes: 4 })
    ));
    assert!(matches!(
        header(13, 12),
        Err(IndexError::BadLayout { tables: 12 })
    ));
    assert!(matches!(header(14, 1), Err(IndexError::BadLayout { .. })));
    // A layout switch makes the file too short for its header.
    assert!(matches!(header(13, 16), Err(IndexError::Truncated { .. })));
    // A header that claims billions of hashes on a short file: typed error, no huge allocation.
    let mut bad = buf[..24].to_vec();
    bad[12] = 4;
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
