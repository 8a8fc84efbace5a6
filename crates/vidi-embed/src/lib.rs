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
//! (offsets 0, 2, 4: each about a fifth of the frame): [`GRID_REGIONS`].
//! Then crops ([`CropSet`], by default the four corners and the centre at
//! 60 % of each side), each embedded by a forward pass of its own at a
//! smaller input (160 px): the grid cells of one 224 px pass see far
//! beyond their window, so a scene filling a third of the frame beside
//! unrelated content is only found through a crop pass. All embeddings are
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
pub const REGION_SCHEME: u32 = 2;

/// Grid regions of the whole-image pass, including the whole image
/// (index 0).
pub const GRID_REGIONS: usize = 14;

/// Regions per image with the default crops: the grid regions, then the
/// [`CropSet::DEFAULT`] crops.
pub const REGIONS_PER_IMAGE: usize = 19;

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
        Ok(self.analyse_with(rgb, width, height, &CropSet::NONE)?.whole)
    }

    /// One forward pass on the whole image: the whole-image and grid-region
    /// embeddings and logits, no crop pass (`CropSet::NONE`; cheapest, for
    /// classification). Same-scene search stores
    /// `analyse_with(.., &CropSet::DEFAULT)` (region scheme
    /// [`REGION_SCHEME`]).
    pub fn analyse(&self, rgb: &[u8], width: u32, height: u32) -> Result<Analysis, EmbedError> {
        self.analyse_with(rgb, width, height, &CropSet::NONE)
    }

    /// One forward pass on the whole image (its 14 grid regions), then one
    /// smaller pass per crop of `crops` (each crop's whole embedding is a
    /// region, indices 14 and up).
    pub fn analyse_with(
        &self,
        rgb: &[u8],
        width: u32,
        height: u32,
        crops: &CropSet,
    ) -> Result<Analysis, EmbedError> {
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
        match &self.arch {
            Arch::MobileNetV2(net) => {
                let x = self.prepare(rgb, w, h, spec.width, spec.height);
                let (fmap, gh, gw) = net.features(&x, spec.height, spec.width);
                let windows = region_windows(gw, gh);
                let mut regions = Vec::with_capacity(windows.len() + crops.count());
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
                let side = crop_input(spec.width.min(spec.height), crops.input_fraction);
                for b in crops.boxes(width, height) {
                    let sub = crop_rgb(rgb, w, b);
                    let x = self.prepare(&sub, b.width as usize, b.height as usize, side, side);
                    let (fmap, gh, gw) = net.features(&x, side, side);
                    let pooled = pool(&fmap, mobilenet::FEATURES, gw, 0, 0, gw, gh);
                    regions.push(RegionEmbedding {
                        index: regions.len(),
                        region: b,
                        embedding: Embedding::from_unnormalised(pooled),
                    });
                }
                Ok(Analysis {
                    whole: regions[0].embedding.clone(),
                    regions,
                    logits: Some(logits),
                    labels: self.labels.clone(),
                })
            }
        }
    }

    /// Resize to `ow` x `oh` and normalise with the manifest's scale, mean
    /// and std: planar `[3, oh, ow]`.
    fn prepare(&self, rgb: &[u8], w: usize, h: usize, ow: usize, oh: usize) -> Vec<f32> {
        let spec = &self.input;
        let mut x = ops::resize_rgb_planar(rgb, w, h, ow, oh);
        let plane = ow * oh;
        for c in 0..3 {
            let (m, s) = (spec.mean[c], spec.std[c]);
            for v in &mut x[c * plane..(c + 1) * plane] {
                *v = (*v * spec.scale - m) / s;
            }
        }
        x
    }
}

/// The crops embedded by a forward pass of their own (on top of the
/// whole-image pass), so that a scene filling only part of the frame (a
/// room seen small, beside unrelated content) has an embedding of its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropSet {
    /// Side of each crop as a fraction of the image's width and height
    /// (0 = no crops).
    pub side: f32,
    /// The four corner crops.
    pub corners: bool,
    /// The centred crop.
    pub centre: bool,
    /// Input size of a crop pass as a fraction of the backbone's input
    /// side (rounded down to a multiple of 32, at least 32).
    pub input_fraction: f32,
}

impl CropSet {
    /// No crop pass (region scheme 1: the 14 grid regions only).
    pub const NONE: CropSet = CropSet {
        side: 0.0,
        corners: false,
        centre: false,
        input_fraction: 0.0,
    };

    /// The default: the four corners and the centre, each 60 % of the
    /// width and height (36 % of the frame), at 5/7 of the backbone's
    /// input (160 px for 224).
    pub const DEFAULT: CropSet = CropSet {
        side: 0.6,
        corners: true,
        centre: true,
        input_fraction: 5.0 / 7.0,
    };

    /// Number of crops.
    pub fn count(&self) -> usize {
        if !(self.side > 0.0 && self.side < 1.0) {
            return 0;
        }
        usize::from(self.corners) * 4 + usize::from(self.centre)
    }

    /// The crop boxes in the pixels of a `width` x `height` image: corners
    /// (top left, top right, bottom left, bottom right) then the centre.
    pub fn boxes(&self, width: u32, height: u32) -> Vec<Region> {
        if self.count() == 0 {
            return Vec::new();
        }
        let cw = ((width as f32 * self.side).round() as u32).clamp(1, width);
        let ch = ((height as f32 * self.side).round() as u32).clamp(1, height);
        let (rx, ry) = (width - cw, height - ch);
        let mut out = Vec::with_capacity(self.count());
        let mut push = |x, y| {
            out.push(Region {
                x,
                y,
                width: cw,
                height: ch,
            });
        };
        if self.corners {
            push(0, 0);
            push(rx, 0);
            push(0, ry);
            push(rx, ry);
        }
        if self.centre {
            push(rx / 2, ry / 2);
        }
        out
    }
}

/// Input side of a crop pass: `fraction` of `side`, a multiple of 32.
fn crop_input(side: usize, fraction: f32) -> usize {
    ((((side as f32 * fraction) as usize) / 32) * 32).max(32)
}

/// Copy the box `b` (inside the image) of an RGB8 image `w` pixels wide.
fn crop_rgb(rgb: &[u8], w: usize, b: Region) -> Vec<u8> {
    let (x, bw) = (b.x as usize, b.width as usize);
    let mut out = Vec::with_capacity(bw * b.height as usize * 3);
    for y in b.y as usize..(b.y + b.height) as usize {
        let row = y * w * 3;
        out.extend_from_slice(&rgb[row + x * 3..row + (x + bw) * 3]);
    }
    out
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
        assert_eq!(w.len(), GRID_REGIONS);
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
    fn crop_boxes_stay_inside() {
        assert_eq!(CropSet::NONE.count(), 0);
        assert!(CropSet::NONE.boxes(100, 100).is_empty());
        assert_eq!(CropSet::DEFAULT.count(), REGIONS_PER_IMAGE - GRID_REGIONS);
        for (w, h) in [(512u32, 384u32), (1, 1), (3, 1000)] {
            let b = CropSet::DEFAULT.boxes(w, h);
            assert_eq!(b.len(), 5);
            for r in &b {
                assert!(r.width >= 1 && r.height >= 1);
                assert!(r.x + r.width <= w && r.y + r.height <= h);
            }
        }
        let b = CropSet::DEFAULT.boxes(500, 400);
        assert_eq!(
            b[3],
            Region {
                x: 200,
                y: 160,
                width: 300,
                height: 240
            }
        );
        assert_eq!(crop_input(224, 5.0 / 7.0), 160);
        assert_eq!(crop_input(40, 0.1), 32);
        let rgb: Vec<u8> = (0..4 * 3 * 3).map(|i| i as u8).collect();
        let c = crop_rgb(&rgb, 4, b_region(1, 1, 2, 2));
        assert_eq!(c, vec![15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
    }

    fn b_region(x: u32, y: u32, width: u32, height: u32) -> Region {
        Region {
            x,
            y,
            width,
            height,
        }
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
