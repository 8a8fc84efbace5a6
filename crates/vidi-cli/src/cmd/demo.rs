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

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        let v = serde_json::json!({
            "workspace": ws.root(),
            "data": data,
            "files": manifest.files.len(),
            "cases": reports,
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
    Ok(ExitCode::SUCCESS)
}
