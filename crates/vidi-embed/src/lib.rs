//! Image and region embeddings for same-scene / same-room search.
//!
//! A [`Backbone`] is loaded from an installed model (`vidi_models::Model`,
//! described by a `vidi-model-manifest/1` manifest) and dispatches on the
//! manifest's `architecture`: another backbone (CLIP ViT-B/32, DINOv2...)
//! plugs in by adding a manifest entry and an architecture implementation
//! here, never by changing callers. Inference is pure Rust (the 1x1
//! convolutions are matrix products through `matrixmultiply`),
//! single-threaded: callers parallelise over images.
//!
//! Implemented architectures:
//! - `mobilenet-v2`: torchvision's ImageNet MobileNetV2 (install with
//!   `scripts/models/install-vision.sh`, model `mobilenet-v2-imagenet`).
//!   The whole image is resized to the manifest's input size (224x224, no
//!   crop, so every region maps back to the whole frame), normalised with
//!   the manifest's mean and std; the 7x7x1280 feature map after the last
//!   ReLU6 is average-pooled into the whole-image embedding and into
//!   [`REGIONS_PER_IMAGE`] - 1 region embeddings, and the pooled features
//!   also give the 1000 ImageNet logits ([`Analysis::top_classes`]).
//!
//! Regions (on the 7x7 grid of cells): the whole image, the 2x2 windows of
//! 4x4 cells (offsets 0 and 3: each about a third of the frame's area, the
//! four overlapping in the middle), and the 3x3 windows of 3x3 cells
//! (offsets 0, 2, 4: each about a fifth of the frame). All embeddings are
//! L2-normalised `f32`, so the cosine similarity is the dot product
//! ([`Embedding::cosine`]).
#![warn(missing_docs)]

mod error;
mod mobilenet;
mod ops;
pub mod rank;

use std::path::Path;

pub use error::EmbedError;
pub use vidi_models::TensorProblem;

/// Largest accepted image side, in pixels.
pub const MAX_SIDE: u32 = 1 << 15;

/// Version of the region scheme (windows and pooling): stored embeddings
/// record it, so a change is noticed and media are re-embedded.
pub const REGION_SCHEME: u32 = 1;

/// Regions per image, including the whole image (index 0).
pub const REGIONS_PER_IMAGE: usize = 14;

/// An L2-normalised embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding {
    /// The vector (unit length, or all zeros for an all-zero feature).
    pub vector: Vec<f32>,
}

impl Embedding {
    /// Normalise `v` to unit length (an all-zero vector stays zero).
    pub fn from_unnormalised(mut v: Vec<f32>) -> Embedding {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if n > 0.0 {
            for x in &mut v {
                *x /= n;
            }
        }
        Embedding { vector: v }
    }

    /// Cosine similarity (the dot product of the unit vectors).
    pub fn cosine(&self, other: &Embedding) -> f32 {
        self.vector
            .iter()
            .zip(&other.vector)
            .map(|(a, b)| a * b)
            .sum()
    }
}

/// A rectangle in input-image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// The embedding of one region of an image.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionEmbedding {
    /// Index in [`Analysis::regions`] (0 is the whole image).
    pub index: usize,
    /// The region's box in the input image's pixels.
    pub region: Region,
    /// The embedding of the region.
    pub embedding: Embedding,
}

/// One ImageNet class with its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassScore {
    /// Class index in the model's labels.
    pub index: usize,
    /// Class name (empty when the manifest has no labels).
    pub label: String,
    /// Softmax probability.
    pub probability: f32,
}

/// Everything one forward pass gives for an image.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The whole-image embedding (same as `regions[0].embedding`).
    pub whole: Embedding,
    /// The region embeddings, whole image first.
    pub regions: Vec<RegionEmbedding>,
    /// Classifier logits, when the backbone has a classifier.
    pub logits: Option<Vec<f32>>,
    labels: std::sync::Arc<Vec<String>>,
}

impl Analysis {
    /// The `k` most probable classes, most probable first (empty when the
    /// backbone has no classifier).
    pub fn top_classes(&self, k: usize) -> Vec<ClassScore> {
        let Some(logits) = &self.logits else {
            return Vec::new();
        };
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = logits.iter().map(|l| (l - max).exp()).sum();
        let mut idx: Vec<usize> = (0..logits.len()).collect();
        idx.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]).then(a.cmp(&b)));
        idx.into_iter()
            .take(k)
            .map(|i| ClassScore {
                index: i,
                label: self.labels.get(i).cloned().unwrap_or_default(),
                probability: (logits[i] - max).exp() / sum,
            })
            .collect()
    }
}

enum Arch {
    MobileNetV2(Box<mobilenet::MobileNetV2>),
}

/// Input preprocessing from the manifest's `input` object.
#[derive(Debug, Clone, PartialEq)]
struct InputSpec {
    width: usize,
    height: usize,
    scale: f32,
    mean: [f32; 3],
    std: [f32; 3],
}

/// An image backbone loaded from an installed model.
pub struct Backbone {
    name: String,
    sha256: String,
    input: InputSpec,
    labels: std::sync::Arc<Vec<String>>,
    arch: Arch,
}

impl std::fmt::Debug for Backbone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backbone")
            .field("name", &self.name)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

/// The architectures [`Backbone::load`] implements.
pub const ARCHITECTURES: &[&str] = &["mobilenet-v2"];

impl Backbone {
    /// Load the backbone a manifest describes (dispatching on its
    /// `architecture`). The files are read as they are; run
    /// `vidi_models::Registry::verify` first to check their hashes.
    pub fn load(model: &vidi_models::Model) -> Result<Backbone, EmbedError> {
        let m = &model.manifest;
        let weights = model
            .file("weights")
            .ok_or_else(|| EmbedError::MissingFile {
                model: m.name.clone(),
                role: "weights",
            })?;
        let input = input_spec(&m.name, &m.input)?;
        let arch = match m.architecture.as_str() {
            "mobilenet-v2" => {
                if input.width % 32 != 0 || input.height % 32 != 0 {
                    return Err(EmbedError::InputSpec {
                        model: m.name.clone(),
                        reason: "mobilenet-v2 needs a width and height multiple of 32",
                    });
                }
                Arch::MobileNetV2(Box::new(load_mobilenet(&weights)?))
            }
            other => {
                return Err(EmbedError::UnsupportedArchitecture {
                    model: m.name.clone(),
                    architecture: other.to_owned(),
                });
            }
        };
        tracing::debug!(model = %m.name, architecture = %m.architecture, "backbone loaded");
        Ok(Backbone {
            name: m.name.clone(),
            sha256: m.content_sha256(),
            input,
            labels: std::sync::Arc::new(m.labels.clone()),
            arch,
        })
    }

    /// The model's name in its manifest.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The model's content identity (`Manifest::content_sha256`): record it
    /// with every embedding, so a changed model is noticed.
    pub fn model_sha256(&self) -> &str {
        &self.sha256
    }

    /// Dimension of the embeddings.
    pub fn dim(&self) -> usize {
        match self.arch {
            Arch::MobileNetV2(_) => mobilenet::FEATURES,
        }
    }

    /// The classifier's labels (may be empty).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The whole-image embedding of an interleaved RGB8 image.
    pub fn embed(&self, rgb: &[u8], width: u32, height: u32) -> Result<Embedding, EmbedError> {
        Ok(self.analyse(rgb, width, height)?.whole)
    }

    /// One forward pass: whole-image and region embeddings and logits.
    pub fn analyse(&self, rgb: &[u8], width: u32, height: u32) -> Result<Analysis, EmbedError> {
        let (w, h) = (width as usize, height as usize);
        if width == 0
            || height == 0
            || width > MAX_SIDE
            || height > MAX_SIDE
            || Some(rgb.len()) != w.checked_mul(h).and_then(|n| n.checked_mul(3))
        {
            return Err(EmbedError::InvalidImage {
                width,
                height,
                len: rgb.len(),
            });
        }
        let spec = &self.input;
        let mut x = ops::resize_rgb_planar(rgb, w, h, spec.width, spec.height);
        let plane = spec.width * spec.height;
        for c in 0..3 {
            let (m, s) = (spec.mean[c], spec.std[c]);
            for v in &mut x[c * plane..(c + 1) * plane] {
                *v = (*v * spec.scale - m) / s;
            }
        }
        match &self.arch {
            Arch::MobileNetV2(net) => {
                let (fmap, gh, gw) = net.features(&x, spec.height, spec.width);
                let windows = region_windows(gw, gh);
                let mut regions = Vec::with_capacity(windows.len());
                let mut pooled_whole = Vec::new();
                for (index, &(cx, cy, cw, ch)) in windows.iter().enumerate() {
                    let pooled = pool(&fmap, mobilenet::FEATURES, gw, cx, cy, cw, ch);
                    if index == 0 {
                        pooled_whole = pooled.clone();
                    }
                    regions.push(RegionEmbedding {
                        index,
                        region: cell_box(cx, cy, cw, ch, gw, gh, width, height),
                        embedding: Embedding::from_unnormalised(pooled),
                    });
                }
                let logits = net.logits(&pooled_whole);
                Ok(Analysis {
                    whole: regions[0].embedding.clone(),
                    regions,
                    logits: Some(logits),
                    labels: self.labels.clone(),
                })
            }
        }
    }
}

fn load_mobilenet(path: &Path) -> Result<mobilenet::MobileNetV2, EmbedError> {
    let t = vidi_models::Tensors::open(path)?;
    mobilenet::MobileNetV2::load(&t)
}

fn input_spec(model: &str, v: &serde_json::Value) -> Result<InputSpec, EmbedError> {
    let bad = |reason| EmbedError::InputSpec {
        model: model.to_owned(),
        reason,
    };
    let size = |k: &str| -> Result<usize, EmbedError> {
        match v.get(k).and_then(serde_json::Value::as_u64) {
            Some(n) if (32..=1024).contains(&n) => Ok(n as usize),
            Some(_) => Err(bad("width/height out of range 32..=1024")),
            None => Err(bad("width/height missing")),
        }
    };
    let triple = |k: &str, default: [f32; 3]| -> Result<[f32; 3], EmbedError> {
        match v.get(k) {
            None => Ok(default),
            Some(a) => {
                let a: Vec<f64> = a
                    .as_array()
                    .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
                    .unwrap_or_default();
                match a.as_slice() {
                    [x, y, z] => Ok([*x as f32, *y as f32, *z as f32]),
                    _ => Err(bad("mean/std must be three numbers")),
                }
            }
        }
    };
    let std = triple("std", [1.0; 3])?;
    if std.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
        return Err(bad("std must be positive"));
    }
    let scale = v
        .get("scale")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(1.0 / 255.0) as f32;
    Ok(InputSpec {
        width: size("width")?,
        height: size("height")?,
        scale,
        mean: triple("mean", [0.0; 3])?,
        std,
    })
}

/// The region windows on a `gw` x `gh` grid: `(x, y, w, h)` in cells.
fn region_windows(gw: usize, gh: usize) -> Vec<(usize, usize, usize, usize)> {
    let mut out = vec![(0, 0, gw, gh)];
    for (n, frac) in [(2usize, 4.0f32 / 7.0), (3, 3.0 / 7.0)] {
        let (ww, wh) = (
            ((gw as f32 * frac).round() as usize).clamp(1, gw),
            ((gh as f32 * frac).round() as usize).clamp(1, gh),
        );
        for j in 0..n {
            for i in 0..n {
                let x = (gw - ww) * i / (n - 1);
                let y = (gh - wh) * j / (n - 1);
                out.push((x, y, ww, wh));
            }
        }
    }
    out
}

fn pool(fmap: &[f32], c: usize, gw: usize, x: usize, y: usize, w: usize, h: usize) -> Vec<f32> {
    let gh = fmap.len() / (c * gw);
    let inv = 1.0 / (w * h) as f32;
    (0..c)
        .map(|ch| {
            let plane = &fmap[ch * gw * gh..(ch + 1) * gw * gh];
            let mut s = 0.0;
            for yy in y..y + h {
                s += plane[yy * gw + x..yy * gw + x + w].iter().sum::<f32>();
            }
            s * inv
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn cell_box(
    cx: usize,
    cy: usize,
    cw: usize,
    ch: usize,
    gw: usize,
    gh: usize,
    width: u32,
    height: u32,
) -> Region {
    let sx = |c: usize| ((c as u64 * u64::from(width)) / gw as u64) as u32;
    let sy = |c: usize| ((c as u64 * u64::from(height)) / gh as u64) as u32;
    Region {
        x: sx(cx),
        y: sy(cy),
        width: sx(cx + cw) - sx(cx),
        height: sy(cy + ch) - sy(cy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_grid() {
        let w = region_windows(7, 7);
        assert_eq!(w.len(), REGIONS_PER_IMAGE);
        assert_eq!(w[0], (0, 0, 7, 7));
        assert_eq!(w[1], (0, 0, 4, 4));
        assert_eq!(w[4], (3, 3, 4, 4));
        assert_eq!(w[5], (0, 0, 3, 3));
        assert_eq!(w[13], (4, 4, 3, 3));
        let b = cell_box(3, 3, 4, 4, 7, 7, 700, 350);
        assert_eq!(
            b,
            Region {
                x: 300,
                y: 150,
                width: 400,
                height: 200
            }
        );
    }

    #[test]
    fn input_spec_checks() {
        let v = serde_json::json!({"width": 224, "height": 224, "mean": [0.5, 0.5, 0.5], "std": [0.2, 0.2, 0.2]});
        let s = input_spec("m", &v).unwrap();
        assert_eq!(s.width, 224);
        assert!(input_spec("m", &serde_json::json!({"width": 224})).is_err());
        let v = serde_json::json!({"width": 224, "height": 224, "std": [0.0, 1.0, 1.0]});
        assert!(input_spec("m", &v).is_err());
    }

    #[test]
    fn normalises() {
        let e = Embedding::from_unnormalised(vec![3.0, 4.0]);
        assert_eq!(e.vector, vec![0.6, 0.8]);
        assert!((e.cosine(&e) - 1.0).abs() < 1e-6);
        assert_eq!(
            Embedding::from_unnormalised(vec![0.0; 3]).vector,
            vec![0.0; 3]
        );
    }
}
