//! Linking media across cases and agencies.
//!
//! Near-duplicate images by PDQ (including rotated and mirrored copies
//! through the dihedral variants computed at ingest), stills that are frames
//! of videos (with the frame's time), videos that share their frames
//! (vPDQ, both ways) and clips (most of one video's frames are in the
//! other), each link stored once as evidence (kind, distance or score,
//! extractor and version, detail), and clusters: connected components named
//! by their smallest SHA-256, so the same media give the same clusters
//! whatever the thread count or order of arrival.
//!
//! Incremental: each media is linked once (a marker per media in the
//! store); [`link_new_media`] searches only the media not linked yet
//! against an in-memory exact PDQ index of every media's hashes. Because a
//! link is decided from the two media alone and every hash of every media
//! is indexed, the result equals linking everything from scratch.
//!
//! ```no_run
//! # fn main() -> Result<(), vidi_link::LinkError> {
//! let ws = vidi_store::Workspace::open(std::path::Path::new("W"))?;
//! let summary = vidi_link::link_new_media(&ws, &vidi_types::Cancel::new())?;
//! # let _ = summary; Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod bench;
mod engine;

use std::time::Instant;

use serde::Serialize;
use vidi_store::{NewLink, Store, StoreError, Workspace};
use vidi_types::Cancel;

pub use engine::{
    Corpus, DEFAULT_MIN_QUALITY, DEFAULT_RADIUS, DEFAULT_VPDQ_PCT, Evidence, FoundLink, LinkConfig,
    components, evaluate,
};

/// Version of the linking rules; media linked by an older version are
/// linked again.
pub const LINKER_VERSION: u32 = 1;

/// Name recorded as the extractor of every link.
pub const EXTRACTOR: &str = "vidi-link";

/// What can go wrong while linking.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// The store failed.
    #[error("workspace store operation failed")]
    Store(#[from] StoreError),
    /// The caller cancelled the run; nothing was recorded.
    #[error("linking was cancelled")]
    Cancelled,
}

/// What a linking run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinkSummary {
    /// Media in the workspace.
    pub media: u64,
    /// Media linked in this run (not linked before).
    pub processed: u64,
    /// Hashes in the index (image PDQs, variants, video frames).
    pub hashes: u64,
    /// Links found for the processed media.
    pub links: u64,
    /// Links not recorded before.
    pub new_links: u64,
    /// Clusters (connected components with at least one link) after the run.
    pub clusters: u64,
    /// Seconds spent.
    pub seconds: f64,
}

/// Link the media not linked yet with default rules. Call after an ingest;
/// cheap when nothing is new.
pub fn link_new_media(ws: &Workspace, cancel: &Cancel) -> Result<LinkSummary, LinkError> {
    link_workspace(ws, &LinkConfig::default(), false, cancel)
}

/// Link the workspace's media: only those not linked yet, or (with
/// `rebuild`) all of them after removing every stored link. Nothing is
/// recorded when cancelled.
pub fn link_workspace(
    ws: &Workspace,
    config: &LinkConfig,
    rebuild: bool,
    cancel: &Cancel,
) -> Result<LinkSummary, LinkError> {
    let started = Instant::now();
    let mut store = Store::open(ws)?;
    if rebuild {
        store.reset_links()?;
    }
    let pending = store.media_to_link(LINKER_VERSION)?;
    let mut summary = LinkSummary {
        processed: pending.len() as u64,
        ..LinkSummary::default()
    };
    if !pending.is_empty() {
        let media = store.media_for_matching(None)?;
        summary.media = media.len() as u64;
        if cancel.is_cancelled() {
            return Err(LinkError::Cancelled);
        }
        let corpus = Corpus::build(&media, config);
        summary.hashes = corpus.hashes() as u64;
        // `media` is sorted by SHA-256, and so is `pending`.
        let queries: Vec<usize> = pending
            .iter()
            .filter_map(|s| media.binary_search_by(|m| m.sha256.cmp(s)).ok())
            .collect();
        let found = corpus.find_links(&queries, cancel)?;
        let mut links = Vec::with_capacity(found.len());
        for l in &found {
            let (Some(a), Some(b)) = (media.get(l.a as usize), media.get(l.b as usize)) else {
                continue;
            };
            links.push(NewLink {
                a: a.sha256,
                b: b.sha256,
                kind: l.evidence.kind,
                distance: l.evidence.distance,
                score: l.evidence.score,
                extractor: EXTRACTOR.to_owned(),
                extractor_version: LINKER_VERSION,
                detail: Some(l.evidence.detail.clone()),
            });
        }
        summary.links = links.len() as u64;
        if cancel.is_cancelled() {
            return Err(LinkError::Cancelled);
        }
        let rec = store.record_links(&links, &pending, LINKER_VERSION)?;
        summary.new_links = rec.new;
    } else {
        summary.media = store.counts()?.media;
    }
    let clusters = store.link_clusters()?;
    summary.clusters = clusters
        .values()
        .collect::<std::collections::BTreeSet<_>>()
        .len() as u64;
    summary.seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        processed = summary.processed,
        links = summary.links,
        new = summary.new_links,
        clusters = summary.clusters,
        "linking done"
    );
    Ok(summary)
}
