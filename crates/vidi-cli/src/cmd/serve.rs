//! `vidi serve`: the task-force HTTP API and web UI.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use crate::args::WorkspaceArg;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: SocketAddr,
    /// PEM certificate chain: serve HTTPS (with --tls-key).
    #[arg(long, requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// PEM private key.
    #[arg(long, requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, default_value_t = 30)]
    pub(crate) idle_minutes: u64,
}

pub(crate) fn run(
    a: &ServeArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    serve_workspace(
        ws,
        a.listen,
        a.tls_cert.as_deref().zip(a.tls_key.as_deref()),
        a.idle_minutes,
        quiet,
        cancel,
        None,
    )
}

/// Serve a workspace until cancelled (Ctrl-C). `banner` is printed after
/// the listening line (the demo's logins).
pub(crate) fn serve_workspace(
    ws: vidi_store::Workspace,
    listen: SocketAddr,
    tls: Option<(&std::path::Path, &std::path::Path)>,
    idle_minutes: u64,
    quiet: bool,
    cancel: &vidi_types::Cancel,
    banner: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let tls = match tls {
        Some((c, k)) => Some(vidi_server::TlsConfig::load(c, k)?),
        None => None,
    };
    let config = vidi_server::ServerConfig {
        idle_timeout: Duration::from_secs(idle_minutes.max(1) * 60),
        secure_cookies: tls.is_some(),
        ..vidi_server::ServerConfig::default()
    };
    let state = vidi_server::AppState::new(ws, config)?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let cancel = cancel.clone();
    vidi_server::serve_blocking(
        listen,
        state,
        tls,
        |addr| {
            tracing::info!(%addr, "serving");
            if !quiet {
                use std::io::Write as _;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "vidi serve: {scheme}://{addr}/ (Ctrl-C to stop)");
                if let Some(b) = banner {
                    let _ = writeln!(out, "{b}");
                }
                let _ = out.flush();
            }
        },
        move || cancel.is_cancelled(),
    )
    .with_context(|| format!("cannot serve on {listen}"))?;
    Ok(ExitCode::SUCCESS)
}
