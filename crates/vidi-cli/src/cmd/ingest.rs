//! `vidi ingest`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use vidi_pipeline::{IngestConfig, IngestSummary};

use crate::args::IngestArgs;
use crate::output;
use crate::progress::Bar;

pub(crate) fn run(
    a: &IngestArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let mut config = IngestConfig::new(a.paths.clone(), a.case.clone(), a.agency.clone());
    config.dihedral = a.dihedral;
    config.thumbnails = !a.no_thumbnails;
    config.threads = a.threads;
    config.file_budget = Duration::from_secs(a.file_budget.max(1));
    if let Err(e) = vidi_video::tools_available() {
        output::note(&format!(
            "warning: {e}; videos will be recorded without analysis"
        ));
    }
    let bar = Bar::new(quiet);
    let summary = vidi_pipeline::ingest(&ws, &config, &bar, cancel)?;
    bar.finish();
    // Known material is matched as soon as it is ingested.
    let matched = if a.no_match || summary.cancelled {
        None
    } else {
        let config = vidi_known::MatchConfig {
            case: Some(a.case.clone()),
            ..vidi_known::MatchConfig::default()
        };
        Some(vidi_known::match_workspace(&ws, &config, cancel)?)
    };
    report_with_match(&summary, matched.as_ref(), a.json, quiet)?;
    // New media are linked to the rest of the workspace (incremental).
    if !summary.cancelled {
        let links = vidi_link::link_new_media(&ws, cancel)?;
        if !quiet && !a.json && links.new_links > 0 {
            output::note(&format!(
                "linked {} new media: {} new links (see `vidi links`)",
                links.processed, links.new_links
            ));
        }
    }
    // New media are embedded for `vidi similar` (a missing model is a note;
    // `VIDI_NO_EMBED=1` skips this step).
    if !summary.cancelled
        && std::env::var_os("VIDI_NO_EMBED").is_none()
        && let Err(e) = super::similar::embed_after(&ws, None, a.threads, quiet || a.json, cancel)
    {
        output::error(&format!("embedding for similar-scene search failed: {e:#}"));
    }
    if a.clues && !summary.cancelled {
        let config = vidi_pipeline::clues::ClueConfig {
            case: Some(a.case.clone()),
            threads: a.threads,
            force: false,
        };
        super::clues::run_on(&ws, None, &config, a.json, quiet, cancel)?;
    }
    Ok(exit_code(&summary))
}

#[derive(serde::Serialize)]
struct WithMatch<'a> {
    #[serde(flatten)]
    ingest: &'a IngestSummary,
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    matched: Option<&'a vidi_known::MatchSummary>,
}

fn report_with_match(
    s: &IngestSummary,
    matched: Option<&vidi_known::MatchSummary>,
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    if json {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let v = WithMatch { ingest: s, matched };
        output::data(&mut out, &serde_json::to_string(&v)?)?;
        return Ok(());
    }
    report(s, false, quiet)?;
    if let Some(m) = matched
        && !quiet
        && m.sets > 0
    {
        super::known::note_match(m);
    }
    Ok(())
}

pub(crate) fn exit_code(s: &IngestSummary) -> ExitCode {
    if s.cancelled {
        ExitCode::from(130)
    } else if s.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) fn report(s: &IngestSummary, json: bool, quiet: bool) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        output::data(&mut out, &serde_json::to_string(s)?)?;
        return Ok(());
    }
    if quiet {
        return Ok(());
    }
    let mut text = String::new();
    text.push_str(&format!(
        "{} entries found: {} stored ({} new content, {} already known), {} unchanged, {} links/special",
        s.found, s.stored, s.new_media, s.known_content, s.unchanged, s.not_regular
    ));
    let mb = s.bytes_read as f64 / 1e6;
    let rate = if s.elapsed_s > 0.0 {
        mb / s.elapsed_s
    } else {
        0.0
    };
    text.push_str(&format!(
        "\n{mb:.1} MB read in {:.1} s ({rate:.1} MB/s)",
        s.elapsed_s
    ));
    if !s.by_kind.is_empty() {
        let kinds: Vec<String> = s.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        text.push_str(&format!("\nby kind: {}", kinds.join(", ")));
    }
    if !s.errors_by_kind.is_empty() {
        let errs: Vec<String> = s
            .errors_by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        text.push_str(&format!(
            "\nrecorded with errors: {} ({})",
            s.errors(),
            errs.join(", ")
        ));
    }
    if s.cancelled {
        text.push_str("\ninterrupted: run the same command again to complete");
    }
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    Ok(())
}
