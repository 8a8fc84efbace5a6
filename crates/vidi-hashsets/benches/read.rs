//! Read 1,000,000 generated plain and ThreatExchange CSV lines from memory.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vidi_hashsets::{Format, ReadOptions, read_with};

const N: usize = 1_000_000;

fn hex_of(i: usize, len: usize) -> String {
    let mut s = String::with_capacity(len);
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while s.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push_str(&format!("{x:016x}"));
    }
    s.truncate(len);
    s
}

fn bench(c: &mut Criterion) {
    let mut plain = String::new();
    let mut te = String::from("signal_type,signal_str,collab,category,tags\n");
    for i in 0..N {
        plain.push_str(&hex_of(i, [32, 40, 64][i % 3]));
        plain.push('\n');
        te.push_str(&format!(
            "pdq,{},Bench,INVESTIGATION_SEED,\n",
            hex_of(i, 64)
        ));
    }
    let mut g = c.benchmark_group("read");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N as u64));
    for (name, format, data) in [
        ("plain", Format::Plain, &plain),
        ("te_csv", Format::ThreatExchangeCsv, &te),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0u64;
                let s = read_with(
                    format,
                    ReadOptions::default(),
                    data.as_bytes(),
                    &mut |_e| n += 1,
                    &mut |_r| {},
                )
                .unwrap_or_default();
                assert_eq!(s.accepted, N as u64);
                n
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
