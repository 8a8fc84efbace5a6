//! The PDQ index benchmark and its data: random 256-bit hashes with planted
//! neighbours around each query, the index against the popcount scan.
//!
//! [`planted`] is the one generator the criterion bench, the property tests,
//! `vidi bench pdq-index` and the FAISS comparison (through
//! [`write_dataset`]) share.

use std::io::{self, Write};
use std::time::Instant;

use serde::Serialize;
use vidi_types::PdqHash;

use crate::{IndexError, Layout, PdqIndex, SearchPlan, to_words};

/// Distances at which [`planted`] puts a neighbour of each query.
pub const PLANT_DISTANCES: std::ops::RangeInclusive<u32> = 0..=40;

/// What to benchmark.
#[derive(Clone, Debug, Serialize)]
pub struct BenchParams {
    /// Hashes in the index.
    pub size: usize,
    /// Queries to run.
    pub queries: usize,
    /// Hamming radius.
    pub radius: u32,
    /// Seed of the generator.
    pub seed: u64,
}

/// A generated data set.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The hashes to index (`size` of them).
    pub hashes: Vec<PdqHash>,
    /// The queries.
    pub queries: Vec<PdqHash>,
}

/// Small deterministic generator (splitmix64).
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniformly random value below `n` (`n > 0`; slight modulo bias is fine here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A uniformly random hash.
    pub fn hash(&mut self) -> PdqHash {
        let mut b = [0u8; 32];
        for c in b.chunks_exact_mut(8) {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        PdqHash(b)
    }

    /// `h` with exactly `d` (at most 256) distinct bits flipped.
    pub fn flip(&mut self, h: &PdqHash, d: u32) -> PdqHash {
        let mut out = *h;
        let mut left = d.min(256);
        while left > 0 {
            let bit = self.below(256);
            if (out.0[bit / 8] ^ h.0[bit / 8]) & (1 << (bit % 8)) == 0 {
                out.0[bit / 8] ^= 1 << (bit % 8);
                left -= 1;
            }
        }
        out
    }
}

/// `size` random hashes and `queries` random queries; around each query a
/// neighbour at every distance of [`PLANT_DISTANCES`] overwrites a random
/// position of the set (distinct positions, while there are free ones), and
/// `min(20, size / 2)` more positions get near-copies (distance 0..=40) of
/// other members, so buckets hold collisions. Deterministic from `seed`.
pub fn planted(size: usize, queries: usize, seed: u64) -> Dataset {
    let mut rng = Rng(seed);
    let mut hashes: Vec<PdqHash> = (0..size).map(|_| rng.hash()).collect();
    let queries: Vec<PdqHash> = (0..queries).map(|_| rng.hash()).collect();
    let mut taken = vec![false; size];
    let mut free = size;
    let mut place = |rng: &mut Rng, hashes: &mut Vec<PdqHash>, h: PdqHash| {
        if free == 0 {
            return;
        }
        loop {
            let at = rng.below(size);
            if !taken[at] {
                taken[at] = true;
                free -= 1;
                hashes[at] = h;
                return;
            }
        }
    };
    for q in &queries {
        for d in PLANT_DISTANCES {
            let h = rng.flip(q, d);
            place(&mut rng, &mut hashes, h);
        }
    }
    for _ in 0..20.min(size / 2) {
        let base = hashes[rng.below(size)];
        let d = (rng.next_u64() % 41) as u32;
        let h = rng.flip(&base, d);
        place(&mut rng, &mut hashes, h);
    }
    Dataset { hashes, queries }
}

/// Write the data set of `params` for other tools (the FAISS comparison):
/// `b"VIDIPDQD"`, `u32` version 1, `u32` radius, `u64` size, `u64` queries,
/// `u64` seed (all little-endian), then the hashes and the queries, 32 bytes each.
pub fn write_dataset(w: impl Write, params: &BenchParams) -> io::Result<()> {
    let data = planted(params.size, params.queries, params.seed);
    let mut w = io::BufWriter::new(w);
    w.write_all(b"VIDIPDQD")?;
    w.write_all(&1u32.to_le_bytes())?;
    w.write_all(&params.radius.to_le_bytes())?;
    w.write_all(&(params.size as u64).to_le_bytes())?;
    w.write_all(&(params.queries as u64).to_le_bytes())?;
    w.write_all(&params.seed.to_le_bytes())?;
    for h in data.hashes.iter().chain(&data.queries) {
        w.write_all(&h.0)?;
    }
    w.flush()
}

/// Timed passes over the queries.
pub const PASSES: usize = 3;

/// What [`run`] measured. Times in seconds, one thread for the queries.
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    /// Hashes indexed.
    pub size: usize,
    /// Queries run.
    pub queries: usize,
    /// Hamming radius.
    pub radius: u32,
    /// Seed of the data set.
    pub seed: u64,
    /// Layout of the main index ([`Layout::Fast`]).
    pub layout: Layout,
    /// Index queries per second, one thread, wall clock: the best of
    /// [`PASSES`] passes over all queries.
    pub qps: f64,
    /// Wall-clock queries per second of each pass.
    pub qps_passes: Vec<f64>,
    /// Index queries per second of on-CPU time of the querying thread (from
    /// `CLOCK_THREAD_CPUTIME_ID`, best pass): excludes the time the thread
    /// waited for a core on a shared machine. `None` where unavailable.
    pub cpu_qps: Option<f64>,
    /// Share of the best pass's wall time the thread was on a CPU.
    pub cpu_share: Option<f64>,
    /// Mean query latency of the best pass, microseconds.
    pub mean_us: f64,
    /// Median query latency (all passes), microseconds.
    pub p50_us: f64,
    /// 99th percentile query latency (all passes), microseconds.
    pub p99_us: f64,
    /// Share of the true neighbours (popcount scan, distance <= radius) the index returned.
    pub recall: f64,
    /// Results outside the radius or not in the scan's answer (must be 0).
    pub false_positives: u64,
    /// Whether every query's `(id, distance)` list equals the scan's, in every pass.
    pub exact: bool,
    /// True neighbours over all queries.
    pub true_neighbours: u64,
    /// Time to generate the data set.
    pub gen_s: f64,
    /// Time to build the index (one thread).
    pub build_s: f64,
    /// Time to write the index to a file.
    pub write_s: f64,
    /// Time to read the index back from that file (checksum and validation included).
    pub load_s: f64,
    /// Size of the index file.
    pub file_bytes: u64,
    /// Whether the loaded index equals the built one.
    pub load_equal: bool,
    /// Resident bytes of the index (hashes included) per hash.
    pub bytes_per_hash: f64,
    /// Resident bytes of the index.
    pub index_bytes: u64,
    /// Queries timed on the one-query-at-a-time popcount scan.
    pub brute_queries: usize,
    /// Popcount-scan queries per second (one thread, one query per pass over the hashes).
    pub brute_qps: f64,
    /// Bytes of hashes the popcount scan reads per second, in GB/s (10^9).
    pub brute_gbps: f64,
    /// Queries per second of the batched scan (all queries per block of hashes)
    /// that computed the ground truth.
    pub truth_batch_qps: f64,
    /// Index queries per second over popcount-scan queries per second.
    pub speedup_vs_brute: f64,
    /// The same measurements for [`Layout::Compact`] on the same data.
    pub compact: LayoutReport,
}

/// Measurements of one more layout on the same data and queries.
#[derive(Clone, Debug, Serialize)]
pub struct LayoutReport {
    /// The layout.
    pub layout: Layout,
    /// Wall-clock queries per second, best pass.
    pub qps: f64,
    /// On-CPU queries per second, best pass.
    pub cpu_qps: Option<f64>,
    /// Median query latency, microseconds.
    pub p50_us: f64,
    /// Whether every answer equals the scan's.
    pub exact: bool,
    /// Time to build (one thread).
    pub build_s: f64,
    /// Resident bytes per hash.
    pub bytes_per_hash: f64,
}

/// Results and timings of [`PASSES`] passes of the queries.
struct Timed {
    results: Vec<Vec<(u32, u32)>>,
    /// Whether every pass gave the same results.
    stable: bool,
    qps_passes: Vec<f64>,
    best_wall_s: f64,
    best_cpu_s: Option<f64>,
    latencies: Vec<f64>,
}

fn time_queries(idx: &PdqIndex, queries: &[PdqHash], radius: u32) -> Timed {
    let mut timed = Timed {
        results: Vec::new(),
        stable: true,
        qps_passes: Vec::new(),
        best_wall_s: f64::INFINITY,
        best_cpu_s: None,
        latencies: Vec::with_capacity(queries.len() * PASSES),
    };
    let mut out = Vec::new();
    for pass in 0..PASSES {
        let mut results = Vec::with_capacity(queries.len());
        let cpu0 = thread_cpu_s();
        let t = Instant::now();
        for q in queries {
            let tq = Instant::now();
            idx.search(q, radius, &mut out);
            timed.latencies.push(tq.elapsed().as_secs_f64());
            results.push(out.clone());
        }
        let wall = t.elapsed().as_secs_f64();
        let cpu = thread_cpu_s().zip(cpu0).map(|(b, a)| b - a);
        timed.qps_passes.push(per_s(queries.len(), wall));
        if wall < timed.best_wall_s {
            timed.best_wall_s = wall;
        }
        if let Some(c) = cpu {
            timed.best_cpu_s = Some(timed.best_cpu_s.map_or(c, |b: f64| b.min(c)));
        }
        if pass == 0 {
            timed.results = results;
        } else {
            timed.stable &= timed.results == results;
        }
    }
    timed.latencies.sort_by(f64::total_cmp);
    timed
}

fn per_s(count: usize, s: f64) -> f64 {
    if s > 0.0 && s.is_finite() {
        count as f64 / s
    } else {
        0.0
    }
}

fn percentile_us(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(i).map_or(0.0, |s| s * 1e6)
}

/// Generate the data set, build the index ([`Layout::Fast`]), write it to a
/// temporary file and load it back, run the queries one at a time on one
/// thread ([`PASSES`] passes), and compare with the popcount scan; then build
/// and time [`Layout::Compact`] on the same data. Errors only on the temporary file.
pub fn run(params: &BenchParams) -> Result<BenchReport, IndexError> {
    let t = Instant::now();
    let data = planted(params.size, params.queries, params.seed);
    let gen_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let built = PdqIndex::build(&data.hashes);
    let build_s = t.elapsed().as_secs_f64();
    tracing::info!(size = params.size, build_s, "PDQ index built");

    let file = tempfile::NamedTempFile::new()?;
    let t = Instant::now();
    built.write_to(file.as_file())?;
    file.as_file().sync_all()?;
    let write_s = t.elapsed().as_secs_f64();
    let file_bytes = file.as_file().metadata()?.len();
    let t = Instant::now();
    let idx = PdqIndex::read_from(std::fs::File::open(file.path())?)?;
    let load_s = t.elapsed().as_secs_f64();
    let load_equal = idx == built;
    drop(built);
    drop(file);

    let timed = time_queries(&idx, &data.queries, params.radius);

    // Ground truth by the batched popcount scan.
    let qwords: Vec<[u64; 4]> = data.queries.iter().map(to_words).collect();
    let mut truth: Vec<Vec<(u32, u32)>> = vec![Vec::new(); qwords.len()];
    let t = Instant::now();
    const BLOCK: usize = 8192;
    for (b, block) in idx.words.chunks(BLOCK).enumerate() {
        crate::popcount::scan_many(
            block,
            (b * BLOCK) as u32,
            &qwords,
            params.radius,
            &mut truth,
        );
    }
    let truth_s = t.elapsed().as_secs_f64();

    // The one-query-per-pass scan, timed on a sample (and checked against the truth).
    let brute_queries = data.queries.len().min(50);
    let mut out = Vec::new();
    let t = Instant::now();
    let mut brute_ok = true;
    for (q, want) in qwords.iter().zip(&truth).take(brute_queries) {
        crate::brute_force_words(&idx.words, q, params.radius, &mut out);
        brute_ok &= &out == want;
    }
    let brute_s = t.elapsed().as_secs_f64();
    if !brute_ok {
        tracing::error!("batched and one-query scans disagree");
    }

    let (mut found, mut total, mut fp, mut exact) = (0u64, 0u64, 0u64, brute_ok && timed.stable);
    for (got, want) in timed.results.iter().zip(&truth) {
        total += want.len() as u64;
        exact &= got == want;
        for hit in got {
            if want.binary_search(hit).is_ok() {
                found += 1;
            } else {
                fp += 1;
            }
        }
    }
    let qps = per_s(data.queries.len(), timed.best_wall_s);
    let brute_qps = per_s(brute_queries, brute_s);
    let bytes_per_hash = idx.bytes_per_hash();
    let index_bytes = idx.heap_bytes() as u64;
    let words_len = idx.len();
    drop(idx);

    // The compact layout on the same data.
    let t = Instant::now();
    let compact_idx = PdqIndex::build_with(&data.hashes, Layout::Compact);
    let compact_build_s = t.elapsed().as_secs_f64();
    let ct = time_queries(&compact_idx, &data.queries, params.radius);
    let compact = LayoutReport {
        layout: Layout::Compact,
        qps: per_s(data.queries.len(), ct.best_wall_s),
        cpu_qps: ct.best_cpu_s.map(|c| per_s(data.queries.len(), c)),
        p50_us: percentile_us(&ct.latencies, 0.5),
        exact: ct.stable && ct.results == truth,
        build_s: compact_build_s,
        bytes_per_hash: compact_idx.bytes_per_hash(),
    };

    Ok(BenchReport {
        size: params.size,
        queries: params.queries,
        radius: params.radius,
        seed: params.seed,
        layout: Layout::Fast,
        qps,
        qps_passes: timed.qps_passes,
        cpu_qps: timed.best_cpu_s.map(|c| per_s(data.queries.len(), c)),
        cpu_share: timed.best_cpu_s.map(|c| {
            if timed.best_wall_s > 0.0 {
                c / timed.best_wall_s
            } else {
                0.0
            }
        }),
        mean_us: if data.queries.is_empty() {
            0.0
        } else {
            timed.best_wall_s / data.queries.len() as f64 * 1e6
        },
        p50_us: percentile_us(&timed.latencies, 0.5),
        p99_us: percentile_us(&timed.latencies, 0.99),
        recall: if total == 0 {
            1.0
        } else {
            found as f64 / total as f64
        },
        false_positives: fp,
        exact,
        true_neighbours: total,
        gen_s,
        build_s,
        write_s,
        load_s,
        file_bytes,
        load_equal,
        bytes_per_hash,
        index_bytes,
        brute_queries,
        brute_qps,
        brute_gbps: if brute_s > 0.0 {
            (brute_queries * words_len * 32) as f64 / brute_s / 1e9
        } else {
            0.0
        },
        truth_batch_qps: per_s(data.queries.len(), truth_s),
        speedup_vs_brute: if brute_qps > 0.0 {
            qps / brute_qps
        } else {
            0.0
        },
        compact,
    })
}

/// On-CPU seconds of the calling thread (`CLOCK_THREAD_CPUTIME_ID`; Unix).
#[cfg(unix)]
fn thread_cpu_s() -> Option<f64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9)
}

#[cfg(not(unix))]
fn thread_cpu_s() -> Option<f64> {
    None
}

/// Check one plan of the index against the scan on `data` for every radius in
/// `radii` (used by tests; `Err` names the first radius that differs).
pub fn check_against_scan(
    idx: &PdqIndex,
    data: &Dataset,
    plan: SearchPlan,
    radii: impl IntoIterator<Item = u32>,
) -> Result<(), u32> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for radius in radii {
        for q in &data.queries {
            idx.search_with(q, radius, plan, &mut a);
            crate::brute_force(&data.hashes, q, radius, &mut b);
            if a != b {
                return Err(radius);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planted_is_deterministic_and_plants_every_distance() {
        let a = planted(500, 3, 42);
        let b = planted(500, 3, 42);
        assert_eq!(a.hashes, b.hashes);
        assert_eq!(a.queries, b.queries);
        let wq = to_words(&a.queries[0]);
        let ws: Vec<[u64; 4]> = a.hashes.iter().map(to_words).collect();
        for d in PLANT_DISTANCES {
            assert!(ws.iter().any(|w| crate::popcount::dist(w, &wq) == d), "{d}");
        }
        // Tiny sets just get fewer plants.
        assert_eq!(planted(5, 2, 1).hashes.len(), 5);
        assert!(planted(0, 2, 1).hashes.is_empty());
    }

    #[test]
    fn small_run_is_exact() {
        let r = run(&BenchParams {
            size: 3000,
            queries: 5,
            radius: 31,
            seed: 9,
        })
        .unwrap();
        assert!(r.exact && r.load_equal && r.compact.exact);
        assert_eq!(r.qps_passes.len(), PASSES);
        assert_eq!(r.recall, 1.0);
        assert_eq!(r.false_positives, 0);
        assert!(r.true_neighbours >= 5 * 32);
        let mut buf = Vec::new();
        write_dataset(
            &mut buf,
            &BenchParams {
                size: 10,
                queries: 2,
                radius: 31,
                seed: 1,
            },
        )
        .unwrap();
        assert_eq!(buf.len(), 40 + 12 * 32);
    }
}
