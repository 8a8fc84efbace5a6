//! Integration tests of vidi-ann: persistence, corruption, recall.

use vidi_ann::{AnnError, Index, IndexParams};

fn rng(state: &mut u64) -> f32 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ((*state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
}

fn normalise(v: &mut [f32]) {
    let n = vidi_ann::dot(v, v).sqrt();
    v.iter_mut().for_each(|x| *x /= n);
}

/// `n` clustered unit vectors (64 centres plus noise).
fn clustered(n: usize, dim: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    let centres: Vec<f32> = (0..64 * dim).map(|_| rng(&mut s)).collect();
    let mut out = Vec::with_capacity(n * dim);
    for i in 0..n {
        let c = &centres[(i % 64) * dim..(i % 64 + 1) * dim];
        let mut v: Vec<f32> = c.iter().map(|x| x + 0.6 * rng(&mut s)).collect();
        normalise(&mut v);
        out.extend(v);
    }
    out
}

#[test]
fn save_load_roundtrip_and_corruption() {
    let dim = 32;
    let data = clustered(3000, dim, 1);
    let ids: Vec<u64> = (0..3000).collect();
    let mut idx = Index::new(
        dim,
        IndexParams {
            min_train: 500,
            ..IndexParams::default()
        },
    )
    .unwrap();
    idx.extend(&ids, &data).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("x.ann");
    idx.save(&p).unwrap();
    let back = Index::load(&p).unwrap();
    assert_eq!(back, idx);
    assert_eq!(std::fs::read(&p).unwrap(), back.to_bytes());
    // Incremental insert after load.
    let mut back = back;
    back.insert(99_999, &data[..dim]).unwrap();
    assert_eq!(back.len(), 3001);

    let bytes = std::fs::read(&p).unwrap();
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    assert!(matches!(
        Index::from_bytes(&p, &flipped),
        Err(AnnError::Checksum { .. })
    ));
    assert!(matches!(
        Index::from_bytes(&p, &bytes[..bytes.len() - 5]),
        Err(AnnError::Checksum { .. })
    ));
    assert!(matches!(
        Index::from_bytes(&p, b"hello world"),
        Err(AnnError::NotAnIndex { .. })
    ));
    // A version 1 file (before compressed indexes) or a future one is
    // refused with a typed error, never misread.
    for v in [1u8, 3] {
        let mut other = bytes.clone();
        other[8] = v;
        assert!(matches!(
            Index::from_bytes(&p, &other),
            Err(AnnError::Version { found, expected: 2, .. }) if found == u32::from(v)
        ));
    }
    assert!(Index::from_bytes(&p, &bytes[..10]).is_err());
    assert!(matches!(
        Index::load(&tmp.path().join("none")),
        Err(AnnError::Io { .. })
    ));
}

#[test]
fn recall_on_clustered_vectors() {
    let dim = 64;
    let n = 20_000;
    let data = clustered(n, dim, 2);
    let ids: Vec<u64> = (0..n as u64).collect();
    let mut idx = Index::new(dim, IndexParams::default()).unwrap();
    idx.extend(&ids, &data).unwrap();
    let queries = clustered(100, dim, 3);
    let mut found = 0;
    for q in queries.chunks_exact(dim) {
        let exact: Vec<u64> = idx.exact(q, 10).unwrap().iter().map(|h| h.id).collect();
        let approx = idx.search(q, 10, 16).unwrap();
        found += approx.iter().filter(|h| exact.contains(&h.id)).count();
    }
    let recall = found as f64 / 1000.0;
    assert!(recall >= 0.95, "recall@10 {recall}");
}
