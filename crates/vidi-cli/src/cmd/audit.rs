//! `vidi audit`.

#![allow(unused_imports)]

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::args::WorkspaceArg;

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain of the audit log.
    Verify(WorkspaceArg),
}

pub(crate) fn run(_c: AuditCommand, _quiet: bool) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`vidi audit` is being built")
}
