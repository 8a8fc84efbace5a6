//! Ranking media from region-to-region nearest neighbours.
//!
//! A query image has several region embeddings; each region's nearest
//! stored regions (from an ANN index or an exact scan) are the candidates.
//! A media's score is its best region pair ([`Scoring`]): over all pairs or
//! only pairs with a whole image on one side ([`Pairs`]), with the raw
//! cosine or offset by the query region's "neighbourhood density" (the
//! mean cosine of its best distinct media: query-side local scaling, so a
//! region that looks like everything counts for less). The measured
//! effect of each on the same-scene benchmark is in
//! `docs/accuracy-linking.md`.

use std::collections::BTreeMap;

/// Region indices of frame `f` of a video start at `f * FRAME_STRIDE`
/// (so `index % FRAME_STRIDE == 0` is a whole frame).
pub const FRAME_STRIDE: u32 = 100;

/// Which region pairs count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairs {
    /// Every region of the query against every region of the hit.
    All,
    /// Only pairs where one side is a whole image (or whole video frame):
    /// a part of one picture against the whole of the other. Two
    /// foreground surfaces (walls, bedding) no longer match each other.
    WholeAnchored,
}

/// How region pairs are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scoring {
    /// Which pairs count.
    pub pairs: Pairs,
    /// When > 0, each query region's cosines are offset by the mean cosine
    /// of its `density_k` best distinct media (local scaling); 0 = raw
    /// cosines.
    pub density_k: usize,
}

impl Scoring {
    /// Raw cosine over all pairs (best region pair).
    pub const MAX: Scoring = Scoring {
        pairs: Pairs::All,
        density_k: 0,
    };
}

impl Default for Scoring {
    /// [`Scoring::MAX`], the best measured on the quality benchmark.
    fn default() -> Self {
        Scoring::MAX
    }
}

/// One candidate: a stored region of media `M` and its cosine to a query
/// region.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<M> {
    /// The media holding the stored region.
    pub media: M,
    /// The stored region's index (0 = whole image).
    pub region: u32,
    /// Cosine similarity to the query region.
    pub cosine: f32,
}

/// A ranked media with the region pair that matched best.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaMatch<M> {
    /// The media.
    pub media: M,
    /// Ranking score (the cosine, offset with [`Scoring::LocalScaled`]).
    pub score: f32,
    /// Cosine of the best pair.
    pub cosine: f32,
    /// Index of the query's region (0 = whole image).
    pub query_region: usize,
    /// Index of the hit's region (0 = whole image).
    pub hit_region: u32,
}

/// Rank media: `per_region[i]` holds the candidates of query region `i`
/// (any order; the query's own media already removed). Returns the best
/// `k` media, best first (ties by media order).
pub fn rank_media<M: Ord + Clone>(
    per_region: &[Vec<Candidate<M>>],
    k: usize,
    scoring: Scoring,
) -> Vec<MediaMatch<M>> {
    let mut best: BTreeMap<M, MediaMatch<M>> = BTreeMap::new();
    for (qi, cands) in per_region.iter().enumerate() {
        let offset = if scoring.density_k > 0 {
            density(cands, scoring.density_k)
        } else {
            0.0
        };
        for c in cands {
            if scoring.pairs == Pairs::WholeAnchored && qi != 0 && c.region % FRAME_STRIDE != 0 {
                continue;
            }
            let score = c.cosine - offset;
            let better = best.get(&c.media).is_none_or(|m| score > m.score);
            if better {
                best.insert(
                    c.media.clone(),
                    MediaMatch {
                        media: c.media.clone(),
                        score,
                        cosine: c.cosine,
                        query_region: qi,
                        hit_region: c.region,
                    },
                );
            }
        }
    }
    let mut out: Vec<MediaMatch<M>> = best.into_values().collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.media.cmp(&b.media)));
    out.truncate(k);
    out
}

/// Order of a short list after geometric verification: `inliers[i]` is
/// the inlier count of the list's `i`-th media (0 when not verified or
/// not checked). Media with at least `min_inliers` come first, more
/// inliers first (ties keep list order); the others follow in list order.
/// Returns positions into the list. Measured on the quality benchmark
/// with `vidi_local::verify` over the first 50 media:
/// `docs/accuracy-linking.md`.
pub fn order_by_inliers(inliers: &[u32], min_inliers: u32) -> Vec<usize> {
    let mut verified: Vec<usize> = (0..inliers.len())
        .filter(|&i| inliers[i] >= min_inliers)
        .collect();
    verified.sort_by(|&a, &b| inliers[b].cmp(&inliers[a]).then(a.cmp(&b)));
    let rest = (0..inliers.len()).filter(|&i| inliers[i] < min_inliers);
    verified.into_iter().chain(rest).collect()
}

/// Mean of the best cosine of each of the `k` best distinct media.
fn density<M: Ord>(cands: &[Candidate<M>], k: usize) -> f32 {
    let mut per: BTreeMap<&M, f32> = BTreeMap::new();
    for c in cands {
        let e = per.entry(&c.media).or_insert(f32::NEG_INFINITY);
        *e = e.max(c.cosine);
    }
    let mut v: Vec<f32> = per.into_values().collect();
    v.sort_by(|a, b| b.total_cmp(a));
    v.truncate(k.max(1));
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f32>() / v.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(media: u32, region: u32, cosine: f32) -> Candidate<u32> {
        Candidate {
            media,
            region,
            cosine,
        }
    }

    #[test]
    fn verified_media_first() {
        assert_eq!(
            order_by_inliers(&[3, 40, 0, 12, 40, 11], 12),
            vec![1, 4, 3, 0, 2, 5]
        );
        assert!(order_by_inliers(&[], 12).is_empty());
        assert_eq!(order_by_inliers(&[5, 6], 12), vec![0, 1]);
    }

    #[test]
    fn max_and_local_scaling() {
        // Region 0 looks like everything (dense), region 1 is distinctive.
        let per = vec![
            vec![c(1, 0, 0.95), c(2, 0, 0.94), c(3, 0, 0.93), c(4, 0, 0.93)],
            vec![c(5, 2, 0.80), c(6, 1, 0.40), c(7, 1, 0.39)],
        ];
        let m = rank_media(&per, 3, Scoring::MAX);
        assert_eq!(m[0].media, 1);
        let scaled = Scoring {
            pairs: Pairs::All,
            density_k: 3,
        };
        let s = rank_media(&per, 3, scaled);
        assert_eq!(s[0].media, 5);
        assert_eq!((s[0].query_region, s[0].hit_region), (1, 2));
        assert!((s[0].cosine - 0.80).abs() < 1e-6);
        assert_eq!(s.len(), 3);
        assert!(rank_media::<u32>(&[], 3, Scoring::default()).is_empty());
        // Anchored: region 1 of the query only pairs with whole hits.
        let anchored = Scoring {
            pairs: Pairs::WholeAnchored,
            density_k: 0,
        };
        let a = rank_media(&per, 10, anchored);
        assert!(a.iter().all(|m| m.query_region == 0 || m.hit_region == 0));
        assert!(a.iter().all(|m| m.media != 5));
    }
}
