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
    /// Real run: demo images per case (9 cases; 0 = skip) generated,
    /// ingested and embedded end to end through `embed_missing` (timed),
    /// then their stored region vectors indexed plain (f32) and compressed
    /// (PCA 256 + int8, rescored in f32): memory per media and recall@10
    /// against exact f32 search for queries from held-out media.
    #[arg(long, default_value_t = 0)]
    pub(crate) real_images_per_case: usize,
    /// Seed of the real run's demo.
    #[arg(long, default_value_t = 21)]
    pub(crate) real_seed: u64,
    /// Embedding threads of the real run (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub(crate) threads: usize,
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
            // Local-feature check: "matching points", never "verified"
            // (look-alike scenes reach a few dozen).
            let points = match (h.inliers, h.scale) {
                (Some(n), Some(s)) => format!("  {n} matching points, scale {s:.2}"),
                (Some(n), None) => format!("  {n} matching points"),
                (None, _) => String::new(),
            };
            writeln!(
                out,
                "{}  score {:.3} cosine {:.3}  query region {} {:?} ~ hit region {} {:?}  cases {}  agencies {}{points}",
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

/// The real run (`--real-images-per-case`): end-to-end embedding time and
/// plain vs compressed index on the stored vectors.
fn real_run(
    a: &BenchSimilarArgs,
    probes: &[usize],
    quiet: bool,
    cancel: &vidi_types::Cancel,
) -> anyhow::Result<()> {
    let bb = embed::load_backbone(&vidi_models::default_models_dir(), None)?;
    let tmp = tempfile::tempdir().context("cannot create a temp dir")?;
    let spec = vidi_synth::DemoSpec {
        seed: a.real_seed,
        images_per_case: a.real_images_per_case,
        videos: false,
        audio: false,
        width: 512,
        height: 384,
    };
    let corpus = tmp.path().join("corpus");
    let t = Instant::now();
    vidi_synth::generate_demo(&corpus, &spec, cancel).context("demo generation failed")?;
    let gen_s = t.elapsed().as_secs_f64();
    let ws = Workspace::init(&tmp.path().join("ws"))?;
    let config = vidi_pipeline::IngestConfig::new(vec![corpus.clone()], "BENCH-1", "XX");
    let t = Instant::now();
    let ing = vidi_pipeline::ingest(&ws, &config, &vidi_pipeline::NoProgress, cancel)?;
    let ingest_s = t.elapsed().as_secs_f64();
    // The corpus files are needed by embed_missing (evidence paths).
    let bar = EmbedBar::new(quiet);
    let threads = if a.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        a.threads
    };
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    let es = embed::embed_missing(&ws, &bb, threads, &bar, cancel)?;
    let embed_s = t.elapsed().as_secs_f64();
    let embed_cpu = cpu_seconds() - cpu0;
    bar.0.finish_and_clear();
    let key = embed::model_key(&bb);
    let store = Store::open(&ws)?;
    let dim = bb.dim();
    let mut rows: Vec<(i64, vidi_types::Sha256, u32)> = Vec::new();
    let mut vecs: Vec<f32> = Vec::new();
    store.for_each_region::<vidi_store::StoreError>(&key, |r| {
        rows.push((r.id, r.sha256, r.region.index));
        vecs.extend_from_slice(&r.region.vector);
        Ok(())
    })?;
    let media: std::collections::BTreeSet<vidi_types::Sha256> = rows.iter().map(|r| r.1).collect();
    // Held out: every 50th media; queries are their whole-image vector and
    // their first crop (region 14), searched in an index of the others.
    let held: std::collections::BTreeSet<vidi_types::Sha256> = media
        .iter()
        .step_by(50)
        .take(a.queries / 2)
        .copied()
        .collect();
    let mut ids = Vec::new();
    let mut base = Vec::new();
    let mut queries = Vec::new();
    for (i, (id, sha, region)) in rows.iter().enumerate() {
        let v = &vecs[i * dim..(i + 1) * dim];
        if held.contains(sha) {
            if *region == 0 || *region == vidi_embed::GRID_REGIONS as u32 {
                queries.extend_from_slice(v);
            }
        } else {
            ids.push(*id as u64);
            base.extend_from_slice(v);
        }
    }
    drop(vecs);
    let indexed_media = media.len() - held.len();
    let n = ids.len();
    let nq = queries.len() / dim;
    if !quiet {
        output::note(&format!(
            "{} media ({} stored by ingest), {} region vectors indexed, {} queries",
            media.len(),
            ing.stored,
            n,
            nq
        ));
    }
    let params = vidi_ann::IndexParams::default();
    let t = Instant::now();
    let mut plain = vidi_ann::Index::new(dim, params)?;
    plain.extend(&ids, &base)?;
    let plain_build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let stride = (n as u64).div_ceil(8192).max(1) as usize;
    let sample: Vec<f32> = base
        .chunks_exact(dim)
        .step_by(stride)
        .flatten()
        .copied()
        .collect();
    let pspec = vidi_ann::ProjectionSpec {
        out: embed::COMPRESSED_DIM,
        centre: false,
        whiten: 0.0,
    };
    let proj = vidi_ann::Projection::fit(&sample, dim, pspec, params.seed)
        .context("projection could not be fitted")?;
    let energy = proj.energy();
    let mut comp = vidi_ann::Index::new_compressed(params, proj)?;
    comp.extend(&ids, &base)?;
    let comp_build = t.elapsed().as_secs_f64();
    let row_of: std::collections::HashMap<u64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let t = Instant::now();
    let truth: Vec<Vec<u64>> = queries
        .chunks_exact(dim)
        .map(|q| Ok(plain.exact(q, 10)?.iter().map(|h| h.id).collect()))
        .collect::<Result<_, vidi_ann::AnnError>>()?;
    let exact_ms = t.elapsed().as_secs_f64() * 1000.0 / nq.max(1) as f64;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "real run: demo seed {} ({} per case), {} media; generate {gen_s:.1} s, ingest {ingest_s:.1} s; \
         embed_missing: {} images in {embed_s:.1} s wall on {threads} threads ({:.2} images/s), {embed_cpu:.1} s CPU \
         ({:.2} images/s per CPU-second); {} errors",
        a.real_seed,
        a.real_images_per_case,
        media.len(),
        es.images,
        es.images as f64 / embed_s.max(1e-9),
        es.images as f64 / embed_cpu.max(1e-9),
        es.errors
    )?;
    writeln!(
        out,
        "index of {n} region vectors ({indexed_media} media, dim {dim}); projection keeps {:.3} of the energy; exact f32 search {exact_ms:.1} ms/query",
        energy
    )?;
    writeln!(
        out,
        "| index | build s | memory MB | bytes per media | max probe | lists scanned | recall@10 vs exact f32 | ms/query |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for (name, idx, build) in [
        ("plain f32", &plain, plain_build),
        ("PCA 256 + int8, rescored", &comp, comp_build),
    ] {
        let mem = idx.memory_bytes();
        for &p in probes {
            let max = if p == 0 { usize::MAX } else { p };
            let t = Instant::now();
            let mut found = 0usize;
            let mut scanned = 0usize;
            for (q, tr) in queries.chunks_exact(dim).zip(&truth) {
                let fetch = if idx.exact_scores() { 10 } else { 20 };
                let (mut hits, st) = idx.search_bounded(q, fetch, a.min_probe.min(max), max)?;
                scanned += st.lists_scanned;
                if !idx.exact_scores() {
                    for h in &mut hits {
                        if let Some(&r) = row_of.get(&h.id) {
                            h.score = vidi_ann::dot(q, &base[r * dim..(r + 1) * dim]);
                        }
                    }
                    hits.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.id.cmp(&y.id)));
                    hits.truncate(10);
                }
                found += hits.iter().filter(|h| tr.contains(&h.id)).count();
            }
            let ms = t.elapsed().as_secs_f64() * 1000.0 / nq.max(1) as f64;
            writeln!(
                out,
                "| {name} | {build:.1} | {:.0} | {:.0} | {} | {:.1} | {:.3} | {ms:.2} |",
                mem as f64 / 1e6,
                mem as f64 / indexed_media.max(1) as f64,
                if p == 0 {
                    "all".to_owned()
                } else {
                    p.to_string()
                },
                scanned as f64 / nq.max(1) as f64,
                found as f64 / (nq * 10).max(1) as f64,
            )?;
        }
    }
    Ok(())
}

/// CPU seconds (user + system) used by this process so far.
fn cpu_seconds() -> f64 {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: ru is a valid out-pointer for getrusage.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) };
    if rc != 0 {
        return 0.0;
    }
    // SAFETY: getrusage succeeded and initialised the struct.
    let ru = unsafe { ru.assume_init() };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
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
    if a.real_images_per_case > 0 {
        real_run(a, &probes, quiet, cancel)?;
    }
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
