//! `vidi links` (near duplicates, stills of videos, clips across cases and
//! agencies) and `vidi bench link`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use vidi_link::{LinkConfig, LinkSummary};
use vidi_store::{LinkEnd, LinkKind, LinkRow, Store};

use crate::args::{BenchLinkArgs, LinksArgs};
use crate::output;

pub(crate) fn run(
    a: &LinksArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let store = Store::open(&ws)?;
    if let Some(case) = &a.case
        && store.case_agency(case)?.is_none()
    {
        bail!("no case {case} in this workspace");
    }
    let summary = if a.rebuild {
        Some(
            vidi_link::link_workspace(&ws, &LinkConfig::default(), true, cancel)
                .context("linking failed")?,
        )
    } else if !a.no_update {
        Some(vidi_link::link_new_media(&ws, cancel).context("linking failed")?)
    } else {
        None
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.update || a.rebuild {
        if let Some(s) = &summary {
            if a.json {
                output::data(&mut out, &serde_json::to_string(s)?)?;
            } else {
                writeln!(out, "{}", describe_summary(s))?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(s) = &summary
        && s.processed > 0
        && !quiet
    {
        output::note(&describe_summary(s));
    }
    for l in store.links(a.case.as_deref())? {
        if !a.all && !l.is_cross_case() && !l.is_cross_agency() {
            continue;
        }
        if a.json {
            output::data(&mut out, &serde_json::to_string(&link_json(&l))?)?;
        } else {
            output::data(&mut out, &sentence(&l))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_summary(s: &LinkSummary) -> String {
    format!(
        "linked {} new media against {} ({} hashes): {} links ({} new), {} clusters, {:.1} s",
        s.processed, s.media, s.hashes, s.links, s.new_links, s.clusters, s.seconds
    )
}

fn link_json(l: &LinkRow) -> serde_json::Value {
    serde_json::json!({
        "a": l.a.sha256.to_hex(),
        "b": l.b.sha256.to_hex(),
        "kind": l.kind.as_str(),
        "distance": l.distance,
        "score": l.score,
        "a_kind": l.a.media_kind,
        "b_kind": l.b.media_kind,
        "a_cases": l.a.cases,
        "a_agencies": l.a.agencies,
        "b_cases": l.b.cases,
        "b_agencies": l.b.agencies,
        "cluster": l.cluster.map(|c| c.to_hex()),
        "extractor": l.extractor,
        "extractor_version": l.extractor_version,
        "detail": l.detail,
        "evidence": sentence(l),
    })
}

/// `hh:mm:ss` of a time in seconds.
fn clock(t: f64) -> String {
    let s = if t.is_finite() && t > 0.0 {
        t.round() as u64
    } else {
        0
    };
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn end(e: &LinkEnd) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            "?".to_owned()
        } else {
            v.join(", ")
        }
    };
    format!(
        "media {} (case {}, agency {})",
        &e.sha256.to_hex()[..12],
        list(&e.cases),
        list(&e.agencies)
    )
}

fn ranges(v: Option<&serde_json::Value>) -> String {
    let mut parts = Vec::new();
    for r in v.and_then(|x| x.as_array()).into_iter().flatten() {
        if let (Some(s), Some(e)) = (
            r.get(0).and_then(|x| x.as_f64()),
            r.get(1).and_then(|x| x.as_f64()),
        ) {
            parts.push(format!("{}-{}", clock(s), clock(e)));
        }
    }
    parts.join(", ")
}

/// One sentence an investigator can read.
fn sentence(l: &LinkRow) -> String {
    let d = l.detail.clone().unwrap_or(serde_json::Value::Null);
    let dist = l
        .distance
        .map(|x| format!("PDQ distance {x}"))
        .unwrap_or_default();
    let score = l.score.map(|x| format!("vPDQ {x:.2}")).unwrap_or_default();
    let (a, b) = (end(&l.a), end(&l.b));
    match l.kind {
        LinkKind::Pdq => format!("{a} is a near duplicate of {b}, {dist}"),
        LinkKind::PdqDihedral => format!("{a} is a rotated or mirrored copy of {b}, {dist}"),
        LinkKind::StillInVideo => {
            let t = clock(d["timestamp_s"].as_f64().unwrap_or(0.0));
            if d["still"] == "b" {
                format!("{b} is the frame at {t} of {a}, {dist}")
            } else {
                format!("{a} is the frame at {t} of {b}, {dist}")
            }
        }
        LinkKind::Vpdq => format!(
            "{a} and {b} are the same video ({} / {}), {score}",
            ranges(d.get("a_ranges_s")),
            ranges(d.get("b_ranges_s"))
        ),
        LinkKind::VpdqClip => {
            if d["clip"] == "b" {
                format!(
                    "{b} is a clip of {a} at {}, {score}",
                    ranges(d.get("a_ranges_s"))
                )
            } else {
                format!(
                    "{a} is a clip of {b} at {}, {score}",
                    ranges(d.get("b_ranges_s"))
                )
            }
        }
    }
}

pub(crate) fn bench(a: &BenchLinkArgs, cancel: &vidi_types::Cancel) -> anyhow::Result<ExitCode> {
    let spec = vidi_link::bench::BenchSpec {
        media: a.media,
        video_share: a.video_share,
        seed: a.seed,
        ..vidi_link::bench::BenchSpec::default()
    };
    let r = vidi_link::bench::run(&spec, cancel)?;
    let mut v = serde_json::to_value(&r)?;
    v["peak_rss_mib"] = serde_json::json!(super::bench::peak_rss() as f64 / 1048576.0);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        output::data(&mut out, &serde_json::to_string(&v)?)?;
    } else {
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_format() {
        assert_eq!(clock(72.0), "00:01:12");
        assert_eq!(clock(3725.4), "01:02:05");
        assert_eq!(clock(f64::NAN), "00:00:00");
    }
}
