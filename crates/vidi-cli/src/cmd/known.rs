//! `vidi hashsets import|ls|rm` and `vidi match`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use indicatif::ProgressBar;
use serde::Serialize;
use vidi_hashsets::{Category, PlainKind, Scheme, VicsVersion};
use vidi_known::{
    CategoryView, ExportFormat, ImportOptions, ImportProgress, MatchConfig, MatchSummary, Status,
};
use vidi_store::{HashSetInfo, HashSetStatus, Store};

use crate::args::{
    CategorizeArgs, ExportArgs, ExportVicsArgs, HashsetImportArgs, HashsetLsArgs, HashsetRmArgs,
    MatchArgs, TriageArgs,
};
use crate::output;

/// A byte progress bar on a terminal.
struct ByteBar(ProgressBar);

impl ByteBar {
    fn new(quiet: bool) -> ByteBar {
        ByteBar(crate::progress::styled_bar(
            quiet,
            "[{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        ))
    }
}

impl ImportProgress for ByteBar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, bytes: u64) {
        self.0.set_position(bytes);
    }
}

#[derive(Serialize)]
struct ImportReport<'a> {
    #[serde(flatten)]
    import: &'a vidi_known::ImportSummary,
    entries_per_s: f64,
    #[serde(rename = "match")]
    matched: Option<&'a MatchSummary>,
}

pub(crate) fn import(
    a: &HashsetImportArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let format = match a.format.as_str() {
        "auto" => None,
        f => Some(vidi_known::parse_format(f).with_context(|| {
            format!("unknown format {f:?} (auto, vics, icse, nsrl2, nsrl3, te-csv, plain)")
        })?),
    };
    let options = ImportOptions {
        format,
        name: a.name.clone(),
        plain_kind: if a.pdq {
            PlainKind::Pdq
        } else {
            PlainKind::Auto
        },
    };
    let bar = ByteBar::new(quiet);
    let summary = vidi_known::import_hashset(&ws, &a.file, &options, &bar, cancel)
        .with_context(|| format!("importing {}", a.file.display()))?;
    bar.0.finish_and_clear();
    let matched = if a.no_match || summary.already_imported {
        None
    } else {
        let config = MatchConfig {
            sets: Some(vec![summary.set_id]),
            ..MatchConfig::default()
        };
        Some(vidi_known::match_workspace(&ws, &config, cancel)?)
    };
    let rate = if summary.seconds > 0.0 {
        summary.imported as f64 / summary.seconds
    } else {
        0.0
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.json {
        let report = ImportReport {
            import: &summary,
            entries_per_s: rate,
            matched: matched.as_ref(),
        };
        output::data(&mut out, &serde_json::to_string(&report)?)?;
    } else if !quiet {
        if summary.already_imported {
            output::note(&format!(
                "set {} ({}) is already imported from this file: nothing changed",
                summary.set_id, summary.name
            ));
        } else {
            for r in &summary.rejected_samples {
                let at = match (r.line, r.byte_offset) {
                    (Some(l), Some(b)) => format!("line {l} (byte {b})"),
                    (Some(l), None) => format!("record {l}"),
                    (None, Some(b)) => format!("byte {b}"),
                    (None, None) => "a record".to_owned(),
                };
                output::note(&format!("{}: {at}: {}", a.file.display(), r.reason));
            }
            if summary.rejected > summary.rejected_samples.len() as u64 {
                output::note(&format!(
                    "... and {} more rejected records",
                    summary.rejected - summary.rejected_samples.len() as u64
                ));
            }
            output::note(&format!(
                "set {} ({}, {}): read {}, imported {}, rejected {} in {:.1} s ({:.0} entries/s)",
                summary.set_id,
                summary.name,
                summary.format,
                summary.read,
                summary.imported,
                summary.rejected,
                summary.seconds,
                rate
            ));
        }
        if let Some(m) = &matched {
            note_match(m);
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn note_match(m: &MatchSummary) {
    let rules: Vec<String> = m.by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
    output::note(&format!(
        "matched {} media against {} set(s): {} hits ({} new) on {} media{}",
        m.media,
        m.sets,
        m.hits,
        m.new_hits,
        m.media_with_hits,
        if rules.is_empty() {
            String::new()
        } else {
            format!(" [{}]", rules.join(", "))
        }
    ));
}

#[derive(Serialize)]
struct SetView<'a> {
    id: i64,
    name: &'a str,
    file_sha256: String,
    format: &'a str,
    source_path: &'a str,
    status: &'static str,
    entries: u64,
    records_read: u64,
    rejected: u64,
    md5: u64,
    sha1: u64,
    sha256: u64,
    pdq: u64,
    started_at: &'a str,
    imported_at: Option<&'a str>,
}

impl<'a> SetView<'a> {
    fn new(s: &'a HashSetInfo) -> Self {
        SetView {
            id: s.id,
            name: &s.name,
            file_sha256: s.file_sha256.to_hex(),
            format: &s.format,
            source_path: &s.source_path,
            status: match s.status {
                HashSetStatus::Ready => "ready",
                HashSetStatus::Importing => "importing",
            },
            entries: s.entries,
            records_read: s.records_read,
            rejected: s.rejected,
            md5: s.md5_count,
            sha1: s.sha1_count,
            sha256: s.sha256_count,
            pdq: s.pdq_count,
            started_at: &s.started_at,
            imported_at: s.imported_at.as_deref(),
        }
    }
}

pub(crate) fn ls(a: &HashsetLsArgs) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let store = Store::open(&ws)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for s in store.hashsets()? {
        let v = SetView::new(&s);
        if a.json {
            output::data(&mut out, &serde_json::to_string(&v)?)?;
        } else {
            output::data(
                &mut out,
                &format!(
                    "{:>4}  {:<9}  {:<6}  {:>10} entries  {:>8} rejected  {}  {}",
                    v.id,
                    v.status,
                    v.format,
                    v.entries,
                    v.rejected,
                    &v.file_sha256[..12],
                    v.name
                ),
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn rm(a: &HashsetRmArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let store = Store::open(&ws)?;
    let found = store.find_hashsets(&a.set)?;
    let set = match found.as_slice() {
        [] => bail!("no hash set {:?} (see `vidi hashsets ls`)", a.set),
        [one] => one.clone(),
        many => bail!(
            "{} sets are named {:?} (ids {}); remove one by id",
            many.len(),
            a.set,
            many.iter()
                .map(|s| s.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    drop(store);
    vidi_known::remove_hashset(&ws, set.id)?;
    if !quiet {
        output::note(&format!(
            "removed set {} ({}, {} entries) and its matches",
            set.id, set.name, set.entries
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_match(
    a: &MatchArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let config = MatchConfig {
        radius: a.radius,
        min_quality: a.min_quality,
        case: a.case.clone(),
        sets: None,
    };
    if a.radius > 64 {
        bail!("--radius {} is too large (at most 64)", a.radius);
    }
    let summary = vidi_known::match_workspace(&ws, &config, cancel)?;
    if a.json {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        output::data(&mut out, &serde_json::to_string(&summary)?)?;
    } else if !quiet {
        note_match(&summary);
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_triage(a: &TriageArgs) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let t = vidi_known::triage(&ws, &a.case)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if a.json {
        output::data(&mut out, &serde_json::to_string_pretty(&t)?)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let count = |s: Status| t.by_status.get(&s).copied().unwrap_or(0);
    let mut lines = vec![
        format!(
            "case {} ({}): {} evidence items, {} media",
            t.case, t.agency, t.evidence, t.media
        ),
        format!(
            "  known, victim identified    {}",
            count(Status::KnownIdentified)
        ),
        format!(
            "  known, not identified       {}",
            count(Status::KnownUnidentified)
        ),
        format!(
            "  known software (NSRL)       {}",
            count(Status::KnownNonPertinent)
        ),
        format!("  new                         {}", count(Status::New)),
        format!(
            "  flags: victim identified {}, offender identified {}, distributed {}",
            t.flags.victim_identified, t.flags.offender_identified, t.flags.distributed
        ),
    ];
    for c in &t.by_category {
        lines.push(format!(
            "  {:<12} {}/{} {}: {}",
            c.source,
            c.scheme,
            c.code,
            c.label.unwrap_or(""),
            c.media
        ));
    }
    for (s, n) in &t.series {
        lines.push(format!("  series {s}: {n}"));
    }
    lines.push("new media:".to_owned());
    for m in t.items.iter().filter(|m| m.status == Status::New) {
        lines.push(format!(
            "  {}  {:<5}  {}",
            &m.sha256[..16],
            m.kind,
            m.paths.join(", ")
        ));
        for l in &m.links {
            lines.push(format!(
                "      {} {}/{} {}{}",
                l.kind,
                l.agency,
                l.case,
                l.path,
                l.distance.map(|d| format!(" (d={d})")).unwrap_or_default()
            ));
        }
    }
    for l in lines {
        output::data(&mut out, &l)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn categorize(a: &CategorizeArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let scheme = Scheme::parse(&a.scheme).with_context(|| {
        format!(
            "unknown scheme {:?} (vics-us-2.0, vics-us, dhs-legacy, caid-uk, icse-flags)",
            a.scheme
        )
    })?;
    if matches!(
        scheme,
        Scheme::Nsrl | Scheme::ThreatExchange | Scheme::Plain
    ) {
        bail!(
            "scheme {} comes from hash sets only; investigators use vics-us-2.0, vics-us, dhs-legacy, caid-uk or icse-flags",
            scheme.as_str()
        );
    }
    let code = a.code.trim();
    if scheme.label(code).is_none() {
        bail!("{code:?} is not a code of scheme {}", scheme.as_str());
    }
    let by = match &a.by {
        Some(b) => b.clone(),
        None => std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned()),
    };
    let mut store = Store::open(&ws)?;
    let media = super::query::resolve_media(&store, &a.media)?;
    let category = Category::new(scheme, code);
    store.set_media_category(&media.digests.sha256, &category, &by, a.note.as_deref())?;
    let history: Vec<CategoryView> = store
        .media_categories(&media.digests.sha256)?
        .iter()
        .map(CategoryView::of)
        .collect();
    if a.json {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        output::data(&mut out, &serde_json::to_string(&history)?)?;
    } else if !quiet {
        output::note(&format!(
            "{}: {}/{} ({}) set by {by}",
            media.digests.sha256,
            scheme.as_str(),
            code,
            category.label.unwrap_or("")
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn export_to(a: &ExportArgs, format: ExportFormat, quiet: bool) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let summary = match &a.out {
        Some(path) => {
            // Written beside the target and renamed: no half-written export.
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            let tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(std::path::Path::new(".")))
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut w = std::io::BufWriter::new(tmp);
            let s = vidi_known::export_case(&ws, &a.case, format, &mut w)?;
            let tmp = w
                .into_inner()
                .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e.error()))?;
            tmp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            s
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let s = vidi_known::export_case(&ws, &a.case, format, &mut out)?;
            out.flush()?;
            s
        }
    };
    if !quiet {
        output::note(&format!(
            "exported {} of {} media of case {}{}{}",
            summary.written,
            summary.media,
            a.case,
            if summary.skipped > 0 {
                format!("; {} without a hash the format carries", summary.skipped)
            } else {
                String::new()
            },
            if summary.omitted_categories > 0 {
                format!(
                    "; {} categories of another scheme left out",
                    summary.omitted_categories
                )
            } else {
                String::new()
            }
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn export_vics(a: &ExportVicsArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let version = match a.version.as_str() {
        "2.0" | "2" => VicsVersion::V2_0,
        "1.3" => VicsVersion::V1_3,
        v => bail!("VICS version {v:?} is not written (2.0 or 1.3)"),
    };
    export_to(&a.export, ExportFormat::Vics(version), quiet)
}

pub(crate) fn export_icse(a: &ExportArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    export_to(a, ExportFormat::IcseCsv, quiet)
}
