//! `vidi clues` and `vidi locate`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use indicatif::ProgressBar;
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
    Bar(crate::progress::styled_bar(
        quiet,
        "[{elapsed_precise}] {bar:30} {pos}/{len} media x extractor, ETA {eta}",
    ))
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
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    series: Option<SeriesRef>,
    hypotheses: Vec<vidi_clues::Hypothesis>,
}

#[derive(Serialize)]
struct SeriesRef {
    id: i64,
    name: String,
    media: usize,
}

/// The clues of every media of a series, each naming its media (in
/// `detail.media`, which `locate` copies into the evidence).
fn series_clues(store: &Store, key: &str) -> anyhow::Result<(SeriesRef, Vec<vidi_clues::Clue>)> {
    let id = store.resolve_series(key, None)?;
    let detail = store.series_detail(id, None)?;
    let mut clues = Vec::new();
    for m in &detail.media {
        let hex = m.sha256.to_hex();
        for mut c in store
            .clues_for_media(&m.sha256)?
            .iter()
            .filter_map(clue_from_row)
        {
            match &mut c.detail {
                serde_json::Value::Object(o) => {
                    o.insert("media".into(), serde_json::Value::String(hex.clone()));
                }
                other => *other = serde_json::json!({ "media": hex }),
            }
            clues.push(c);
        }
    }
    let r = SeriesRef {
        id,
        name: detail.summary.name,
        media: detail.media.len(),
    };
    Ok((r, clues))
}

pub(crate) fn locate(a: &LocateArgs) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let store = Store::open(&ws)?;
    let (media, series, clues) = match (a.media.as_deref(), a.series.as_deref()) {
        (_, Some(key)) => {
            let (r, clues) = series_clues(&store, key)?;
            (None, Some(r), clues)
        }
        (Some(m), None) => {
            let media = super::query::resolve_media(&store, m)?;
            let clues: Vec<_> = store
                .clues_for_media(&media.digests.sha256)?
                .iter()
                .filter_map(clue_from_row)
                .collect();
            (Some(media.digests.sha256.to_hex()), None, clues)
        }
        (None, None) => anyhow::bail!("give a media or --series"),
    };
    let hypotheses = vidi_clues::locate(&clues, &Weights::default(), a.limit);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        let v = LocateView {
            media,
            series,
            hypotheses,
        };
        output::data(&mut out, &serde_json::to_string_pretty(&v)?)?;
    } else {
        if let Some(s) = &series {
            output::data(
                &mut out,
                &format!("series {} {} ({} media)", s.id, s.name, s.media),
            )?;
        }
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
                        "         {:>6.3}  {} {}: {}{}",
                        e.weight,
                        e.kind,
                        e.value,
                        e.why,
                        e.media
                            .as_deref()
                            .map(|m| format!(" [media {}]", m.get(..12).unwrap_or(m)))
                            .unwrap_or_default()
                    ),
                )?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
