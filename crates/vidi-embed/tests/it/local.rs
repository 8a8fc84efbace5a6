//! Local-feature re-ranking for the quality benchmark: the short list of
//! the region ranking, geometrically verified with `vidi_local`.
//!
//! A media of the short list whose local features agree with the query's
//! on one similarity transform with at least
//! [`vidi_local::VerifyParams::min_inliers`] inliers (12, the crate's
//! default, chosen before this benchmark was run) is "verified"; verified
//! media come first (more inliers first), the others after in their
//! region-ranking order.

use std::collections::BTreeMap;
use std::time::Instant;

use vidi_embed::rank::order_by_inliers;
use vidi_local::{ExtractParams, Features, VerifyParams, extract, verify};

use crate::quality::Job;

/// Local features of every image (two threads), with a printed summary.
pub(crate) fn extract_all(jobs: &[Job]) -> Vec<Features> {
    let p = ExtractParams::default();
    let start = Instant::now();
    let run = |part: &[Job]| -> Vec<Features> {
        part.iter()
            .map(|(_, _, img)| {
                extract(img.as_raw(), img.width(), img.height(), 3, &p).expect("local features")
            })
            .collect()
    };
    let (a, b) = jobs.split_at(jobs.len() / 2);
    let feats = std::thread::scope(|s| {
        let h = s.spawn(|| run(a));
        let mut second = run(b);
        let mut first = h.join().expect("thread");
        first.append(&mut second);
        first
    });
    let secs = start.elapsed().as_secs_f64();
    let kp: usize = feats.iter().map(Features::len).sum();
    let bytes: usize = feats.iter().map(|f| f.to_bytes().len()).sum();
    println!(
        "local features: {} images, {:.1} ms wall per image (2 threads), {:.0} keypoints and {:.0} bytes per image",
        feats.len(),
        secs * 1000.0 * 2.0 / feats.len().max(1) as f64,
        kp as f64 / feats.len().max(1) as f64,
        bytes as f64 / feats.len().max(1) as f64,
    );
    feats
}

/// Statistics of a re-ranking run.
#[derive(Default)]
struct Stats {
    verifications: usize,
    seconds: f64,
    /// Verified pairs that are / are not the same scene.
    verified_same: usize,
    verified_other: usize,
    /// Same-scene pairs in the short lists (verified or not).
    same_in_lists: usize,
    /// Largest inlier count of a pair of different scenes.
    max_other_inliers: u32,
    /// Inliers of every short-list pair: same scene, other scenes.
    inliers_same: Vec<u32>,
    inliers_other: Vec<u32>,
    /// Verified pairs of different scenes by (query kind, hit kind).
    other_by_kind: BTreeMap<(String, String), (usize, u32)>,
}

/// Re-ranked lists: `ranked[q][method]`'s first `depth` media verified
/// against query `q`; returns one list per query.
pub(crate) fn rerank_all(
    jobs: &[Job],
    feats: &[Features],
    ranked: &[Vec<Vec<usize>>],
    method: usize,
    depth: usize,
) -> Vec<Vec<usize>> {
    let p = VerifyParams::default();
    let run = |qs: std::ops::Range<usize>| -> (Vec<Vec<usize>>, Stats) {
        let mut st = Stats::default();
        let lists = qs
            .map(|q| {
                let list = &ranked[q][method];
                let mut inliers = vec![0u32; list.len()];
                for (pos, &m) in list.iter().enumerate() {
                    if pos >= depth || m == q {
                        continue;
                    }
                    let t = Instant::now();
                    let v = verify(&feats[q], &feats[m], &p);
                    st.seconds += t.elapsed().as_secs_f64();
                    st.verifications += 1;
                    inliers[pos] = v.inliers;
                    let same = jobs[q].0 == jobs[m].0;
                    st.same_in_lists += usize::from(same);
                    if !same {
                        st.max_other_inliers = st.max_other_inliers.max(v.inliers);
                    }
                    if same {
                        st.inliers_same.push(v.inliers);
                    } else {
                        st.inliers_other.push(v.inliers);
                    }
                    if v.verified {
                        if same {
                            st.verified_same += 1;
                        } else {
                            st.verified_other += 1;
                            let e = st
                                .other_by_kind
                                .entry((jobs[q].1.clone(), jobs[m].1.clone()))
                                .or_default();
                            e.0 += 1;
                            e.1 = e.1.max(v.inliers);
                            if std::env::var_os("VIDI_QUALITY_DEBUG").is_some() {
                                println!(
                                    "verified other: q {q} ({} {}) m {m} ({} {}) {v:?}",
                                    jobs[q].0, jobs[q].1, jobs[m].0, jobs[m].1
                                );
                            }
                        }
                    }
                }
                order_by_inliers(&inliers, p.min_inliers)
                    .into_iter()
                    .map(|i| list[i])
                    .collect::<Vec<usize>>()
            })
            .collect();
        (lists, st)
    };
    let n = ranked.len();
    let ((mut lists, a), (second, b)) = std::thread::scope(|s| {
        let h = s.spawn(|| run(0..n / 2));
        let second = run(n / 2..n);
        (h.join().expect("thread"), second)
    });
    lists.extend(second);
    let quantiles = |mut v: Vec<u32>| {
        v.sort_unstable();
        let q = |f: f64| {
            v.get(((v.len() as f64 - 1.0) * f).round() as usize)
                .copied()
                .unwrap_or(0)
        };
        format!(
            "p10 {} p50 {} p90 {} p99 {} max {}",
            q(0.1),
            q(0.5),
            q(0.9),
            q(0.99),
            q(1.0)
        )
    };
    println!(
        "inliers of short-list pairs: same scene {}; other scenes {}",
        quantiles([a.inliers_same.clone(), b.inliers_same.clone()].concat()),
        quantiles([a.inliers_other.clone(), b.inliers_other.clone()].concat()),
    );
    let mut by_kind = a.other_by_kind;
    for (k, (n, m)) in b.other_by_kind {
        let e = by_kind.entry(k).or_default();
        e.0 += n;
        e.1 = e.1.max(m);
    }
    let mut by_kind: Vec<_> = by_kind.into_iter().collect();
    by_kind.sort_by(|x, y| y.1.0.cmp(&x.1.0).then(x.0.cmp(&y.0)));
    println!("verified pairs of different scenes, by (query kind, hit kind): count, most inliers");
    for ((qk, hk), (n, m)) in by_kind.iter().take(12) {
        println!("  {qk} -> {hk}: {n}, {m}");
    }
    let verifications = a.verifications + b.verifications;
    println!(
        "local re-rank of the top {depth}: {verifications} verifications, {:.2} ms each (wall, per thread); verified pairs: {} same scene, {} other scenes (of {} same-scene pairs in the short lists); most inliers of a different-scene pair: {}",
        (a.seconds + b.seconds) * 1000.0 / verifications.max(1) as f64,
        a.verified_same + b.verified_same,
        a.verified_other + b.verified_other,
        a.same_in_lists + b.same_in_lists,
        a.max_other_inliers.max(b.max_other_inliers),
    );
    lists
}

/// Prints how many relevant media the first 50 / 100 / 200 of each
/// query's list of `method` hold, per kind (recall@N: what any re-ranking
/// of that short list can reach).
pub(crate) fn short_list_recall(jobs: &[Job], ranked: &[Vec<Vec<usize>>], method: usize) {
    const DEPTHS: [usize; 5] = [10, 20, 50, 100, 200];
    let mut per: BTreeMap<String, (usize, [f64; 5])> = BTreeMap::new();
    for (q, job) in jobs.iter().enumerate() {
        let total = jobs
            .iter()
            .enumerate()
            .filter(|(i, j)| *i != q && j.0 == job.0)
            .count();
        if total == 0 {
            continue;
        }
        let list = &ranked[q][method];
        let mut rec = [0f64; 5];
        for (r, d) in rec.iter_mut().zip(DEPTHS) {
            let hits = list
                .iter()
                .take(d)
                .filter(|&&m| m != q && jobs[m].0 == job.0)
                .count();
            *r = hits as f64 / total as f64;
        }
        for key in [job.1.clone(), "ALL".to_owned()] {
            let e = per.entry(key).or_default();
            e.0 += 1;
            for (a, r) in e.1.iter_mut().zip(rec) {
                *a += r;
            }
        }
    }
    println!(
        "| kind | queries | R@10 | R@20 | R@50 | R@100 | R@200 |\n|---|---|---|---|---|---|---|"
    );
    for (k, (n, r)) in &per {
        let n = *n as f64;
        println!(
            "| {k} | {n} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            r[0] / n,
            r[1] / n,
            r[2] / n,
            r[3] / n,
            r[4] / n
        );
    }
}
