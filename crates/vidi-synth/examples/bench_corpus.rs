//! Generate a benchmark corpus:
//! `cargo run --release --example bench_corpus -- OUT [PHOTOS] [VIDEOS]`.
#![allow(clippy::print_stdout)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args.first().cloned().unwrap_or_else(|| "vidi-bench".into());
    let photos = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20);
    let videos = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    let spec = vidi_synth::BenchSpec {
        photos,
        videos,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let paths = vidi_synth::generate_bench_corpus(
        std::path::Path::new(&out),
        &spec,
        &vidi_types::Cancel::new(),
    )?;
    println!("{} files in {:.1}s", paths.len(), t.elapsed().as_secs_f64());
    Ok(())
}
