//! `vidi similar` and `vidi bench similar`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vidi_pipeline::embed::{self, EmbedProgress, EmbedRunError, SimilarIndex};
use vidi_store::{MIN_PREFIX, Store, Workspace};

use crate::args::WorkspaceArg;
use crate::output;

#[derive(Debug, Args)]
pub(crate) struct SimilarArgs {
    #[command(flatten)]
    pub(crate) ws: WorkspaceArg,
    /// The query media: its SHA-256 or a unique prefix of it (at least
    /// 8 hex characters).
    pub(crate) media: String,
    /// Number of similar media to list.
    #[arg(long, default_value_t = 20)]
    pub(crate) k: usize,
    /// One JSON object per line.
    #[arg(long)]
    pub(crate) json: bool,
    /// Embedding model (manifest name) to use.
    #[arg(long)]
    pub(crate) model: Option<String>,
    /// Do not embed media that have no embedding yet.
    #[arg(long)]
    pub(crate) no_embed: bool,
    /// Worker threads for embedding (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub(crate) threads: usize,
}

#[derive(Debug, Args)]
pub(crate) struct BenchSimilarArgs {
    /// Vectors in the index.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) n: usize,
    /// Queries (recall against exact search over the same index).
    #[arg(long, default_value_t = 200)]
    pub(crate) queries: usize,
    /// Demo images per case embedded for the realistic vectors (the demo
    /// generator's scenes and variants; 0 = skip the realistic run).
    #[arg(long, default_value_t = 10)]
    pub(crate) images_per_case: usize,
    /// Skip the uniform random run.
    #[arg(long)]
    pub(crate) no_random: bool,
    /// Minimum lists probed; the search then stops when no list can hold a
    /// better vector, or at each `--max-probe` value.
    #[arg(long, default_value_t = 8)]
    pub(crate) min_probe: usize,
    /// Maximum lists probed, comma separated (0 = all: exact).
    #[arg(long, default_value = "16,64,0")]
    pub(crate) max_probe: String,
}

/// A spinner-style bar for embedding runs.
struct EmbedBar(ProgressBar);

impl EmbedBar {
    fn new(quiet: bool) -> Self {
        let visible = !quiet
            && std::io::stderr().is_terminal()
            && std::env::var_os("VIDI_NO_PROGRESS").is_none();
        let bar = if visible {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(5))
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("embedding {bar:30} {pos}/{len} ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        EmbedBar(bar)
    }
}

impl EmbedProgress for EmbedBar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn item_done(&self) {
        self.0.inc(1);
    }
}

/// Embed what is missing (called after ingest and by `vidi similar`). A
/// missing model is a note, not a failure; `Ok(None)` then.
pub(crate) fn embed_after(
    ws: &Workspace,
    model: Option<&str>,
    threads: usize,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<Option<vidi_embed::Backbone>> {
    let bb = match embed::load_backbone(&vidi_models::default_models_dir(), model) {
        Ok(bb) => bb,
        Err(e @ EmbedRunError::NoModel { .. }) => {
            if !quiet {
                output::note(&format!("similar-scene embeddings skipped: {e}"));
            }
            return Ok(None);
        }
        Err(e) => return Err(e).context("cannot load the embedding model"),
    };
    let bar = EmbedBar::new(quiet);
    let s = embed::embed_missing(ws, &bb, threads, &bar, cancel).context("embedding failed")?;
    bar.0.finish_and_clear();
    if !quiet && s.candidates > 0 {
        output::note(&format!(
            "embedded {} images and {} videos for similar-scene search ({} failed, {:.1} s)",
            s.images, s.videos, s.errors, s.seconds
        ));
    }
    Ok(Some(bb))
}

pub(crate) fn run(
    a: &SimilarArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let ws = super::open_workspace(&a.ws.workspace)?;
    let store = Store::open(&ws)?;
    let prefix = a.media.trim().to_ascii_lowercase();
    if prefix.len() < MIN_PREFIX.max(8) {
        bail!("give the media's SHA-256 or a prefix of at least 8 hex characters");
    }
    let found = store.media_by_prefix(&prefix)?;
    let query = match found.as_slice() {
        [m] => m.digests.sha256,
        [] => bail!("no media {prefix} in this workspace"),
        _ => bail!(
            "prefix {prefix} matches {} media: give more characters",
            found.len()
        ),
    };
    let bb = if a.no_embed {
        embed::load_backbone(&vidi_models::default_models_dir(), a.model.as_deref())?
    } else {
        match embed_after(&ws, a.model.as_deref(), a.threads, quiet, cancel)? {
            Some(bb) => bb,
            None => bail!("no embedding model installed: see the note above"),
        }
    };
    if cancel.is_cancelled() {
        bail!("cancelled");
    }
    let key = embed::model_key(&bb);
    let index = SimilarIndex::open(&ws, &key)?;
    if !quiet && index.origin != "loaded" {
        output::note(&format!(
            "similarity index {}: {} vectors in {:.1} s",
            index.origin,
            index.ann().len(),
            index.seconds
        ));
    }
    let hits = embed::find_similar(&ws, &index, &key, &query, a.k, None)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for h in &hits {
        if a.json {
            output::data(&mut out, &serde_json::to_string(h)?)?;
        } else {
            writeln!(
                out,
                "{}  score {:.3} cosine {:.3}  query region {} {:?} ~ hit region {} {:?}  cases {}  agencies {}",
                h.sha256.to_hex(),
                h.score,
                h.cosine,
                h.query_region.index,
                h.query_region.rect,
                h.hit_region.index,
                h.hit_region.rect,
                h.cases.join(","),
                h.agencies.join(",")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------
// Benchmark

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    /// Roughly normal (sum of 4 uniforms, centred, unit variance).
    fn gauss(&mut self) -> f32 {
        let mut s = 0.0;
        for _ in 0..4 {
            s += (self.next() as f64 / (1u64 << 53) as f64) as f32;
        }
        (s - 2.0) * 1.732
    }
}

fn normalise(v: &mut [f32]) {
    let n = vidi_ann::dot(v, v).sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Real region embeddings of the demo generator's scenes (generated,
/// ingested and embedded in a temp workspace).
fn demo_vectors(
    images_per_case: usize,
    bb: &vidi_embed::Backbone,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<(Vec<f32>, usize)> {
    let tmp = tempfile::tempdir().context("cannot create a temp dir")?;
    let spec = vidi_synth::DemoSpec {
        seed: 7,
        images_per_case,
        videos: false,
        audio: false,
        width: 512,
        height: 384,
    };
    let corpus = tmp.path().join("corpus");
    vidi_synth::generate_demo(&corpus, &spec, cancel).context("demo generation failed")?;
    let ws = Workspace::init(&tmp.path().join("ws"))?;
    let config = vidi_pipeline::IngestConfig::new(vec![corpus], "BENCH-1", "XX");
    vidi_pipeline::ingest(&ws, &config, &vidi_pipeline::NoProgress, cancel)?;
    let bar = EmbedBar::new(quiet);
    embed::embed_missing(&ws, bb, 0, &bar, cancel)?;
    bar.0.finish_and_clear();
    let store = Store::open(&ws)?;
    let mut v = Vec::new();
    let mut n = 0;
    store.for_each_region::<vidi_store::StoreError>(&embed::model_key(bb), |r| {
        v.extend_from_slice(&r.region.vector);
        n += 1;
        Ok(())
    })?;
    Ok((v, n))
}

/// `n` vectors: the `base` rows, then augmented copies (base row plus
/// Gaussian noise of relative size `noise`, clamped at 0 like ReLU6
/// features when `nonneg`), normalised.
fn augment(base: &[f32], dim: usize, n: usize, noise: f32, nonneg: bool, seed: u64) -> Vec<f32> {
    let rows = base.len() / dim;
    let mut r = Rng(seed);
    let mut out = Vec::with_capacity(n * dim);
    for i in 0..n {
        let b = &base[(i % rows) * dim..(i % rows + 1) * dim];
        if i < rows {
            out.extend_from_slice(b);
            continue;
        }
        let scale = (1.0 / dim as f32).sqrt();
        let mut v: Vec<f32> = b
            .iter()
            .map(|x| {
                let y = x + noise * scale * r.gauss();
                if nonneg { y.max(0.0) } else { y }
            })
            .collect();
        normalise(&mut v);
        out.extend(v);
    }
    out
}

fn uniform(n: usize, dim: usize, seed: u64) -> Vec<f32> {
    let mut r = Rng(seed);
    let mut out = Vec::with_capacity(n * dim);
    for _ in 0..n {
        let mut v: Vec<f32> = (0..dim).map(|_| r.gauss()).collect();
        normalise(&mut v);
        out.extend(v);
    }
    out
}

struct Row {
    data: &'static str,
    n: usize,
    dim: usize,
    lists: usize,
    build_s: f64,
    max_probe: String,
    recall: f64,
    qps: f64,
    exact_qps: f64,
    lists_scanned: f64,
}

fn measure(
    data: &'static str,
    vectors: &[f32],
    queries: &[f32],
    dim: usize,
    probes: &[usize],
    min_probe: usize,
) -> anyhow::Result<Vec<Row>> {
    let n = vectors.len() / dim;
    let ids: Vec<u64> = (0..n as u64).collect();
    let t = Instant::now();
    let mut idx = vidi_ann::Index::new(dim, vidi_ann::IndexParams::default())?;
    idx.extend(&ids, vectors)?;
    let build_s = t.elapsed().as_secs_f64();
    let nq = queries.len() / dim;
    let t = Instant::now();
    let truth: Vec<Vec<u64>> = queries
        .chunks_exact(dim)
        .map(|q| Ok(idx.exact(q, 10)?.iter().map(|h| h.id).collect()))
        .collect::<Result<_, vidi_ann::AnnError>>()?;
    let exact_qps = nq as f64 / t.elapsed().as_secs_f64();
    let mut rows = Vec::new();
    for &p in probes {
        let max = if p == 0 { usize::MAX } else { p };
        let t = Instant::now();
        let mut found = 0usize;
        let mut scanned = 0usize;
        for (q, tr) in queries.chunks_exact(dim).zip(&truth) {
            let (hits, st) = idx.search_bounded(q, 10, min_probe.min(max), max)?;
            scanned += st.lists_scanned;
            found += hits.iter().filter(|h| tr.contains(&h.id)).count();
        }
        let secs = t.elapsed().as_secs_f64();
        rows.push(Row {
            data,
            n,
            dim,
            lists: idx.lists(),
            build_s,
            max_probe: if p == 0 {
                "all (exact)".into()
            } else {
                p.to_string()
            },
            recall: found as f64 / (nq * 10).max(1) as f64,
            qps: nq as f64 / secs,
            exact_qps,
            lists_scanned: scanned as f64 / nq.max(1) as f64,
        });
    }
    Ok(rows)
}

pub(crate) fn bench(
    a: &BenchSimilarArgs,
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<ExitCode> {
    let probes: Vec<usize> = a
        .max_probe
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .context("--max-probe: comma-separated numbers")?;
    let mut rows = Vec::new();
    if a.images_per_case > 0 {
        let bb = embed::load_backbone(&vidi_models::default_models_dir(), None)?;
        let t = Instant::now();
        let (base, rows_base) = demo_vectors(a.images_per_case, &bb, quiet, cancel)?;
        if !quiet {
            output::note(&format!(
                "{rows_base} real region embeddings of the demo scenes in {:.1} s",
                t.elapsed().as_secs_f64()
            ));
        }
        if rows_base == 0 {
            bail!("the demo gave no embeddings");
        }
        let dim = bb.dim();
        let vectors = augment(&base, dim, a.n, 0.5, true, 1);
        // Queries: stored vectors with a little more noise.
        let mut qsrc = Vec::with_capacity(a.queries * dim);
        for i in 0..a.queries {
            let row = (i * 7919) % a.n;
            qsrc.extend_from_slice(&vectors[row * dim..(row + 1) * dim]);
        }
        let queries = augment(&qsrc, dim, a.queries * 2, 0.3, true, 2);
        let queries = queries[a.queries * dim..].to_vec();
        rows.extend(measure(
            "demo embeddings, augmented",
            &vectors,
            &queries,
            dim,
            &probes,
            a.min_probe,
        )?);
    }
    if !a.no_random {
        let dim = 1280;
        let vectors = uniform(a.n, dim, 3);
        let queries = uniform(a.queries, dim, 4);
        rows.extend(measure(
            "uniform random",
            &vectors,
            &queries,
            dim,
            &probes,
            a.min_probe,
        )?);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "| data | n | dim | lists | build s | max probe | lists scanned | recall@10 | queries/s | exact queries/s |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|")?;
    for r in rows {
        writeln!(
            out,
            "| {} | {} | {} | {} | {:.1} | {} | {:.1} | {:.3} | {:.1} | {:.1} |",
            r.data,
            r.n,
            r.dim,
            r.lists,
            r.build_s,
            r.max_probe,
            r.lists_scanned,
            r.recall,
            r.qps,
            r.exact_qps
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn augment_keeps_base_and_normalises() {
        let base = vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        let v = augment(&base, 3, 5, 0.1, true, 1);
        assert_eq!(v.len(), 15);
        assert_eq!(&v[..6], &base[..]);
        for row in v.chunks_exact(3) {
            assert!((vidi_ann::dot(row, row) - 1.0).abs() < 1e-4);
            assert!(row.iter().all(|x| *x >= 0.0));
        }
        let u = uniform(4, 8, 1);
        assert!((vidi_ann::dot(&u[..8], &u[..8]) - 1.0).abs() < 1e-4);
    }
}
