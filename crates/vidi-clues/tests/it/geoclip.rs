//! GeoCLIP heads, gallery and clues against the numpy reference written at
//! install time (`reference.json` of model `geoclip-heads`).

use vidi_clues::geoclip::{
    self, CLIP_BACKBONE, CLIP_DIM, ClipEmbedder, GEOCLIP_MODEL, Gallery, GeoClipExtractor,
    GeoClipHeads, GeoLocator, SHARED_DIM,
};
use vidi_clues::{ClueError, ClueExtractor, ClueInput, ClueKind, ModelRef};
use vidi_types::{Cancel, MediaKind};

use crate::{models_dir, record};

struct Ref {
    points: Vec<(f64, f64)>,
    location: Vec<Vec<f64>>,
    image: Vec<f64>,
    scale: f64,
    subset: usize,
    top5: Vec<usize>,
    top5_p: Vec<f64>,
}

fn reference(m: &vidi_models::Model) -> Ref {
    let path = m.file("reference").expect("reference file");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("read reference")).expect("json");
    let f = |x: &serde_json::Value| x.as_f64().expect("number");
    let vec = |x: &serde_json::Value| x.as_array().expect("array").iter().map(f).collect();
    Ref {
        points: v["points"]
            .as_array()
            .expect("points")
            .iter()
            .map(|p| (f(&p[0]), f(&p[1])))
            .collect(),
        location: v["location_features"]
            .as_array()
            .expect("loc")
            .iter()
            .map(vec)
            .collect(),
        image: vec(&v["image_head"]),
        scale: f(&v["logit_scale_exp"]),
        subset: v["gallery_subset"].as_u64().expect("subset") as usize,
        top5: v["top5_indices"]
            .as_array()
            .expect("top5")
            .iter()
            .map(|x| x.as_u64().expect("index") as usize)
            .collect(),
        top5_p: vec(&v["top5_probabilities"]),
    }
}

/// The synthetic CLIP embedding of `convert_geoclip.py`.
fn synthetic_clip() -> Vec<f32> {
    (0..CLIP_DIM)
        .map(|i| {
            let i = i as f64;
            (0.5 * (0.37 * i + 0.3).sin() + 0.1 * (0.011 * i * i).cos()) as f32
        })
        .collect()
}

fn max_rel_err(got: &[f32], want: &[f64]) -> f64 {
    let norm = want.iter().map(|x| x * x).sum::<f64>().sqrt();
    got.iter()
        .zip(want)
        .map(|(g, w)| (f64::from(*g) - w).abs())
        .fold(0.0, f64::max)
        / (norm / (want.len() as f64).sqrt())
}

fn heads() -> Option<(vidi_models::Model, GeoClipHeads, Ref)> {
    let (_, m) = models_dir(GEOCLIP_MODEL)?;
    let h = GeoClipHeads::open(&m.file("weights").expect("weights")).expect("heads load");
    let r = reference(&m);
    Some((m, h, r))
}

/// The first `n` gallery points as a locator.
fn subset_locator(m: &vidi_models::Model, h: GeoClipHeads, n: usize) -> GeoLocator {
    let mut pts = geoclip::read_gallery_csv(&m.file("gallery").expect("gallery")).expect("csv");
    assert_eq!(pts.len(), 100_000);
    pts.truncate(n);
    let g = Gallery::build(&h, pts, 2, &Cancel::new()).expect("gallery");
    GeoLocator::new(h, g)
}

#[test]
fn location_encoder_matches_reference() {
    let Some((_, h, r)) = heads() else { return };
    let got = h.location_features(&r.points);
    assert_eq!(got.len(), r.points.len() * SHARED_DIM);
    for (i, want) in r.location.iter().enumerate() {
        let e = max_rel_err(&got[i * SHARED_DIM..(i + 1) * SHARED_DIM], want);
        assert!(e < 1e-3, "point {i} {:?}: relative error {e}", r.points[i]);
    }
}

#[test]
fn image_head_matches_reference() {
    let Some((_, h, r)) = heads() else { return };
    let got = h.image_features(&synthetic_clip()).expect("head");
    let e = max_rel_err(&got, &r.image);
    assert!(e < 1e-4, "relative error {e}");
    assert!((f64::from(h.logit_scale_exp()) - r.scale).abs() < 1e-3 * r.scale);
    assert!(matches!(
        h.image_features(&[0.0; 10]),
        Err(geoclip::GeoClipError::Dimension {
            expected: 768,
            got: 10
        })
    ));
}

#[test]
fn top_k_over_gallery_matches_reference() {
    let Some((m, h, r)) = heads() else { return };
    let loc = subset_locator(&m, h, r.subset);
    let top = loc.top_k(&synthetic_clip(), 5).expect("top k");
    let idx: Vec<usize> = top.iter().map(|g| g.index).collect();
    assert_eq!(idx, r.top5);
    for (g, p) in top.iter().zip(&r.top5_p) {
        assert!((f64::from(g.probability) - p).abs() < 1e-3, "{g:?} vs {p}");
        let (lat, lon) = loc.gallery().points()[g.index];
        assert_eq!((g.lat, g.lon), (lat, lon));
    }
    // Probabilities are non-increasing; k larger than the gallery is clipped.
    assert!(top.windows(2).all(|w| w[0].probability >= w[1].probability));
    assert_eq!(
        loc.top_k(&synthetic_clip(), 10 * r.subset)
            .expect("all")
            .len(),
        r.subset
    );
}

/// A location's own embedding, pulled back through nothing: the image
/// feature closest to a gallery point is that point's embedding, so an
/// "image" whose head output equals it must put that point first. The
/// head is not invertible, so instead check the clue path on the reference
/// embedding: countries via vidi-geo, confidences summing to at most 1.
#[test]
fn clues_from_embedding_name_countries() {
    let Some((m, h, r)) = heads() else { return };
    let loc = subset_locator(&m, h, r.subset);
    let guesses = loc.top_k(&synthetic_clip(), geoclip::TOP_K).expect("top");
    let countries = geoclip::countries_of(&guesses).expect("geocoder");
    assert!(!countries.is_empty());
    let total: f32 = countries.iter().map(|c| c.1).sum();
    let top_sum: f32 = guesses.iter().map(|g| g.probability).sum();
    assert!(total <= top_sum + 1e-5);
    let model = ModelRef {
        name: "geoclip-heads+test".into(),
        sha256: "0".repeat(64),
    };
    let clues = geoclip::geolocation_clues(&guesses, &model, 1).expect("clues");
    assert!(!clues.is_empty());
    for c in &clues {
        assert_eq!(c.kind, ClueKind::SceneGeolocation);
        assert_eq!(c.value.len(), 2, "{}", c.value);
        assert!(c.confidence >= 0.02 && c.confidence <= 1.0);
        assert!(c.detail["points"].as_array().is_some_and(|a| !a.is_empty()));
    }
    // The best reference point's country is the first clue's.
    let best = geoclip::countries_of(&guesses[..1]).expect("geocoder");
    if let Some((c, _, _)) = best.first() {
        println!(
            "reference top point {:?} in {}",
            (guesses[0].lat, guesses[0].lon),
            c.as_str()
        );
    }
    println!(
        "countries: {:?}",
        countries
            .iter()
            .map(|c| (c.0.as_str().to_owned(), c.1))
            .collect::<Vec<_>>()
    );
}

struct FakeClip(Vec<f32>);

impl ClipEmbedder for FakeClip {
    fn model(&self) -> ModelRef {
        ModelRef {
            name: "fake-clip".into(),
            sha256: "1".repeat(64),
        }
    }
    fn embed(&self, _rgb: &[u8], _w: u32, _h: u32) -> Result<Vec<f32>, ClueError> {
        Ok(self.0.clone())
    }
}

#[test]
fn extractor_runs_with_a_runner() {
    let Some((m, h, r)) = heads() else { return };
    let loc = subset_locator(&m, h, 512.min(r.subset));
    let heads_ref = ModelRef {
        name: m.name.clone(),
        sha256: m.content_sha256(),
    };
    let e = GeoClipExtractor::new(loc, heads_ref, Box::new(FakeClip(synthetic_clip())));
    assert_eq!(e.id(), "geoclip");
    let fp = e.fingerprint();
    assert!(fp.starts_with("geoclip/1/geoclip-heads+fake-clip@"), "{fp}");
    let d = tempfile::tempdir().expect("tmp");
    let p = d.path().join("x.png");
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 3, y as u8 * 5, 90]))
        .save(&p)
        .expect("png");
    let media = record(MediaKind::Image);
    assert!(e.applies(&media));
    let clues = e
        .extract(
            ClueInput {
                media: &media,
                path: Some(&p),
            },
            &Cancel::new(),
        )
        .expect("extract");
    assert!(!clues.is_empty());
    assert!(
        clues
            .iter()
            .all(|c| c.kind == ClueKind::SceneGeolocation && c.extractor == "geoclip")
    );
    // Garbage bytes: a typed decode error.
    std::fs::write(&p, b"not an image").expect("write");
    assert!(matches!(
        e.extract(
            ClueInput {
                media: &media,
                path: Some(&p)
            },
            &Cancel::new()
        ),
        Err(ClueError::Decode(_))
    ));
}

#[test]
fn extractor_says_the_backbone_is_missing() {
    let Some((dir, _)) = models_dir(GEOCLIP_MODEL) else {
        return;
    };
    match GeoClipExtractor::load(&dir, &Cancel::new()) {
        Err(ClueError::ModelMissing {
            extractor, name, ..
        }) => {
            assert_eq!(extractor, "geoclip");
            assert_eq!(name, CLIP_BACKBONE);
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => println!("a CLIP backbone runner is installed: nothing to check"),
    }
    let only = vec!["geoclip".to_owned(), "scene".to_owned()];
    let (ok, missing) = vidi_clues::extractors(Some(&only), &dir);
    assert!(ok.iter().any(|e| e.id() == "scene"));
    let why = missing
        .iter()
        .find(|(id, _)| *id == "geoclip")
        .map(|(_, e)| e.to_string())
        .expect("geoclip listed as not run");
    assert!(why.contains(CLIP_BACKBONE), "{why}");
    // An empty models directory: both missing, with the reason.
    let empty = tempfile::tempdir().expect("tmp");
    let (ok, missing) = vidi_clues::extractors(Some(&only), empty.path());
    assert!(ok.is_empty());
    assert_eq!(missing.len(), 2);
}

#[test]
fn gallery_cache_is_reused() {
    let Some((m, h, _)) = heads() else { return };
    // A model folder with a 300-point gallery, cached in a temp dir.
    let d = tempfile::tempdir().expect("tmp");
    let pts = geoclip::read_gallery_csv(&m.file("gallery").expect("gallery")).expect("csv");
    let csv: String = std::iter::once("LAT,LON".to_owned())
        .chain(pts[..300].iter().map(|(a, b)| format!("{a},{b}")))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(d.path().join("gallery.csv"), csv).expect("csv");
    let mut manifest = m.manifest.clone();
    manifest.files.retain(|f| f.role == "gallery");
    manifest.files[0].path = "gallery.csv".into();
    manifest.files[0].sha256 = "2".repeat(64);
    let model = vidi_models::Model {
        manifest,
        dir: d.path().to_path_buf(),
    };
    let cache = d.path().join("cache");
    let g1 = Gallery::load_or_build(&h, &model, &cache, &Cancel::new()).expect("build");
    assert_eq!(g1.len(), 300);
    assert_eq!(std::fs::read_dir(&cache).expect("cache").count(), 1);
    let cancelled = Cancel::new();
    cancelled.cancel();
    // Read from the cache: no encoding, so cancellation does not matter.
    let g2 = Gallery::load_or_build(&h, &model, &cache, &cancelled).expect("cached");
    assert_eq!(g2.embedding(299), g1.embedding(299));
    let n = g1
        .embedding(7)
        .expect("row")
        .iter()
        .map(|x| x * x)
        .sum::<f32>();
    assert!((n - 1.0).abs() < 1e-4);
    // Building with cancellation fails cleanly.
    assert!(matches!(
        Gallery::build(&h, pts[..300].to_vec(), 1, &cancelled),
        Err(geoclip::GeoClipError::Cancelled)
    ));
}
