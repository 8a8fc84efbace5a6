//! MD5 + SHA-1 + SHA-256 throughput.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use vidi_hash::crypto::{MultiHasher, digest_reader};
use vidi_types::Cancel;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("crypto");
    g.sample_size(10);
    for mib in [1usize, 64] {
        let data: Vec<u8> = (0..mib << 20).map(|i| (i * 131 % 251) as u8).collect();
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(format!("multihasher_{mib}MiB"), |b| {
            b.iter(|| {
                let mut h = MultiHasher::new();
                h.update(black_box(&data));
                h.finish()
            })
        });
        g.bench_function(format!("digest_reader_{mib}MiB"), |b| {
            b.iter(|| digest_reader(black_box(&data[..]), &Cancel::new()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
