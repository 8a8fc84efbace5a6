//! Find-similar's local-feature re-rank: `embed_missing` writes each
//! media's local features (`W/indexes/local-1/<sha>.vlf`) and backfills
//! missing ones; `find_similar` checks its best media with them. A picture
//! shrunk to 55 % inside an unrelated picture is found first, in both
//! directions, with the transform's scale; a missing or damaged feature
//! file only leaves the hit unchecked.
//!
//! The pictures are drawn here (seeded rectangles and discs on a gradient):
//! a scene, the composite of that scene over another scene, and unrelated
//! scenes. Needs the default embedding model (skipped with a message when
//! it is not installed).

use std::path::Path;

use image::{Rgb, RgbImage};
use vidi_pipeline::embed::{
    NoEmbedProgress, SimilarHit, SimilarIndex, embed_missing, features_path, find_similar,
    load_backbone, model_key,
};
use vidi_pipeline::{IngestConfig, NoProgress, ingest};
use vidi_store::{Store, Workspace};
use vidi_types::{Cancel, Sha256};

const W: u32 = 512;
const H: u32 = 384;
/// Scale of the scene pasted into the composite, and where.
const FRAC: f32 = 0.55;
const AT: (i64, i64) = (150, 97);
const UNRELATED: u32 = 5;

// The skip message is the test's output (as with a missing shared dir).
#[allow(clippy::print_stdout)]
fn model_installed() -> bool {
    let dir = vidi_models::default_models_dir();
    let ok = vidi_models::Registry::open(&dir)
        .ok()
        .is_some_and(|r| r.get(vidi_pipeline::embed::DEFAULT_MODEL).is_ok());
    if !ok {
        println!(
            "SKIP: embedding model {} not installed in {} (scripts/models/install-vision.sh)",
            vidi_pipeline::embed::DEFAULT_MODEL,
            dir.display()
        );
    }
    ok
}

/// A linear congruential generator (enough for drawing).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % u64::from(n.max(1))) as u32
    }
}

/// A textured scene: a colour gradient with 90 rectangles and 30 discs.
fn scene(seed: u64) -> RgbImage {
    let mut r = Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (c0, c1) = (r.below(200) as f32, r.below(200) as f32);
    let mut img = RgbImage::from_fn(W, H, |x, y| {
        let t = x as f32 / W as f32;
        let u = y as f32 / H as f32;
        Rgb([
            (c0 + 50.0 * t) as u8,
            (c1 + 50.0 * u) as u8,
            (100.0 + 60.0 * t * u) as u8,
        ])
    });
    for _ in 0..90 {
        let (x0, y0) = (r.below(W), r.below(H));
        let (w, h) = (8 + r.below(70), 8 + r.below(70));
        let c = Rgb([r.below(256) as u8, r.below(256) as u8, r.below(256) as u8]);
        for y in y0..(y0 + h).min(H) {
            for x in x0..(x0 + w).min(W) {
                img.put_pixel(x, y, c);
            }
        }
    }
    for _ in 0..30 {
        let (cx, cy, rad) = (r.below(W) as i64, r.below(H) as i64, 5 + r.below(30) as i64);
        let c = Rgb([r.below(256) as u8, r.below(256) as u8, r.below(256) as u8]);
        for y in (cy - rad).max(0)..(cy + rad).min(H as i64) {
            for x in (cx - rad).max(0)..(cx + rad).min(W as i64) {
                if (x - cx).pow(2) + (y - cy).pow(2) <= rad * rad {
                    img.put_pixel(x as u32, y as u32, c);
                }
            }
        }
    }
    img
}

/// `top` shrunk to `FRAC` and pasted over `under` at `AT`.
fn composite(top: &RgbImage, under: &RgbImage) -> RgbImage {
    let small = image::imageops::resize(
        top,
        (W as f32 * FRAC).round() as u32,
        (H as f32 * FRAC).round() as u32,
        image::imageops::FilterType::Triangle,
    );
    let mut out = under.clone();
    image::imageops::overlay(&mut out, &small, AT.0, AT.1);
    out
}

struct Fixture {
    _tmp: tempfile::TempDir,
    ws: Workspace,
    original: Sha256,
    composite: Sha256,
}

fn sha_of(store: &Store, name: &str) -> Sha256 {
    store
        .list_evidence(None)
        .unwrap()
        .into_iter()
        .find(|e| Path::new(&e.item.path).file_name() == Some(name.as_ref()))
        .and_then(|e| e.item.media)
        .unwrap_or_else(|| panic!("{name} not ingested"))
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let original = scene(1);
    let orig_path = data.join("original.png");
    original.save(&orig_path).unwrap();
    let comp_path = data.join("composite.png");
    composite(&original, &scene(2)).save(&comp_path).unwrap();
    for i in 0..UNRELATED {
        scene(10 + u64::from(i))
            .save(data.join(format!("other-{i}.png")))
            .unwrap();
    }
    let ws = Workspace::init(&tmp.path().join("ws")).unwrap();
    let config = IngestConfig::new(vec![data.clone()], "A-1", "AA");
    let s = ingest(&ws, &config, &NoProgress, &Cancel::new()).unwrap();
    assert_eq!(s.new_media, u64::from(UNRELATED) + 2, "{s:?}");
    let store = Store::open(&ws).unwrap();
    let (original, composite) = (
        sha_of(&store, "original.png"),
        sha_of(&store, "composite.png"),
    );
    Fixture {
        _tmp: tmp,
        ws,
        original,
        composite,
    }
}

fn search(f: &Fixture, query: &Sha256) -> Vec<SimilarHit> {
    let bb = load_backbone(&vidi_models::default_models_dir(), None).unwrap();
    let key = model_key(&bb);
    let index = SimilarIndex::open(&f.ws, &key).unwrap();
    find_similar(&f.ws, &index, &key, query, 10, None).unwrap()
}

fn hit<'a>(hits: &'a [SimilarHit], sha: &Sha256) -> &'a SimilarHit {
    hits.iter()
        .find(|h| h.sha256 == *sha)
        .unwrap_or_else(|| panic!("{sha} not among the hits"))
}

#[test]
fn shrunk_scene_found_first_and_missing_or_damaged_features_unchecked() {
    if !model_installed() {
        return;
    }
    let f = fixture();
    let bb = load_backbone(&vidi_models::default_models_dir(), None).unwrap();
    let media = u64::from(UNRELATED) + 2;
    let s = embed_missing(&f.ws, &bb, 2, &NoEmbedProgress, &Cancel::new()).unwrap();
    assert_eq!((s.images, s.errors), (media, 0), "{s:?}");
    assert_eq!((s.features, s.feature_errors), (media, 0), "{s:?}");
    assert!(features_path(&f.ws, &f.original).is_file());

    // Composite -> original: the original is larger in the hit (1 / 0.55).
    let hits = search(&f, &f.composite);
    println!("from the composite: {hits:?}");
    assert_eq!(hits.len() as u64, media - 1);
    let top = &hits[0];
    assert_eq!(top.sha256, f.original);
    assert!(top.inliers.is_some_and(|n| n >= 12), "{top:?}");
    let scale = top.scale.unwrap();
    assert!((scale - 1.0 / FRAC).abs() < 0.1, "{top:?}");
    for h in &hits[1..] {
        assert!(h.inliers.is_some_and(|n| n < 12), "{h:?}");
        assert_eq!(h.scale, None, "{h:?}");
    }

    // Original -> composite: scale 0.55.
    let hits = search(&f, &f.original);
    println!("from the original: {hits:?}");
    assert_eq!(hits[0].sha256, f.composite);
    assert!(hits[0].inliers.is_some_and(|n| n >= 12), "{:?}", hits[0]);
    assert!(
        (hits[0].scale.unwrap() - FRAC).abs() < 0.03,
        "{:?}",
        hits[0]
    );

    // A missing file: the hit is unchecked, the search still works.
    let path = features_path(&f.ws, &f.original);
    std::fs::remove_file(&path).unwrap();
    let hits = search(&f, &f.composite);
    let h = hit(&hits, &f.original);
    assert_eq!((h.inliers, h.scale), (None, None), "{h:?}");
    assert_eq!(hits.len() as u64, media - 1);
    // The query's own file missing: nothing is checked.
    let hits = search(&f, &f.original);
    assert!(hits.iter().all(|h| h.inliers.is_none()), "{hits:?}");

    // The next embedding run backfills it (nothing to embed).
    let s = embed_missing(&f.ws, &bb, 2, &NoEmbedProgress, &Cancel::new()).unwrap();
    assert_eq!((s.candidates, s.images, s.features), (0, 0, 1), "{s:?}");
    assert!(path.is_file());
    let hits = search(&f, &f.composite);
    assert_eq!(hits[0].sha256, f.original);
    assert!(hits[0].inliers.is_some_and(|n| n >= 12), "{:?}", hits[0]);

    // A damaged file (truncated, then garbage): unchecked, no error.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let h = hit(&search(&f, &f.composite), &f.original).clone();
    assert_eq!((h.inliers, h.scale), (None, None), "{h:?}");
    std::fs::write(&path, b"not a feature file at all").unwrap();
    let h = hit(&search(&f, &f.composite), &f.original).clone();
    assert_eq!((h.inliers, h.scale), (None, None), "{h:?}");
    // The JSON of a hit carries the two fields.
    let json = serde_json::to_value(&h).unwrap();
    assert!(
        json["inliers"].is_null() && json["scale"].is_null(),
        "{json}"
    );
}
