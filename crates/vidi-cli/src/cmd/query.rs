//! `vidi ls` and `vidi show`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use serde::Serialize;
use vidi_known::{CategoryView, HitView};
use vidi_pipeline::view::{EvidenceView, MediaView};
use vidi_store::Store;
use vidi_types::MediaRecord;

use crate::args::{LsArgs, ShowArgs};
use crate::output;

pub(crate) fn ls(a: &LsArgs) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let store = Store::open(&ws)?;
    let rows = store.list_evidence(a.case.as_deref())?;
    let hits = store.hits_by_media(a.case.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for row in &rows {
        let view = EvidenceView::new(&row.item, row.media.as_ref());
        let row_hits = row
            .item
            .media
            .and_then(|m| hits.get(&m))
            .map(|h| HitView::all(h))
            .unwrap_or_default();
        if a.json {
            let v = WithHits {
                view: &view,
                hits: row_hits,
            };
            output::data(&mut out, &serde_json::to_string(&v)?)?;
        } else {
            let mut line = view.line();
            if !row_hits.is_empty() {
                line.push_str(&format!("  [known: {}]", hits_summary(&row_hits)));
            }
            output::data(&mut out, &line)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// An evidence view with its hash-set hits (`vidi ls --json`).
#[derive(Serialize)]
struct WithHits<'a> {
    #[serde(flatten)]
    view: &'a EvidenceView,
    hits: Vec<HitView>,
}

/// `vidi show --json`: the media view with hits and investigator categories.
#[derive(Serialize)]
struct ShowView<'a> {
    #[serde(flatten)]
    view: MediaView<'a>,
    hits: Vec<HitView>,
    categories: Vec<CategoryView>,
    clues: Vec<ClueView>,
}

/// A clue in `vidi show --json`.
#[derive(Serialize)]
struct ClueView {
    kind: String,
    value: String,
    confidence: f64,
    extractor: String,
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_range: Option<serde_json::Value>,
}

/// "set:scheme/code rule d" for each hit, for human output.
fn hits_summary(hits: &[HitView]) -> String {
    hits.iter()
        .map(|h| {
            let cat = match (&h.scheme, &h.code) {
                (Some(s), Some(c)) => format!(" {s}/{c}"),
                _ => String::new(),
            };
            format!("{}{cat} by {} d={}", h.set, h.rule, h.distance)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The one media an id (SHA-256 prefix, MD5 or SHA-1) names.
pub(crate) fn resolve_media(store: &Store, id: &str) -> anyhow::Result<MediaRecord> {
    let id = id.trim();
    if id.len() < 4 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!(
            "{id:?} is not a hash prefix: give at least 4 hex characters of a SHA-256, or a full MD5 or SHA-1"
        );
    }
    let mut found = store.media_by_prefix(id)?;
    match found.len() {
        0 => bail!("no media matches {id}"),
        1 => {}
        n => {
            let ids: Vec<String> = found
                .iter()
                .take(10)
                .map(|m| m.digests.sha256.to_hex())
                .collect();
            bail!(
                "{id} is ambiguous: {n} media match ({}{})",
                ids.join(", "),
                if n > 10 { ", ..." } else { "" }
            );
        }
    }
    Ok(found.swap_remove(0))
}

pub(crate) fn show(a: &ShowArgs) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let store = Store::open(&ws)?;
    let media = &resolve_media(&store, &a.id)?;
    let evidence = store.evidence_for_media(&media.digests.sha256)?;
    let hits = HitView::all(&store.hits_for_media(&media.digests.sha256)?);
    let categories: Vec<CategoryView> = store
        .media_categories(&media.digests.sha256)?
        .iter()
        .map(CategoryView::of)
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        let view = ShowView {
            view: MediaView {
                media,
                evidence: &evidence,
            },
            hits,
            categories,
            clues: store
                .clues_for_media(&media.digests.sha256)?
                .into_iter()
                .map(|c| ClueView {
                    kind: c.kind,
                    value: c.value,
                    confidence: c.confidence,
                    extractor: c.extractor,
                    version: c.version,
                    model: c.model_name,
                    region: c.region,
                    time_range: c.time_range,
                })
                .collect(),
        };
        output::data(&mut out, &serde_json::to_string_pretty(&view)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let d = &media.digests;
    let mut lines = vec![
        format!("sha256   {}", d.sha256),
        format!("sha1     {}", d.sha1),
        format!("md5      {}", d.md5),
        format!(
            "kind     {} ({}), {} bytes",
            media.kind.as_str(),
            media.mime,
            media.size
        ),
    ];
    if let (Some(w), Some(h)) = (media.width, media.height) {
        lines.push(format!("pixels   {w}x{h}"));
    }
    if let Some(dur) = media.duration_s {
        lines.push(format!("duration {dur:.2} s"));
    }
    if let Some(p) = media.pdq {
        lines.push(format!("pdq      {} (quality {})", p.hash, p.quality));
    }
    if !media.vpdq.is_empty() {
        lines.push(format!("vpdq     {} frames", media.vpdq.len()));
    }
    for t in &media.thumbnails {
        let at = t
            .timestamp_s
            .map(|ts| format!(" at {ts:.2} s"))
            .unwrap_or_default();
        lines.push(format!(
            "thumb    {}x{}{at}  {}",
            t.width,
            t.height,
            ws.blobs().path(&t.key).display()
        ));
    }
    let m = &media.metadata;
    let cam = [&m.camera.make, &m.camera.model, &m.camera.serial]
        .iter()
        .filter_map(|x| x.as_deref())
        .collect::<Vec<_>>()
        .join(" / ");
    if !cam.is_empty() {
        lines.push(format!("camera   {cam}"));
    }
    if let Some(t) = &m.taken_at {
        lines.push(format!("taken    {t}"));
    }
    if let Some(g) = &m.gps {
        let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.6}"));
        let flags = if g.flags.is_empty() {
            String::new()
        } else {
            format!("  flags: {:?}", g.flags)
        };
        lines.push(format!(
            "gps      {}, {} alt {}{flags}",
            f(g.lat),
            f(g.lon),
            f(g.alt)
        ));
    }
    if let Some(e) = &media.error {
        lines.push(format!("error    {}: {}", e.kind, e.message));
    }
    for w in &m.warnings {
        lines.push(format!("warning  {w}"));
    }
    for h in &hits {
        let cat = match (&h.scheme, &h.code) {
            (Some(s), Some(c)) => format!("{s}/{c} {}", h.label.unwrap_or("")),
            _ => "no category".to_owned(),
        };
        lines.push(format!(
            "known    set {} ({}) entry {}: {cat}; {} distance {}{}",
            h.set_id,
            h.set,
            h.entry_id,
            h.rule,
            h.distance,
            h.series
                .as_ref()
                .map(|s| format!("; series {s}"))
                .unwrap_or_default()
        ));
    }
    for c in &categories {
        lines.push(format!(
            "category {}/{} {} by {} at {}{}",
            c.scheme,
            c.code,
            c.label.unwrap_or(""),
            c.set_by,
            c.set_at,
            if c.current { "" } else { " (superseded)" }
        ));
    }
    lines.push(format!("found at ({}):", evidence.len()));
    for e in &evidence {
        lines.push(format!("  {}/{}  {}", e.agency, e.case, e.path));
    }
    for l in lines {
        output::data(&mut out, &l)?;
    }
    Ok(ExitCode::SUCCESS)
}
