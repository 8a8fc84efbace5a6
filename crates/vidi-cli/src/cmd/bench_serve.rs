//! `vidi bench seed` and `vidi bench serve`: a synthetic workspace of N
//! media (three agencies, users of every role) and a load run of virtual
//! investigators against the real server on loopback.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use vidi_loadgen::{LoadSpec, SeedSpec};

use crate::output;

#[derive(Debug, Args)]
pub(crate) struct BenchSeedArgs {
    /// The new workspace to create and fill.
    #[arg(short, long)]
    pub(crate) workspace: PathBuf,
    /// Distinct media.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) media: usize,
    /// Users (user000, user001, ... over three agencies).
    #[arg(long, default_value_t = 200)]
    pub(crate) users: usize,
    /// Password of every user (read from the environment when set).
    #[arg(
        long,
        env = "VIDI_BENCH_PASSWORD",
        default_value = "bench-password-0000"
    )]
    pub(crate) password: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct BenchServeArgs {
    /// Use this workspace seeded by `vidi bench seed` (default: seed a new
    /// one in a temp dir).
    #[arg(short, long)]
    pub(crate) workspace: Option<PathBuf>,
    /// Distinct media to seed.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) media: usize,
    /// Concurrent virtual users.
    #[arg(long, default_value_t = 200)]
    pub(crate) users: usize,
    /// Measured seconds.
    #[arg(long, default_value_t = 60)]
    pub(crate) duration: u64,
    /// Unmeasured warm-up seconds.
    #[arg(long, default_value_t = 5)]
    pub(crate) warmup: u64,
    /// Thumbnails loaded per grid page.
    #[arg(long, default_value_t = 24)]
    pub(crate) thumbs: usize,
    /// Mean pause of each user after each page view (case list, grid page
    /// with its thumbnails, media page), in milliseconds, drawn from an
    /// exponential distribution; 0: none (saturation).
    #[arg(long, default_value_t = 0)]
    pub(crate) think_ms: u64,
    /// Browse like a browser: a screen's thumbnails six at a time (six
    /// connections per user) and a per-user HTTP cache (max-age, then
    /// If-None-Match).
    #[arg(long)]
    pub(crate) browser: bool,
    /// Password of the seeded users.
    #[arg(
        long,
        env = "VIDI_BENCH_PASSWORD",
        default_value = "bench-password-0000"
    )]
    pub(crate) password: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The workspace `vidi bench seed` and `vidi bench serve` (without
/// `--workspace`) build.
fn seed_spec(media: usize, users: usize, password: &str) -> SeedSpec {
    SeedSpec {
        media,
        users,
        password: password.to_owned(),
        ..SeedSpec::default()
    }
}

pub(crate) fn seed(a: &BenchSeedArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let spec = seed_spec(a.media, a.users, &a.password);
    if !quiet {
        output::note(&format!(
            "seeding {} media and {} users into {} ...",
            a.media,
            a.users,
            a.workspace.display()
        ));
    }
    let (_, report) = vidi_loadgen::seed::seed_new(&a.workspace, &spec)
        .with_context(|| format!("cannot seed {}", a.workspace.display()))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let v = serde_json::to_value(&report)?;
    if a.json {
        output::data(&mut out, &serde_json::to_string(&v)?)?;
    } else {
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn serve(a: &BenchServeArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let tmp;
    let (ws, seed_report) = match &a.workspace {
        Some(p) => (super::open_workspace(p)?, None),
        None => {
            tmp = tempfile::tempdir().context("cannot create a temp dir")?;
            if !quiet {
                output::note(&format!("seeding {} media in a temp dir ...", a.media));
            }
            let spec = seed_spec(a.media, a.users, &a.password);
            let (ws, r) = vidi_loadgen::seed::seed_new(&tmp.path().join("ws"), &spec)?;
            (ws, Some(r))
        }
    };
    let users: Vec<(String, String)> = (0..a.users)
        .map(|k| (format!("user{k:03}"), a.password.clone()))
        .collect();
    let state = vidi_server::AppState::new(ws, vidi_server::ServerConfig::default())?;
    if !quiet {
        output::note(&format!(
            "{} users browsing for {} s (+{} s warm-up) ...",
            a.users, a.duration, a.warmup
        ));
    }
    let report = vidi_loadgen::load::run_in_process(state, |addr| {
        let mut spec = LoadSpec::new(addr, users);
        spec.duration = Duration::from_secs(a.duration);
        spec.warmup = Duration::from_secs(a.warmup);
        spec.thumbs_per_screen = a.thumbs;
        spec.think = Duration::from_millis(a.think_ms);
        spec.browser = a.browser;
        spec
    })?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let v = serde_json::json!({
        "media": a.media,
        "cores": cores,
        "seed_seconds": seed_report.as_ref().map(|r| r.seconds),
        "think_ms": a.think_ms,
        "browser": a.browser,
        "load": report,
    });
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        output::data(&mut out, &serde_json::to_string(&v)?)?;
    } else {
        writeln!(
            out,
            "{} users, {:.0} s: {:.0} requests/s, {} errors; client CPU {:.1} s of process CPU {:.1} s ({:.0} %); {} thumbnails from the browser cache",
            report.users,
            report.seconds,
            report.requests_per_s,
            report.overall.errors,
            report.client_cpu_s,
            report.process_cpu_s,
            report.client_cpu_share * 100.0,
            report.cache_hits
        )?;
        writeln!(
            out,
            "{:<14} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8}",
            "kind", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"
        )?;
        for k in report.kinds.iter().chain(std::iter::once(&report.overall)) {
            writeln!(
                out,
                "{:<14} {:>8} {:>7} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
                k.kind, k.requests, k.errors, k.p50_ms, k.p95_ms, k.p99_ms, k.max_ms
            )?;
        }
        for e in &report.first_errors {
            writeln!(out, "error: {e}")?;
        }
    }
    Ok(if report.overall.errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
