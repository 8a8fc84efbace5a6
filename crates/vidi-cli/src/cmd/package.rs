//! `vidi package`: verify dissemination packages, show the signing key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use crate::args::WorkspaceArg;

/// Folder of the signing key under the workspace (as `vidi serve` uses it).
const KEYS_DIR: &str = "keys";

#[derive(Debug, Subcommand)]
pub(crate) enum PackageCommand {
    /// Verify a dissemination package: archive, every part against the
    /// manifest, the Ed25519 signature (exit 1 when anything is wrong).
    Verify {
        /// The package file.
        path: PathBuf,
        /// The sender's public key (64 hex characters, or a file holding
        /// them, e.g. `package-signing.pub`). Without it the signature is
        /// checked only against the key the package names.
        #[arg(long)]
        key: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the workspace's package signing public key (created on first use).
    Key(WorkspaceArg),
}

fn trusted_key(arg: &str) -> anyhow::Result<vidi_package::VerifyingKey> {
    let text = if Path::new(arg).is_file() {
        std::fs::read_to_string(arg).with_context(|| format!("cannot read key file {arg}"))?
    } else {
        arg.to_owned()
    };
    Ok(vidi_package::keys::parse_public_key(&text)?)
}

pub(crate) fn run(c: PackageCommand, quiet: bool) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match c {
        PackageCommand::Verify { path, key, json } => {
            let trusted = key.as_deref().map(trusted_key).transpose()?;
            let report = vidi_package::verify_file(&path, trusted.as_ref())?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&report)?)?;
            } else {
                for p in &report.problems {
                    writeln!(out, "BAD: {p}")?;
                }
                if report.is_ok() && !quiet {
                    let m = report.manifest.as_ref();
                    writeln!(
                        out,
                        "ok: package {} ({} parts) intact, signed by {}{}",
                        m.map(|m| m.package_id.as_str()).unwrap_or("?"),
                        m.map(|m| m.parts.len()).unwrap_or(0),
                        report.public_key.as_deref().unwrap_or("?"),
                        if report.key_checked {
                            " (the trusted key)"
                        } else {
                            " (NOT checked against a trusted key: pass --key)"
                        }
                    )?;
                }
            }
            Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        PackageCommand::Key(ws) => {
            let ws = super::open_workspace(&ws.workspace)?;
            let (key, created) = vidi_package::keys::load_or_create(&ws.root().join(KEYS_DIR))?;
            let public = vidi_package::keys::public_key_hex(&key.verifying_key());
            writeln!(out, "{public}")?;
            if created && !quiet {
                tracing::info!(
                    "created the package signing key under {}",
                    ws.root().display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_text_or_file() {
        let dir = tempfile::tempdir().unwrap();
        let (k, _) = vidi_package::keys::load_or_create(dir.path()).unwrap();
        let hex = vidi_package::keys::public_key_hex(&k.verifying_key());
        assert_eq!(trusted_key(&hex).unwrap(), k.verifying_key());
        let f = dir.path().join(vidi_package::keys::PUBLIC_FILE);
        assert_eq!(trusted_key(f.to_str().unwrap()).unwrap(), k.verifying_key());
        assert!(trusted_key("nope").is_err());
    }
}
