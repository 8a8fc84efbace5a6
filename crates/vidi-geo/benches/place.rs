//! Throughput of `Geocoder::place` and the one-time load cost.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// Deterministic pseudo-random points (xorshift), uniform in lat/lon.
fn points(n: usize, lat: (f64, f64), lon: (f64, f64)) -> Vec<(f64, f64)> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            (
                lat.0 + (lat.1 - lat.0) * next(),
                lon.0 + (lon.1 - lon.0) * next(),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let geo = vidi_geo::Geocoder::new().expect("load");
    let mut group = c.benchmark_group("place");
    for (name, pts) in [
        ("world", points(1000, (-60.0, 75.0), (-180.0, 180.0))),
        ("europe", points(1000, (36.0, 60.0), (-10.0, 30.0))),
    ] {
        group.throughput(Throughput::Elements(pts.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for &(lat, lon) in &pts {
                    let _ = black_box(geo.place(black_box(lat), black_box(lon)));
                }
            })
        });
    }
    group.finish();

    let mut load = c.benchmark_group("load");
    load.sample_size(10);
    load.bench_function("geocoder_new", |b| {
        b.iter_batched(
            || (),
            |()| black_box(vidi_geo::Geocoder::new().expect("load")),
            BatchSize::PerIteration,
        )
    });
    load.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
