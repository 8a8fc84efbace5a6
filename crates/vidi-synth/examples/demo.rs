//! Generate the demo dataset into a folder:
//! `cargo run --example demo -- OUT [SEED] [--no-media]`.
#![allow(clippy::print_stdout)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args.first().cloned().unwrap_or_else(|| "vidi-demo".into());
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2024);
    let media = !args.iter().any(|a| a == "--no-media");
    let spec = vidi_synth::DemoSpec {
        seed,
        videos: media,
        audio: media,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let m = vidi_synth::generate_demo(
        std::path::Path::new(&out),
        &spec,
        &vidi_types::Cancel::new(),
    )?;
    println!(
        "{} files in {:.1}s; notes: {:?}",
        m.files.len(),
        t.elapsed().as_secs_f64(),
        m.notes
    );
    Ok(())
}
