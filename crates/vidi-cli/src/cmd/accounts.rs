//! `vidi agencies` and `vidi users`.

#![allow(unused_imports)]

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::args::WorkspaceArg;

#[derive(Debug, Subcommand)]
pub(crate) enum AgenciesCommand {
    /// List the agencies.
    Ls(WorkspaceArg),
}

#[derive(Debug, Subcommand)]
pub(crate) enum UsersCommand {
    /// List the users.
    Ls(WorkspaceArg),
}

pub(crate) fn agencies(_c: AgenciesCommand, _quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vidi agencies` is being built")
}

pub(crate) fn users(_c: UsersCommand, _quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vidi users` is being built")
}
