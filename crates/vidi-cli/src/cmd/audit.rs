//! `vidi audit`: check and list the hash-chained audit log.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use vidi_store::Store;
use vidi_store::audit::AuditHead;

use crate::args::WorkspaceArg;

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain of the audit log (exit 1 when it is broken).
    Verify(VerifyArgs),
    /// List audit events, oldest first, one JSON object per line.
    Ls(LsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// A head recorded earlier (`SEQ:HASH`, as printed by a previous
    /// verify): also check that this event still has this hash, which
    /// catches a rewrite of the whole chain.
    #[arg(long)]
    anchor: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// Only events after this sequence number.
    #[arg(long, default_value_t = 0)]
    after: i64,
    /// At most this many events.
    #[arg(long, default_value_t = 1000)]
    limit: usize,
}

fn parse_anchor(s: &str) -> anyhow::Result<AuditHead> {
    let (seq, hash) = s
        .split_once(':')
        .context("--anchor must be SEQ:HASH (as printed by `vidi audit verify`)")?;
    let seq: i64 = seq.parse().context("--anchor: SEQ is not a number")?;
    anyhow::ensure!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "--anchor: HASH must be 64 hexadecimal characters"
    );
    Ok(AuditHead {
        seq,
        hash: hash.to_ascii_lowercase(),
    })
}

pub(crate) fn run(c: AuditCommand, quiet: bool) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match c {
        AuditCommand::Verify(a) => {
            let ws = super::open_workspace(&a.ws.workspace)?;
            let store = Store::open(&ws)?;
            let report = match &a.anchor {
                Some(s) => store.verify_audit_against(&parse_anchor(s)?)?,
                None => store.verify_audit()?,
            };
            if a.json {
                writeln!(out, "{}", serde_json::to_string(&report)?)?;
            } else {
                if let Some(p) = &report.problem {
                    writeln!(out, "BROKEN: {p}")?;
                }
                if !report.triggers_intact {
                    writeln!(
                        out,
                        "BROKEN: the append-only triggers of the audit log were removed"
                    )?;
                }
                if report.is_ok() && !quiet {
                    writeln!(out, "ok: {} audit events, chain intact", report.events)?;
                }
                if let Some(h) = &report.head
                    && !quiet
                {
                    writeln!(out, "head: {}:{}", h.seq, h.hash)?;
                }
            }
            Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditCommand::Ls(a) => {
            let ws = super::open_workspace(&a.ws.workspace)?;
            let store = Store::open(&ws)?;
            let mut after = a.after;
            let mut left = a.limit;
            while left > 0 {
                let page = store.list_audit(after, left.min(1000))?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                left = left.saturating_sub(page.len());
                for rec in &page {
                    writeln!(out, "{}", serde_json::to_string(rec)?)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_parse() {
        let h = "ab".repeat(32);
        let a = parse_anchor(&format!("12:{h}")).unwrap();
        assert_eq!(a.seq, 12);
        assert!(parse_anchor("12").is_err());
        assert!(parse_anchor("x:00").is_err());
    }
}
