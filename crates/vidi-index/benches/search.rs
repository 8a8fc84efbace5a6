//! PDQ index build and radius-31 search against the popcount scan.
//!
//! `cargo bench -p vidi-index --bench search`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use vidi_index::{PdqIndex, SubstringWidth, brute_force};
use vidi_types::PdqHash;

const QUERIES: usize = 100;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn hash(&mut self) -> PdqHash {
        let mut b = [0u8; 32];
        for c in b.chunks_exact_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        PdqHash(b)
    }
    fn flip(&mut self, h: &PdqHash, d: u32) -> PdqHash {
        let mut out = *h;
        let mut left = d;
        while left > 0 {
            let bit = (self.next() % 256) as usize;
            if (out.0[bit / 8] ^ h.0[bit / 8]) & (1 << (bit % 8)) == 0 {
                out.0[bit / 8] ^= 1 << (bit % 8);
                left -= 1;
            }
        }
        out
    }
}

/// `n` random hashes, with `QUERIES` queries each planted at distances
/// 0, 8, 16, 24, 31 (inside radius 31) and 32, 40 (outside).
fn dataset(n: usize) -> (Vec<PdqHash>, Vec<PdqHash>) {
    let mut rng = Rng(0x5eed ^ n as u64);
    let mut set: Vec<PdqHash> = (0..n).map(|_| rng.hash()).collect();
    let queries: Vec<PdqHash> = (0..QUERIES).map(|_| rng.hash()).collect();
    for q in &queries {
        for d in [0, 8, 16, 24, 31, 32, 40] {
            let at = (rng.next() as usize) % set.len();
            set[at] = rng.flip(q, d);
        }
    }
    (set, queries)
}

fn bench(c: &mut Criterion) {
    for n in [100_000usize, 1_000_000] {
        let (set, queries) = dataset(n);
        let mut g = c.benchmark_group(format!("pdq_index_{n}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));

        g.throughput(Throughput::Elements(n as u64));
        g.bench_function("build_16x16", |b| {
            b.iter(|| PdqIndex::build(black_box(&set)))
        });

        g.throughput(Throughput::Elements(QUERIES as u64));
        for width in [SubstringWidth::Bits16, SubstringWidth::Bits8] {
            let idx = PdqIndex::build_with(&set, width);
            let mut out = Vec::new();
            g.bench_function(
                BenchmarkId::new("search_r31", format!("{}x{}", width.tables(), width.bits())),
                |b| {
                    b.iter(|| {
                        let mut found = 0;
                        for q in &queries {
                            idx.search(q, 31, &mut out);
                            found += out.len();
                        }
                        found
                    })
                },
            );
        }

        // One query over the whole set: throughput in bytes gives GB/s; q/s = 1 / time.
        g.throughput(Throughput::Bytes((n * 32) as u64));
        let mut out = Vec::new();
        g.bench_function("brute_force_r31", |b| {
            b.iter(|| {
                brute_force(black_box(&set), &queries[0], 31, &mut out);
                out.len()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
