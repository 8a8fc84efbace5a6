//! `vidi bench clues`.

#![allow(unused_imports)]

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::args::WorkspaceArg;

#[derive(Debug, Args)]
pub(crate) struct BenchCluesArgs {}

pub(crate) fn run(
    _a: &BenchCluesArgs,
    _quiet: bool,
    _cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vidi bench clues` is being built")
}
