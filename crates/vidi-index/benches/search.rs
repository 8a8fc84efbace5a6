//! PDQ index build and radius-31 search against the popcount scan.
//!
//! `cargo bench -p vidi-index --bench search` (the full comparison, with 10
//! million hashes, FAISS and persistence, is `vidi bench pdq-index` and
//! `scripts/bench/pdq-index.sh`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use vidi_index::bench::planted;
use vidi_index::{Layout, PdqIndex, brute_force};

const QUERIES: usize = 100;

fn bench(c: &mut Criterion) {
    for n in [100_000usize, 1_000_000] {
        // Each query has planted neighbours at every distance 0..=40.
        let data = planted(n, QUERIES, 0x5eed ^ n as u64);
        let mut g = c.benchmark_group(format!("pdq_index_{n}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));

        g.throughput(Throughput::Elements(n as u64));
        g.bench_function("build_fast", |b| {
            b.iter(|| PdqIndex::build(black_box(&data.hashes)))
        });

        g.throughput(Throughput::Elements(QUERIES as u64));
        for layout in [Layout::Fast, Layout::Compact] {
            let idx = PdqIndex::build_with(&data.hashes, layout);
            let mut out = Vec::new();
            g.bench_function(BenchmarkId::new("search_r31", format!("{layout:?}")), |b| {
                b.iter(|| {
                    let mut found = 0;
                    for q in &data.queries {
                        idx.search(q, 31, &mut out);
                        found += out.len();
                    }
                    found
                })
            });
        }

        // One query over the whole set: throughput in bytes gives GB/s; q/s = 1 / time.
        g.throughput(Throughput::Bytes((n * 32) as u64));
        let mut out = Vec::new();
        g.bench_function("brute_force_r31", |b| {
            b.iter(|| {
                brute_force(black_box(&data.hashes), &data.queries[0], 31, &mut out);
                out.len()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
