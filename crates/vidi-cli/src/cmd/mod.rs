//! One module per subcommand.

pub(crate) mod accounts;
pub(crate) mod audit;
mod bench;
pub(crate) mod bench_clues;
mod bench_hashsets;
mod bench_index;
pub(crate) mod bench_serve;
mod clues;
mod demo;
mod ingest;
mod known;
mod links;
mod models;
pub(crate) mod package;
pub(crate) mod query;
pub(crate) mod series;
pub(crate) mod serve;
pub(crate) mod similar;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use vidi_store::Workspace;

use crate::args::{BenchCommand, Cli, Command, ExportCommand, HashsetsCommand, ModelsCommand};

pub(crate) fn run(cli: Cli, cancel: &vidi_types::Cancel) -> anyhow::Result<ExitCode> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Init(a) => {
            let ws = Workspace::init(&a.workspace)
                .with_context(|| format!("cannot create workspace {}", a.workspace.display()))?;
            if !quiet {
                crate::output::note(&format!("workspace ready: {}", ws.root().display()));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest(a) => ingest::run(&a, quiet, cancel),
        Command::Ls(a) => query::ls(&a),
        Command::Show(a) => query::show(&a),
        Command::Hashsets(HashsetsCommand::Import(a)) => known::import(&a, quiet, cancel),
        Command::Hashsets(HashsetsCommand::Ls(a)) => known::ls(&a),
        Command::Hashsets(HashsetsCommand::Rm(a)) => known::rm(&a, quiet),
        Command::Match(a) => known::run_match(&a, quiet, cancel),
        Command::Triage(a) => known::run_triage(&a),
        Command::Categorize(a) => known::categorize(&a, quiet),
        Command::Export(ExportCommand::Vics(a)) => known::export_vics(&a, quiet),
        Command::Export(ExportCommand::IcseCsv(a)) => known::export_icse(&a, quiet),
        Command::Models(ModelsCommand::List(a)) => models::list(&a),
        Command::Models(ModelsCommand::Verify { dir, name }) => {
            models::verify(&dir, name.as_deref())
        }
        Command::Models(ModelsCommand::Add { dir, manifest }) => {
            models::add(&dir, &manifest, quiet)
        }
        Command::Clues(a) => clues::run(&a, quiet, cancel),
        Command::Locate(a) => clues::locate(&a),
        Command::Demo(a) => demo::run(&a, quiet, cancel),
        Command::Bench(BenchCommand::Ingest(a)) => bench::ingest(&a, quiet, cancel),
        Command::Bench(BenchCommand::PdqIndex(a)) => bench_index::run(&a),
        Command::Bench(BenchCommand::HashsetImport(a)) => bench_hashsets::run(&a, quiet, cancel),
        Command::Bench(BenchCommand::Link(a)) => links::bench(&a, cancel),
        Command::Links(a) => links::run(&a, quiet, cancel),
        Command::Similar(a) => similar::run(&a, quiet, cancel),
        Command::Bench(BenchCommand::Similar(a)) => similar::bench(&a, quiet, cancel),
        Command::Series(c) => series::run(c, quiet),
        Command::Bench(BenchCommand::Clues(a)) => bench_clues::run(&a, quiet, cancel),
        Command::Bench(BenchCommand::Seed(a)) => bench_serve::seed(&a, quiet),
        Command::Bench(BenchCommand::Serve(a)) => bench_serve::serve(&a, quiet),
        Command::Serve(a) => serve::run(&a, quiet, cancel),
        Command::Agencies(c) => accounts::agencies(c, quiet),
        Command::Users(c) => accounts::users(c, quiet),
        Command::Audit(c) => audit::run(c, quiet),
        Command::Package(c) => package::run(c, quiet),
    }
}

/// Open an existing workspace with a message that says what to do.
pub(crate) fn open_workspace(path: &Path) -> anyhow::Result<Workspace> {
    Workspace::open(path).with_context(|| {
        format!(
            "cannot open workspace {} (create it with `vidi init --workspace {}`)",
            path.display(),
            path.display()
        )
    })
}

/// Ctrl-C cancels the run cooperatively; a second Ctrl-C exits at once
/// (the store is consistent at any point: one transaction per item).
pub(crate) fn cancel_on_ctrl_c() -> vidi_types::Cancel {
    let cancel = vidi_types::Cancel::new();
    let c = cancel.clone();
    let _ = ctrlc::set_handler(move || {
        if c.is_cancelled() {
            std::process::exit(130);
        }
        c.cancel();
    });
    cancel
}
