//! `vidi models list|verify|add`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;
use vidi_models::{Model, Registry};

use crate::args::ModelsDirArg;
use crate::output;

fn registry(a: &ModelsDirArg) -> anyhow::Result<Registry> {
    let dir = a
        .models_dir
        .clone()
        .unwrap_or_else(vidi_models::default_models_dir);
    Ok(Registry::open(&dir)?)
}

#[derive(Serialize)]
struct ModelView<'a> {
    name: &'a str,
    task: &'a str,
    architecture: &'a str,
    licence: &'a str,
    source: &'a vidi_models::ModelSource,
    dir: &'a Path,
    files: &'a [vidi_models::ModelFile],
    labels: usize,
    content_sha256: String,
}

fn view(m: &Model) -> ModelView<'_> {
    ModelView {
        name: &m.name,
        task: &m.task,
        architecture: &m.architecture,
        licence: &m.licence,
        source: &m.source,
        dir: &m.dir,
        files: &m.files,
        labels: m.labels.len(),
        content_sha256: m.content_sha256(),
    }
}

pub(crate) fn list(a: &ModelsDirArg) -> anyhow::Result<ExitCode> {
    let reg = registry(a)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if reg.models().is_empty() && !a.json {
        output::note(&format!(
            "no models in {} (install the test models with scripts/models/install.sh, or add one with `vidi models add`)",
            reg.dir().display()
        ));
    }
    for m in reg.models() {
        if a.json {
            output::data(&mut out, &serde_json::to_string(&view(m))?)?;
        } else {
            let bytes: u64 = m.files.iter().map(|f| f.bytes).sum();
            output::data(
                &mut out,
                &format!(
                    "{:<20} {:<34} {:<16} {:>8.1} MB  {:<10} {} {} {}",
                    m.name,
                    m.task,
                    m.architecture,
                    bytes as f64 / 1e6,
                    m.licence,
                    m.source.registry,
                    m.source.packages.join("+"),
                    m.source.version
                ),
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn verify(a: &ModelsDirArg, name: Option<&str>) -> anyhow::Result<ExitCode> {
    let reg = registry(a)?;
    let names: Vec<String> = match name {
        Some(n) => vec![reg.get(n)?.name.clone()],
        None => reg.models().iter().map(|m| m.name.clone()).collect(),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_ok = true;
    for n in names {
        let r = reg.verify(&n)?;
        all_ok &= r.ok();
        if a.json {
            output::data(&mut out, &serde_json::to_string(&r)?)?;
        } else if r.ok() {
            output::data(&mut out, &format!("{n}: ok ({} files)", r.files))?;
        } else {
            for p in &r.problems {
                output::data(&mut out, &format!("{n}: {p}"))?;
            }
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn add(a: &ModelsDirArg, manifest: &Path, quiet: bool) -> anyhow::Result<ExitCode> {
    let mut reg = registry(a)?;
    let m = reg.add(manifest)?;
    if a.json {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        output::data(&mut out, &serde_json::to_string(&view(m))?)?;
    } else if !quiet {
        output::note(&format!(
            "added {} ({}, {} files) to {}",
            m.name,
            m.task,
            m.files.len(),
            m.dir.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}
