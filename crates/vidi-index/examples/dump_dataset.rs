//! Write the benchmark data set (the one `vidi bench pdq-index` generates for
//! the same size, queries and seed) for the FAISS comparison script.
//!
//! `cargo run --release -p vidi-index --example dump_dataset -- --size N --queries Q --radius R --seed S --out FILE`

use vidi_index::bench::{BenchParams, write_dataset};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let num = |name: &str, default: u64| -> Result<u64, Box<dyn std::error::Error>> {
        Ok(match arg(&args, name) {
            Some(v) => v.parse()?,
            None => default,
        })
    };
    let params = BenchParams {
        size: num("--size", 1_000_000)? as usize,
        queries: num("--queries", 1000)? as usize,
        radius: num("--radius", 31)? as u32,
        seed: num("--seed", 1)?,
    };
    let out = arg(&args, "--out").ok_or("--out FILE is required")?;
    write_dataset(std::fs::File::create(&out)?, &params)?;
    Ok(())
}
