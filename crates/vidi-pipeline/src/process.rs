//! Processing of one evidence item: read once, hash, sniff, decode,
//! extract metadata, hash video frames, make thumbnails.

use std::fs::File;
use std::io::{Cursor, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;

use vidi_hash::crypto::MultiHasher;
use vidi_meta::Sniffed;
use vidi_store::{BlobStore, thumb_key};
use vidi_types::{
    Cancel, Digests, EvidenceItem, FileError, FileErrorKind, FileType, MediaKind, MediaRecord,
    Metadata, Thumbnail,
};

use crate::budget::{BudgetError, run_with_budget};
use crate::{IngestConfig, ItemOutcome, PIPELINE_VERSION, WalkEntry};

/// Longest side of thumbnails, in pixels.
pub(crate) const THUMB_SIDE: u32 = 256;

/// The result of processing one entry, ready for the writer.
pub(crate) struct Processed {
    pub(crate) media: Option<MediaRecord>,
    pub(crate) item: EvidenceItem,
    pub(crate) outcome: ItemOutcome,
    pub(crate) bytes: u64,
}

/// What the workers need besides the entry.
pub(crate) struct Ctx<'a> {
    pub(crate) config: &'a IngestConfig,
    pub(crate) blobs: &'a BlobStore,
    pub(crate) cancel: &'a Cancel,
}

/// Content read from a file: hashes plus either the bytes or the head.
struct Read1 {
    digests: Digests,
    size: u64,
    /// The whole file, when it fits the in-memory limit.
    bytes: Option<Arc<Vec<u8>>>,
    /// The first bytes, for sniffing.
    head: Vec<u8>,
}

pub(crate) fn base_item(entry: &WalkEntry, config: &IngestConfig) -> EvidenceItem {
    EvidenceItem {
        path: entry.path.to_string_lossy().into_owned(),
        size: entry.size,
        mtime: entry.mtime,
        ctime: entry.ctime,
        atime: entry.atime,
        file_type: entry.file_type.clone(),
        case: config.case.clone(),
        agency: config.agency.clone(),
        media: None,
        error: entry.error.clone(),
    }
}

/// Open evidence read-only, without following a symlink that replaced the
/// file since the walk, and without updating its access time when the
/// kernel allows it (chain of custody).
fn open_evidence(path: &Path) -> std::io::Result<File> {
    let try_open = |flags: i32| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
    };
    match try_open(libc::O_NOFOLLOW | libc::O_NOATIME) {
        Ok(f) => Ok(f),
        // O_NOATIME needs file ownership (or CAP_FOWNER).
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => try_open(libc::O_NOFOLLOW),
        Err(e) => Err(e),
    }
}

/// Reading stopped: either a real error or a cancellation.
enum ReadStop {
    Failed(FileError),
    Cancelled,
}

fn read_and_hash(
    path: &Path,
    size_hint: u64,
    config: &IngestConfig,
    cancel: &Cancel,
) -> Result<Read1, ReadStop> {
    let io_err = |e: std::io::Error| {
        ReadStop::Failed(FileError::new(
            FileErrorKind::Io,
            format!("cannot read {}: {e}", path.display()),
        ))
    };
    let mut file = open_evidence(path).map_err(io_err)?;
    let keep = size_hint <= config.max_in_memory;
    let mut hasher = MultiHasher::new();
    let mut bytes: Vec<u8> = Vec::new();
    if keep {
        bytes.reserve_exact(size_hint as usize);
    }
    let mut head: Vec<u8> = Vec::with_capacity(vidi_meta::SNIFF_LEN);
    let mut buf = vec![0u8; 1 << 20];
    let mut total: u64 = 0;
    loop {
        if cancel.is_cancelled() {
            return Err(ReadStop::Cancelled);
        }
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(e)),
        };
        let chunk = &buf[..n];
        hasher.update(chunk);
        total += n as u64;
        if head.len() < vidi_meta::SNIFF_LEN {
            let take = (vidi_meta::SNIFF_LEN - head.len()).min(n);
            head.extend_from_slice(&chunk[..take]);
        }
        if keep {
            if total > config.max_in_memory {
                // The file grew while we read it: stop keeping bytes.
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(chunk);
            }
        }
    }
    let keep = keep && total <= config.max_in_memory;
    Ok(Read1 {
        digests: hasher.finish(),
        size: total,
        bytes: keep.then(|| Arc::new(bytes)),
        head,
    })
}

/// Process one walk entry. `is_known` tells whether the content is
/// already complete in the store (asked after hashing). `None` means the
/// run was cancelled while reading: nothing is to be stored.
pub(crate) fn process(
    entry: &WalkEntry,
    ctx: &Ctx<'_>,
    is_known: &dyn Fn(&vidi_types::Sha256) -> bool,
) -> Option<Processed> {
    let mut item = base_item(entry, ctx.config);
    if let Some(err) = &entry.error {
        return Some(Processed {
            outcome: ItemOutcome::Unreadable { error: err.kind },
            media: None,
            item,
            bytes: 0,
        });
    }
    if entry.file_type != FileType::Regular {
        return Some(Processed {
            outcome: ItemOutcome::NotRegular,
            media: None,
            item,
            bytes: 0,
        });
    }
    let read = match read_and_hash(&entry.path, entry.size, ctx.config, ctx.cancel) {
        Ok(r) => r,
        Err(ReadStop::Cancelled) => return None,
        Err(ReadStop::Failed(err)) => {
            let kind = err.kind;
            item.error = Some(err);
            return Some(Processed {
                outcome: ItemOutcome::Unreadable { error: kind },
                media: None,
                item,
                bytes: 0,
            });
        }
    };
    item.size = read.size;
    item.media = Some(read.digests.sha256);
    let sniffed = vidi_meta::sniff(&read.head);
    if is_known(&read.digests.sha256) {
        return Some(Processed {
            outcome: ItemOutcome::KnownContent {
                kind: sniffed.kind,
                error: None,
            },
            media: None,
            item,
            bytes: read.size,
        });
    }
    let media = analyse(&entry.path, &read, &sniffed, ctx);
    Some(Processed {
        outcome: ItemOutcome::New {
            kind: media.kind,
            error: media.error.as_ref().map(|e| e.kind),
        },
        bytes: read.size,
        media: Some(media),
        item,
    })
}

fn empty_record(read: &Read1, sniffed: &Sniffed) -> MediaRecord {
    MediaRecord {
        digests: read.digests,
        size: read.size,
        kind: sniffed.kind,
        mime: sniffed.mime.to_string(),
        width: None,
        height: None,
        frame_count: None,
        duration_s: None,
        pdq: None,
        pdq_dihedral: None,
        vpdq: Vec::new(),
        video: None,
        metadata: Metadata::default(),
        thumbnails: Vec::new(),
        error: None,
        pipeline_version: PIPELINE_VERSION,
    }
}

fn budget_error(e: BudgetError, what: &str, budget: std::time::Duration) -> FileError {
    match e {
        BudgetError::Timeout => FileError::new(
            FileErrorKind::Timeout,
            format!(
                "{what} took longer than the {:.0} s budget",
                budget.as_secs_f64()
            ),
        ),
        BudgetError::Panicked(msg) => FileError::new(
            FileErrorKind::DecoderPanic,
            format!("{what} panicked: {msg}"),
        ),
    }
}

fn analyse(path: &Path, read: &Read1, sniffed: &Sniffed, ctx: &Ctx<'_>) -> MediaRecord {
    let mut rec = empty_record(read, sniffed);
    let budget = ctx.config.file_budget;

    // Metadata first: it never fails the item, and images need the
    // orientation for their thumbnail.
    if sniffed.kind != MediaKind::Other {
        let format = sniffed.format;
        let res = match &read.bytes {
            Some(bytes) => {
                let bytes = Arc::clone(bytes);
                run_with_budget(budget, move || {
                    vidi_meta::extract(
                        Cursor::new(bytes.as_slice()),
                        format,
                        &vidi_meta::MetaLimits::default(),
                    )
                    .map_err(|e| e.to_string())
                })
            }
            None => {
                let path = path.to_path_buf();
                run_with_budget(budget, move || {
                    let f = open_evidence(&path).map_err(|e| e.to_string())?;
                    vidi_meta::extract(
                        std::io::BufReader::new(f),
                        format,
                        &vidi_meta::MetaLimits::default(),
                    )
                    .map_err(|e| e.to_string())
                })
            }
        };
        match res {
            Ok(Ok(meta)) => rec.metadata = meta,
            Ok(Err(e)) => rec.metadata.warnings.push(format!("metadata: {e}")),
            Err(e) => rec
                .metadata
                .warnings
                .push(budget_error(e, "metadata parsing", budget).to_string()),
        }
    }

    match sniffed.kind {
        MediaKind::Image => analyse_image(read, &mut rec, ctx),
        MediaKind::Video | MediaKind::Audio => analyse_video(path, &mut rec, ctx),
        MediaKind::Other => {}
    }
    rec
}

fn analyse_image(read: &Read1, rec: &mut MediaRecord, ctx: &Ctx<'_>) {
    let Some(bytes) = &read.bytes else {
        rec.error = Some(FileError::new(
            FileErrorKind::TooLarge,
            format!(
                "image file of {} bytes exceeds the in-memory limit of {} bytes",
                read.size, ctx.config.max_in_memory
            ),
        ));
        return;
    };
    let bytes = Arc::clone(bytes);
    let limits = ctx.config.image_limits;
    let dihedral = ctx.config.dihedral;
    let thumbs = ctx.config.thumbnails;
    let orientation = rec.metadata.orientation;
    let budget = ctx.config.file_budget;
    let res = run_with_budget(budget, move || {
        let img = vidi_media::decode_image(&bytes, &limits)?;
        let (pdq, dih) = vidi_media::pdq_of(&img, dihedral);
        let damage = img.damage.clone();
        let thumb = if thumbs {
            Some(vidi_media::thumbnail_jpeg(&img, THUMB_SIDE, orientation))
        } else {
            None
        };
        Ok::<_, vidi_media::MediaError>((
            img.width,
            img.height,
            img.frame_count,
            pdq,
            dih,
            thumb,
            damage,
        ))
    });
    match res {
        Ok(Ok((w, h, frames, pdq, dih, thumb, damage))) => {
            // A damaged but decodable file keeps its hashes and is flagged.
            rec.error = damage;
            rec.width = Some(w);
            rec.height = Some(h);
            rec.frame_count = Some(frames);
            rec.pdq = Some(pdq);
            rec.pdq_dihedral = dih;
            match thumb {
                Some(Ok((jpeg, tw, th))) => {
                    let key = thumb_key(&rec.digests.sha256, None);
                    match ctx.blobs.put(&key, &jpeg) {
                        Ok(()) => rec.thumbnails.push(Thumbnail {
                            key,
                            width: tw,
                            height: th,
                            timestamp_s: None,
                        }),
                        Err(e) => tracing::warn!(error = %e, "cannot write thumbnail"),
                    }
                }
                Some(Err(e)) => rec
                    .metadata
                    .warnings
                    .push(format!("thumbnail: {}", e.to_file_error())),
                None => {}
            }
        }
        Ok(Err(e)) => rec.error = Some(e.to_file_error()),
        Err(e) => rec.error = Some(budget_error(e, "image decoding", budget)),
    }
}

fn analyse_video(path: &Path, rec: &mut MediaRecord, ctx: &Ctx<'_>) {
    let limits = &ctx.config.video_limits;
    let info = match vidi_video::probe(path, limits, ctx.cancel) {
        Ok(info) => info,
        Err(e) => {
            rec.error = Some(e.to_file_error());
            return;
        }
    };
    rec.width = info.width;
    rec.height = info.height;
    rec.duration_s = info.duration_s;
    if info.video_codec.is_some() {
        rec.kind = MediaKind::Video;
        match vidi_video::vpdq(path, &info, limits, ctx.cancel) {
            Ok(frames) => rec.vpdq = frames,
            Err(e) => rec.error = Some(e.to_file_error()),
        }
        if ctx.config.thumbnails && ctx.config.keyframes > 0 {
            match vidi_video::keyframe_thumbnails(
                path,
                &info,
                THUMB_SIDE,
                ctx.config.keyframes,
                limits,
                ctx.cancel,
            ) {
                Ok(thumbs) => {
                    for (ts, jpeg, w, h) in thumbs {
                        let key = thumb_key(&rec.digests.sha256, Some(ts));
                        match ctx.blobs.put(&key, &jpeg) {
                            Ok(()) => rec.thumbnails.push(Thumbnail {
                                key,
                                width: w,
                                height: h,
                                timestamp_s: Some(ts),
                            }),
                            Err(e) => tracing::warn!(error = %e, "cannot write keyframe thumbnail"),
                        }
                    }
                }
                Err(e) => rec
                    .metadata
                    .warnings
                    .push(format!("keyframes: {}", e.to_file_error())),
            }
        }
    } else if info.audio_codec.is_some() {
        rec.kind = MediaKind::Audio;
    }
    rec.video = Some(info);
}
