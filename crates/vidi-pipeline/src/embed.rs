//! Embedding the media of a workspace for find-similar.
//!
//! [`embed_missing`] embeds every media that has no embedding under the
//! given backbone (model name + content SHA-256 + region scheme): images
//! from their evidence file, videos from their stored keyframe thumbnails
//! (up to [`VIDEO_FRAMES`] of them, already decoded and small, so cheap).
//! Worker threads decode and run the backbone; the calling thread owns the
//! store connection and writes each media in one transaction. Memory is
//! bounded: one decoded media per worker and a bounded channel. A media
//! that cannot be read or decoded is recorded as failed (not retried until
//! the model changes); cancellation stops between media, keeping what is
//! done.
//!
//! The same decoded picture (a video: its first keyframe) gives the
//! media's local features, written beside the index for find-similar's
//! re-rank ([`local`]); embedded media without a feature file (embedded
//! before local features existed, or whose file was lost) get one on the
//! next run.
//!
//! [`load_backbone`] finds the backbone in the models directory; when it
//! is not installed it returns [`EmbedRunError::NoModel`], whose message
//! says how to install it: callers (ingest) report it and carry on.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use serde::Serialize;
use vidi_embed::{Analysis, Backbone};
use vidi_store::embeddings::{ModelKey, StoredRegion};
use vidi_store::{Store, Workspace};
use vidi_types::{Cancel, Sha256};

pub mod local;
mod work;

use work::{Done, Item, Source, embed_one, missing_features};

pub use local::{RERANK_MIN_INLIERS, RERANK_TOP, features_path};

/// The backbone used when none is named.
pub const DEFAULT_MODEL: &str = "mobilenet-v2-imagenet";

/// Keyframe thumbnails embedded per video.
pub const VIDEO_FRAMES: usize = 3;

/// Region indices of video frame `f` start at `f * VIDEO_REGION_STRIDE`.
pub const VIDEO_REGION_STRIDE: u32 = vidi_embed::rank::FRAME_STRIDE;

/// Largest evidence file read for embedding.
const MAX_FILE_BYTES: u64 = 512 << 20;

/// Errors of an embedding run (a single media's failure is not one: it is
/// recorded with the media and counted).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbedRunError {
    /// The backbone is not installed.
    #[error(
        "embedding model {name:?} is not installed in {dir} (install it with scripts/models/install-vision.sh, or set VIDI_MODELS_DIR)"
    )]
    NoModel {
        /// The models directory searched.
        dir: PathBuf,
        /// The model name.
        name: String,
        /// Why it was not usable.
        #[source]
        source: Option<vidi_models::ModelError>,
    },
    /// The backbone could not be loaded.
    #[error("cannot load embedding model {name:?}")]
    Load {
        /// The model name.
        name: String,
        /// The underlying error.
        #[source]
        source: vidi_embed::EmbedError,
    },
    /// The store failed.
    #[error("workspace store failed")]
    Store(#[from] vidi_store::StoreError),
    /// Worker threads could not start.
    #[error("cannot start embedding threads")]
    Threads(#[source] std::io::Error),
}

/// Progress of an embedding run. Must be cheap and thread-safe.
pub trait EmbedProgress: Sync {
    /// `total` media will be embedded.
    fn start(&self, total: u64);
    /// One more media is done.
    fn item_done(&self);
}

/// Ignores progress.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEmbedProgress;

impl EmbedProgress for NoEmbedProgress {
    fn start(&self, _total: u64) {}
    fn item_done(&self) {}
}

/// What an embedding run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EmbedSummary {
    /// The model key (name with region scheme).
    pub model: String,
    /// Media that needed an embedding.
    pub candidates: u64,
    /// Images embedded.
    pub images: u64,
    /// Videos embedded (from keyframe thumbnails).
    pub videos: u64,
    /// Media that failed (recorded, not retried for this model).
    pub errors: u64,
    /// Local-feature files written (embedded media and backfilled ones).
    pub features: u64,
    /// Media whose local features could not be extracted or written
    /// (find-similar does not re-rank them; retried on the next run).
    pub feature_errors: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// True when cancelled before the end (what was done is kept).
    pub cancelled: bool,
}

/// Load the backbone `name` (default [`DEFAULT_MODEL`]) from `models_dir`.
pub fn load_backbone(models_dir: &Path, name: Option<&str>) -> Result<Backbone, EmbedRunError> {
    let name = name.unwrap_or(DEFAULT_MODEL);
    let no_model = |source| EmbedRunError::NoModel {
        dir: models_dir.to_path_buf(),
        name: name.to_owned(),
        source,
    };
    let reg = vidi_models::Registry::open(models_dir).map_err(|e| no_model(Some(e)))?;
    let model = reg.get(name).map_err(|e| no_model(Some(e)))?;
    Backbone::load(model).map_err(|source| EmbedRunError::Load {
        name: name.to_owned(),
        source,
    })
}

/// The store key of a backbone's embeddings: its name with the region
/// scheme, its content SHA-256 and dimension. A new model or region scheme
/// is a new key, so old vectors are never mixed with new ones.
pub fn model_key(bb: &Backbone) -> ModelKey {
    ModelKey {
        name: format!("{}@regions-{}", bb.name(), vidi_embed::REGION_SCHEME),
        sha256: bb.model_sha256().to_owned(),
        dim: bb.dim(),
    }
}

/// The stored form of an analysis; `base` is added to region indices
/// (video frames).
pub fn stored_regions(a: &Analysis, base: u32) -> Vec<StoredRegion> {
    a.regions
        .iter()
        .map(|r| StoredRegion {
            index: base + r.index as u32,
            x: r.region.x,
            y: r.region.y,
            width: r.region.width,
            height: r.region.height,
            vector: r.embedding.vector.clone(),
        })
        .collect()
}

/// Embed every media (images and videos) without an embedding under `bb`.
/// `threads` 0 = one per core.
pub fn embed_missing(
    ws: &Workspace,
    bb: &Backbone,
    threads: usize,
    progress: &dyn EmbedProgress,
    cancel: &Cancel,
) -> Result<EmbedSummary, EmbedRunError> {
    let started = Instant::now();
    let key = model_key(bb);
    let mut store = Store::open(ws)?;
    let todo = store.media_without_embeddings(&key, &["image", "video"])?;
    let candidates = todo.len() as u64;
    let features_dir = local::features_dir(ws);
    let features_on = match std::fs::create_dir_all(&features_dir) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(dir = %features_dir.display(), error = %e, "cannot create the local-features directory: find-similar will not re-rank");
            false
        }
    };
    let mut work: Vec<(Sha256, String, bool)> =
        todo.into_iter().map(|(s, k)| (s, k, true)).collect();
    if features_on {
        work.extend(missing_features(ws, &store, &key, &work)?);
    }
    let mut items: Vec<Item> = Vec::with_capacity(work.len());
    for (sha, kind, embed) in work {
        let src = if kind == "video" {
            let keys = match store.media(&sha)? {
                Some(m) => m
                    .thumbnails
                    .iter()
                    .take(VIDEO_FRAMES)
                    .map(|t| t.key.clone())
                    .collect(),
                None => Vec::new(),
            };
            Source::Video(keys)
        } else {
            // The first evidence file of the media that still exists.
            let path = store
                .evidence_for_media(&sha)?
                .into_iter()
                .map(|e| PathBuf::from(e.path))
                .find(|p| p.is_file())
                .unwrap_or_default();
            Source::Image(path)
        };
        items.push(Item { sha, src, embed });
    }
    let mut summary = EmbedSummary {
        model: key.name.clone(),
        candidates,
        ..EmbedSummary::default()
    };
    progress.start(items.len() as u64);
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        threads
    }
    .clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<Done>(threads * 2);
    let blobs = ws.blobs();
    std::thread::scope(|scope| -> Result<(), EmbedRunError> {
        for _ in 0..threads {
            let tx = tx.clone();
            let (items, next) = (&items, &next);
            std::thread::Builder::new()
                .name("vidi-embed".into())
                .spawn_scoped(scope, move || {
                    while !cancel.is_cancelled() {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(k) else {
                            break;
                        };
                        let fpath = features_on.then(|| local::features_path(ws, &item.sha));
                        let mut features = None;
                        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            embed_one(bb, item, blobs, fpath.as_deref(), &mut features)
                        }))
                        .unwrap_or_else(|_| Err("embedding panicked".to_owned()));
                        let done = Done {
                            sha: item.sha,
                            video: matches!(item.src, Source::Video(_)),
                            embed: item.embed,
                            result,
                            features,
                        };
                        if tx.send(done).is_err() {
                            break;
                        }
                    }
                })
                .map_err(EmbedRunError::Threads)?;
        }
        drop(tx);
        for done in rx {
            match done.features {
                Some(true) => summary.features += 1,
                Some(false) => summary.feature_errors += 1,
                None => {}
            }
            if !done.embed {
                if let Err(msg) = &done.result {
                    tracing::debug!(media = %done.sha, error = %msg, "local features not backfilled");
                    if done.features.is_none() {
                        summary.feature_errors += 1;
                    }
                }
                progress.item_done();
                continue;
            }
            match &done.result {
                Ok(regions) => {
                    store.put_embeddings(&done.sha, &key, regions)?;
                    if done.video {
                        summary.videos += 1;
                    } else {
                        summary.images += 1;
                    }
                }
                Err(msg) => {
                    tracing::warn!(media = %done.sha, error = %msg, "embedding failed");
                    store.put_embedding_error(&done.sha, &key, msg)?;
                    summary.errors += 1;
                }
            }
            progress.item_done();
        }
        Ok(())
    })?;
    summary.cancelled = cancel.is_cancelled();
    summary.seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        model = %summary.model,
        images = summary.images,
        videos = summary.videos,
        errors = summary.errors,
        features = summary.features,
        feature_errors = summary.feature_errors,
        "embedding run done"
    );
    Ok(summary)
}

/// A region in a similarity result: its index (0 = whole image; video
/// frame `f` starts at `f * VIDEO_REGION_STRIDE`) and box in the pixels of
/// the embedded picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedRegion {
    /// Region index.
    pub index: u32,
    /// `[x, y, width, height]`.
    pub rect: [u32; 4],
}

/// One similar media.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarHit {
    /// The media.
    pub sha256: Sha256,
    /// Ranking score (`vidi_embed::rank::Scoring::default()`: the cosine
    /// of the best region pair).
    pub score: f32,
    /// Cosine similarity of the best region pair.
    pub cosine: f32,
    /// The query's region that matched.
    pub query_region: MatchedRegion,
    /// The hit's region that matched.
    pub hit_region: MatchedRegion,
    /// Cases holding the hit (visible ones only), sorted.
    pub cases: Vec<String>,
    /// Agencies holding the hit (visible cases only), sorted.
    pub agencies: Vec<String>,
    /// Local-feature matching points between the query and the hit that
    /// agree on one similarity transform (RANSAC inliers); `None` when not
    /// checked (beyond the first [`RERANK_TOP`], or no usable feature file
    /// for either media). Look-alike but different scenes can reach a few
    /// dozen: this is evidence of the same scene, not proof.
    pub inliers: Option<u32>,
    /// Scale of that transform from the query to the hit (lengths in the
    /// hit's pixels over lengths in the query's), when `inliers` reaches
    /// [`RERANK_MIN_INLIERS`].
    pub scale: Option<f32>,
}

/// Errors of the similarity index and search.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimilarError {
    /// The store failed.
    #[error("workspace store failed")]
    Store(#[from] vidi_store::StoreError),
    /// The index file could not be written or read.
    #[error("similarity index {path} failed")]
    Index {
        /// The index file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: vidi_ann::AnnError,
    },
    /// The index's state file could not be written.
    #[error("cannot write similarity index state {path}")]
    State {
        /// The state file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The media is not visible or has no embedding.
    #[error("media {sha256} has no embedding for model {model} (or is not visible)")]
    NotEmbedded {
        /// SHA-256 hex.
        sha256: String,
        /// Model key name.
        model: String,
    },
}

/// The persisted ANN index of a model's region embeddings, under
/// `W/indexes/`.
pub struct SimilarIndex {
    index: vidi_ann::Index,
    /// How the index was obtained: `loaded`, `extended` or `rebuilt`.
    pub origin: &'static str,
    /// Seconds spent loading or building.
    pub seconds: f64,
}

impl std::fmt::Debug for SimilarIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimilarIndex")
            .field("len", &self.index.len())
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// Where the index of `key` lives: `W/indexes/similar-<sha16>-<scheme>.ann`
/// and its state file (`.state`: media, regions, max row id it covers).
pub fn index_paths(ws: &Workspace, key: &ModelKey) -> (PathBuf, PathBuf) {
    let short: String = key.sha256.chars().take(16).collect();
    let scheme = key.name.rsplit('@').next().unwrap_or("regions");
    let dir = ws.root().join(vidi_store::INDEXES_DIR);
    (
        dir.join(format!("similar-{short}-{scheme}.ann")),
        dir.join(format!("similar-{short}-{scheme}.state")),
    )
}

fn state_line(s: &vidi_store::embeddings::EmbeddingStats) -> String {
    format!(
        "vidi-similar-state/1 {} {} {}\n",
        s.media, s.regions, s.max_id
    )
}

fn parse_state(text: &str) -> Option<vidi_store::embeddings::EmbeddingStats> {
    let mut it = text.split_whitespace();
    if it.next()? != "vidi-similar-state/1" {
        return None;
    }
    Some(vidi_store::embeddings::EmbeddingStats {
        media: it.next()?.parse().ok()?,
        regions: it.next()?.parse().ok()?,
        max_id: it.next()?.parse().ok()?,
    })
}

impl SimilarIndex {
    /// Load the persisted index of `key`, bringing it up to date: extended
    /// with the new rows when only rows were added, rebuilt from the store
    /// when missing, stale (rows rewritten) or damaged (logged with the
    /// file's name), then saved.
    pub fn open(ws: &Workspace, key: &ModelKey) -> Result<SimilarIndex, SimilarError> {
        let t = Instant::now();
        let store = Store::open(ws)?;
        let now = store.embedding_stats(key)?;
        let (path, state_path) = index_paths(ws, key);
        let saved = std::fs::read_to_string(&state_path)
            .ok()
            .and_then(|s| parse_state(&s));
        let loaded = if saved.is_some() && path.is_file() {
            match vidi_ann::Index::load(&path) {
                Ok(i) if i.dim() == key.dim => Some(i),
                Ok(_) => {
                    tracing::warn!(file = %path.display(), "similarity index has another dimension: rebuilding");
                    None
                }
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "similarity index unreadable: rebuilding");
                    None
                }
            }
        } else {
            None
        };
        let index_err = |source| SimilarError::Index {
            path: path.clone(),
            source,
        };
        // A plain index that has grown past the compression threshold is
        // rebuilt compressed.
        let loaded = loaded.filter(|i| {
            !(i.exact_scores() && now.regions >= COMPRESS_FROM && key.dim > COMPRESSED_DIM)
        });
        let (index, origin) = match (loaded, saved) {
            (Some(i), Some(s)) if s == now && i.len() as u64 == now.regions => (i, "loaded"),
            (Some(mut i), Some(s))
                if s.max_id <= now.max_id
                    && i.len() as u64 == s.regions
                    && s.media <= now.media =>
            {
                let mut added = 0u64;
                add_rows(&store, key, &mut i, s.max_id, &mut added).map_err(index_err)?;
                if s.regions + added == now.regions {
                    (i, "extended")
                } else {
                    (rebuild(&store, key).map_err(index_err)?, "rebuilt")
                }
            }
            _ => (rebuild(&store, key).map_err(index_err)?, "rebuilt"),
        };
        if origin != "loaded" {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|source| SimilarError::State {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            index.save(&path).map_err(index_err)?;
            std::fs::write(&state_path, state_line(&now)).map_err(|source| {
                SimilarError::State {
                    path: state_path.clone(),
                    source,
                }
            })?;
        }
        tracing::debug!(origin, vectors = index.len(), "similarity index ready");
        Ok(SimilarIndex {
            index,
            origin,
            seconds: t.elapsed().as_secs_f64(),
        })
    }

    /// The underlying ANN index.
    pub fn ann(&self) -> &vidi_ann::Index {
        &self.index
    }
}

/// Stored rows of `key` with id > `after`, added to `index`.
fn add_rows(
    store: &Store,
    key: &ModelKey,
    index: &mut vidi_ann::Index,
    after: i64,
    added: &mut u64,
) -> Result<(), vidi_ann::AnnError> {
    let mut ids = Vec::new();
    let mut vecs = Vec::new();
    let flush = |index: &mut vidi_ann::Index, ids: &mut Vec<u64>, vecs: &mut Vec<f32>| {
        let r = index.extend(ids, vecs);
        ids.clear();
        vecs.clear();
        r
    };
    let mut res: Result<(), vidi_ann::AnnError> = Ok(());
    let read = store.for_each_region::<vidi_store::StoreError>(key, |row| {
        if row.id > after && res.is_ok() {
            ids.push(row.id as u64);
            vecs.extend_from_slice(&row.region.vector);
            *added += 1;
            if ids.len() >= 4096 {
                res = flush(index, &mut ids, &mut vecs);
            }
        }
        Ok(())
    });
    res?;
    if let Err(e) = read {
        tracing::warn!(error = %e, "reading embeddings for the index failed");
        return Err(vidi_ann::AnnError::Params(
            "embeddings could not be read from the store",
        ));
    }
    flush(index, &mut ids, &mut vecs)
}

/// Region rows from which the index is compressed (PCA to
/// [`COMPRESSED_DIM`] dimensions, int8 codes, scores rescored in `f32`
/// from the store); smaller indexes keep exact `f32` vectors.
pub const COMPRESS_FROM: u64 = 4096;

/// Dimension of the compressed index's vectors.
pub const COMPRESSED_DIM: usize = 256;

/// Rows sampled from the store to fit the projection.
const FIT_SAMPLE: u64 = 8192;

fn rebuild(store: &Store, key: &ModelKey) -> Result<vidi_ann::Index, vidi_ann::AnnError> {
    let stats = store.embedding_stats(key).map_err(|e| {
        tracing::warn!(error = %e, "reading embedding counts failed");
        vidi_ann::AnnError::Params("embeddings could not be read from the store")
    })?;
    let params = vidi_ann::IndexParams::default();
    let mut index = if stats.regions >= COMPRESS_FROM && key.dim > COMPRESSED_DIM {
        // Fit the projection on every `stride`-th stored row.
        let stride = stats.regions.div_ceil(FIT_SAMPLE).max(1);
        let mut sample = Vec::new();
        let mut i = 0u64;
        let read = store.for_each_region::<vidi_store::StoreError>(key, |row| {
            if i.is_multiple_of(stride) && row.region.vector.len() == key.dim {
                sample.extend_from_slice(&row.region.vector);
            }
            i += 1;
            Ok(())
        });
        if let Err(e) = read {
            tracing::warn!(error = %e, "reading embeddings for the projection failed");
            return Err(vidi_ann::AnnError::Params(
                "embeddings could not be read from the store",
            ));
        }
        let spec = vidi_ann::ProjectionSpec {
            out: COMPRESSED_DIM,
            centre: false,
            whiten: 0.0,
        };
        match vidi_ann::Projection::fit(&sample, key.dim, spec, params.seed) {
            Some(p) => {
                tracing::debug!(
                    energy = p.energy(),
                    rows = sample.len() / key.dim,
                    "projection fitted"
                );
                vidi_ann::Index::new_compressed(params, p)?
            }
            None => vidi_ann::Index::new(key.dim, params)?,
        }
    } else {
        vidi_ann::Index::new(key.dim, params)?
    };
    let mut n = 0;
    add_rows(store, key, &mut index, i64::MIN, &mut n)?;
    Ok(index)
}

/// Candidates fetched per query region (before visibility filtering).
const CANDIDATES: usize = 200;

/// A compressed index's short list is this many times longer, then
/// rescored in `f32`.
const RESCORE_FACTOR: usize = 2;

/// Lists probed at most in a compressed index (measured in
/// `docs/benchmarks.md`, `vidi bench similar`).
pub const COMPRESSED_MAX_PROBE: usize = 32;

/// The `k` media most similar to `sha256` under `key`, restricted to the
/// `visible_cases` (None = all). The query itself must be visible and
/// embedded.
///
/// The media are ranked by their best region pair (embeddings); then the
/// first [`RERANK_TOP`] are checked with local features ([`local`]): those
/// with at least [`RERANK_MIN_INLIERS`] matching points come first, most
/// first, then the others in ranking order (so `score` is not always
/// decreasing). Only visible media are checked.
pub fn find_similar(
    ws: &Workspace,
    index: &SimilarIndex,
    key: &ModelKey,
    sha256: &Sha256,
    k: usize,
    visible_cases: Option<&[i64]>,
) -> Result<Vec<SimilarHit>, SimilarError> {
    let store = Store::open(ws)?;
    let Some(query) = store.embeddings_of(sha256, key, visible_cases)? else {
        return Err(SimilarError::NotEmbedded {
            sha256: sha256.to_hex(),
            model: key.name.clone(),
        });
    };
    let want = CANDIDATES.max(k.saturating_mul(10));
    let ann = &index.index;
    // A compressed index gives approximate scores: fetch a longer short
    // list and rescore it with the stored f32 vectors.
    let (fetch, max_probe) = if ann.exact_scores() {
        (want, usize::MAX)
    } else {
        (want.saturating_mul(RESCORE_FACTOR), COMPRESSED_MAX_PROBE)
    };
    let mut lists = Vec::with_capacity(query.len());
    for q in &query {
        let (hits, _) = ann
            .search_bounded(&q.region.vector, fetch, 8, max_probe)
            .map_err(|source| SimilarError::Index {
                path: index_paths(ws, key).0,
                source,
            })?;
        let ids: Vec<i64> = hits.iter().map(|h| h.id as i64).collect();
        let mut refs = store.region_refs(&ids, visible_cases)?;
        let mut score_of: std::collections::HashMap<u64, f32> =
            hits.iter().map(|h| (h.id, h.score)).collect();
        if !ann.exact_scores() {
            let ids: Vec<i64> = refs.iter().map(|r| r.id).collect();
            for (id, v) in store.region_vectors(key, &ids)? {
                score_of.insert(id as u64, vidi_ann::dot(&q.region.vector, &v));
            }
            refs.sort_by(|a, b| {
                let s = |r: &vidi_store::embeddings::RegionRef| {
                    score_of.get(&(r.id as u64)).copied().unwrap_or(f32::MIN)
                };
                s(b).total_cmp(&s(a)).then(a.id.cmp(&b.id))
            });
            refs.truncate(want);
        }
        let cands: Vec<vidi_embed::rank::Candidate<Sha256>> = refs
            .into_iter()
            .filter(|r| r.sha256 != *sha256)
            .map(|r| vidi_embed::rank::Candidate {
                cosine: score_of.get(&(r.id as u64)).copied().unwrap_or(0.0),
                region: r.index,
                media: r.sha256,
            })
            .collect();
        lists.push(cands);
    }
    let ranked = vidi_embed::rank::rank_media(
        &lists,
        k.max(RERANK_TOP),
        vidi_embed::rank::Scoring::default(),
    );
    let reranked = local::rerank(ws, sha256, ranked);
    let mut out = Vec::with_capacity(reranked.len().min(k));
    for (m, check) in reranked.into_iter().take(k) {
        let q = &query[m.query_region].region;
        let hit_rect = store
            .embeddings_of(&m.media, key, visible_cases)?
            .and_then(|rows| rows.into_iter().find(|r| r.region.index == m.hit_region))
            .map_or([0; 4], |r| {
                [r.region.x, r.region.y, r.region.width, r.region.height]
            });
        let holders = store.media_holders(&m.media, visible_cases)?;
        out.push(SimilarHit {
            sha256: m.media,
            score: m.score,
            cosine: m.cosine,
            query_region: MatchedRegion {
                index: q.index,
                rect: [q.x, q.y, q.width, q.height],
            },
            hit_region: MatchedRegion {
                index: m.hit_region,
                rect: hit_rect,
            },
            cases: holders.cases,
            agencies: holders.agencies,
            inliers: check.map(|c| c.inliers),
            scale: check.and_then(|c| c.scale),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trip() {
        let s = vidi_store::embeddings::EmbeddingStats {
            media: 3,
            regions: 42,
            max_id: 99,
        };
        assert_eq!(parse_state(&state_line(&s)), Some(s));
        assert_eq!(parse_state("garbage 1 2 3"), None);
        assert_eq!(parse_state("vidi-similar-state/1 1 x 3"), None);
    }
}
