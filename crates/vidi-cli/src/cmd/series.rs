//! `vidi series`: list, show, create, rename, merge, split, add, rm.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use vidi_store::Store;
use vidi_types::Sha256;

use crate::args::WorkspaceArg;
use crate::output;

#[derive(Debug, Subcommand)]
pub(crate) enum SeriesCommand {
    /// List the series: id, name, media, cases, agencies, hash-set names.
    Ls(LsArgs),
    /// One series: its media, cases, agencies, link clusters, hash-set names, history.
    Show(ShowArgs),
    /// Create a series.
    Create(CreateArgs),
    /// Rename a series (hash-set names stay mapped to it).
    Rename(RenameArgs),
    /// Merge a series into another (the first is kept as history).
    Merge(MergeArgs),
    /// Move chosen media of a series into a new series.
    Split(SplitArgs),
    /// Add media to a series.
    Add(MediaArgs),
    /// Remove media from a series (kept as history).
    Rm(MediaArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ByArg {
    /// Who does it (default: the login name).
    #[arg(long)]
    by: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The series: id or name (or a hash-set series name).
    series: String,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// Its name.
    name: String,
    /// Media to put in it: SHA-256 (or a prefix of at least 4 hex), MD5 or SHA-1.
    media: Vec<String>,
    #[command(flatten)]
    by: ByArg,
}

#[derive(Debug, Args)]
pub(crate) struct RenameArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The series: id or name.
    series: String,
    /// The new name.
    name: String,
    #[command(flatten)]
    by: ByArg,
}

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The series merged away: id or name.
    from: String,
    /// The series that receives its media: id or name.
    into: String,
    #[command(flatten)]
    by: ByArg,
}

#[derive(Debug, Args)]
pub(crate) struct SplitArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The series to split: id or name.
    series: String,
    /// Name of the new series.
    #[arg(long)]
    name: String,
    /// Media to move: SHA-256 (or a prefix of at least 4 hex), MD5 or SHA-1.
    #[arg(required = true)]
    media: Vec<String>,
    #[command(flatten)]
    by: ByArg,
}

#[derive(Debug, Args)]
pub(crate) struct MediaArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// The series: id or name.
    series: String,
    /// Media: SHA-256 (or a prefix of at least 4 hex), MD5 or SHA-1.
    #[arg(required = true)]
    media: Vec<String>,
    #[command(flatten)]
    by: ByArg,
}

fn actor(by: &ByArg) -> String {
    match &by.by {
        Some(b) => b.clone(),
        None => std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned()),
    }
}

fn open(ws: &WorkspaceArg) -> anyhow::Result<Store> {
    let ws = super::open_workspace(&ws.workspace)?;
    Ok(Store::open(&ws)?)
}

fn resolve_all(store: &Store, media: &[String]) -> anyhow::Result<Vec<Sha256>> {
    media
        .iter()
        .map(|m| Ok(super::query::resolve_media(store, m)?.digests.sha256))
        .collect()
}

pub(crate) fn run(c: SeriesCommand, quiet: bool) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match c {
        SeriesCommand::Ls(a) => {
            let store = open(&a.ws)?;
            for s in store.list_series(None)? {
                if a.json {
                    output::data(&mut out, &serde_json::to_string(&s)?)?;
                } else {
                    let names = if s.hashset_names.is_empty() {
                        String::new()
                    } else {
                        format!("  hash sets: {}", s.hashset_names.join(", "))
                    };
                    output::data(
                        &mut out,
                        &format!(
                            "{:>4}  {}  {} media, {} cases, {} agencies{names}",
                            s.id, s.name, s.media, s.cases, s.agencies
                        ),
                    )?;
                }
            }
        }
        SeriesCommand::Show(a) => {
            let store = open(&a.ws)?;
            let id = store.resolve_series(&a.series, None)?;
            let d = store.series_detail(id, None)?;
            if a.json {
                output::data(&mut out, &serde_json::to_string_pretty(&d)?)?;
            } else {
                show_text(&mut out, &d)?;
            }
        }
        SeriesCommand::Create(a) => {
            let mut store = open(&a.ws)?;
            let media = resolve_all(&store, &a.media)?;
            let by = actor(&a.by);
            let id = store.create_series(&a.name, &by)?;
            let added = store.add_to_series(id, &media, &by)?;
            if !quiet {
                output::note(&format!(
                    "series {id} {:?} created with {added} media",
                    a.name
                ));
            }
            output::data(&mut out, &id.to_string())?;
        }
        SeriesCommand::Rename(a) => {
            let mut store = open(&a.ws)?;
            let id = store.resolve_series(&a.series, None)?;
            store.rename_series(id, &a.name, &actor(&a.by))?;
            if !quiet {
                output::note(&format!("series {id} renamed to {:?}", a.name));
            }
        }
        SeriesCommand::Merge(a) => {
            let mut store = open(&a.ws)?;
            let from = store.resolve_series(&a.from, None)?;
            let into = store.resolve_series(&a.into, None)?;
            let joined = store.merge_series(from, into, &actor(&a.by))?;
            if !quiet {
                output::note(&format!(
                    "series {from} merged into {into} ({joined} media joined)"
                ));
            }
        }
        SeriesCommand::Split(a) => {
            let mut store = open(&a.ws)?;
            let from = store.resolve_series(&a.series, None)?;
            let media = resolve_all(&store, &a.media)?;
            let id = store.split_series(from, &a.name, &media, &actor(&a.by))?;
            if !quiet {
                output::note(&format!(
                    "{} media moved from series {from} to new series {id} {:?}",
                    media.len(),
                    a.name
                ));
            }
            output::data(&mut out, &id.to_string())?;
        }
        SeriesCommand::Add(a) => {
            let mut store = open(&a.ws)?;
            let id = store.resolve_series(&a.series, None)?;
            let media = resolve_all(&store, &a.media)?;
            let added = store.add_to_series(id, &media, &actor(&a.by))?;
            if !quiet {
                output::note(&format!("{added} media added to series {id}"));
            }
        }
        SeriesCommand::Rm(a) => {
            let mut store = open(&a.ws)?;
            let id = store.resolve_series(&a.series, None)?;
            let media = resolve_all(&store, &a.media)?;
            store.remove_from_series(id, &media, &actor(&a.by))?;
            if !quiet {
                output::note(&format!("{} media removed from series {id}", media.len()));
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn show_text(out: &mut impl Write, d: &vidi_store::series::SeriesDetail) -> anyhow::Result<()> {
    let s = &d.summary;
    output::data(out, &format!("series {}  {}", s.id, s.name))?;
    output::data(
        out,
        &format!(
            "created by {} at {} ({})",
            s.created_by, s.created_at, s.origin
        ),
    )?;
    if let Some(f) = d.split_from {
        output::data(out, &format!("split from series {f}"))?;
    }
    for (id, name) in &d.merged_from {
        output::data(out, &format!("merged from series {id} {name}"))?;
    }
    for n in &d.hashset_names {
        output::data(
            out,
            &format!(
                "hash-set series name {:?} (set {})",
                n.name,
                n.set_name.as_deref().unwrap_or("?")
            ),
        )?;
    }
    output::data(out, &format!("agencies: {}", d.agencies.join(", ")))?;
    output::data(out, &format!("cases: {}", d.cases.join(", ")))?;
    output::data(out, &format!("media ({}):", d.media.len()))?;
    for m in &d.media {
        output::data(
            out,
            &format!(
                "  {}  {:?} by {} at {}  cases {}",
                m.sha256.to_hex(),
                m.origin,
                m.added_by,
                m.added_at,
                m.cases.join(",")
            ),
        )?;
    }
    for c in &d.clusters {
        output::data(
            out,
            &format!(
                "link cluster {}: {} media of this series",
                c.cluster.to_hex(),
                c.media.len()
            ),
        )?;
    }
    output::data(out, "history:")?;
    for e in &d.history {
        output::data(
            out,
            &format!(
                "  {}  {:<13} {}{}{}",
                e.at,
                e.action,
                e.actor,
                e.other_id
                    .map(|o| format!(" series {o}"))
                    .unwrap_or_default(),
                e.detail
                    .as_deref()
                    .map(|x| format!(" {x}"))
                    .unwrap_or_default()
            ),
        )?;
    }
    Ok(())
}
