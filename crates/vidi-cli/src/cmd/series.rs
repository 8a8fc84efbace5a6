//! `vidi series`.

#![allow(unused_imports)]

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::args::WorkspaceArg;

#[derive(Debug, Subcommand)]
pub(crate) enum SeriesCommand {
    /// List the series.
    Ls(WorkspaceArg),
}

pub(crate) fn run(_c: SeriesCommand, _quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vidi series` is being built")
}
