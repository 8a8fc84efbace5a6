//! The linking scale benchmark: synthetic PDQ hashes with planted near
//! duplicates, mirrored copies, stills of videos and clips; videos are sets
//! of frames at one per second. The media count is images plus video
//! frames.

use std::collections::BTreeSet;
use std::time::Instant;

use serde::Serialize;
use vidi_store::{LinkKind, MatchMedia};
use vidi_types::{Cancel, Md5, PdqHash, Sha1, Sha256};

use crate::{Corpus, LinkConfig, LinkError, components};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchSpec {
    /// Media units: images plus video frames.
    pub media: usize,
    /// Share of the units that are video frames.
    pub video_share: f64,
    /// Frames of a full video (one per second).
    pub frames_per_video: usize,
    /// Share of images with the 8 dihedral variants.
    pub dihedral_share: f64,
    /// Share of the media linked in the incremental step.
    pub incremental_share: f64,
    /// Random seed.
    pub seed: u64,
}

impl Default for BenchSpec {
    fn default() -> Self {
        BenchSpec {
            media: 10_000,
            video_share: 0.3,
            frames_per_video: 60,
            dihedral_share: 0.25,
            incremental_share: 0.01,
            seed: 1,
        }
    }
}

/// What the benchmark measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BenchReport {
    /// Media units (images + frames).
    pub media_units: usize,
    /// Images (stills included).
    pub images: usize,
    /// Videos (clips included).
    pub videos: usize,
    /// Video frames.
    pub frames: usize,
    /// Hashes in the index (PDQs, variants, frames).
    pub hashes: usize,
    /// Planted links.
    pub planted: usize,
    /// Planted links found.
    pub planted_found: usize,
    /// Links found that were not planted.
    pub unplanted: usize,
    /// Links found.
    pub links: usize,
    /// Clusters with at least two media.
    pub clusters: usize,
    /// Rayon threads.
    pub threads: usize,
    /// Seconds to build the index.
    pub build_s: f64,
    /// Seconds to search and evaluate every media.
    pub search_s: f64,
    /// Seconds to compute the clusters.
    pub cluster_s: f64,
    /// Total seconds of the full (from scratch) linking.
    pub full_s: f64,
    /// Media linked in the incremental step.
    pub incremental_media: usize,
    /// Seconds of the incremental step (index of all, search of the new).
    pub incremental_s: f64,
    /// True when the incremental links equal the full run's links that
    /// touch the new media.
    pub incremental_equals_full: bool,
}

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for c in out.chunks_mut(8) {
            let w = self.next().to_le_bytes();
            c.copy_from_slice(&w[..c.len()]);
        }
        out
    }
    fn hash(&mut self) -> PdqHash {
        PdqHash(self.bytes())
    }
    fn flip(&mut self, h: PdqHash, bits: usize) -> PdqHash {
        let mut h = h;
        let mut done = BTreeSet::new();
        while done.len() < bits {
            let b = self.below(256);
            if done.insert(b) {
                h.0[b / 8] ^= 1 << (b % 8);
            }
        }
        h
    }
}

fn blank(rng: &mut Rng) -> MatchMedia {
    MatchMedia {
        sha256: Sha256(rng.bytes()),
        md5: Md5([0; 16]),
        sha1: Sha1([0; 20]),
        pdq: None,
        dihedral: Vec::new(),
        frames: Vec::new(),
    }
}

fn image(rng: &mut Rng, p: PdqHash, dihedral: bool) -> MatchMedia {
    let mut m = blank(rng);
    m.pdq = Some((p, 100));
    if dihedral {
        m.dihedral.push(p);
        for _ in 0..7 {
            let v = rng.hash();
            m.dihedral.push(v);
        }
    }
    m
}

fn video(rng: &mut Rng, frames: &[PdqHash]) -> MatchMedia {
    let mut m = blank(rng);
    m.frames = frames
        .iter()
        .enumerate()
        .map(|(i, h)| (*h, 90, Some(i as f64)))
        .collect();
    m
}

/// The generated corpus and its planted links (by SHA-256, ordered).
fn generate(spec: &BenchSpec) -> (Vec<MatchMedia>, BTreeSet<(Sha256, Sha256, LinkKind)>) {
    let mut rng = Rng(spec.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let fpv = spec.frames_per_video.max(4);
    let clip_len = (fpv / 4).max(2);
    let frame_units = (spec.media as f64 * spec.video_share.clamp(0.0, 1.0)) as usize;
    // Every fifth video has a clip.
    let long_videos = (frame_units as f64 / (fpv as f64 + clip_len as f64 / 5.0)) as usize;
    let mut media = Vec::new();
    let mut planted = BTreeSet::new();
    let mut plant = |a: &MatchMedia, b: &MatchMedia, kind: LinkKind| {
        let (x, y) = if a.sha256 < b.sha256 {
            (a.sha256, b.sha256)
        } else {
            (b.sha256, a.sha256)
        };
        planted.insert((x, y, kind));
    };
    let mut units = 0;
    for vi in 0..long_videos {
        let mut frames = Vec::with_capacity(fpv);
        let mut h = rng.hash();
        for _ in 0..fpv {
            frames.push(h);
            h = rng.flip(h, 3);
        }
        let v = video(&mut rng, &frames);
        // A still from the last quarter of the video.
        let t = fpv * 3 / 4 + rng.below(fpv / 4);
        let still = rng.flip(frames[t], 6);
        let s = image(&mut rng, still, false);
        plant(&s, &v, LinkKind::StillInVideo);
        units += fpv + 1;
        if vi.is_multiple_of(5) {
            let part: Vec<PdqHash> = frames[..clip_len].iter().map(|f| rng.flip(*f, 2)).collect();
            let c = video(&mut rng, &part);
            plant(&v, &c, LinkKind::VpdqClip);
            units += clip_len;
            media.push(c);
        }
        media.push(v);
        media.push(s);
    }
    let mut i = 0usize;
    while units < spec.media {
        let dihedral = (rng.below(1000) as f64) < spec.dihedral_share * 1000.0;
        let p = rng.hash();
        let o = image(&mut rng, p, dihedral);
        units += 1;
        if i.is_multiple_of(10) && units < spec.media {
            // A recompressed or resized copy.
            let near = rng.flip(p, 8);
            let c = image(&mut rng, near, dihedral);
            plant(&o, &c, LinkKind::Pdq);
            media.push(c);
            units += 1;
        } else if i % 50 == 1 && units < spec.media {
            // A mirrored copy: its variant 4 is near the original.
            let own = rng.hash();
            let mut c = image(&mut rng, own, false);
            c.dihedral = vec![own];
            for k in 1..8 {
                c.dihedral
                    .push(if k == 4 { rng.flip(p, 6) } else { rng.hash() });
            }
            plant(&o, &c, LinkKind::PdqDihedral);
            media.push(c);
            units += 1;
        }
        media.push(o);
        i += 1;
    }
    media.sort_by_key(|m| m.sha256);
    (media, planted)
}

/// Run the benchmark: link everything from scratch, then link a share of
/// the media as if new.
pub fn run(spec: &BenchSpec, cancel: &Cancel) -> Result<BenchReport, LinkError> {
    let (media, planted) = generate(spec);
    let config = LinkConfig::default();
    let mut r = BenchReport {
        images: media.iter().filter(|m| m.pdq.is_some()).count(),
        videos: media.iter().filter(|m| !m.frames.is_empty()).count(),
        frames: media.iter().map(|m| m.frames.len()).sum(),
        planted: planted.len(),
        threads: rayon::current_num_threads(),
        ..BenchReport::default()
    };
    r.media_units = r.images + r.frames;
    let t = Instant::now();
    let corpus = Corpus::build(&media, &config);
    r.build_s = t.elapsed().as_secs_f64();
    r.hashes = corpus.hashes();
    let t2 = Instant::now();
    let all: Vec<usize> = (0..media.len()).collect();
    let links = corpus.find_links(&all, cancel)?;
    r.search_s = t2.elapsed().as_secs_f64();
    let t3 = Instant::now();
    let comp = components(media.len(), links.iter().map(|l| (l.a, l.b)));
    let mut sizes = std::collections::HashMap::new();
    for c in &comp {
        *sizes.entry(*c).or_insert(0usize) += 1;
    }
    r.clusters = sizes.values().filter(|n| **n > 1).count();
    r.cluster_s = t3.elapsed().as_secs_f64();
    r.full_s = t.elapsed().as_secs_f64();
    r.links = links.len();
    let found: BTreeSet<(Sha256, Sha256, LinkKind)> = links
        .iter()
        .map(|l| {
            (
                media[l.a as usize].sha256,
                media[l.b as usize].sha256,
                l.evidence.kind,
            )
        })
        .collect();
    r.planted_found = planted.intersection(&found).count();
    r.unplanted = found.difference(&planted).count();
    // Incremental: every k-th media is "new".
    let step = (1.0 / spec.incremental_share.clamp(1e-6, 1.0))
        .round()
        .max(1.0) as usize;
    let new: Vec<usize> = (0..media.len()).step_by(step).collect();
    r.incremental_media = new.len();
    let t4 = Instant::now();
    let corpus = Corpus::build(&media, &config);
    let inc = corpus.find_links(&new, cancel)?;
    r.incremental_s = t4.elapsed().as_secs_f64();
    let is_new: BTreeSet<u32> = new.iter().map(|&i| i as u32).collect();
    let expected: Vec<_> = links
        .iter()
        .filter(|l| is_new.contains(&l.a) || is_new.contains(&l.b))
        .collect();
    r.incremental_equals_full =
        expected.len() == inc.len() && expected.iter().zip(&inc).all(|(x, y)| *x == y);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_bench_finds_every_planted_link() {
        let spec = BenchSpec {
            media: 3000,
            ..BenchSpec::default()
        };
        let r = run(&spec, &Cancel::new()).unwrap();
        assert!(r.media_units >= 3000 && r.media_units < 3100, "{r:?}");
        assert!(r.planted > 100, "{r:?}");
        assert_eq!(r.planted_found, r.planted, "{r:?}");
        assert_eq!(r.unplanted, 0, "{r:?}");
        assert!(r.incremental_equals_full, "{r:?}");
    }
}
