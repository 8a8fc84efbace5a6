//! `vidi package`.

#![allow(unused_imports)]

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::args::WorkspaceArg;

#[derive(Debug, Subcommand)]
pub(crate) enum PackageCommand {
    /// Verify a dissemination package's signature and hashes.
    Verify {
        /// The package file.
        path: std::path::PathBuf,
    },
}

pub(crate) fn run(_c: PackageCommand, _quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vidi package` is being built")
}
