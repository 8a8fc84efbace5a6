//! `vidi serve`.

#![allow(unused_imports)]

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::args::WorkspaceArg;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
}

pub(crate) fn run(
    _a: &ServeArgs,
    _quiet: bool,
    _cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vidi serve` is being built")
}
