//! Same-scene retrieval quality on the demo generator's scenes.
//!
//! Scenes: every original photo of `vidi_synth::generate_demo` (rooms,
//! streets, mountains, sea, lakes, fields drawn by the generator). For each,
//! the generator's own variants (resized, recompressed, cropped, mirrored,
//! captioned) and ours ([`crate::scenes::KINDS`]). Every image is a query;
//! the gallery is every other image; the relevant items are the other
//! images of the same scene, and all other scenes are distractors.
//! Reported: precision@1, precision@5 and recall@10, overall and per
//! variant kind, for whole-image embeddings, for the grid regions of the
//! whole-image pass (score = best cosine over the 14 x 14 region pairs),
//! for grid regions plus crop passes (19 x 19), and the latter on vectors
//! projected to 256 dimensions (PCA, as the compressed index stores them,
//! int8) or centred and whitened.

use std::collections::BTreeMap;
use std::path::PathBuf;

use vidi_ann::{Projection, ProjectionSpec};
use vidi_embed::rank::{Candidate, Scoring, rank_media};
use vidi_embed::{Analysis, Backbone, CropSet, GRID_REGIONS};
use vidi_synth::{DemoSpec, generate_demo};

use crate::installed;
use crate::local;
use crate::scenes;

struct Item {
    scene: usize,
    kind: String,
    /// Region index and unit vector, whole image first.
    regions: Vec<(u32, Vec<f32>)>,
}

impl Item {
    fn whole(&self) -> &[f32] {
        &self.regions[0].1
    }
}

fn item(scene: usize, kind: &str, a: &Analysis) -> Item {
    Item {
        scene,
        kind: kind.to_owned(),
        regions: a
            .regions
            .iter()
            .map(|r| (r.index as u32, r.embedding.vector.clone()))
            .collect(),
    }
}

/// Experiments only: `VIDI_QUALITY_CACHE=FILE` keeps the embeddings in
/// `FILE` (written when missing, read when present) to try scorings
/// without embedding again.
fn cache_path() -> Option<PathBuf> {
    std::env::var_os("VIDI_QUALITY_CACHE").map(PathBuf::from)
}

fn save(items: &[Item], path: &std::path::Path) {
    let mut b: Vec<u8> = Vec::new();
    for it in items {
        b.extend((it.scene as u32).to_le_bytes());
        b.extend((it.kind.len() as u32).to_le_bytes());
        b.extend(it.kind.as_bytes());
        b.extend((it.regions.len() as u32).to_le_bytes());
        for (i, v) in &it.regions {
            b.extend(i.to_le_bytes());
            b.extend((v.len() as u32).to_le_bytes());
            b.extend(v.iter().flat_map(|x| x.to_le_bytes()));
        }
    }
    std::fs::write(path, b).expect("write cache");
}

fn load(path: &std::path::Path) -> Option<Vec<Item>> {
    let b = std::fs::read(path).ok()?;
    let mut items = Vec::new();
    let mut at = 0usize;
    let rd = |at: &mut usize, n: usize| -> Option<&[u8]> {
        let s = b.get(*at..*at + n)?;
        *at += n;
        Some(s)
    };
    let u =
        |at: &mut usize| -> Option<u32> { Some(u32::from_le_bytes(rd(at, 4)?.try_into().ok()?)) };
    while at < b.len() {
        let scene = u(&mut at)? as usize;
        let kl = u(&mut at)? as usize;
        let kind = String::from_utf8(rd(&mut at, kl)?.to_vec()).ok()?;
        let nr = u(&mut at)?;
        let mut regions = Vec::new();
        for _ in 0..nr {
            let i = u(&mut at)?;
            let d = u(&mut at)? as usize;
            let v = rd(&mut at, d * 4)?
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            regions.push((i, v));
        }
        items.push(Item {
            scene,
            kind,
            regions,
        });
    }
    Some(items)
}

#[derive(Debug, Default, Clone, Copy)]
struct Acc {
    n: usize,
    p1: f64,
    p5: f64,
    r10: f64,
}

impl Acc {
    fn add(&mut self, ranked_rel: &[bool], total_rel: usize) {
        self.n += 1;
        self.p1 += f64::from(u8::from(ranked_rel[0]));
        self.p5 += ranked_rel[..5].iter().filter(|r| **r).count() as f64 / 5.0;
        self.r10 += ranked_rel[..10].iter().filter(|r| **r).count() as f64 / total_rel as f64;
    }
    fn mean(&self) -> (f64, f64, f64) {
        let n = self.n.max(1) as f64;
        (self.p1 / n, self.p5 / n, self.r10 / n)
    }
}

fn demo(dir: &std::path::Path, seed: u64) -> vidi_synth::DemoManifest {
    let spec = DemoSpec {
        seed,
        images_per_case: 5,
        videos: false,
        audio: false,
        width: 512,
        height: 384,
    };
    generate_demo(dir, &spec, &vidi_types::Cancel::new()).expect("demo")
}

const SCENES: [&str; 6] = ["room", "street", "mountains", "sea", "lake", "fields"];

/// The crops to embed (the default; `VIDI_QUALITY_CROPS=side,corners,centre,fraction`
/// overrides it for experiments, e.g. `0.6,1,0,0.5714`).
fn crops() -> CropSet {
    let Ok(v) = std::env::var("VIDI_QUALITY_CROPS") else {
        return CropSet::DEFAULT;
    };
    let f: Vec<f32> = v.split(',').filter_map(|x| x.parse().ok()).collect();
    match f.as_slice() {
        [side, corners, centre, frac] => CropSet {
            side: *side,
            corners: *corners > 0.0,
            centre: *centre > 0.0,
            input_fraction: *frac,
        },
        _ => CropSet::DEFAULT,
    }
}

fn build(bb: &Backbone, jobs: &[Job]) -> Vec<Item> {
    if let Some(items) = cache_path().and_then(|p| load(&p))
        && items.len() == jobs.len()
    {
        return items;
    }
    let items = embed_all(bb, jobs);
    if let Some(p) = cache_path() {
        save(&items, &p);
    }
    items
}

/// One benchmark image: its scene, variant kind and pixels.
pub(crate) type Job = (usize, String, image::RgbImage);

/// Every benchmark image, in a fixed order (the items follow it).
fn jobs() -> Vec<Job> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let m = demo(&tmp.path().join("scenes"), 11);
    // Unrelated pictures for the third-of-frame variant: the scenes of
    // another seed, one per original.
    let fm = demo(&tmp.path().join("fillers"), 12);
    let fillers: Vec<image::RgbImage> = fm
        .files
        .iter()
        .filter(|f| f.variant_of.is_none() && SCENES.contains(&f.scene.as_str()))
        .filter_map(|f| image::open(&f.path).ok())
        .map(|i| i.to_rgb8())
        .collect();
    assert!(
        fillers.len() >= 10,
        "only {} filler pictures",
        fillers.len()
    );
    // Originals: image files that are not variants.
    let mut scene_of: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut jobs: Vec<Job> = Vec::new();
    for f in &m.files {
        if f.variant_of.is_none() && SCENES.contains(&f.scene.as_str()) {
            let Ok(img) = image::open(&f.path) else {
                continue;
            };
            let id = scene_of.len();
            scene_of.insert(f.path.clone(), id);
            let img = img.to_rgb8();
            let filler = &fillers[id % fillers.len()];
            for (k, v) in scenes::KINDS
                .iter()
                .zip(scenes::make(&img, filler, id as u64 + 1))
            {
                jobs.push((id, (*k).to_string(), v));
            }
            jobs.push((id, "original".into(), img));
        }
    }
    assert!(
        scene_of.len() <= fillers.len(),
        "{} scenes but {} fillers: two variants would share a filler",
        scene_of.len(),
        fillers.len()
    );
    for f in &m.files {
        if let (Some(of), Some(kind)) = (&f.variant_of, &f.variant) {
            let Some(&id) = scene_of.get(of) else {
                continue;
            };
            if kind == "exact_copy" {
                continue;
            }
            let Ok(img) = image::open(&f.path) else {
                continue;
            };
            jobs.push((id, format!("demo-{kind}"), img.to_rgb8()));
        }
    }
    jobs
}

fn embed_all(bb: &Backbone, jobs: &[Job]) -> Vec<Item> {
    // Embed on two threads.
    let crops = crops();
    let half = jobs.len() / 2;
    let (a, b) = jobs.split_at(half);
    let run = |part: &[Job]| -> Vec<Item> {
        part.iter()
            .map(|(scene, kind, img)| {
                let a = bb
                    .analyse_with(img.as_raw(), img.width(), img.height(), &crops)
                    .expect("analyse");
                item(*scene, kind, &a)
            })
            .collect()
    };
    std::thread::scope(|s| {
        let h = s.spawn(|| run(a));
        let mut items = run(b);
        let mut first = h.join().expect("thread");
        first.append(&mut items);
        first
    })
}

/// One ranking method: which vectors (space), which regions, which scoring.
struct Method {
    name: &'static str,
    /// Index into the spaces (0 = raw embeddings, then projections).
    space: usize,
    /// Regions used: whole image only, grid regions, or all.
    regions: Regions,
    scoring: Scoring,
}

#[derive(Clone, Copy, PartialEq)]
enum Regions {
    Whole,
    Grid,
    All,
}

/// Projected spaces compared (besides the raw embeddings): fitted on all
/// region vectors of the gallery (no labels used; the product fits on the
/// workspace's own vectors the same way).
fn projections() -> Vec<(&'static str, ProjectionSpec, bool)> {
    let spec = |out, centre, whiten| ProjectionSpec {
        out,
        centre,
        whiten,
    };
    vec![
        // What the compressed index holds (before rescoring in f32).
        ("pca256 int8", spec(256, false, 0.0), true),
        // Centred and whitened (an experiment, not used by the index).
        ("pca256 whitened", spec(256, true, 0.5), false),
    ]
}

fn methods() -> Vec<Method> {
    let m = |name, space, regions| Method {
        name,
        space,
        regions,
        scoring: Scoring::MAX,
    };
    vec![
        m("whole", 0, Regions::Whole),
        m("grid", 0, Regions::Grid),
        m("grid+crops", 0, Regions::All),
        m("grid+crops, PCA 256 int8", 1, Regions::All),
        m("grid+crops, PCA 256 whitened", 2, Regions::All),
    ]
}

/// Media ranked per method (best first).
const RANK_DEPTH: usize = 200;

/// Ranked gallery indices (up to [`RANK_DEPTH`], at least 10: padded with
/// the query itself, which counts as a miss) of query `qi` for every
/// method.
fn rank_all(spaces: &[Vec<Item>], methods: &[Method], qi: usize) -> Vec<Vec<usize>> {
    let grid = GRID_REGIONS as u32;
    let keep = |which: Regions, r: u32| match which {
        Regions::Whole => r == 0,
        Regions::Grid => r < grid,
        Regions::All => true,
    };
    let mut out: Vec<Vec<usize>> = Vec::new();
    for m in methods {
        let items = &spaces[m.space];
        let q = &items[qi];
        // Region candidates: the 200 best stored regions per query region
        // (what an ANN search returns), the query's own image left out.
        let per_region: Vec<Vec<Candidate<usize>>> =
            q.regions
                .iter()
                .filter(|(qr, _)| keep(m.regions, *qr))
                .map(|(_, qv)| {
                    let mut c: Vec<Candidate<usize>> = items
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != qi)
                        .flat_map(|(i, it)| {
                            it.regions.iter().filter(|(r, _)| keep(m.regions, *r)).map(
                                move |(r, v)| Candidate {
                                    media: i,
                                    region: *r,
                                    cosine: vidi_ann::dot(qv, v),
                                },
                            )
                        })
                        .collect();
                    c.sort_by(|a, b| b.cosine.total_cmp(&a.cosine).then(a.media.cmp(&b.media)));
                    c.truncate(200);
                    c
                })
                .collect();
        let mut r: Vec<usize> = rank_media(&per_region, RANK_DEPTH, m.scoring)
            .iter()
            .map(|m| m.media)
            .collect();
        // Fewer than 10 media among the candidates: pad with misses.
        while r.len() < 10 {
            r.push(qi);
        }
        out.push(r);
    }
    out
}

/// The items with every region vector projected (and, when `int8`,
/// quantised to int8 with one scale per vector and decoded back).
fn project_items(items: &[Item], spec: ProjectionSpec, int8: bool) -> Vec<Item> {
    let dim = items[0].whole().len();
    let all: Vec<f32> = items
        .iter()
        .flat_map(|it| it.regions.iter().flat_map(|(_, v)| v.iter().copied()))
        .collect();
    let p = Projection::fit(&all, dim, spec, 7).expect("fit");
    println!("projection {spec:?}: energy kept {:.3}", p.energy());
    items
        .iter()
        .map(|it| Item {
            scene: it.scene,
            kind: it.kind.clone(),
            regions: it
                .regions
                .iter()
                .map(|(r, v)| {
                    let mut y = p.project(v);
                    if int8 {
                        let m = y.iter().fold(0f32, |m, x| m.max(x.abs())) / 127.0;
                        if m > 0.0 {
                            y.iter_mut().for_each(|x| *x = (*x / m).round() * m);
                        }
                    }
                    (*r, y)
                })
                .collect(),
        })
        .collect()
}

#[test]
fn same_scene_retrieval_quality() {
    let Some(model) = installed() else { return };
    let bb = Backbone::load(&model).expect("load");
    let jobs = jobs();
    let items = build(&bb, &jobs);
    let n_scenes = items.iter().map(|i| i.scene).max().unwrap_or(0) + 1;
    assert!(n_scenes >= 10, "demo gave only {n_scenes} scenes");
    let methods = methods();
    let mut spaces = vec![items];
    for (_, spec, int8) in projections() {
        let p = project_items(&spaces[0], spec, int8);
        spaces.push(p);
    }
    let items = &spaces[0];
    // Rank every query (two threads).
    let n = items.len();
    let mut ranked: Vec<Vec<Vec<usize>>> = std::thread::scope(|s| {
        let h = s.spawn(|| {
            (0..n / 2)
                .map(|qi| rank_all(&spaces, &methods, qi))
                .collect::<Vec<_>>()
        });
        let second: Vec<_> = (n / 2..n)
            .map(|qi| rank_all(&spaces, &methods, qi))
            .collect();
        let mut first = h.join().expect("thread");
        first.extend(second);
        first
    });
    // How much of each kind's relevant media the grid+crops short list
    // holds (the bound of any re-ranking of it).
    println!("grid+crops short lists, recall@N:");
    local::short_list_recall(&jobs, &ranked, GRID_CROPS);
    // Local features, and the grid+crops top RERANK_DEPTH geometrically
    // verified.
    let feats = local::extract_all(&jobs);
    let reranked = local::rerank_all(&jobs, &feats, &ranked, GRID_CROPS, RERANK_DEPTH);
    for (r, l) in ranked.iter_mut().zip(reranked) {
        r.push(l);
    }
    let mut names: Vec<&str> = methods.iter().map(|m| m.name).collect();
    names.push("grid+crops + local re-rank");
    let mut tables: Vec<BTreeMap<String, Acc>> = vec![BTreeMap::new(); names.len()];
    for (qi, q) in items.iter().enumerate() {
        let total_rel = items
            .iter()
            .enumerate()
            .filter(|(i, it)| *i != qi && it.scene == q.scene)
            .count();
        if total_rel == 0 {
            continue;
        }
        for (table, r) in tables.iter_mut().zip(&ranked[qi]) {
            let rel: Vec<bool> = r
                .iter()
                .map(|&i| i != qi && items[i].scene == q.scene)
                .collect();
            table
                .entry(q.kind.clone())
                .or_default()
                .add(&rel, total_rel);
            table.entry("ALL".into()).or_default().add(&rel, total_rel);
        }
    }
    let c = crops();
    println!(
        "same-scene retrieval: {} images, {} scenes (spec: seed 11, 5 images/case, 512x384; fillers seed 12; crops {:?})",
        items.len(),
        n_scenes,
        c
    );
    // Per method: all queries, then per kind (P@1 / P@5 / R@10).
    let kinds: Vec<String> = tables[0].keys().filter(|k| *k != "ALL").cloned().collect();
    let mut head = String::from("| method | all P@1 | all P@5 | all R@10 |");
    let mut rule = String::from("|---|---|---|---|");
    for k in &kinds {
        head.push_str(&format!(" {k} ({}) |", tables[0][k].n));
        rule.push_str("---|");
    }
    println!("{head}\n{rule}");
    for (name, t) in names.iter().zip(&tables) {
        let (a, b, c) = t["ALL"].mean();
        let mut line = format!("| {name} | {a:.3} | {b:.3} | {c:.3} |");
        for k in &kinds {
            let (a, b, c) = t[k].mean();
            line.push_str(&format!(" {a:.2} / {b:.2} / {c:.2} |"));
        }
        println!("{line}");
    }
    let mean = |m: usize, k: &str| tables[m].get(k).map_or((0.0, 0.0, 0.0), Acc::mean);
    let (wp1, wp5, wr10) = mean(0, "ALL");
    let (rp1, rp5, rr10) = mean(GRID_CROPS, "ALL");
    let (tp1, _, _) = mean(GRID_CROPS, "third-of-frame");
    // Floors a little below the measured values (docs/accuracy-linking.md).
    let floors = FLOORS;
    assert!(wp1 >= floors[0], "whole P@1 {wp1} < {}", floors[0]);
    assert!(wp5 >= floors[1], "whole P@5 {wp5} < {}", floors[1]);
    assert!(wr10 >= floors[2], "whole R@10 {wr10} < {}", floors[2]);
    if c == CropSet::DEFAULT {
        assert!(rp1 >= floors[3], "region P@1 {rp1} < {}", floors[3]);
        assert!(rp5 >= floors[4], "region P@5 {rp5} < {}", floors[4]);
        assert!(rr10 >= floors[5], "region R@10 {rr10} < {}", floors[5]);
        assert!(tp1 >= floors[6], "third-of-frame P@1 {tp1} < {}", floors[6]);
        let local = names.len() - 1;
        let (lp1, _, _) = mean(local, "ALL");
        let (ltp1, _, _) = mean(local, "third-of-frame");
        assert!(lp1 >= floors[7], "re-ranked P@1 {lp1} < {}", floors[7]);
        assert!(
            ltp1 >= floors[8],
            "re-ranked third-of-frame P@1 {ltp1} < {}",
            floors[8]
        );
    }
}

/// Index of the grid+crops method in [`methods`].
const GRID_CROPS: usize = 2;

/// Media of the grid+crops list verified with local features.
const RERANK_DEPTH: usize = 50;

/// whole P@1, P@5, R@10; grid+crops P@1, P@5, R@10; grid+crops P@1 of
/// the third-of-frame queries; grid+crops + local re-rank P@1, all and
/// third-of-frame (measured 0.991 and 0.93).
const FLOORS: [f64; 9] = [0.68, 0.52, 0.50, 0.79, 0.73, 0.61, 0.11, 0.95, 0.85];
