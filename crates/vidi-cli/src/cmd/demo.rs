//! `vidi demo`: generate the synthetic benign dataset and ingest it, case
//! by case, into a workspace.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use vidi_pipeline::{IngestConfig, IngestSummary};
use vidi_store::Workspace;
use vidi_synth::DemoSpec;

use crate::args::DemoArgs;
use crate::output;
use crate::progress::Bar;

#[derive(Serialize)]
struct CaseReport {
    agency: String,
    country: String,
    case: String,
    summary: IngestSummary,
}

pub(crate) fn run(
    a: &DemoArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let data = a.data.clone().unwrap_or_else(|| {
        let parent = a.workspace.parent().map(PathBuf::from).unwrap_or_default();
        let name = a.workspace.file_name().map_or_else(
            || "vidi-demo-data".to_string(),
            |n| format!("{}-data", n.to_string_lossy()),
        );
        parent.join(name)
    });
    for (tool, ok) in vidi_synth::tools_available() {
        if !ok && !quiet {
            output::note(&format!(
                "note: {tool} not found; the parts of the demo that need it are skipped"
            ));
        }
    }
    if !quiet {
        output::note(&format!(
            "generating the synthetic dataset in {} ...",
            data.display()
        ));
    }
    let spec = DemoSpec {
        seed: a.seed,
        ..DemoSpec::default()
    };
    let manifest = vidi_synth::generate_demo(&data, &spec, cancel)
        .with_context(|| format!("cannot generate the demo dataset in {}", data.display()))?;
    let ws = Workspace::init(&a.workspace)
        .with_context(|| format!("cannot create workspace {}", a.workspace.display()))?;

    let mut reports = Vec::new();
    let mut any_errors = false;
    for agency in &manifest.agencies {
        for case in &agency.cases {
            if cancel.is_cancelled() {
                break;
            }
            let config = IngestConfig::new(
                vec![case.dir.clone()],
                case.case.clone(),
                agency.agency.clone(),
            );
            let bar = Bar::new(quiet);
            let summary = vidi_pipeline::ingest(&ws, &config, &bar, cancel)?;
            bar.finish();
            any_errors |= summary.errors() > 0;
            reports.push(CaseReport {
                agency: agency.agency.clone(),
                country: agency.country.clone(),
                case: case.case.clone(),
                summary,
            });
        }
    }

    let known = if cancel.is_cancelled() {
        None
    } else {
        Some(demo_known_set(&ws, &data, &reports, cancel)?)
    };

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        let v = serde_json::json!({
            "workspace": ws.root(),
            "data": data,
            "files": manifest.files.len(),
            "cases": reports,
            "known": known,
        });
        output::data(&mut out, &serde_json::to_string(&v)?)?;
    } else if !quiet {
        writeln!(
            out,
            "vidi demo: {} generated files, ingested into {}",
            manifest.files.len(),
            ws.root().display()
        )?;
        writeln!(
            out,
            "{:<8} {:<8} {:<14} {:>6} {:>6} {:>6} {:>6} {:>6}",
            "agency", "country", "case", "items", "image", "video", "other", "errors"
        )?;
        for r in &reports {
            let k = |name: &str| r.summary.by_kind.get(name).copied().unwrap_or(0);
            writeln!(
                out,
                "{:<8} {:<8} {:<14} {:>6} {:>6} {:>6} {:>6} {:>6}",
                r.agency,
                r.country,
                r.case,
                r.summary.found,
                k("image"),
                k("video"),
                k("other") + k("audio"),
                r.summary.errors()
            )?;
        }
        writeln!(
            out,
            "errors are expected: the demo includes a truncated and a corrupt file on purpose."
        )?;
        if let Some(k) = &known {
            writeln!(
                out,
                "known material: a demo VICS 2.0 hash set of {} entries was imported; {} media match it",
                k.import.imported, k.matched.media_with_hits
            )?;
            if let Some(r) = reports.first() {
                writeln!(
                    out,
                    "triage: vidi triage --workspace {} --case {}",
                    ws.root().display(),
                    r.case
                )?;
            }
        }
        writeln!(
            out,
            "next: vidi ls --workspace {} | vidi show --workspace {} <sha256-prefix>",
            ws.root().display(),
            ws.root().display()
        )?;
    }
    let _ = any_errors;
    if cancel.is_cancelled() {
        return Ok(ExitCode::from(130));
    }
    drop(out);
    if !a.no_serve {
        // Accounts for the demo agencies, then serve until Ctrl-C.
        let agencies: Vec<(String, String)> = manifest
            .agencies
            .iter()
            .map(|g| (g.agency.clone(), g.country.clone()))
            .collect();
        let logins = super::accounts::demo_accounts(&ws, &agencies)?;
        let mut banner = String::from("demo logins (shown once; --no-serve to skip serving):");
        for l in &logins {
            banner.push_str(&format!(
                "\n  {:<22} {:<18} {:<9} {}",
                l.username, l.password, l.role, l.agency
            ));
        }
        return super::serve::serve_workspace(ws, a.listen, None, 30, false, cancel, Some(&banner));
    }
    Ok(ExitCode::SUCCESS)
}

/// What the demo's known-material step did.
#[derive(serde::Serialize)]
struct DemoKnown {
    import: vidi_known::ImportSummary,
    matched: vidi_known::MatchSummary,
}

/// A small VICS 2.0 hash set as an agency would receive it: the images of
/// the first case, as a known series (comparison-image category; the first
/// one with its victim marked identified), plus the PDQ of one image so that
/// near copies match too. Imported and matched like any real set.
fn demo_known_set(
    ws: &Workspace,
    data: &std::path::Path,
    reports: &[CaseReport],
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<DemoKnown> {
    use vidi_hashsets::{Category, EntryFlags, HashEntry, Scheme, VicsDocument, VicsVersion};
    let store = vidi_store::Store::open(ws)?;
    let case = reports.first().map(|r| r.case.clone()).unwrap_or_default();
    let rows = store.list_evidence(Some(&case))?;
    let images: Vec<_> = rows
        .iter()
        .filter_map(|r| r.media.as_ref())
        .filter(|m| m.kind == vidi_types::MediaKind::Image && m.pdq.is_some())
        .take(3)
        .collect();
    let path = data.join("known-demo-vics-2.0.json");
    let file =
        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut w = vidi_hashsets::VicsWriter::new(
        std::io::BufWriter::new(file),
        VicsVersion::V2_0,
        VicsDocument::HashSet,
    )?;
    for (i, m) in images.iter().enumerate() {
        w.write(&HashEntry {
            md5: Some(m.digests.md5),
            sha1: Some(m.digests.sha1),
            pdq: if i == 0 { m.pdq.map(|p| p.hash) } else { None },
            categories: vec![Category::new(Scheme::Vics20, "4")],
            series: Some("Demo series A".into()),
            flags: EntryFlags {
                victim_identified: Some(i == 0),
                ..EntryFlags::default()
            },
            ..HashEntry::default()
        })?;
    }
    std::io::Write::flush(&mut w.finish()?)?;
    let import = vidi_known::import_hashset(
        ws,
        &path,
        &vidi_known::ImportOptions::default(),
        &vidi_known::NoImportProgress,
        cancel,
    )?;
    let matched = vidi_known::match_workspace(
        ws,
        &vidi_known::MatchConfig {
            sets: Some(vec![import.set_id]),
            ..vidi_known::MatchConfig::default()
        },
        cancel,
    )?;
    Ok(DemoKnown { import, matched })
}
