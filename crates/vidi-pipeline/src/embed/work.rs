//! The work items of an embedding run: which media, decoded how, and
//! what one worker does with one media.

use std::path::{Path, PathBuf};

use vidi_embed::{Backbone, CropSet};
use vidi_store::embeddings::{ModelKey, StoredRegion};
use vidi_store::{Store, Workspace};
use vidi_types::Sha256;

use super::{EmbedRunError, MAX_FILE_BYTES, VIDEO_REGION_STRIDE, local, stored_regions};

pub(super) enum Source {
    Image(PathBuf),
    Video(Vec<String>),
}

pub(super) struct Item {
    pub(super) sha: Sha256,
    pub(super) src: Source,
    /// False: the media is embedded already, only its local features are
    /// missing.
    pub(super) embed: bool,
}

pub(super) struct Done {
    pub(super) sha: Sha256,
    pub(super) video: bool,
    pub(super) embed: bool,
    pub(super) result: Result<Vec<StoredRegion>, String>,
    /// Whether the local features were written (None: not attempted).
    pub(super) features: Option<bool>,
}

/// Embedded media (successfully, under `key`) that have no local-feature
/// file and are not in `todo`: `(sha, kind, false)`.
pub(super) fn missing_features(
    ws: &Workspace,
    store: &Store,
    key: &ModelKey,
    todo: &[(Sha256, String, bool)],
) -> Result<Vec<(Sha256, String, bool)>, EmbedRunError> {
    // No model is registered under an empty name: every media of the kinds.
    let none = ModelKey {
        name: String::new(),
        sha256: String::new(),
        dim: key.dim,
    };
    let queued: std::collections::HashSet<Sha256> = todo.iter().map(|t| t.0).collect();
    let mut out = Vec::new();
    for (sha, kind) in store.media_without_embeddings(&none, &["image", "video"])? {
        if queued.contains(&sha) || local::features_path(ws, &sha).is_file() {
            continue;
        }
        // Media whose embedding failed have no rows: not retried here.
        if store.embeddings_of(&sha, key, None)?.is_some() {
            out.push((sha, kind, false));
        }
    }
    if !out.is_empty() {
        tracing::debug!(media = out.len(), "backfilling local features");
    }
    Ok(out)
}

/// Decode frame `f` of a source (an image has frame 0 only).
fn decode_frame(
    src: &Source,
    f: usize,
    blobs: &vidi_store::BlobStore,
) -> Result<vidi_media::DecodedImage, String> {
    let limits = vidi_media::Limits::default();
    match src {
        Source::Image(path) => {
            if path.as_os_str().is_empty() {
                return Err("no readable evidence file".to_owned());
            }
            let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
            if size > MAX_FILE_BYTES {
                return Err(format!("file larger than {MAX_FILE_BYTES} bytes"));
            }
            let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
            vidi_media::decode_image(&bytes, &limits).map_err(|e| e.to_string())
        }
        Source::Video(keys) => {
            let key = keys
                .get(f)
                .ok_or_else(|| "video has no keyframe thumbnails".to_owned())?;
            let bytes = blobs.get(key).map_err(|e| e.to_string())?;
            vidi_media::decode_image(&bytes, &limits).map_err(|e| e.to_string())
        }
    }
}

/// Embed one media (when `item.embed`) and write the local features of its
/// first picture to `fpath` (when given), setting `features`.
pub(super) fn embed_one(
    bb: &Backbone,
    item: &Item,
    blobs: &vidi_store::BlobStore,
    fpath: Option<&Path>,
    features: &mut Option<bool>,
) -> Result<Vec<StoredRegion>, String> {
    let frames = match &item.src {
        Source::Image(_) => 1,
        Source::Video(keys) if keys.is_empty() => {
            return Err("video has no keyframe thumbnails".to_owned());
        }
        Source::Video(keys) if item.embed => keys.len(),
        Source::Video(_) => 1,
    };
    let mut out = Vec::new();
    for f in 0..frames {
        let img = decode_frame(&item.src, f, blobs)?;
        if f == 0
            && let Some(path) = fpath
        {
            let ok = match local::extract_to_file(&img.rgb, img.width, img.height, path) {
                Ok(n) => {
                    tracing::trace!(media = %item.sha, keypoints = n, "local features written");
                    true
                }
                Err(e) => {
                    tracing::warn!(media = %item.sha, error = %e, "local features failed");
                    false
                }
            };
            *features = Some(ok);
        }
        if item.embed {
            let a = bb
                .analyse_with(&img.rgb, img.width, img.height, &CropSet::DEFAULT)
                .map_err(|e| e.to_string())?;
            out.extend(stored_regions(&a, f as u32 * VIDEO_REGION_STRIDE));
        }
    }
    Ok(out)
}
