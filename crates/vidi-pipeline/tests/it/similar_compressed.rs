//! The compressed find-similar index: from `COMPRESS_FROM` stored region
//! rows (of a model wider than `COMPRESSED_DIM`) `SimilarIndex` is built
//! with a PCA projection and int8 codes, and `find_similar` rescores its
//! short list with the stored f32 vectors. Its hits must be the exact
//! ranking (best region pair by f32 cosine, as `rank_media` with the
//! default scoring) on the top k; a file of format version 1 is refused
//! and rebuilt.
//!
//! The vectors are synthetic (seeded): a 48-dimensional latent mapped into
//! 320 dimensions plus a little isotropic noise, with groups of graded near
//! duplicates of a few query media. They go straight into the store (no
//! model is needed).

use vidi_pipeline::embed::{
    COMPRESS_FROM, COMPRESSED_DIM, SimilarIndex, find_similar, index_paths,
};
use vidi_store::embeddings::{ModelKey, StoredRegion};
use vidi_store::{Store, Workspace};
use vidi_testkit::media::{bare_record, digests, evidence_item};
use vidi_types::{EvidenceItem, MediaKind, MediaRecord, Sha256};

const DIM: usize = 320;
const LATENT: usize = 48;
const REGIONS: usize = 6;
/// Query media, each with `DUPES` graded near duplicates.
const QUERIES: usize = 3;
const DUPES: usize = 10;
/// Enough media for the region rows to pass the compression threshold.
const MEDIA: usize = (COMPRESS_FROM as usize).div_ceil(REGIONS) + 20;
const K: usize = 10;

// Wide enough to be projected, many enough to be compressed; the file
// format whose version 1 is refused.
const _: () = assert!(DIM > COMPRESSED_DIM && (MEDIA * REGIONS) as u64 >= COMPRESS_FROM);
const _: () = assert!(vidi_ann::FORMAT_VERSION == 2);

/// splitmix64, and normal deviates from it (Box-Muller).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f32 {
        let (u, v) = (self.unit(), self.unit());
        ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
    }

    fn normals(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.normal()).collect()
    }
}

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= n);
    v
}

/// Latent vectors of every media's regions: `QUERIES` groups of a query
/// and `DUPES` copies with noise growing by copy, then random media.
fn latents(rng: &mut Rng) -> Vec<Vec<Vec<f32>>> {
    let mut media = Vec::with_capacity(MEDIA);
    for _ in 0..QUERIES {
        let q: Vec<Vec<f32>> = (0..REGIONS).map(|_| rng.normals(LATENT)).collect();
        for d in 1..=DUPES {
            let sigma = 0.08 * d as f32;
            let copy = q
                .iter()
                .map(|z| z.iter().map(|x| x + sigma * rng.normal()).collect())
                .collect();
            media.push(copy);
        }
        media.push(q);
    }
    while media.len() < MEDIA {
        media.push((0..REGIONS).map(|_| rng.normals(LATENT)).collect());
    }
    media
}

fn sha(i: usize) -> Sha256 {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    b[31] = 0x5a;
    Sha256(b)
}

fn record(i: usize) -> MediaRecord {
    MediaRecord {
        size: 1000 + i as u64,
        width: Some(640),
        height: Some(480),
        ..bare_record(digests(i as u8, sha(i).0), MediaKind::Image, "image/jpeg")
    }
}

/// A workspace holding `MEDIA` media with `REGIONS` embedded regions each;
/// returns the vectors by media.
fn workspace(root: &std::path::Path, key: &ModelKey) -> (Workspace, Vec<Vec<Vec<f32>>>) {
    let mut rng = Rng(0x5eed_0001);
    let basis: Vec<Vec<f32>> = (0..LATENT).map(|_| rng.normals(DIM)).collect();
    let vectors: Vec<Vec<Vec<f32>>> = latents(&mut rng)
        .into_iter()
        .map(|regions| {
            regions
                .into_iter()
                .map(|z| {
                    let mut v: Vec<f32> = (0..DIM).map(|_| 0.3 * rng.normal()).collect();
                    for (zi, row) in z.iter().zip(&basis) {
                        v.iter_mut().zip(row).for_each(|(x, b)| *x += zi * b);
                    }
                    normalised(v)
                })
                .collect()
        })
        .collect();
    let ws = Workspace::init(root).unwrap();
    let mut store = Store::open(&ws).unwrap();
    let records: Vec<MediaRecord> = (0..MEDIA).map(record).collect();
    let items: Vec<EvidenceItem> = records
        .iter()
        .enumerate()
        .map(|(i, m)| evidence_item(format!("/evidence/C-1/file{i:05}.jpg"), "C-1", "AA", m))
        .collect();
    let rows: Vec<(Option<&MediaRecord>, &EvidenceItem)> =
        records.iter().map(Some).zip(&items).collect();
    assert_eq!(store.put_items_bulk(&rows).unwrap(), MEDIA as u64);
    for (i, regions) in vectors.iter().enumerate() {
        let stored: Vec<StoredRegion> = regions
            .iter()
            .enumerate()
            .map(|(r, v)| StoredRegion {
                index: r as u32,
                x: 0,
                y: 0,
                width: 640,
                height: 480,
                vector: v.clone(),
            })
            .collect();
        store.put_embeddings(&sha(i), key, &stored).unwrap();
    }
    (ws, vectors)
}

/// The exact top `k`: every other media scored by its best region pair
/// (f32 cosine), best first, ties by SHA-256.
fn exact_top(vectors: &[Vec<Vec<f32>>], query: usize, k: usize) -> Vec<(Sha256, f32)> {
    let mut scored: Vec<(Sha256, f32)> = vectors
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != query)
        .map(|(i, regions)| {
            let best = vectors[query]
                .iter()
                .flat_map(|q| regions.iter().map(move |v| vidi_ann::dot(q, v)))
                .fold(f32::MIN, f32::max);
            (sha(i), best)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(k);
    scored
}

fn hits(ws: &Workspace, index: &SimilarIndex, key: &ModelKey, query: usize) -> Vec<(Sha256, f32)> {
    find_similar(ws, index, key, &sha(query), K, None)
        .unwrap()
        .into_iter()
        .map(|h| (h.sha256, h.cosine))
        .collect()
}

fn same_ranking(got: &[(Sha256, f32)], want: &[(Sha256, f32)]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| g.0 == w.0 && (g.1 - w.1).abs() < 1e-5)
}

#[test]
fn compressed_index_ranks_like_exact_search_and_v1_files_are_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let key = ModelKey {
        name: "synthetic-320@regions".into(),
        sha256: "ab".repeat(32),
        dim: DIM,
    };
    let (ws, vectors) = workspace(&tmp.path().join("ws"), &key);

    let index = SimilarIndex::open(&ws, &key).unwrap();
    assert_eq!(index.origin, "rebuilt");
    assert!(!index.ann().exact_scores(), "the index must be compressed");
    assert_eq!(index.ann().len(), MEDIA * REGIONS);

    // The queries of the near-duplicate groups: their copies are the exact
    // top 10, and the compressed path finds exactly that ranking with the
    // exact cosines.
    let group = DUPES + 1;
    for g in 0..QUERIES {
        let query = g * group + DUPES;
        let want = exact_top(&vectors, query, K);
        let copies: Vec<Sha256> = (g * group..g * group + DUPES).map(sha).collect();
        let mut want_media: Vec<Sha256> = want.iter().map(|w| w.0).collect();
        want_media.sort();
        assert_eq!(want_media, copies, "a query's copies are its exact top 10");
        let got = hits(&ws, &index, &key, query);
        assert!(
            same_ranking(&got, &want),
            "query {query}: {got:?} vs {want:?}"
        );
    }
    // Unrelated media (no near duplicate): the same top 10 as exact search.
    for query in [QUERIES * group, MEDIA / 2, MEDIA - 1] {
        let want = exact_top(&vectors, query, K);
        let got = hits(&ws, &index, &key, query);
        assert!(
            same_ranking(&got, &want),
            "query {query}: {got:?} vs {want:?}"
        );
    }

    // Opened again: loaded as saved.
    let again = SimilarIndex::open(&ws, &key).unwrap();
    assert_eq!(again.origin, "loaded");
    assert!(!again.ann().exact_scores());

    // The file turned into format version 1: refused with a typed error,
    // then rebuilt (compressed, version 2) by `open`.
    let (path, _) = index_paths(&ws, &key);
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[8..12], vidi_ann::FORMAT_VERSION.to_le_bytes());
    bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let err = vidi_ann::Index::load(&path).unwrap_err();
    assert!(
        matches!(
            err,
            vidi_ann::AnnError::Version {
                found: 1,
                expected: 2,
                ..
            }
        ),
        "{err:?}"
    );
    let rebuilt = SimilarIndex::open(&ws, &key).unwrap();
    assert_eq!(rebuilt.origin, "rebuilt");
    assert!(!rebuilt.ann().exact_scores());
    let on_disk = vidi_ann::Index::load(&path).unwrap();
    assert_eq!(on_disk.len(), MEDIA * REGIONS);
    assert!(!on_disk.exact_scores());
    let query = DUPES;
    assert!(same_ranking(
        &hits(&ws, &rebuilt, &key, query),
        &exact_top(&vectors, query, K)
    ));
}
