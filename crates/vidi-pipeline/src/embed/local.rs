//! Local features for find-similar's re-rank (`vidi_local`).
//!
//! [`super::embed_missing`] extracts the local features of the picture it
//! embeds (a video: its first keyframe thumbnail, the one whose whole
//! frame is region 0) and writes them to
//! `W/indexes/local-1/<sha256 hex>.vlf` ([`features_path`]). The file is
//! written under a temporary name and renamed, so a crash leaves no half
//! file.
//!
//! [`super::find_similar`] verifies its [`RERANK_TOP`] best visible media
//! against the query with [`vidi_local::verify`] and puts those with at
//! least [`RERANK_MIN_INLIERS`] geometrically consistent matching points
//! first, by matching points (`vidi_embed::rank::order_by_inliers`). A
//! missing or damaged file only means "not checked": it is logged at
//! debug level and never fails a search.

use std::path::{Path, PathBuf};

use vidi_embed::rank::MediaMatch;
use vidi_local::{ExtractParams, Features, VerifyParams};
use vidi_store::Workspace;
use vidi_types::Sha256;

/// Directory (under `W/indexes/`) of the local-feature files; the suffix
/// is the feature format (a new extractor is a new directory).
pub const LOCAL_FEATURES_DIR: &str = "local-1";

/// Media of the embedding ranking verified with local features.
pub const RERANK_TOP: usize = 50;

/// Matching points (RANSAC inliers) from which a media is moved ahead of
/// the embedding ranking.
pub const RERANK_MIN_INLIERS: u32 = 12;

/// The directory of the local-feature files of a workspace.
pub fn features_dir(ws: &Workspace) -> PathBuf {
    ws.root()
        .join(vidi_store::INDEXES_DIR)
        .join(LOCAL_FEATURES_DIR)
}

/// The local-feature file of a media.
pub fn features_path(ws: &Workspace, sha256: &Sha256) -> PathBuf {
    features_dir(ws).join(format!("{}.vlf", sha256.to_hex()))
}

/// Extract the features of an RGB picture and write them to `path`
/// (temporary name + rename). Returns the number of keypoints.
pub(super) fn extract_to_file(
    rgb: &[u8],
    width: u32,
    height: u32,
    path: &Path,
) -> Result<usize, vidi_local::LocalError> {
    let f = vidi_local::extract(rgb, width, height, 3, &ExtractParams::default())?;
    f.write_file(path)?;
    Ok(f.len())
}

/// The features of a media, or `None` (logged at debug level) when the
/// file is missing or damaged.
fn load(ws: &Workspace, sha256: &Sha256) -> Option<Features> {
    let path = features_path(ws, sha256);
    match Features::read_file(&path) {
        Ok(f) => Some(f),
        Err(e) => {
            tracing::debug!(media = %sha256, error = %e, "no usable local features: not checked");
            None
        }
    }
}

/// The outcome of checking one ranked media with local features.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Check {
    /// Matching points consistent with one similarity transform.
    pub(super) inliers: u32,
    /// The transform's scale (query -> hit), when `inliers` reaches
    /// [`RERANK_MIN_INLIERS`].
    pub(super) scale: Option<f32>,
}

/// Verify the first [`RERANK_TOP`] of `ranked` against the query and
/// reorder: media with at least [`RERANK_MIN_INLIERS`] matching points
/// first (most first), then the rest in their ranking order. Each media
/// comes with its check (`None` = not checked or no usable features).
/// `ranked` holds visible media only; nothing else is loaded.
pub(super) fn rerank(
    ws: &Workspace,
    query: &Sha256,
    ranked: Vec<MediaMatch<Sha256>>,
) -> Vec<(MediaMatch<Sha256>, Option<Check>)> {
    let mut checks: Vec<Option<Check>> = vec![None; ranked.len()];
    if !ranked.is_empty()
        && let Some(qf) = load(ws, query)
    {
        let params = VerifyParams {
            min_inliers: RERANK_MIN_INLIERS,
            ..VerifyParams::default()
        };
        for (m, c) in ranked.iter().zip(checks.iter_mut()).take(RERANK_TOP) {
            let Some(hf) = load(ws, &m.media) else {
                continue;
            };
            let v = vidi_local::verify(&qf, &hf, &params);
            *c = Some(Check {
                inliers: v.inliers,
                scale: v
                    .transform
                    .filter(|_| v.verified)
                    .map(|t| t.scale)
                    .filter(|s| s.is_finite()),
            });
        }
    }
    let inliers: Vec<u32> = checks.iter().map(|c| c.map_or(0, |c| c.inliers)).collect();
    let order = vidi_embed::rank::order_by_inliers(&inliers, RERANK_MIN_INLIERS);
    let mut slots: Vec<Option<(MediaMatch<Sha256>, Option<Check>)>> =
        ranked.into_iter().zip(checks).map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(i: u8) -> MediaMatch<Sha256> {
        MediaMatch {
            media: Sha256([i; 32]),
            score: 1.0 - f32::from(i) / 100.0,
            cosine: 0.5,
            query_region: 0,
            hit_region: 0,
        }
    }

    /// A textured picture: blocks of pseudo-random grey levels.
    fn texture(seed: u32, w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::with_capacity((w * h * 3) as usize);
        for y in 0..h {
            for x in 0..w {
                let (bx, by) = (x / 12, y / 12);
                let v = (bx.wrapping_mul(73_856_093) ^ by.wrapping_mul(19_349_663) ^ seed)
                    .wrapping_mul(2_654_435_761)
                    >> 24;
                out.extend([v as u8; 3]);
            }
        }
        out
    }

    #[test]
    fn missing_features_leave_the_ranking_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspace::init(&tmp.path().join("ws")).unwrap();
        let ranked: Vec<_> = (1..5).map(m).collect();
        let out = rerank(&ws, &Sha256([0; 32]), ranked.clone());
        assert_eq!(out.len(), 4);
        for ((hit, check), want) in out.iter().zip(&ranked) {
            assert_eq!(hit, want);
            assert_eq!(*check, None);
        }
        assert!(rerank(&ws, &Sha256([0; 32]), Vec::new()).is_empty());
    }

    #[test]
    fn matching_media_moves_first_and_damaged_files_are_unchecked() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspace::init(&tmp.path().join("ws")).unwrap();
        std::fs::create_dir_all(features_dir(&ws)).unwrap();
        let (w, h) = (320, 240);
        let q = Sha256([0; 32]);
        extract_to_file(&texture(7, w, h), w, h, &features_path(&ws, &q)).unwrap();
        // Media 3 is the same picture; 1 another texture; 2 a damaged file.
        extract_to_file(&texture(7, w, h), w, h, &features_path(&ws, &m(3).media)).unwrap();
        extract_to_file(&texture(99, w, h), w, h, &features_path(&ws, &m(1).media)).unwrap();
        std::fs::write(features_path(&ws, &m(2).media), b"VIDILF\0\0garbage").unwrap();
        let out = rerank(&ws, &q, (1..5).map(m).collect());
        let order: Vec<u8> = out.iter().map(|(x, _)| x.media.0[0]).collect();
        assert_eq!(order, vec![3, 1, 2, 4]);
        let same = out[0].1.unwrap();
        assert!(same.inliers >= RERANK_MIN_INLIERS, "{same:?}");
        assert!((same.scale.unwrap() - 1.0).abs() < 0.05, "{same:?}");
        assert!(out[1].1.unwrap().inliers < RERANK_MIN_INLIERS);
        assert_eq!(out[1].1.unwrap().scale, None);
        assert_eq!(out[2].1, None);
        assert_eq!(out[3].1, None);
    }
}
