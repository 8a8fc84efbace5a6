//! `vidi bench pdq-index`: the PDQ index against a popcount scan on random
//! hashes with planted neighbours.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use vidi_index::bench::{BenchParams, BenchReport, PASSES};

use crate::args::BenchPdqIndexArgs;
use crate::output;

pub(crate) fn run(a: &BenchPdqIndexArgs) -> anyhow::Result<ExitCode> {
    let params = BenchParams {
        size: a.size,
        queries: a.queries,
        radius: a.radius,
        seed: a.seed,
    };
    let r = vidi_index::bench::run(&params).context("PDQ index benchmark failed")?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        output::data(&mut out, &serde_json::to_string(&r)?)?;
    } else {
        table(&mut out, &r)?;
    }
    // An inexact answer is a failure, whatever the speed.
    Ok(if r.exact && r.compact.exact && r.load_equal {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"))
}

fn table(out: &mut impl Write, r: &BenchReport) -> std::io::Result<()> {
    writeln!(
        out,
        "PDQ index: {} hashes, {} queries, radius {}, seed {} (one thread; best of {PASSES} passes)",
        r.size, r.queries, r.radius, r.seed
    )?;
    writeln!(
        out,
        "{:<22} {:>10} {:>10} {:>9} {:>8} {:>8} {:>8}",
        "method", "q/s wall", "q/s cpu", "p50 us", "recall", "exact", "B/hash"
    )?;
    writeln!(
        out,
        "{:<22} {:>10.0} {:>10} {:>9.1} {:>8.4} {:>8} {:>8.1}",
        "index (fast)",
        r.qps,
        opt(r.cpu_qps),
        r.p50_us,
        r.recall,
        r.exact,
        r.bytes_per_hash
    )?;
    let c = &r.compact;
    writeln!(
        out,
        "{:<22} {:>10.0} {:>10} {:>9.1} {:>8} {:>8} {:>8.1}",
        "index (compact)",
        c.qps,
        opt(c.cpu_qps),
        c.p50_us,
        "-",
        c.exact,
        c.bytes_per_hash
    )?;
    writeln!(
        out,
        "{:<22} {:>10.1} {:>10} {:>9.0} {:>8} {:>8} {:>8}",
        "popcount scan",
        r.brute_qps,
        "-",
        if r.brute_qps > 0.0 {
            1e6 / r.brute_qps
        } else {
            0.0
        },
        "1",
        "true",
        "32"
    )?;
    writeln!(
        out,
        "index vs scan: {:.0}x; scan reads {:.2} GB/s; true neighbours {}, false positives {}",
        r.speedup_vs_brute, r.brute_gbps, r.true_neighbours, r.false_positives
    )?;
    writeln!(
        out,
        "build {:.2} s (compact {:.2} s); write {:.2} s; load {:.2} s ({} bytes, equal: {}); on-CPU share {}",
        r.build_s,
        c.build_s,
        r.write_s,
        r.load_s,
        r.file_bytes,
        r.load_equal,
        r.cpu_share
            .map_or_else(|| "-".to_owned(), |s| format!("{:.0} %", s * 100.0))
    )
}
