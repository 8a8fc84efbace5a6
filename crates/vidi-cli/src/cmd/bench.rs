//! `vidi bench ingest`: end-to-end ingest of a generated corpus.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use vidi_pipeline::{IngestConfig, NoProgress};
use vidi_store::Workspace;
use vidi_synth::BenchSpec;

use crate::args::BenchIngestArgs;
use crate::output;

/// Peak resident set size of this process in bytes, from getrusage.
pub(crate) fn peak_rss() -> u64 {
    let get = |who| {
        let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: ru is a valid out-pointer for getrusage.
        let rc = unsafe { libc::getrusage(who, ru.as_mut_ptr()) };
        if rc != 0 {
            return 0;
        }
        // SAFETY: getrusage succeeded and initialised the struct.
        let ru = unsafe { ru.assume_init() };
        (ru.ru_maxrss.max(0) as u64) * 1024
    };
    get(libc::RUSAGE_SELF)
}

pub(crate) fn ingest(
    a: &BenchIngestArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let tmp = tempfile::tempdir().context("cannot create a temp dir")?;
    let corpus = match (&a.corpus, &a.out) {
        (Some(c), _) => c.clone(),
        (None, out) => {
            let dir = out.clone().unwrap_or_else(|| tmp.path().join("corpus"));
            if !quiet {
                output::note(&format!(
                    "generating {} photos and {} videos in {} ...",
                    a.photos,
                    a.videos,
                    dir.display()
                ));
            }
            let spec = BenchSpec {
                photos: a.photos,
                videos: a.videos,
                ..BenchSpec::default()
            };
            vidi_synth::generate_bench_corpus(&dir, &spec, cancel).with_context(|| {
                format!("cannot generate the bench corpus in {}", dir.display())
            })?;
            dir
        }
    };
    let ws = Workspace::init(&tmp.path().join("ws"))?;
    let mut config = IngestConfig::new(vec![corpus.clone()], "BENCH-1", "XX");
    config.threads = a.threads;
    let rss_before = peak_rss();
    let t = Instant::now();
    let s = vidi_pipeline::ingest(&ws, &config, &NoProgress, cancel)?;
    let secs = t.elapsed().as_secs_f64();
    let rss = peak_rss();
    let files = s.stored as f64;
    let mb = s.bytes_read as f64 / 1e6;
    let v = serde_json::json!({
        "corpus": corpus,
        "files": s.stored,
        "bytes": s.bytes_read,
        "seconds": secs,
        "files_per_s": files / secs,
        "mb_per_s": mb / secs,
        "peak_rss_mib": rss as f64 / 1048576.0,
        "peak_rss_before_ingest_mib": rss_before as f64 / 1048576.0,
        "threads": if a.threads == 0 { std::thread::available_parallelism().map_or(2, |n| n.get()) } else { a.threads },
        "errors": s.errors_by_kind,
        "by_kind": s.by_kind,
    });
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        output::data(&mut out, &serde_json::to_string(&v)?)?;
    } else {
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    }
    Ok(ExitCode::SUCCESS)
}
