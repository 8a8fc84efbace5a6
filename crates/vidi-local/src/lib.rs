//! Local image features and geometric verification for same-scene
//! linking.
//!
//! Global embeddings cannot tell "the same room, small" from "a similar
//! picture, large" (`docs/accuracy-linking.md`). Local features can: the
//! same physical corners appear in both pictures, and they agree on one
//! geometric transform, which corners of an unrelated picture do not.
//!
//! - [`extract`]: multi-scale keypoints (FAST-9 on a pyramid, ranked by
//!   Harris response and spread over the frame), each with an orientation
//!   (intensity centroid) and a 256-bit rotated binary descriptor, in the
//!   manner of ORB (Rublee et al. 2011; written here from the published
//!   description, with a pattern of our own).
//! - [`verify`]: mutual nearest neighbours by Hamming distance with Lowe's
//!   ratio test, then RANSAC for a similarity transform (scale, rotation,
//!   translation) whose inliers also agree on keypoint size and
//!   orientation. The result gives the inlier count and the transform.
//! - [`Features::to_bytes`] / [`Features::from_bytes`] (and the file
//!   helpers): a compact, checked serialisation (38 bytes per keypoint).
//!
//! Everything is deterministic (fixed pattern, seeded RANSAC) and bounded:
//! the image is resampled to at most [`ExtractParams::max_side`] pixels
//! before anything else, and keypoints are capped.

#![warn(missing_docs)]

mod brief;
mod error;
mod geometry;
mod gray;
mod keypoints;
mod matching;
mod store;

pub use brief::{DESCRIPTOR_BITS, Descriptor, hamming};
pub use error::LocalError;
pub use geometry::Similarity;

use gray::Gray;
use keypoints::BORDER;

/// Largest input accepted, in pixels (width x height).
pub const MAX_INPUT_PIXELS: u64 = 1 << 28;

/// Side (pixels) of the patch a keypoint describes, on its level.
const PATCH_SIZE: f32 = 31.0;

/// How features are extracted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExtractParams {
    /// The image is first resampled so its longer side is at most this
    /// (never enlarged).
    pub max_side: u32,
    /// Pyramid levels (1 = the resampled image only).
    pub levels: u32,
    /// Scale factor between consecutive levels (> 1).
    pub scale_factor: f32,
    /// Keypoints kept over all levels.
    pub max_keypoints: u32,
    /// FAST threshold (grey levels).
    pub fast_threshold: u8,
}

impl Default for ExtractParams {
    /// 640 px, 6 levels of factor 1.3 (a scale range of 3.7), 500
    /// keypoints, FAST threshold 12.
    fn default() -> Self {
        ExtractParams {
            max_side: 640,
            levels: 6,
            scale_factor: 1.3,
            max_keypoints: 500,
            fast_threshold: 12,
        }
    }
}

impl ExtractParams {
    fn check(&self) -> Result<(), LocalError> {
        let bad = |name| Err(LocalError::Param { name });
        if !(64..=8192).contains(&self.max_side) {
            return bad("max_side");
        }
        if !(1..=16).contains(&self.levels) {
            return bad("levels");
        }
        if !(self.scale_factor.is_finite() && self.scale_factor > 1.01 && self.scale_factor <= 4.0)
        {
            return bad("scale_factor");
        }
        if self.max_keypoints > 20_000 {
            return bad("max_keypoints");
        }
        Ok(())
    }
}

/// A keypoint, in the input image's pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Keypoint {
    /// Column (pixel centres at integers).
    pub x: f32,
    /// Row.
    pub y: f32,
    /// Side of the described patch, in input pixels.
    pub size: f32,
    /// Orientation in radians (towards the patch's intensity centroid).
    pub angle: f32,
    /// Pyramid level it was found on (0 = finest).
    pub level: u8,
}

/// The local features of one image.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Input width in pixels.
    pub width: u32,
    /// Input height in pixels.
    pub height: u32,
    /// Keypoints, best (Harris response) first within each level.
    pub keypoints: Vec<Keypoint>,
    /// One descriptor per keypoint.
    pub descriptors: Vec<Descriptor>,
}

impl Features {
    /// Number of keypoints.
    pub fn len(&self) -> usize {
        self.keypoints.len()
    }

    /// True when no keypoint was found (flat or tiny image).
    pub fn is_empty(&self) -> bool {
        self.keypoints.is_empty()
    }
}

/// Features of an interleaved 8-bit image: `channels` is 1 (grey), 3 (RGB)
/// or 4 (RGBA; alpha ignored).
pub fn extract(
    pixels: &[u8],
    width: u32,
    height: u32,
    channels: u32,
    params: &ExtractParams,
) -> Result<Features, LocalError> {
    params.check()?;
    if !matches!(channels, 1 | 3 | 4) {
        return Err(LocalError::Param { name: "channels" });
    }
    let n = u64::from(width) * u64::from(height);
    if n > MAX_INPUT_PIXELS {
        return Err(LocalError::TooLarge { width, height });
    }
    let expected = n * u64::from(channels);
    if pixels.len() as u64 != expected {
        return Err(LocalError::BadBuffer {
            width,
            height,
            channels,
            expected,
            got: pixels.len() as u64,
        });
    }
    let mut out = Features {
        width,
        height,
        keypoints: Vec::new(),
        descriptors: Vec::new(),
    };
    if width == 0 || height == 0 {
        return Ok(out);
    }
    let gray = Gray::from_interleaved(pixels, width as usize, height as usize, channels as usize);
    let long = width.max(height) as f32;
    let s = (params.max_side as f32 / long).min(1.0);
    let (pw, ph) = (
        ((width as f32 * s).round() as usize).max(1),
        ((height as f32 * s).round() as usize).max(1),
    );
    let base = gray.resize(pw, ph);
    drop(gray);
    // Keypoints per level in proportion to the level's linear size (as
    // ORB does), so coarse levels still get a fair share.
    let f = params.scale_factor;
    let weights: Vec<f32> = (0..params.levels).map(|l| f.powi(-(l as i32))).collect();
    let total: f32 = weights.iter().sum();
    for (l, wgt) in weights.iter().enumerate() {
        let quota = (params.max_keypoints as f32 * wgt / total).round() as usize;
        let lw = (pw as f32 * wgt).round() as usize;
        let lh = (ph as f32 * wgt).round() as usize;
        if lw < 2 * BORDER + 1 || lh < 2 * BORDER + 1 || quota == 0 {
            break;
        }
        let img = if l == 0 {
            base.clone()
        } else {
            base.resize(lw, lh)
        };
        let smooth = img.blur5();
        // An 8x8 grid of cells, each keeping at most twice its fair share.
        let cell = lw.max(lh).div_ceil(8).max(1);
        let per_cell = (2 * quota).div_ceil(64).max(2);
        let corners = keypoints::detect(
            &img,
            i32::from(params.fast_threshold),
            cell,
            per_cell,
            quota,
        );
        let (sx, sy) = (width as f32 / lw as f32, height as f32 / lh as f32);
        for c in corners {
            let angle = keypoints::orientation(&img, c.x, c.y);
            out.descriptors
                .push(brief::describe(&smooth, c.x, c.y, angle));
            out.keypoints.push(Keypoint {
                x: (c.x as f32 + 0.5) * sx - 0.5,
                y: (c.y as f32 + 0.5) * sy - 0.5,
                size: PATCH_SIZE * sx.max(sy),
                angle,
                level: l as u8,
            });
        }
    }
    tracing::trace!(width, height, keypoints = out.len(), "local features");
    Ok(out)
}

/// How two feature sets are matched and verified.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerifyParams {
    /// Lowe's ratio: best distance < ratio x second best (both directions).
    pub ratio: f32,
    /// Largest Hamming distance of a tentative match (of 256 bits).
    pub max_distance: u32,
    /// Reprojection tolerance, as a fraction of the target image's longer
    /// side.
    pub inlier_fraction: f32,
    /// Smallest and largest scale of a plausible transform.
    pub min_scale: f32,
    /// See `min_scale`.
    pub max_scale: f32,
    /// An inlier's keypoint size ratio must be within this factor of the
    /// transform's scale.
    pub scale_tolerance: f32,
    /// An inlier's orientation change must be within this many radians of
    /// the transform's rotation.
    pub angle_tolerance: f32,
    /// RANSAC draws (all pairs when there are fewer).
    pub iterations: u32,
    /// Inliers needed to call the pair verified.
    pub min_inliers: u32,
}

impl Default for VerifyParams {
    /// Ratio 0.8 (Lowe's), 64 bits, 1 % of the side, scale 1/8..8, keypoint
    /// size within 1.3^2 (two pyramid levels), orientation within 30
    /// degrees, 1000 draws, 12 inliers.
    fn default() -> Self {
        VerifyParams {
            ratio: 0.8,
            max_distance: 64,
            inlier_fraction: 0.01,
            min_scale: 0.125,
            max_scale: 8.0,
            scale_tolerance: 1.69,
            angle_tolerance: std::f32::consts::PI / 6.0,
            iterations: 1000,
            min_inliers: 12,
        }
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// Tentative matches (mutual nearest neighbours passing the ratio test).
    pub tentative: u32,
    /// Matches consistent with the transform.
    pub inliers: u32,
    /// The transform from the first image's pixels to the second's, when
    /// one was found (even with few inliers).
    pub transform: Option<Similarity>,
    /// `inliers >= min_inliers`.
    pub verified: bool,
}

/// Match `a` against `b` and fit a similarity transform from `a`'s pixels
/// to `b`'s.
pub fn verify(a: &Features, b: &Features, params: &VerifyParams) -> Verification {
    let matches = matching::match_mutual(
        &a.descriptors,
        &b.descriptors,
        params.ratio,
        params.max_distance,
    );
    let corr: Vec<geometry::Corr> = matches
        .iter()
        .filter_map(|m| {
            let (ka, kb) = (a.keypoints.get(m.a)?, b.keypoints.get(m.b)?);
            Some(geometry::Corr {
                a: (ka.x, ka.y),
                b: (kb.x, kb.y),
                size_ratio: kb.size / ka.size.max(1e-6),
                angle_diff: kb.angle - ka.angle,
            })
        })
        .collect();
    let ransac = geometry::Ransac {
        inlier_px: params.inlier_fraction * b.width.max(b.height) as f32,
        min_scale: params.min_scale,
        max_scale: params.max_scale,
        scale_tolerance: params.scale_tolerance.max(1.0),
        angle_tolerance: params.angle_tolerance,
        iterations: params.iterations as usize,
    };
    let (transform, inliers) = match ransac.run(&corr) {
        Some((m, inl)) => (Some(m), inl.len() as u32),
        None => (None, 0),
    };
    Verification {
        tentative: corr.len() as u32,
        inliers,
        transform,
        verified: inliers >= params.min_inliers,
    }
}
