//! `vidi`: the command-line tool. Thin glue over the library crates.
//!
//! Exit codes (stable, documented in README):
//! - 0: done; every file was ingested without error
//! - 1: done, but some files were recorded with errors (see the summary)
//! - 2: fatal error (bad arguments, workspace unusable, store failure)
//! - 130: interrupted (Ctrl-C); re-run the same command to complete

mod args;
mod cmd;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Debian's tesseract uses OpenMP; with its default thread pool OCR runs
    // ~3x slower on our per-image workers. vidi parallelises across images.
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        // SAFETY: no other thread exists yet (this is the first statement
        // of main, before the Ctrl-C handler thread is started).
        unsafe { std::env::set_var("OMP_THREAD_LIMIT", "1") };
    }
    // Install the Ctrl-C handler first, so an early interrupt is also a
    // clean cancellation.
    let cancel = cmd::cancel_on_ctrl_c();
    let args = args::Cli::parse();
    init_tracing(args.verbose, args.quiet);
    match cmd::run(args, &cancel) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            output::error(&format!("{err:#}"));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_tracing(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = EnvFilter::try_from_env("VIDI_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::env::var_os("NO_COLOR").is_none())
        .with_target(false)
        .init();
    // Decoder panics are contained and recorded per file; keep their
    // default report out of the terminal and in the log instead.
    std::panic::set_hook(Box::new(|info| {
        tracing::debug!(panic = %info, "contained panic");
    }));
}
