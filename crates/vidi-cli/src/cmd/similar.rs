//! `vidi similar` and `vidi bench similar`.

#![allow(unused_imports)]

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::args::WorkspaceArg;

#[derive(Debug, Args)]
pub(crate) struct SimilarArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
}

#[derive(Debug, Args)]
pub(crate) struct BenchSimilarArgs {}

pub(crate) fn run(
    _a: &SimilarArgs,
    _quiet: bool,
    _cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vidi similar` is being built")
}

pub(crate) fn bench(
    _a: &BenchSimilarArgs,
    _quiet: bool,
    _cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vidi bench similar` is being built")
}
