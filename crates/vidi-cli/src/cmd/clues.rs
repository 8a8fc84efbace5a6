//! `vidi clues` and `vidi locate`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::bail;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use vidi_clues::Weights;
use vidi_pipeline::clues::{ClueConfig, ClueProgress, ClueSummary, clue_from_row};
use vidi_store::{Store, Workspace};

use crate::args::{CluesArgs, LocateArgs};
use crate::output;

struct Bar(ProgressBar);

impl ClueProgress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn item_done(&self) {
        self.0.inc(1);
    }
}

fn bar(quiet: bool) -> Bar {
    let visible =
        !quiet && std::io::stderr().is_terminal() && std::env::var_os("VIDI_NO_PROGRESS").is_none();
    let b = if visible {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(5))
    } else {
        ProgressBar::hidden()
    };
    b.set_style(
        ProgressStyle::with_template(
            "[{elapsed_precise}] {bar:30} {pos}/{len} media x extractor, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Bar(b)
}

#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    summary: &'a ClueSummary,
    unavailable: Vec<Unavailable>,
}

#[derive(Serialize)]
struct Unavailable {
    extractor: &'static str,
    reason: String,
}

/// Run the extractors (those whose model is missing are reported and left
/// out); shared by `vidi clues` and `vidi ingest --clues`.
pub(crate) fn run_on(
    ws: &Workspace,
    only: Option<&[String]>,
    config: &ClueConfig,
    json: bool,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ClueSummary> {
    if let Some(o) = only
        && let Some(bad) = o
            .iter()
            .find(|x| !vidi_clues::EXTRACTOR_IDS.contains(&x.as_str()))
    {
        bail!(
            "unknown extractor {bad:?} (known: {})",
            vidi_clues::EXTRACTOR_IDS.join(", ")
        );
    }
    let (extractors, missing) = vidi_clues::extractors(only, &vidi_models::default_models_dir());
    let unavailable: Vec<Unavailable> = missing
        .into_iter()
        .map(|(extractor, e)| Unavailable {
            extractor,
            reason: e.to_string(),
        })
        .collect();
    if !quiet && !json {
        for u in &unavailable {
            output::note(&format!(
                "warning: extractor {} is not available: {}",
                u.extractor, u.reason
            ));
        }
    }
    let b = bar(quiet);
    let summary = vidi_pipeline::clues::run_clues(ws, &extractors, config, &b, cancel)?;
    b.0.finish_and_clear();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        let r = Report {
            summary: &summary,
            unavailable,
        };
        output::data(&mut out, &serde_json::to_string(&r)?)?;
    } else if !quiet {
        for (id, s) in &summary.by_extractor {
            output::note(&format!(
                "{id:<8} ran on {:>5} media ({} up to date), {:>6} clues, {} errors, {:.1} s",
                s.ran, s.up_to_date, s.clues, s.errors, s.seconds
            ));
        }
    }
    Ok(summary)
}

pub(crate) fn run(
    a: &CluesArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let only: Option<Vec<String>> = a.only.as_ref().map(|s| {
        s.split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect()
    });
    let config = ClueConfig {
        case: a.case.clone(),
        threads: a.threads,
        force: a.force,
    };
    let summary = run_on(&ws, only.as_deref(), &config, a.json, quiet, cancel)?;
    Ok(if summary.cancelled {
        ExitCode::from(130)
    } else if summary.by_extractor.values().any(|s| s.errors > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Serialize)]
struct LocateView {
    media: String,
    hypotheses: Vec<vidi_clues::Hypothesis>,
}

pub(crate) fn locate(a: &LocateArgs) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let store = Store::open(&ws)?;
    let Some(media) = a.media.as_deref() else {
        anyhow::bail!("`vidi locate --series` is being built");
    };
    let media = super::query::resolve_media(&store, media)?;
    let clues: Vec<_> = store
        .clues_for_media(&media.digests.sha256)?
        .iter()
        .filter_map(clue_from_row)
        .collect();
    let hypotheses = vidi_clues::locate(&clues, &Weights::default(), a.limit);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        let v = LocateView {
            media: media.digests.sha256.to_hex(),
            hypotheses,
        };
        output::data(&mut out, &serde_json::to_string_pretty(&v)?)?;
    } else {
        if hypotheses.is_empty() {
            output::data(&mut out, "no location clue (run `vidi clues` first)")?;
        }
        for h in &hypotheses {
            output::data(
                &mut out,
                &format!(
                    "{:>5.1} %  {} {}{}",
                    h.score * 100.0,
                    h.country,
                    h.country_name.unwrap_or(""),
                    h.region
                        .as_ref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                ),
            )?;
            for e in h.evidence.iter().take(5) {
                output::data(
                    &mut out,
                    &format!(
                        "         {:>6.3}  {} {}: {}",
                        e.weight, e.kind, e.value, e.why
                    ),
                )?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
