//! `vidi bench clues`: each clue extractor timed alone on one thread (per
//! image; per minute of audio for speech), the GeoCLIP heads when
//! installed, and a whole `vidi clues` run, on the demo dataset (built in a
//! temp dir unless `--workspace` names one).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use vidi_clues::{ClueExtractor, ClueInput};
use vidi_pipeline::clues::{ClueConfig, NoClueProgress};
use vidi_store::{Store, Workspace};
use vidi_types::{Cancel, MediaKind, MediaRecord};

use crate::output;

#[derive(Debug, Args)]
pub(crate) struct BenchCluesArgs {
    /// An existing workspace to run on (default: build `vidi demo` in a temp dir).
    #[arg(short, long)]
    pub(crate) workspace: Option<PathBuf>,
    /// Extractors to time (comma-separated; default: all available).
    #[arg(long)]
    pub(crate) only: Option<String>,
    /// Worker threads of the whole `vidi clues` run (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub(crate) threads: usize,
    /// Skip the whole-run measure.
    #[arg(long)]
    pub(crate) no_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// One extractor alone on one thread.
#[derive(Debug, Serialize)]
struct ExtractorTiming {
    extractor: String,
    media: usize,
    errors: usize,
    clues: usize,
    seconds: f64,
    ms_per_media_mean: f64,
    ms_per_media_median: f64,
    ms_per_media_max: f64,
    /// Seconds of audio/video processed (speech).
    #[serde(skip_serializing_if = "Option::is_none")]
    media_seconds: Option<f64>,
    /// Seconds of processing per minute of media (speech).
    #[serde(skip_serializing_if = "Option::is_none")]
    seconds_per_media_minute: Option<f64>,
    /// Media duration over processing time: above 1 is faster than real time.
    #[serde(skip_serializing_if = "Option::is_none")]
    real_time_factor: Option<f64>,
}

#[derive(Debug, Serialize)]
struct GeoClipTiming {
    heads_load_s: f64,
    gallery_points: usize,
    /// Encoding the gallery (once; then read from the cache).
    gallery_s: f64,
    gallery_from_cache: bool,
    /// Image head + top-k over the whole gallery, per image.
    ms_per_image: f64,
    backbone: String,
}

#[derive(Debug, Serialize)]
struct Report {
    workspace: PathBuf,
    media: usize,
    images: usize,
    videos: usize,
    audio: usize,
    threads_available: usize,
    extractors: Vec<ExtractorTiming>,
    unavailable: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    geoclip_heads: Option<GeoClipTiming>,
    #[serde(skip_serializing_if = "Option::is_none")]
    whole_run: Option<vidi_pipeline::clues::ClueSummary>,
}

fn build_demo(root: &std::path::Path, cancel: &Cancel) -> anyhow::Result<Workspace> {
    let data = root.join("data");
    let spec = vidi_synth::DemoSpec::default();
    let manifest =
        vidi_synth::generate_demo(&data, &spec, cancel).context("cannot generate the demo")?;
    let ws = Workspace::init(&root.join("ws")).context("cannot create the workspace")?;
    for agency in &manifest.agencies {
        for case in &agency.cases {
            let config = vidi_pipeline::IngestConfig::new(
                vec![case.dir.clone()],
                case.case.clone(),
                agency.agency.clone(),
            );
            vidi_pipeline::ingest(&ws, &config, &vidi_pipeline::NoProgress, cancel)?;
        }
    }
    Ok(ws)
}

fn media_of(ws: &Workspace) -> anyhow::Result<Vec<(MediaRecord, PathBuf)>> {
    let store = Store::open(ws)?;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for row in store.list_evidence(None)? {
        if let (Some(sha), Some(m)) = (row.item.media, row.media)
            && seen.insert(sha)
        {
            out.push((m, PathBuf::from(&row.item.path)));
        }
    }
    Ok(out)
}

fn time_extractor(
    e: &dyn ClueExtractor,
    media: &[(MediaRecord, PathBuf)],
    cancel: &Cancel,
) -> ExtractorTiming {
    let mut times = Vec::new();
    let (mut errors, mut clues, mut media_s) = (0, 0, 0.0);
    for (m, p) in media {
        if !e.applies(m) || cancel.is_cancelled() {
            continue;
        }
        let t = Instant::now();
        let r = e.extract(
            ClueInput {
                media: m,
                path: Some(p),
            },
            cancel,
        );
        times.push(t.elapsed().as_secs_f64());
        match r {
            Ok(c) => clues += c.len(),
            Err(err) => {
                errors += 1;
                tracing::debug!(extractor = e.id(), error = %err, "extractor failed");
            }
        }
        media_s += m
            .duration_s
            .or(m.video.as_ref().and_then(|v| v.duration_s))
            .unwrap_or(0.0);
    }
    let total: f64 = times.iter().sum();
    let n = times.len();
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let ms = |s: f64| (s * 1e4).round() / 10.0;
    let timed_audio = e.id() == "speech" && media_s > 0.0;
    ExtractorTiming {
        extractor: e.id().to_owned(),
        media: n,
        errors,
        clues,
        seconds: (total * 1000.0).round() / 1000.0,
        ms_per_media_mean: if n > 0 { ms(total / n as f64) } else { 0.0 },
        ms_per_media_median: sorted.get(n / 2).copied().map_or(0.0, ms),
        ms_per_media_max: sorted.last().copied().map_or(0.0, ms),
        media_seconds: timed_audio.then_some((media_s * 10.0).round() / 10.0),
        seconds_per_media_minute: timed_audio
            .then(|| (total / (media_s / 60.0) * 100.0).round() / 100.0),
        real_time_factor: (timed_audio && total > 0.0)
            .then(|| (media_s / total * 10.0).round() / 10.0),
    }
}

fn time_geoclip(cancel: &Cancel) -> anyhow::Result<Option<GeoClipTiming>> {
    use vidi_clues::geoclip::{self, GEOCLIP_MODEL, Gallery, GeoClipHeads, GeoLocator};
    let dir = vidi_models::default_models_dir();
    let reg = vidi_models::Registry::open(&dir)?;
    let Ok(model) = reg.get(GEOCLIP_MODEL) else {
        return Ok(None);
    };
    let t = Instant::now();
    let weights = model.file("weights").context("no weights file")?;
    let heads = GeoClipHeads::open(&weights)?;
    let heads_load_s = t.elapsed().as_secs_f64();
    let cache = dir.join(".cache");
    let had_cache = std::fs::read_dir(&cache).is_ok_and(|mut d| {
        d.any(|f| {
            f.is_ok_and(|f| {
                f.file_name()
                    .to_string_lossy()
                    .starts_with("geoclip-gallery-")
            })
        })
    });
    let t = Instant::now();
    let gallery = Gallery::load_or_build(&heads, model, &cache, cancel)?;
    let gallery_s = t.elapsed().as_secs_f64();
    let points = gallery.len();
    let loc = GeoLocator::new(heads, gallery);
    let clip: Vec<f32> = (0..geoclip::CLIP_DIM)
        .map(|i| ((i as f32) * 0.37 + 0.3).sin() * 0.5)
        .collect();
    let reps = 20;
    let t = Instant::now();
    for _ in 0..reps {
        loc.top_k(&clip, geoclip::TOP_K)?;
    }
    let per = t.elapsed().as_secs_f64() / f64::from(reps);
    Ok(Some(GeoClipTiming {
        heads_load_s: (heads_load_s * 1000.0).round() / 1000.0,
        gallery_points: points,
        gallery_s: (gallery_s * 10.0).round() / 10.0,
        gallery_from_cache: had_cache,
        ms_per_image: (per * 1e4).round() / 10.0,
        backbone: reg.get(geoclip::CLIP_BACKBONE).map_or_else(
            |_| format!("{} not installed: not timed", geoclip::CLIP_BACKBONE),
            |m| m.name.clone(),
        ),
    }))
}

pub(crate) fn run(a: &BenchCluesArgs, quiet: bool, cancel: &Cancel) -> anyhow::Result<ExitCode> {
    let tmp;
    let ws = match &a.workspace {
        Some(p) => super::open_workspace(p)?,
        None => {
            tmp = tempfile::tempdir().context("cannot create a temp dir")?;
            if !quiet {
                output::note("building the demo dataset (vidi demo) in a temp dir ...");
            }
            build_demo(tmp.path(), cancel)?
        }
    };
    let only: Option<Vec<String>> = a.only.as_ref().map(|s| {
        s.split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect()
    });
    let media = media_of(&ws)?;
    let count = |k: MediaKind| media.iter().filter(|(m, _)| m.kind == k).count();
    let (extractors, missing) =
        vidi_clues::extractors(only.as_deref(), &vidi_models::default_models_dir());
    let unavailable: BTreeMap<String, String> = missing
        .into_iter()
        .map(|(id, e)| (id.to_owned(), e.to_string()))
        .collect();
    let mut timings = Vec::new();
    for e in &extractors {
        if !quiet {
            output::note(&format!("timing {} ...", e.id()));
        }
        timings.push(time_extractor(e.as_ref(), &media, cancel));
    }
    let geoclip_heads = if only
        .as_ref()
        .is_none_or(|o| o.iter().any(|x| x == "geoclip"))
    {
        if !quiet {
            output::note("timing the GeoCLIP heads ...");
        }
        time_geoclip(cancel)?
    } else {
        None
    };
    let whole_run = if a.no_run {
        None
    } else {
        if !quiet {
            output::note("whole `vidi clues` run ...");
        }
        let config = ClueConfig {
            case: None,
            threads: a.threads,
            force: true,
        };
        Some(vidi_pipeline::clues::run_clues(
            &ws,
            &extractors,
            &config,
            &NoClueProgress,
            cancel,
        )?)
    };
    let report = Report {
        workspace: ws.root().to_path_buf(),
        media: media.len(),
        images: count(MediaKind::Image),
        videos: count(MediaKind::Video),
        audio: count(MediaKind::Audio),
        threads_available: std::thread::available_parallelism().map_or(1, |n| n.get()),
        extractors: timings,
        unavailable,
        geoclip_heads,
        whole_run,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        output::data(&mut out, &serde_json::to_string(&report)?)?;
    } else {
        table(&mut out, &report)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn table(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "clue extractors on {} media ({} images, {} videos, {} audio); each alone on one thread",
        r.media, r.images, r.videos, r.audio
    )?;
    writeln!(
        out,
        "{:<9} {:>6} {:>6} {:>7} {:>9} {:>10} {:>10} {:>9}  per minute of audio",
        "extractor", "media", "errors", "clues", "total s", "mean ms", "median ms", "max ms"
    )?;
    for t in &r.extractors {
        let audio = match (t.seconds_per_media_minute, t.real_time_factor) {
            (Some(s), Some(f)) => format!(
                "{s:.2} s ({:.0} s of media, {f:.1}x real time)",
                t.media_seconds.unwrap_or(0.0)
            ),
            _ => "-".into(),
        };
        writeln!(
            out,
            "{:<9} {:>6} {:>6} {:>7} {:>9.2} {:>10.1} {:>10.1} {:>9.1}  {audio}",
            t.extractor,
            t.media,
            t.errors,
            t.clues,
            t.seconds,
            t.ms_per_media_mean,
            t.ms_per_media_median,
            t.ms_per_media_max
        )?;
    }
    for (id, why) in &r.unavailable {
        writeln!(out, "{id:<9} not run: {why}")?;
    }
    if let Some(g) = &r.geoclip_heads {
        writeln!(
            out,
            "geoclip heads: load {:.2} s; gallery of {} points {:.1} s ({}); image head + top-{} over the gallery {:.1} ms per image; backbone: {}",
            g.heads_load_s,
            g.gallery_points,
            g.gallery_s,
            if g.gallery_from_cache {
                "from cache"
            } else {
                "encoded, now cached"
            },
            vidi_clues::geoclip::TOP_K,
            g.ms_per_image,
            g.backbone
        )?;
    }
    if let Some(w) = &r.whole_run {
        writeln!(
            out,
            "whole `vidi clues` run: {} media in {:.1} s wall ({} threads available)",
            w.media, w.seconds, r.threads_available
        )?;
        for (id, s) in &w.by_extractor {
            writeln!(
                out,
                "  {id:<9} ran on {:>4} media, {:>5} clues, {} errors, {:.1} s in the extractor",
                s.ran, s.clues, s.errors, s.seconds
            )?;
        }
    }
    Ok(())
}
