//! The vPDQ video match rule and the reference's hash-file format.
//!
//! A vPDQ hash is a list of per-frame PDQ hashes ([`VpdqFrame`]). Two videos
//! are compared as unordered bags of frames:
//!
//! 1. frames whose quality is below the quality threshold are dropped;
//! 2. frames with an identical hash are counted once (the reference's
//!    python-threatexchange matcher deduplicates exact hashes the same way);
//! 3. each side's share is the percentage of its remaining frames that have at
//!    least one frame on the other side within the Hamming distance;
//! 4. the videos match when both shares reach their thresholds.
//!
//! The distance test is inclusive (`<=`), as the specification's pseudocode
//! and PDQ's own "distance <= 31" rule have it (the reference C++ matcher
//! uses a strict `<`; with the default 31 the difference is one bit).
//!
//! The file format is one frame per line:
//! `frame_number,quality,pdq_hex,timestamp_seconds` with the timestamp written
//! with three decimals, e.g. `0,100,e271…055c,0.000`.

use std::collections::HashSet;
use std::fmt::Write as _;

use vidi_types::{PdqHash, VpdqFrame};

/// Default maximum Hamming distance for two frames to match.
pub const DEFAULT_DISTANCE: u32 = 31;
/// Default minimum frame quality; frames below it are ignored.
pub const DEFAULT_QUALITY: u8 = 50;
/// Default share (percent) of each video's frames that must match.
pub const DEFAULT_MATCH_PCT: f64 = 80.0;

/// The outcome of comparing two vPDQ hashes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VpdqMatch {
    /// Percentage (0–100) of the query's usable frames that have a match in
    /// the target.
    pub query_match_pct: f64,
    /// Percentage (0–100) of the target's usable frames that have a match in
    /// the query.
    pub target_match_pct: f64,
    /// Both percentages reached their thresholds.
    pub matched: bool,
}

/// Keep frames of quality >= `quality`, each distinct hash once (first
/// occurrence wins).
fn usable_hashes(frames: &[VpdqFrame], quality: u8) -> Vec<[u64; 4]> {
    let mut seen: HashSet<PdqHash> = HashSet::with_capacity(frames.len());
    frames
        .iter()
        .filter(|f| f.quality >= quality)
        .filter(|f| seen.insert(f.hash))
        .map(|f| f.hash.words())
        .collect()
}

fn within(a: &[u64; 4], b: &[u64; 4], distance: u32) -> bool {
    let d: u32 = a
        .iter()
        .zip(b.iter())
        .map(|(x, y)| (x ^ y).count_ones())
        .sum();
    d <= distance
}

/// Percentage of `from` that has a hash within `distance` in `to`.
fn matched_pct(from: &[[u64; 4]], to: &[[u64; 4]], distance: u32) -> f64 {
    if from.is_empty() {
        return 0.0;
    }
    let hits = from
        .iter()
        .filter(|a| to.iter().any(|b| within(a, b, distance)))
        .count();
    hits as f64 * 100.0 / from.len() as f64
}

/// Compare two vPDQ hashes with the reference's brute-force rule.
///
/// `distance` is the maximum Hamming distance (inclusive) for two frames to
/// match, `quality` the minimum frame quality, `query_pct` / `target_pct` the
/// thresholds in percent. When either side has no usable frame both
/// percentages are 0 and the videos do not match.
pub fn match_videos(
    query: &[VpdqFrame],
    target: &[VpdqFrame],
    distance: u32,
    quality: u8,
    query_pct: f64,
    target_pct: f64,
) -> VpdqMatch {
    let q = usable_hashes(query, quality);
    let t = usable_hashes(target, quality);
    if q.is_empty() || t.is_empty() {
        return VpdqMatch {
            query_match_pct: 0.0,
            target_match_pct: 0.0,
            matched: false,
        };
    }
    let query_match_pct = matched_pct(&q, &t, distance);
    let target_match_pct = matched_pct(&t, &q, distance);
    VpdqMatch {
        query_match_pct,
        target_match_pct,
        matched: query_match_pct >= query_pct && target_match_pct >= target_pct,
    }
}

/// [`match_videos`] with the defaults: distance 31, quality 50, 80 % both ways.
pub fn match_videos_default(query: &[VpdqFrame], target: &[VpdqFrame]) -> VpdqMatch {
    match_videos(
        query,
        target,
        DEFAULT_DISTANCE,
        DEFAULT_QUALITY,
        DEFAULT_MATCH_PCT,
        DEFAULT_MATCH_PCT,
    )
}

/// What is wrong with a line of a vPDQ hash file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VpdqLineProblem {
    /// Fewer than four comma-separated fields.
    TooFewFields,
    /// The frame number is not a non-negative integer.
    FrameNumber,
    /// The quality is not an integer in 0–100.
    Quality,
    /// The hash is not 64 hex characters.
    Hash,
    /// The timestamp is not a finite, non-negative number.
    Timestamp,
}

impl std::fmt::Display for VpdqLineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TooFewFields => "expected 4 comma-separated fields",
            Self::FrameNumber => "frame number is not a non-negative integer",
            Self::Quality => "quality is not an integer in 0-100",
            Self::Hash => "PDQ hash is not 64 hex characters",
            Self::Timestamp => "timestamp is not a non-negative number",
        })
    }
}

/// A vPDQ hash file could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("vPDQ line {line}: {problem}")]
pub struct VpdqParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub problem: VpdqLineProblem,
}

/// Parse the reference's text format (`frame_number,quality,pdq_hex,timestamp`
/// per line). Blank lines are skipped; surrounding whitespace is ignored;
/// extra trailing fields are ignored, as the reference reader does.
pub fn parse_vpdq_file(text: &str) -> Result<Vec<VpdqFrame>, VpdqParseError> {
    let mut out = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let err = |problem| VpdqParseError {
            line: idx + 1,
            problem,
        };
        let mut fields = line.split(',').map(str::trim);
        let (Some(fno), Some(q), Some(h), Some(ts)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(err(VpdqLineProblem::TooFewFields));
        };
        let frame_number: u32 = fno.parse().map_err(|_| err(VpdqLineProblem::FrameNumber))?;
        let quality: u8 = q
            .parse()
            .ok()
            .filter(|q| *q <= 100)
            .ok_or_else(|| err(VpdqLineProblem::Quality))?;
        let hash = PdqHash::from_hex(h).map_err(|_| err(VpdqLineProblem::Hash))?;
        let timestamp_s: f64 = ts
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| err(VpdqLineProblem::Timestamp))?;
        out.push(VpdqFrame {
            frame_number,
            timestamp_s,
            hash,
            quality,
        });
    }
    Ok(out)
}

/// Write frames in the reference's text format, one line per frame, each
/// ending with `\n`, timestamps with three decimals.
pub fn write_vpdq_file(frames: &[VpdqFrame]) -> String {
    let mut s = String::with_capacity(frames.len() * 80);
    for f in frames {
        // Writing to a String cannot fail.
        let _ = writeln!(
            s,
            "{},{},{},{:.3}",
            f.frame_number,
            f.quality,
            f.hash.to_hex(),
            f.timestamp_s
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(n: u32, bytes: [u8; 32], quality: u8) -> VpdqFrame {
        VpdqFrame {
            frame_number: n,
            timestamp_s: f64::from(n) / 30.0,
            hash: PdqHash(bytes),
            quality,
        }
    }

    /// A hash with the first `bits` bits set.
    fn ones(bits: usize) -> [u8; 32] {
        let mut b = [0u8; 32];
        for i in 0..bits {
            b[i / 8] |= 1 << (i % 8);
        }
        b
    }

    fn pattern(seed: u8) -> [u8; 32] {
        let mut b = [0u8; 32];
        let mut x = u32::from(seed).wrapping_mul(2_654_435_761).wrapping_add(1);
        for v in &mut b {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *v = x as u8;
        }
        b
    }

    #[test]
    fn identical_videos_match_fully() {
        let v: Vec<_> = (0..10).map(|i| frame(i, pattern(i as u8), 90)).collect();
        let m = match_videos_default(&v, &v);
        assert_eq!(m.query_match_pct, 100.0);
        assert_eq!(m.target_match_pct, 100.0);
        assert!(m.matched);
    }

    #[test]
    fn distance_is_inclusive() {
        let a = [frame(0, [0; 32], 100)];
        let b31 = [frame(0, ones(31), 100)];
        let b32 = [frame(0, ones(32), 100)];
        assert!(match_videos(&a, &b31, 31, 50, 100.0, 100.0).matched);
        let m = match_videos(&a, &b32, 31, 50, 100.0, 100.0);
        assert!(!m.matched);
        assert_eq!(m.query_match_pct, 0.0);
    }

    #[test]
    fn low_quality_frames_are_ignored() {
        // Query: 4 good frames that match, 6 poor frames that would not.
        let mut q: Vec<_> = (0..4).map(|i| frame(i, pattern(i as u8), 80)).collect();
        q.extend((4..10).map(|i| frame(i, pattern(100 + i as u8), 49)));
        let t: Vec<_> = (0..4).map(|i| frame(i, pattern(i as u8), 80)).collect();
        let m = match_videos_default(&q, &t);
        assert_eq!(m.query_match_pct, 100.0);
        assert!(m.matched);
        // With quality 0 the poor frames count and the query share drops.
        let m0 = match_videos(&q, &t, 31, 0, 80.0, 80.0);
        assert!((m0.query_match_pct - 40.0).abs() < 1e-9);
        assert!(!m0.matched);
    }

    #[test]
    fn duplicate_hashes_count_once() {
        // Target: one frame repeated 9 times (a still), plus one unrelated.
        let mut t: Vec<_> = (0..9).map(|i| frame(i, pattern(1), 100)).collect();
        t.push(frame(9, pattern(2), 100));
        let q = [frame(0, pattern(1), 100)];
        let m = match_videos_default(&q, &t);
        // Without dedup the target share would be 90 %; with it, 1 of 2.
        assert!((m.target_match_pct - 50.0).abs() < 1e-9);
        assert_eq!(m.query_match_pct, 100.0);
        assert!(!m.matched);
    }

    #[test]
    fn empty_sides_never_match() {
        let v = [frame(0, pattern(3), 100)];
        let poor = [frame(0, pattern(3), 10)];
        for (a, b) in [(&v[..], &[][..]), (&[][..], &v[..]), (&v[..], &poor[..])] {
            let m = match_videos_default(a, b);
            assert!(!m.matched);
            assert_eq!(m.query_match_pct, 0.0);
            assert_eq!(m.target_match_pct, 0.0);
        }
    }

    #[test]
    fn clip_matches_with_zero_query_threshold() {
        // The query is a long video; the target a clip of it.
        let q: Vec<_> = (0..20).map(|i| frame(i, pattern(i as u8), 100)).collect();
        let t: Vec<_> = (5..9).map(|i| frame(i, pattern(i as u8), 100)).collect();
        let m = match_videos(&q, &t, 31, 50, 0.0, 80.0);
        assert_eq!(m.target_match_pct, 100.0);
        assert!((m.query_match_pct - 20.0).abs() < 1e-9);
        assert!(m.matched);
        assert!(!match_videos_default(&q, &t).matched);
    }

    #[test]
    fn file_round_trip() {
        let text = "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n\
                    1,99,c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c,0.033\n";
        let frames = parse_vpdq_file(text).unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].frame_number, 1);
        assert_eq!(frames[1].quality, 99);
        assert!((frames[1].timestamp_s - 0.033).abs() < 1e-12);
        assert_eq!(write_vpdq_file(&frames), text);
    }

    #[test]
    fn bad_lines_report_their_number() {
        let good = "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000";
        let cases = [
            ("0,100,abc", VpdqLineProblem::TooFewFields),
            ("x,100,00,0", VpdqLineProblem::FrameNumber),
            ("-1,100,00,0", VpdqLineProblem::FrameNumber),
            ("0,101,00,0", VpdqLineProblem::Quality),
            ("0,100,zz,0", VpdqLineProblem::Hash),
            (
                "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,nan",
                VpdqLineProblem::Timestamp,
            ),
            (
                "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,-1",
                VpdqLineProblem::Timestamp,
            ),
        ];
        for (bad, problem) in cases {
            let text = format!("{good}\n\n{bad}\n");
            let e = parse_vpdq_file(&text).unwrap_err();
            assert_eq!(e.line, 3, "{bad}");
            assert_eq!(e.problem, problem, "{bad}");
            assert!(e.to_string().starts_with("vPDQ line 3:"));
        }
    }

    #[test]
    fn empty_file_is_empty_hash() {
        assert!(parse_vpdq_file("").unwrap().is_empty());
        assert!(parse_vpdq_file("\n  \n").unwrap().is_empty());
        assert_eq!(write_vpdq_file(&[]), "");
    }
}
