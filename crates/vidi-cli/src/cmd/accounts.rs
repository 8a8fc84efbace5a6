//! `vidi agencies` and `vidi users`: the first accounts of a workspace,
//! and case grants (`vidi agencies grant --case C --agency A`).

use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use vidi_store::Store;
use vidi_store::accounts::{NewUser, Role, check_password_policy};

use crate::args::WorkspaceArg;

#[derive(Debug, Subcommand)]
pub(crate) enum AgenciesCommand {
    /// Create an agency (or set its name and country).
    Add(AgencyAddArgs),
    /// List the agencies.
    Ls(WorkspaceArg),
    /// Give an agency access to a case (need-to-know grant).
    Grant(GrantArgs),
    /// List the case grants.
    Grants(WorkspaceArg),
}

#[derive(Debug, Args)]
pub(crate) struct AgencyAddArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Agency code, e.g. BE-FCCU.
    #[arg(long)]
    pub(crate) code: String,
    /// ISO 3166-1 alpha-2 country, e.g. BE.
    #[arg(long)]
    pub(crate) country: String,
    /// Display name.
    #[arg(long)]
    pub(crate) name: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct GrantArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Case number.
    #[arg(long)]
    pub(crate) case: String,
    /// Code of the agency given access.
    #[arg(long)]
    pub(crate) agency: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum UsersCommand {
    /// Create a user; the password is read from standard input (one line,
    /// at least 12 characters).
    Add(UserAddArgs),
    /// Set a user's password (read from standard input); ends its sessions.
    Passwd(UserPasswdArgs),
    /// List the users.
    Ls(WorkspaceArg),
}

#[derive(Debug, Args)]
pub(crate) struct UserAddArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// The user's agency code.
    #[arg(long)]
    pub(crate) agency: String,
    /// analyst, reviewer or admin.
    #[arg(long, value_parser = ["analyst", "reviewer", "admin"])]
    pub(crate) role: String,
    /// Login name.
    #[arg(long)]
    pub(crate) username: String,
}

#[derive(Debug, Args)]
pub(crate) struct UserPasswdArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// Login name.
    #[arg(long)]
    pub(crate) username: String,
}

fn open(ws: &WorkspaceArg) -> anyhow::Result<Store> {
    let w = super::open_workspace(&ws.workspace)?;
    Store::open(&w).context("cannot open the workspace database")
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let pw = line.trim_end_matches(['\n', '\r']).to_owned();
    check_password_policy(&pw)?;
    Ok(pw)
}

pub(crate) fn agencies(c: AgenciesCommand, quiet: bool) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match c {
        AgenciesCommand::Add(a) => {
            let mut store = open(&a.ws)?;
            store.add_agency(&a.code, &a.country, a.name.as_deref())?;
            if !quiet {
                writeln!(out, "agency {} ({}) saved", a.code, a.country)?;
            }
        }
        AgenciesCommand::Ls(ws) => {
            let store = open(&ws)?;
            for ag in store.agencies()? {
                writeln!(
                    out,
                    "{}\t{}\t{}",
                    ag.code,
                    ag.country.as_deref().unwrap_or("-"),
                    ag.name.as_deref().unwrap_or("")
                )?;
            }
        }
        AgenciesCommand::Grant(g) => {
            let mut store = open(&g.ws)?;
            let grant = store.grant_case_as_operator(&g.case, &g.agency)?;
            store.append_audit(&vidi_store::audit::AuditEvent {
                user: "operator".into(),
                agency: String::new(),
                action: "case.grant".into(),
                object: format!("case:{}", grant.case),
                client: None,
                detail: Some(format!("agency={}", grant.agency.code)),
            })?;
            if !quiet {
                writeln!(out, "case {} granted to {}", grant.case, grant.agency.code)?;
            }
        }
        AgenciesCommand::Grants(ws) => {
            let store = open(&ws)?;
            for g in store.all_grants()? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    g.case,
                    g.agency.code,
                    g.granted_by.as_deref().unwrap_or("operator"),
                    g.granted_at
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn users(c: UsersCommand, quiet: bool) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match c {
        UsersCommand::Add(a) => {
            let mut store = open(&a.ws)?;
            let role = Role::parse(&a.role).context("role must be analyst, reviewer or admin")?;
            let pw = read_password()?;
            let hash = vidi_server::hash_password(&pw)?;
            store.add_user(&NewUser {
                username: &a.username,
                password_hash: &hash,
                role,
                agency: &a.agency,
            })?;
            if !quiet {
                writeln!(
                    out,
                    "user {} ({}, {}) created",
                    a.username, a.agency, a.role
                )?;
            }
        }
        UsersCommand::Passwd(a) => {
            let mut store = open(&a.ws)?;
            let pw = read_password()?;
            let hash = vidi_server::hash_password(&pw)?;
            store.set_password(&a.username, &hash)?;
            if !quiet {
                writeln!(out, "password of {} changed", a.username)?;
            }
        }
        UsersCommand::Ls(ws) => {
            let store = open(&ws)?;
            for u in store.users()? {
                writeln!(
                    out,
                    "{}\t{}\t{}{}",
                    u.username,
                    u.agency.code,
                    u.role.as_str(),
                    if u.disabled { "\tdisabled" } else { "" }
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One login created by [`demo_accounts`].
pub(crate) struct DemoLogin {
    pub(crate) username: String,
    pub(crate) agency: String,
    pub(crate) role: &'static str,
    pub(crate) password: String,
}

/// For the demo: name every agency and give it an analyst, a reviewer and
/// an admin with random passwords (users that exist already are kept and
/// not listed).
pub(crate) fn demo_accounts(
    ws: &vidi_store::Workspace,
    agencies: &[(String, String)],
) -> anyhow::Result<Vec<DemoLogin>> {
    let mut store = Store::open(ws)?;
    let existing: Vec<String> = store.users()?.into_iter().map(|u| u.username).collect();
    let mut out = Vec::new();
    for (code, country) in agencies {
        store.add_agency(
            code,
            country,
            Some(&format!("{code} (demo agency, {country})")),
        )?;
        for role in [Role::Analyst, Role::Reviewer, Role::Admin] {
            let username = format!("{}-{}", code.to_lowercase(), role.as_str());
            if existing.contains(&username) {
                continue;
            }
            let password = vidi_server::random_password();
            let hash = vidi_server::hash_password(&password)?;
            store.add_user(&NewUser {
                username: &username,
                password_hash: &hash,
                role,
                agency: code,
            })?;
            out.push(DemoLogin {
                username,
                agency: code.clone(),
                role: role.as_str(),
                password,
            });
        }
    }
    Ok(out)
}
