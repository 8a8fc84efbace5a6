//! The linking engine: candidate pairs from one exact PDQ index over every
//! usable hash (image PDQs, their dihedral variants, video frames), then a
//! pure evaluation of each pair.
//!
//! Completeness: if two media link, some hash of one lies within the radius
//! of some hash of the other, so searching either side's hashes finds the
//! other (the index holds every usable hash of every media). The decision is
//! a function of the two media alone ([`evaluate`]), so linking only the new
//! media against all gives the same links as linking everything.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde_json::json;
use vidi_index::PdqIndex;
use vidi_store::{LinkKind, MatchMedia};
use vidi_types::{Cancel, PdqHash};

use crate::LinkError;

/// Default Hamming radius for two PDQ hashes to match.
pub const DEFAULT_RADIUS: u32 = 31;
/// Default lowest PDQ quality used (image or frame).
pub const DEFAULT_MIN_QUALITY: u8 = 50;
/// Default share (percent) of a video's distinct frames that must match.
pub const DEFAULT_VPDQ_PCT: f64 = 80.0;

/// How media are linked.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkConfig {
    /// PDQ Hamming radius (inclusive).
    pub radius: u32,
    /// Hashes of lower quality are ignored.
    pub min_quality: u8,
    /// vPDQ share threshold in percent: both ways for `vpdq`, one way for
    /// `vpdq-clip`.
    pub vpdq_pct: f64,
    /// Matching frames closer than this (seconds) form one time range.
    pub range_gap_s: f64,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            radius: DEFAULT_RADIUS,
            min_quality: DEFAULT_MIN_QUALITY,
            vpdq_pct: DEFAULT_VPDQ_PCT,
            range_gap_s: 2.0,
        }
    }
}

/// A link between two media of a corpus, by index (`a` has the smaller
/// SHA-256).
#[derive(Debug, Clone, PartialEq)]
pub struct FoundLink {
    /// Index of the end with the smaller SHA-256.
    pub a: u32,
    /// Index of the other end.
    pub b: u32,
    /// The evidence.
    pub evidence: Evidence,
}

/// Why two media link.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The rule.
    pub kind: LinkKind,
    /// Hamming distance (PDQ kinds).
    pub distance: Option<u32>,
    /// Share of frames, 0..=1 (vPDQ kinds).
    pub score: Option<f64>,
    /// Variant, timestamp, time ranges.
    pub detail: serde_json::Value,
}

/// Which hash of a media an index entry is.
#[derive(Debug, Clone, Copy)]
enum Role {
    Primary,
    Variant,
    Frame,
}

/// Every media with one exact index over all their usable hashes.
#[derive(Debug)]
pub struct Corpus<'a> {
    media: &'a [MatchMedia],
    config: LinkConfig,
    index: PdqIndex,
    /// Index id → owning media.
    owners: Vec<u32>,
}

/// The usable hashes of a media: quality-checked PDQ, its distinct
/// variants, good frames.
fn usable(m: &MatchMedia, min_q: u8) -> impl Iterator<Item = (PdqHash, Role)> + '_ {
    let primary = m.pdq.filter(|(_, q)| *q >= min_q).map(|(p, _)| p);
    let variants = m
        .dihedral
        .iter()
        .filter(move |v| primary.is_some_and(|p| **v != p))
        .map(|v| (*v, Role::Variant));
    primary
        .map(|p| (p, Role::Primary))
        .into_iter()
        .chain(variants)
        .chain(
            m.frames
                .iter()
                .filter(move |(_, q, _)| *q >= min_q)
                .map(|(h, _, _)| (*h, Role::Frame)),
        )
}

impl<'a> Corpus<'a> {
    /// Index every usable hash of `media` (which should be sorted by
    /// SHA-256, as the store returns them; the order only affects speed).
    pub fn build(media: &'a [MatchMedia], config: &LinkConfig) -> Corpus<'a> {
        let mut hashes = Vec::new();
        let mut owners = Vec::new();
        for (i, m) in media.iter().enumerate() {
            for (h, _) in usable(m, config.min_quality) {
                hashes.push(h);
                owners.push(i as u32);
            }
        }
        let index = PdqIndex::build(&hashes);
        Corpus {
            media,
            config: config.clone(),
            index,
            owners,
        }
    }

    /// Number of indexed hashes.
    pub fn hashes(&self) -> usize {
        self.owners.len()
    }

    /// The media that share a hash within the radius with media `i`.
    fn candidates(&self, i: usize, out: &mut BTreeSet<u32>, scratch: &mut Vec<(u32, u32)>) {
        out.clear();
        let Some(m) = self.media.get(i) else {
            return;
        };
        // Consecutive video frames are often identical: search each once.
        let mut seen = HashSet::new();
        for (h, _) in usable(m, self.config.min_quality) {
            if !seen.insert(h) {
                continue;
            }
            self.index.search(&h, self.config.radius, scratch);
            for &(id, _) in scratch.iter() {
                if let Some(&o) = self.owners.get(id as usize)
                    && o as usize != i
                {
                    out.insert(o);
                }
            }
        }
    }

    /// Every link of the `queries` media (indexes into the corpus) with any
    /// media of the corpus, each once, sorted by (a, b, kind) SHA-256.
    pub fn find_links(
        &self,
        queries: &[usize],
        cancel: &Cancel,
    ) -> Result<Vec<FoundLink>, LinkError> {
        let mut is_query = vec![false; self.media.len()];
        for &q in queries {
            if let Some(x) = is_query.get_mut(q) {
                *x = true;
            }
        }
        let stop = AtomicBool::new(false);
        let per: Vec<Vec<FoundLink>> = queries
            .par_iter()
            .map_init(
                || (BTreeSet::new(), Vec::new()),
                |(cands, scratch), &i| {
                    if stop.load(Ordering::Relaxed) || cancel.is_cancelled() {
                        stop.store(true, Ordering::Relaxed);
                        return Vec::new();
                    }
                    self.candidates(i, cands, scratch);
                    let mut out = Vec::new();
                    for &c in cands.iter() {
                        let c = c as usize;
                        // A pair of two queries is evaluated from the
                        // smaller index only.
                        if is_query.get(c).copied().unwrap_or(false) && c < i {
                            continue;
                        }
                        let (Some(mi), Some(mc)) = (self.media.get(i), self.media.get(c)) else {
                            continue;
                        };
                        let (a, b, ma, mb) = if mi.sha256 < mc.sha256 {
                            (i, c, mi, mc)
                        } else {
                            (c, i, mc, mi)
                        };
                        for evidence in evaluate(ma, mb, &self.config) {
                            out.push(FoundLink {
                                a: a as u32,
                                b: b as u32,
                                evidence,
                            });
                        }
                    }
                    out
                },
            )
            .collect();
        if stop.load(Ordering::Relaxed) || cancel.is_cancelled() {
            return Err(LinkError::Cancelled);
        }
        let mut all: Vec<FoundLink> = per.into_iter().flatten().collect();
        let sha = |i: u32| self.media.get(i as usize).map(|m| m.sha256);
        all.sort_by(|x, y| {
            (sha(x.a), sha(x.b), x.evidence.kind).cmp(&(sha(y.a), sha(y.b), y.evidence.kind))
        });
        all.dedup_by(|x, y| x.a == y.a && x.b == y.b && x.evidence.kind == y.evidence.kind);
        Ok(all)
    }
}

fn is_video(m: &MatchMedia) -> bool {
    !m.frames.is_empty()
}

/// Every link between `a` and `b` (the order matters only for the detail's
/// `a`/`b` names; callers pass them in SHA-256 order). Pure.
pub fn evaluate(a: &MatchMedia, b: &MatchMedia, config: &LinkConfig) -> Vec<Evidence> {
    let mut out = Vec::new();
    if let Some(e) = image_pair(a, b, config) {
        out.push(e);
    }
    if is_video(b)
        && let Some(e) = still_in_video(a, b, "a", config)
    {
        out.push(e);
    }
    if is_video(a)
        && let Some(e) = still_in_video(b, a, "b", config)
    {
        out.push(e);
    }
    if is_video(a)
        && is_video(b)
        && let Some(e) = video_pair(a, b, config)
    {
        out.push(e);
    }
    out
}

/// The still's usable hashes: primary first, then distinct variants with
/// their variant number.
fn still_hashes(m: &MatchMedia, min_q: u8) -> Vec<(PdqHash, Option<usize>)> {
    let Some((p, q)) = m.pdq else {
        return Vec::new();
    };
    if q < min_q {
        return Vec::new();
    }
    let mut out = vec![(p, None)];
    for (i, v) in m.dihedral.iter().enumerate() {
        if *v != p {
            out.push((*v, Some(i)));
        }
    }
    out
}

fn image_pair(a: &MatchMedia, b: &MatchMedia, config: &LinkConfig) -> Option<Evidence> {
    let (pa, qa) = a.pdq?;
    let (pb, qb) = b.pdq?;
    if qa < config.min_quality || qb < config.min_quality {
        return None;
    }
    let d = pa.distance(&pb);
    if d <= config.radius {
        return Some(Evidence {
            kind: LinkKind::Pdq,
            distance: Some(d),
            score: None,
            detail: json!({}),
        });
    }
    // A variant of one side against the other's PDQ; the smallest
    // distance wins, ties to the first (a's variants, then b's, by number).
    let mut best: Option<(u32, &str, usize)> = None;
    for (side, m, other) in [("a", a, pb), ("b", b, pa)] {
        for (h, v) in still_hashes(m, config.min_quality) {
            let Some(v) = v else { continue };
            let d = h.distance(&other);
            if d <= config.radius && best.is_none_or(|(bd, _, _)| d < bd) {
                best = Some((d, side, v));
            }
        }
    }
    let (d, side, variant) = best?;
    Some(Evidence {
        kind: LinkKind::PdqDihedral,
        distance: Some(d),
        score: None,
        detail: json!({ "variant": variant, "variant_of": side }),
    })
}

fn frame_time(ts: Option<f64>, seq: usize) -> f64 {
    // One frame per second when the timestamp is unknown.
    ts.filter(|t| t.is_finite()).unwrap_or(seq as f64)
}

/// The still `s` as a frame of the video `v`: the closest good frame
/// (earliest on ties). `still` names the still's side (`a` or `b`).
fn still_in_video(
    s: &MatchMedia,
    v: &MatchMedia,
    still: &str,
    config: &LinkConfig,
) -> Option<Evidence> {
    let hashes = still_hashes(s, config.min_quality);
    if hashes.is_empty() {
        return None;
    }
    let mut best: Option<(u32, usize, Option<usize>)> = None;
    for (seq, (f, q, _)) in v.frames.iter().enumerate() {
        if *q < config.min_quality {
            continue;
        }
        for (h, variant) in &hashes {
            let d = h.distance(f);
            if d <= config.radius && best.is_none_or(|(bd, _, _)| d < bd) {
                best = Some((d, seq, *variant));
            }
        }
    }
    let (d, seq, variant) = best?;
    let ts = frame_time(v.frames.get(seq).and_then(|f| f.2), seq);
    Some(Evidence {
        kind: LinkKind::StillInVideo,
        distance: Some(d),
        score: None,
        detail: json!({
            "still": still,
            "frame_seq": seq,
            "timestamp_s": ts,
            "variant": variant,
        }),
    })
}

/// Merge sorted times into `[start, end]` ranges with gaps of at most `gap`.
fn ranges(mut times: Vec<f64>, gap: f64) -> Vec<[f64; 2]> {
    times.sort_by(f64::total_cmp);
    let mut out: Vec<[f64; 2]> = Vec::new();
    for t in times {
        match out.last_mut() {
            Some(r) if t - r[1] <= gap => r[1] = t,
            _ => out.push([t, t]),
        }
    }
    out
}

/// vPDQ both ways: each side's share of distinct good frames with a match
/// on the other side, and the time ranges that match.
fn video_pair(a: &MatchMedia, b: &MatchMedia, config: &LinkConfig) -> Option<Evidence> {
    let good = |m: &MatchMedia| -> Vec<(usize, PdqHash)> {
        m.frames
            .iter()
            .enumerate()
            .filter(|(_, (_, q, _))| *q >= config.min_quality)
            .map(|(i, (h, _, _))| (i, *h))
            .collect()
    };
    let (fa, fb) = (good(a), good(b));
    if fa.is_empty() || fb.is_empty() {
        return None;
    }
    let mut ma = vec![false; fa.len()];
    let mut mb = vec![false; fb.len()];
    for (i, (_, ha)) in fa.iter().enumerate() {
        for (j, (_, hb)) in fb.iter().enumerate() {
            if ha.distance(hb) <= config.radius {
                ma[i] = true;
                mb[j] = true;
            }
        }
    }
    // Shares over distinct hashes (identical frames count once).
    let share = |f: &[(usize, PdqHash)], matched: &[bool]| -> f64 {
        let mut all = HashSet::new();
        let mut hit = HashSet::new();
        for ((_, h), m) in f.iter().zip(matched) {
            all.insert(*h);
            if *m {
                hit.insert(*h);
            }
        }
        100.0 * hit.len() as f64 / all.len().max(1) as f64
    };
    let (sa, sb) = (share(&fa, &ma), share(&fb, &mb));
    let pct = config.vpdq_pct;
    let (kind, score, clip) = if sa >= pct && sb >= pct {
        (LinkKind::Vpdq, sa.min(sb), None)
    } else if sa >= pct {
        (LinkKind::VpdqClip, sa, Some("a"))
    } else if sb >= pct {
        (LinkKind::VpdqClip, sb, Some("b"))
    } else {
        return None;
    };
    let times = |m: &MatchMedia, f: &[(usize, PdqHash)], matched: &[bool]| -> Vec<[f64; 2]> {
        let t = f
            .iter()
            .zip(matched)
            .filter(|(_, m)| **m)
            .map(|((seq, _), _)| frame_time(m.frames.get(*seq).and_then(|x| x.2), *seq))
            .collect();
        ranges(t, config.range_gap_s)
    };
    Some(Evidence {
        kind,
        distance: None,
        score: Some((score / 100.0 * 1000.0).round() / 1000.0),
        detail: json!({
            "a_share_pct": (sa * 10.0).round() / 10.0,
            "b_share_pct": (sb * 10.0).round() / 10.0,
            "a_frames": fa.len(),
            "b_frames": fb.len(),
            "a_ranges_s": times(a, &fa, &ma),
            "b_ranges_s": times(b, &fb, &mb),
            "clip": clip,
        }),
    })
}

/// Connected components over `pairs` of node indexes `0..n`, each node
/// mapped to the smallest node of its component (callers number nodes in
/// SHA-256 order, so this is the smallest SHA-256). Isolated nodes map to
/// themselves.
pub fn components(n: usize, pairs: impl IntoIterator<Item = (u32, u32)>) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for (a, b) in pairs {
        if a as usize >= n || b as usize >= n {
            continue;
        }
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi as usize] = lo;
    }
    (0..n as u32).map(|i| find(&mut parent, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vidi_types::{Md5, Sha1, Sha256};

    fn hash(seed: u8) -> PdqHash {
        let mut h = [0u8; 32];
        let mut x = u64::from(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for b in &mut h {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        PdqHash(h)
    }

    fn flip(h: PdqHash, bits: &[usize]) -> PdqHash {
        let mut h = h;
        for &b in bits {
            h.0[b / 8] ^= 1 << (b % 8);
        }
        h
    }

    fn media(id: u8) -> MatchMedia {
        MatchMedia {
            sha256: Sha256([id; 32]),
            md5: Md5([0; 16]),
            sha1: Sha1([0; 20]),
            pdq: None,
            dihedral: Vec::new(),
            frames: Vec::new(),
        }
    }

    fn image(id: u8, p: PdqHash) -> MatchMedia {
        MatchMedia {
            pdq: Some((p, 100)),
            ..media(id)
        }
    }

    fn video(id: u8, frames: &[PdqHash]) -> MatchMedia {
        MatchMedia {
            frames: frames
                .iter()
                .enumerate()
                .map(|(i, h)| (*h, 90, Some(i as f64)))
                .collect(),
            ..media(id)
        }
    }

    #[test]
    fn images_link_by_pdq_and_dihedral() {
        let p = hash(1);
        let near = flip(p, &[0, 5, 9, 77, 200]);
        let mut mirrored = image(3, hash(9));
        let mut original = image(2, p);
        original.dihedral = vec![p, hash(20), hash(21), hash(22), hash(9), hash(23)];
        mirrored.dihedral = vec![hash(9)];
        let all = [image(1, near), original, mirrored, image(4, hash(40))];
        let c = LinkConfig::default();
        let e = evaluate(&all[0], &all[1], &c);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, LinkKind::Pdq);
        assert_eq!(e[0].distance, Some(5));
        let e = evaluate(&all[1], &all[2], &c);
        assert_eq!(e[0].kind, LinkKind::PdqDihedral);
        assert_eq!(e[0].detail["variant"], 4);
        assert!(evaluate(&all[0], &all[3], &c).is_empty());
        let corpus = Corpus::build(&all, &c);
        let links = corpus.find_links(&[0, 1, 2, 3], &Cancel::new()).unwrap();
        let pairs: Vec<_> = links.iter().map(|l| (l.a, l.b)).collect();
        // The near copy has no variants and the mirrored one none distinct: no link between them.
        assert_eq!(pairs, vec![(0, 1), (1, 2)]);
        // Low quality is ignored.
        let mut low = image(5, p);
        low.pdq = Some((p, 10));
        assert!(evaluate(&all[1], &low, &c).is_empty());
    }

    #[test]
    fn still_in_video_has_its_timestamp() {
        let frames: Vec<PdqHash> = (10..20).map(hash).collect();
        let v = video(9, &frames);
        let s = image(1, flip(frames[7], &[3, 4]));
        let e = evaluate(&s, &v, &LinkConfig::default());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, LinkKind::StillInVideo);
        assert_eq!(e[0].detail["timestamp_s"], 7.0);
        assert_eq!(e[0].detail["still"], "a");
        // The same from the other order.
        let e = evaluate(&v, &s, &LinkConfig::default());
        assert_eq!(e[0].detail["still"], "b");
    }

    #[test]
    fn videos_and_clips() {
        let frames: Vec<PdqHash> = (30..90).map(hash).collect();
        let long = video(1, &frames);
        let copy = video(
            2,
            &frames
                .iter()
                .map(|h| flip(*h, &[1, 2, 3]))
                .collect::<Vec<_>>(),
        );
        let clip = video(3, &frames[20..35]);
        let other = video(4, &(100..160).map(hash).collect::<Vec<_>>());
        let c = LinkConfig::default();
        let e = evaluate(&long, &copy, &c);
        assert_eq!(e[0].kind, LinkKind::Vpdq);
        assert_eq!(e[0].score, Some(1.0));
        let e = evaluate(&long, &clip, &c);
        assert_eq!(e[0].kind, LinkKind::VpdqClip);
        assert_eq!(e[0].detail["clip"], "b");
        assert_eq!(e[0].detail["a_ranges_s"], json!([[20.0, 34.0]]));
        assert!(evaluate(&long, &other, &c).is_empty());
    }

    #[test]
    fn ranges_merge_close_times() {
        assert_eq!(
            ranges(vec![5.0, 1.0, 2.0, 3.0, 9.0], 2.0),
            vec![[1.0, 5.0], [9.0, 9.0]]
        );
        assert!(ranges(Vec::new(), 2.0).is_empty());
    }

    #[test]
    fn components_take_the_smallest_member() {
        let c = components(6, [(4, 5), (1, 4), (2, 3), (9, 1)]);
        assert_eq!(c, vec![0, 1, 2, 2, 1, 1]);
    }

    #[test]
    fn incremental_equals_full() {
        let base: Vec<PdqHash> = (0..40).map(hash).collect();
        let mut all = Vec::new();
        for (i, h) in base.iter().enumerate() {
            all.push(image(i as u8, *h));
            all.push(image(100 + i as u8, flip(*h, &[i % 256, 100])));
        }
        all.push(video(250, &base[5..15]));
        all.sort_by_key(|m| m.sha256);
        let c = LinkConfig::default();
        let corpus = Corpus::build(&all, &c);
        let everything: Vec<usize> = (0..all.len()).collect();
        let full = corpus.find_links(&everything, &Cancel::new()).unwrap();
        // Link the first half, then the rest against all.
        let half = all.len() / 2;
        let first = Corpus::build(&all[..half], &c)
            .find_links(&(0..half).collect::<Vec<_>>(), &Cancel::new())
            .unwrap();
        let rest = corpus
            .find_links(&(half..all.len()).collect::<Vec<_>>(), &Cancel::new())
            .unwrap();
        let mut inc: Vec<FoundLink> = first.into_iter().chain(rest).collect();
        inc.sort_by_key(|l| (l.a, l.b));
        let mut full_sorted = full.clone();
        full_sorted.sort_by_key(|l| (l.a, l.b));
        assert_eq!(inc, full_sorted);
        assert!(full.len() >= 50, "{}", full.len());
    }

    #[test]
    fn cancel_stops() {
        let all: Vec<MatchMedia> = (0..10).map(|i| image(i, hash(i))).collect();
        let corpus = Corpus::build(&all, &LinkConfig::default());
        let cancel = Cancel::new();
        cancel.cancel();
        assert!(matches!(
            corpus.find_links(&[0, 1], &cancel),
            Err(LinkError::Cancelled)
        ));
    }
}
