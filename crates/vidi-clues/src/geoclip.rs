//! GeoCLIP-style geolocation from the image content.
//!
//! GeoCLIP (Vivanco Cepeda, Nayak and Shah, NeurIPS 2023; PyPI `geoclip`
//! 1.3.0, MIT) puts images and GPS positions in one 512-d space:
//! - the **image head** maps a CLIP ViT-L/14 image embedding (768-d
//!   `image_embeds`, projected, not normalised) through Linear 768→768,
//!   ReLU, Linear 768→512;
//! - the **location encoder** projects (lat, lon) with the Equal Earth
//!   projection (scaled by 66.50336 / 180), then for each of three scales
//!   σ = 1, 16, 256 takes random Fourier features `[cos 2πBv, sin 2πBv]`
//!   (B: 256×2, drawn once from N(0, σ²) and shipped with the weights)
//!   through Linear 512→1024, ReLU, (Linear 1024→1024, ReLU) ×2, Linear
//!   1024→512, and sums the three outputs;
//! - a position's score for an image is `exp(logit_scale) * cos(image,
//!   position)`; the softmax over a gallery of 100,000 positions gives
//!   the probabilities, the top ones are the guesses.
//!
//! This module implements all of that in Rust ([`GeoClipHeads`],
//! [`Gallery`], [`GeoLocator`]) from the weights `scripts/models/
//! install-geoclip.sh` installs (model [`GEOCLIP_MODEL`]). The gallery's
//! 100,000 location embeddings are computed once (about a minute on two
//! cores) and cached next to the models ([`Gallery::load_or_build`]).
//!
//! The CLIP ViT-L/14 backbone is not shipped by any registry: the user
//! adds it as model [`CLIP_BACKBONE`] (see `docs/accuracy.md`). Until it is
//! installed, and until an image runner for its architecture exists
//! ([`ClipEmbedder`]), [`GeoClipExtractor::load`] fails with
//! [`ClueError::ModelMissing`] saying so, and `vidi clues` lists the
//! extractor as not run with that reason.

use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::Digest;
use vidi_types::{Cancel, MediaKind, MediaRecord};

use crate::{Clue, ClueError, ClueExtractor, ClueInput, ClueKind, ModelRef, read_bytes};

mod gallery;
mod heads;

use gallery::normalise_rows;
pub use gallery::{Gallery, read_gallery_csv};
pub use heads::{GeoClipHeads, equal_earth};

/// Manifest name of the GeoCLIP heads and gallery.
pub const GEOCLIP_MODEL: &str = "geoclip-heads";
/// Manifest name of the image backbone GeoCLIP needs.
pub const CLIP_BACKBONE: &str = "clip-vit-large-patch14";
/// Architecture the backbone's manifest must name.
pub const CLIP_ARCHITECTURE: &str = "clip-vit";
/// Dimension of the CLIP embedding the image head takes.
pub const CLIP_DIM: usize = 768;
/// Dimension of the shared image / location space.
pub const SHARED_DIM: usize = 512;
/// Gallery points looked at for country clues.
pub const TOP_K: usize = 20;

/// Largest gallery accepted (points).
pub(crate) const MAX_GALLERY: usize = 1_000_000;

/// What can go wrong loading or running the GeoCLIP heads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GeoClipError {
    /// A file could not be read or written.
    #[error("I/O error on {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The weights file is not a usable safetensors file.
    #[error("{path} is not a usable safetensors file: {reason}")]
    Safetensors {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// A tensor is missing or has another shape.
    #[error("tensor {name} of {path} is missing or not of shape {expected:?}")]
    Tensor {
        /// The file.
        path: PathBuf,
        /// The tensor.
        name: String,
        /// The shape expected.
        expected: Vec<usize>,
    },
    /// A gallery line is not `lat,lon` in range.
    #[error("gallery {path} line {line} is not a valid LAT,LON pair")]
    Gallery {
        /// The gallery file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// The gallery is empty or too large.
    #[error("gallery {path} has {points} points (1 to {MAX_GALLERY} accepted)")]
    GallerySize {
        /// The gallery file.
        path: PathBuf,
        /// Points found.
        points: usize,
    },
    /// An embedding of the wrong dimension was given.
    #[error("embedding has {got} values, {expected} expected")]
    Dimension {
        /// Expected.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// A manifest lacks a file role.
    #[error("model {model} lists no {role} file")]
    MissingFile {
        /// The model.
        model: String,
        /// The role.
        role: &'static str,
    },
    /// Cancelled.
    #[error("cancelled")]
    Cancelled,
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> GeoClipError + '_ {
    move |source| GeoClipError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One gallery position with its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpsGuess {
    /// Index in the gallery.
    pub index: usize,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Softmax probability over the whole gallery.
    pub probability: f32,
}

/// The heads and a gallery: CLIP embedding in, GPS guesses out.
#[derive(Debug, Clone)]
pub struct GeoLocator {
    heads: GeoClipHeads,
    gallery: Gallery,
}

impl GeoLocator {
    /// Pair heads and gallery.
    pub fn new(heads: GeoClipHeads, gallery: Gallery) -> GeoLocator {
        GeoLocator { heads, gallery }
    }

    /// The heads.
    pub fn heads(&self) -> &GeoClipHeads {
        &self.heads
    }

    /// The gallery.
    pub fn gallery(&self) -> &Gallery {
        &self.gallery
    }

    /// The `k` most probable gallery positions for a CLIP embedding (768
    /// values), most probable first, as GeoCLIP's `predict` gives them.
    pub fn top_k(&self, clip: &[f32], k: usize) -> Result<Vec<GpsGuess>, GeoClipError> {
        let mut img = self.heads.image_features(clip)?;
        normalise_rows(&mut img, SHARED_DIM);
        let n = self.gallery.len();
        let mut logits = vec![0.0f32; n];
        if n > 0 {
            // SAFETY: a is the n x 512 gallery (row stride 512), b the
            // 512 x 1 image feature, c the n x 1 logits; sizes match and
            // the buffers are distinct.
            unsafe {
                matrixmultiply::sgemm(
                    n,
                    SHARED_DIM,
                    1,
                    self.heads.logit_scale_exp(),
                    self.gallery.embeddings.as_ptr(),
                    SHARED_DIM as isize,
                    1,
                    img.as_ptr(),
                    1,
                    1,
                    0.0,
                    logits.as_mut_ptr(),
                    1,
                    1,
                );
            }
        }
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f64 = logits.iter().map(|&l| f64::from((l - max).exp())).sum();
        let mut idx: Vec<usize> = (0..n).collect();
        let k = k.min(n);
        if k == 0 {
            return Ok(Vec::new());
        }
        idx.select_nth_unstable_by(k - 1, |&a, &b| {
            logits[b].total_cmp(&logits[a]).then(a.cmp(&b))
        });
        idx.truncate(k);
        idx.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]).then(a.cmp(&b)));
        Ok(idx
            .into_iter()
            .map(|i| {
                let (lat, lon) = self.gallery.points()[i];
                GpsGuess {
                    index: i,
                    lat,
                    lon,
                    probability: (f64::from((logits[i] - max).exp()) / sum) as f32,
                }
            })
            .collect())
    }
}

/// Countries of GPS guesses, resolved offline with `vidi-geo` (a point at
/// sea takes its nearest town's country within 50 km, else counts for no
/// country): per country, the summed probability and its guesses, most
/// probable country first.
pub fn countries_of(
    guesses: &[GpsGuess],
) -> Result<Vec<(vidi_geo::CountryCode, f32, Vec<GpsGuess>)>, ClueError> {
    let geocoder = vidi_geo::geocoder().map_err(ClueError::Geo)?;
    let mut by: Vec<(vidi_geo::CountryCode, f32, Vec<GpsGuess>)> = Vec::new();
    for g in guesses {
        let Ok(place) = geocoder.place(g.lat, g.lon) else {
            continue;
        };
        let Some(c) = place.likely_country(50.0) else {
            continue;
        };
        match by.iter_mut().find(|(cc, _, _)| *cc == c) {
            Some(e) => {
                e.1 += g.probability;
                e.2.push(*g);
            }
            None => by.push((c, g.probability, vec![*g])),
        }
    }
    by.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
    Ok(by)
}

/// Countries below this summed probability give no clue.
const MIN_COUNTRY: f32 = 0.02;
/// Most country clues per image.
const MAX_COUNTRIES: usize = 3;

/// The [`ClueKind::SceneGeolocation`] clues of GPS guesses: up to three
/// countries holding at least 2 % of the probability, confidence = their
/// summed probability, detail = the guesses in that country.
pub fn geolocation_clues(
    guesses: &[GpsGuess],
    model: &ModelRef,
    version: u32,
) -> Result<Vec<Clue>, ClueError> {
    Ok(countries_of(guesses)?
        .into_iter()
        .filter(|(_, p, _)| *p >= MIN_COUNTRY)
        .take(MAX_COUNTRIES)
        .map(|(c, p, gs)| Clue {
            kind: ClueKind::SceneGeolocation,
            value: c.as_str().to_owned(),
            confidence: p.clamp(0.0, 1.0),
            extractor: "geoclip".into(),
            version,
            model: Some(model.clone()),
            region: None,
            time_range: None,
            detail: json!({
                "country_name": c.name(),
                "top_k": guesses.len(),
                "points": gs.iter().map(|g| json!({
                    "lat": (g.lat * 1e4).round() / 1e4,
                    "lon": (g.lon * 1e4).round() / 1e4,
                    "p": (f64::from(g.probability) * 1e4).round() / 1e4,
                })).collect::<Vec<_>>(),
            }),
        })
        .collect())
}

/// An image runner giving the CLIP embedding GeoCLIP's head takes
/// (`image_embeds`: the 768-d projected image feature, not normalised).
pub trait ClipEmbedder: Send + Sync {
    /// The backbone's manifest name and content SHA-256.
    fn model(&self) -> ModelRef;
    /// The embedding of an interleaved RGB8 image.
    fn embed(&self, rgb: &[u8], width: u32, height: u32) -> Result<Vec<f32>, ClueError>;
}

/// The backbone manifest entry GeoCLIP expects (what a user writes to add
/// CLIP ViT-L/14 with `vidi models add`; the weights file is theirs).
pub fn backbone_manifest_template() -> serde_json::Value {
    json!({
        "format": vidi_models::FORMAT,
        "name": CLIP_BACKBONE,
        "task": "image-embedding",
        "architecture": CLIP_ARCHITECTURE,
        "files": [{"role": "weights", "path": "model.safetensors", "bytes": 0, "sha256": "<sha256>",
                   "format": "safetensors, Hugging Face CLIPVisionModelWithProjection tensor names"}],
        "input": {"width": 224, "height": 224, "channels": "RGB",
                  "resize": "shortest side to 224 (bicubic), centre crop 224x224",
                  "scale": 1.0 / 255.0,
                  "mean": [0.481_454_66, 0.457_827_5, 0.408_210_73],
                  "std": [0.268_629_54, 0.261_302_58, 0.275_777_11]},
        "dims": {"embedding": CLIP_DIM, "patch": 14, "layers": 24, "width": 1024, "heads": 16},
        "output": "image_embeds (visual projection of the pooled CLS token), not normalised",
        "licence": "MIT (OpenAI CLIP)",
        "source": {"registry": "user", "packages": [], "version": "",
                   "upstream": "openai/clip-vit-large-patch14"},
    })
}

/// Image geolocation: CLIP ViT-L/14 embedding, GeoCLIP head, gallery
/// top-k, countries.
pub struct GeoClipExtractor {
    locator: GeoLocator,
    embedder: Box<dyn ClipEmbedder>,
    model: ModelRef,
    limits: vidi_media::Limits,
}

impl std::fmt::Debug for GeoClipExtractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoClipExtractor")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

const VERSION: u32 = 1;

/// The image runner for an installed backbone. None exists yet for
/// [`CLIP_ARCHITECTURE`] (vidi-embed implements the architectures in
/// `vidi_embed::ARCHITECTURES`): the answer is [`ClueError::ModelMissing`]
/// saying so. A runner plugs in here.
fn runner_for(backbone: &vidi_models::Model) -> Result<Box<dyn ClipEmbedder>, ClueError> {
    Err(missing(
        CLIP_BACKBONE,
        format!(
            "model {CLIP_BACKBONE} is installed (architecture {:?}) but this build has no runner for it \
             (image runners: {})",
            backbone.architecture,
            vidi_embed::ARCHITECTURES.join(", ")
        ),
    ))
}

fn missing(name: &str, why: String) -> ClueError {
    ClueError::ModelMissing {
        extractor: "geoclip",
        name: name.to_owned(),
        why,
    }
}

impl GeoClipExtractor {
    /// Load from a models directory: the backbone [`CLIP_BACKBONE`] is
    /// looked for first (a missing one, or one this build has no runner
    /// for, is [`ClueError::ModelMissing`] naming it), then the heads and
    /// the gallery (cached in `<models_dir>/.cache`).
    pub fn load(models_dir: &Path, cancel: &Cancel) -> Result<GeoClipExtractor, ClueError> {
        let reg = vidi_models::Registry::open(models_dir)
            .map_err(|e| missing(GEOCLIP_MODEL, e.to_string()))?;
        let heads_model = reg.get(GEOCLIP_MODEL).map_err(|e| {
            missing(
                GEOCLIP_MODEL,
                format!("{e}; install it with scripts/models/install.sh"),
            )
        })?;
        let backbone = reg.get(CLIP_BACKBONE).map_err(|_| {
            missing(
                CLIP_BACKBONE,
                format!(
                    "the CLIP ViT-L/14 image backbone GeoCLIP needs is not installed (no registry ships it); \
                     add it with `vidi models add` (architecture {CLIP_ARCHITECTURE:?}); the GeoCLIP heads \
                     {GEOCLIP_MODEL} are installed"
                ),
            )
        })?;
        let embedder = runner_for(backbone)?;
        Self::from_model(heads_model, embedder, &models_dir.join(".cache"), cancel)
    }

    /// Build from the installed heads model and an image runner.
    pub fn from_model(
        heads_model: &vidi_models::Model,
        embedder: Box<dyn ClipEmbedder>,
        cache_dir: &Path,
        cancel: &Cancel,
    ) -> Result<GeoClipExtractor, ClueError> {
        let weights = heads_model
            .file("weights")
            .ok_or_else(|| missing(GEOCLIP_MODEL, "the manifest lists no weights file".into()))?;
        let heads = GeoClipHeads::open(&weights).map_err(ClueError::GeoClip)?;
        let gallery = Gallery::load_or_build(&heads, heads_model, cache_dir, cancel)
            .map_err(ClueError::GeoClip)?;
        let heads_ref = ModelRef {
            name: heads_model.name.clone(),
            sha256: heads_model.content_sha256(),
        };
        Ok(Self::new(
            GeoLocator::new(heads, gallery),
            heads_ref,
            embedder,
        ))
    }

    /// An extractor on a locator and an image runner; `heads` names the
    /// heads model (the clues' model combines it with the backbone's).
    pub fn new(
        locator: GeoLocator,
        heads: ModelRef,
        embedder: Box<dyn ClipEmbedder>,
    ) -> GeoClipExtractor {
        let b = embedder.model();
        let mut h = sha2::Sha256::new();
        for m in [&heads, &b] {
            h.update(m.name.as_bytes());
            h.update([0]);
            h.update(m.sha256.as_bytes());
            h.update([0]);
        }
        let model = ModelRef {
            name: format!("{}+{}", heads.name, b.name),
            sha256: h.finalize().iter().map(|x| format!("{x:02x}")).collect(),
        };
        GeoClipExtractor {
            locator,
            embedder,
            model,
            limits: vidi_media::Limits::default(),
        }
    }

    /// Clues of one CLIP embedding.
    pub fn clues_of_embedding(&self, clip: &[f32]) -> Result<Vec<Clue>, ClueError> {
        let guesses = self
            .locator
            .top_k(clip, TOP_K)
            .map_err(ClueError::GeoClip)?;
        geolocation_clues(&guesses, &self.model, VERSION)
    }
}

impl ClueExtractor for GeoClipExtractor {
    fn id(&self) -> &'static str {
        "geoclip"
    }

    fn version(&self) -> u32 {
        VERSION
    }

    fn model(&self) -> Option<ModelRef> {
        Some(self.model.clone())
    }

    fn applies(&self, media: &MediaRecord) -> bool {
        media.kind == MediaKind::Image && media.error.is_none()
    }

    fn extract(&self, input: ClueInput<'_>, cancel: &Cancel) -> Result<Vec<Clue>, ClueError> {
        let Some(bytes) = read_bytes(input)? else {
            return Ok(Vec::new());
        };
        let img = vidi_media::decode_image(&bytes, &self.limits).map_err(ClueError::Decode)?;
        drop(bytes);
        let clip = self.embedder.embed(&img.rgb, img.width, img.height)?;
        if cancel.is_cancelled() {
            return Err(ClueError::Cancelled);
        }
        self.clues_of_embedding(&clip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_template_parses() {
        let m: vidi_models::Manifest =
            serde_json::from_value(backbone_manifest_template()).unwrap();
        assert_eq!(m.name, CLIP_BACKBONE);
        assert_eq!(m.architecture, CLIP_ARCHITECTURE);
        assert_eq!(m.input["width"], 224);
    }
}
