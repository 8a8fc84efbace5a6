//! Run the PDQ index benchmark and print its report as one JSON line.
//!
//! `cargo run --release -p vidi-index --example pdq_bench -- --size N --queries Q --radius R --seed S`
//! (`vidi bench pdq-index --json` prints the same report.)

use vidi_index::bench::{BenchParams, run};

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[allow(clippy::print_stdout)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let params = BenchParams {
        size: arg(&args, "--size", 1_000_000) as usize,
        queries: arg(&args, "--queries", 1000) as usize,
        radius: arg(&args, "--radius", 31) as u32,
        seed: arg(&args, "--seed", 1),
    };
    let report = run(&params)?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
