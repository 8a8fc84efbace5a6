//! A realistic synthetic workspace of N media, built fast through the
//! store's own APIs (bulk transactions of [`BATCH`] items).
//!
//! Shape (fractions of N): three agencies of different countries; ten
//! cases from 0.5 % to 40 % of the media; every 50th media is also found in
//! a case of another agency (the same content seized twice); two cases are
//! granted to another agency. Media: 85 % images (camera, date; 30 % with
//! GPS), 12 % videos (three keyframe thumbnails), 3 % audio. Thumbnails are
//! small real JPEGs (160x120), [`SeedSpec::thumbnails`] distinct ones shared
//! round-robin (the blob store is content-addressed by key, not by media).
//! Clues: a `gps_place` country for GPS media, a `scene_geolocation` for a
//! quarter of the other images, a `spoken_language` for 40 % of videos.
//! Every 10th media is in a hash set (a hit with a category, some with a
//! series name): "known". Every 40th media is linked to the next one (and
//! every 400th to one 13 further, often in another case): clusters.
//! Users: `user000`, `user001`, ... round-robin over the agencies, one in
//! ten an admin, two in ten reviewers, the rest analysts; all with the one
//! given password (hashed once).

use std::path::Path;
use std::time::Instant;

use sha2::Digest as _;
use vidi_hashsets::{Category, HashEntry, Scheme};
use vidi_store::accounts::{AccountError, NewUser, Role};
use vidi_store::{ClueBatch, ClueRow, LinkKind, NewHit, NewLink, Store, StoreError, Workspace};
use vidi_types::{
    Camera, Digests, EvidenceItem, FileType, Gps, GpsSource, Md5, MediaKind, MediaRecord, Metadata,
    PdqHash, PdqWithQuality, Sha1, Sha256, Thumbnail, VideoInfo,
};

use crate::Rng;

/// Items per bulk transaction.
pub const BATCH: usize = 5_000;

/// Errors of seeding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Creating agencies, users or grants failed.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// A thumbnail could not be encoded.
    #[error("cannot encode a thumbnail")]
    Thumbnail(#[source] image::ImageError),
    /// The password could not be hashed.
    #[error("cannot hash the users' password")]
    Password,
    /// A count does not fit.
    #[error("{what} is too large")]
    TooLarge {
        /// Which count.
        what: &'static str,
    },
}

/// What to build.
#[derive(Debug, Clone)]
pub struct SeedSpec {
    /// Distinct media.
    pub media: usize,
    /// Users to create (round-robin over the three agencies).
    pub users: usize,
    /// The password of every user (at least 12 characters).
    pub password: String,
    /// Seed of the generator: the same seed gives the same workspace.
    pub seed: u64,
    /// Distinct thumbnail JPEGs, shared round-robin by the media.
    pub thumbnails: usize,
}

impl Default for SeedSpec {
    fn default() -> Self {
        SeedSpec {
            media: 100_000,
            users: 200,
            password: "bench-password-0000".into(),
            seed: 1,
            thumbnails: 2_048,
        }
    }
}

/// A case that was created.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeededCase {
    /// Case number.
    pub number: String,
    /// Owning agency code.
    pub agency: String,
    /// Evidence items (media) in it.
    pub media: u64,
}

/// A user that was created.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeededUser {
    /// Login name.
    pub username: String,
    /// Agency code.
    pub agency: String,
    /// `analyst`, `reviewer` or `admin`.
    pub role: String,
}

/// What [`seed`] built.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedReport {
    /// Distinct media.
    pub media: u64,
    /// Evidence items.
    pub evidence: u64,
    /// Hash-set hits.
    pub hits: u64,
    /// Links.
    pub links: u64,
    /// Cases.
    pub cases: Vec<SeededCase>,
    /// Users.
    pub users: Vec<SeededUser>,
    /// The users' password.
    #[serde(skip)]
    pub password: String,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// (code, country, name).
pub const AGENCIES: [(&str, &str, &str); 3] = [
    ("BE-FCCU", "BE", "Federal Computer Crime Unit"),
    ("NL-NP", "NL", "National Police"),
    ("US-HSI", "US", "Homeland Security Investigations"),
];

/// (case number, agency index, share of the media in thousandths).
const CASES: [(&str, usize, u64); 10] = [
    ("BE-2026-001", 0, 400),
    ("BE-2026-002", 0, 100),
    ("BE-2026-003", 0, 20),
    ("BE-2026-004", 0, 5),
    ("NL-2026-001", 1, 250),
    ("NL-2026-002", 1, 80),
    ("NL-2026-003", 1, 10),
    ("US-2026-001", 2, 100),
    ("US-2026-002", 2, 30),
    ("US-2026-003", 2, 5),
];

/// (case, agency it is granted to).
const GRANTS: [(&str, &str); 2] = [("BE-2026-002", "NL-NP"), ("US-2026-002", "BE-FCCU")];

/// (country, lat, lon): centres GPS points are scattered around.
const PLACES: [(&str, f64, f64); 8] = [
    ("BE", 50.85, 4.35),
    ("NL", 52.37, 4.90),
    ("US", 38.90, -77.03),
    ("FR", 48.86, 2.35),
    ("DE", 52.52, 13.40),
    ("PH", 14.60, 120.98),
    ("BR", -23.55, -46.63),
    ("TH", 13.75, 100.50),
];

const CAMERAS: [(&str, &str); 5] = [
    ("Canon", "Canon EOS 80D"),
    ("Apple", "iPhone 12"),
    ("samsung", "SM-G991B"),
    ("NIKON CORPORATION", "NIKON D5300"),
    ("Google", "Pixel 6"),
];

const LANGUAGES: [&str; 4] = ["en", "nl", "fr", "tl"];

fn digest(seed: u64, i: usize) -> Digests {
    let mut h = sha2::Sha256::new();
    h.update(format!("vidi-loadgen/{seed}/{i}").as_bytes());
    let s: [u8; 32] = h.finalize().into();
    let mut md5 = [0u8; 16];
    md5.copy_from_slice(&s[16..]);
    let mut sha1 = [0u8; 20];
    sha1.copy_from_slice(&s[12..]);
    sha1[0] ^= 0x5a;
    Digests {
        md5: Md5(md5),
        sha1: Sha1(sha1),
        sha256: Sha256(s),
    }
}

/// The case index of media `i` (cases hold contiguous runs of indices).
fn case_of(i: usize, n: usize) -> usize {
    let at = (i as u128 * 1000) / n.max(1) as u128;
    let mut acc = 0u128;
    for (c, (_, _, share)) in CASES.iter().enumerate() {
        acc += u128::from(*share);
        if at < acc {
            return c;
        }
    }
    CASES.len() - 1
}

/// A small real JPEG: a gradient and a few bars that differ by `j`.
fn thumbnail_jpeg(j: usize) -> Result<Vec<u8>, SeedError> {
    let (w, h) = (160u32, 120u32);
    let k = u32::try_from(j % 997).unwrap_or(0);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let bar = ((x + k * 7) / 20 + (y + k * 3) / 15) % 3;
        let r = u8::try_from((x * 255 / w + k * 37) % 256).unwrap_or(0);
        let g = u8::try_from((y * 255 / h + k * 91) % 256).unwrap_or(0);
        let b = [40u8, 140, 230][bar as usize];
        image::Rgb([r, g, b])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&img)
        .map_err(SeedError::Thumbnail)?;
    Ok(out)
}

fn thumb_key(j: usize) -> String {
    format!("thumbs/seed/{:02x}/{j:05}.jpg", j % 256)
}

struct Built {
    record: MediaRecord,
    country: Option<&'static str>,
}

fn build_media(spec: &SeedSpec, i: usize, rng: &mut Rng) -> Built {
    let digests = digest(spec.seed, i);
    let roll = i % 100;
    let kind = if roll < 85 {
        MediaKind::Image
    } else if roll < 97 {
        MediaKind::Video
    } else {
        MediaKind::Audio
    };
    let thumbs = spec.thumbnails.max(1);
    let thumb = |seq: usize, t: Option<f64>| Thumbnail {
        key: thumb_key((i * 3 + seq) % thumbs),
        width: 160,
        height: 120,
        timestamp_s: t,
    };
    let mut metadata = Metadata::default();
    let mut country = None;
    let (mime, width, height, duration, video, thumbnails, pdq) = match kind {
        MediaKind::Image => {
            if rng.below(10) < 6
                && let Some((make, model)) = rng.pick(&CAMERAS)
            {
                metadata.camera = Camera {
                    make: Some((*make).into()),
                    model: Some((*model).into()),
                    ..Camera::default()
                };
                metadata.taken_at = Some(format!(
                    "20{:02}-{:02}-{:02}T{:02}:{:02}:00",
                    15 + rng.below(11),
                    1 + rng.below(12),
                    1 + rng.below(28),
                    rng.below(24),
                    rng.below(60)
                ));
            }
            if rng.below(10) < 3
                && let Some((c, lat, lon)) = rng.pick(&PLACES)
            {
                metadata.gps = Some(Gps {
                    lat: Some(lat + rng.unit() - 0.5),
                    lon: Some(lon + rng.unit() - 0.5),
                    alt: None,
                    time: None,
                    source: GpsSource::Exif,
                    flags: Vec::new(),
                });
                country = Some(*c);
            }
            let mut bits = [0u8; 32];
            for chunk in bits.chunks_mut(8) {
                chunk.copy_from_slice(&rng.next_u64().to_le_bytes()[..chunk.len()]);
            }
            let pdq = Some(PdqWithQuality {
                hash: PdqHash(bits),
                quality: 70 + u8::try_from(rng.below(31)).unwrap_or(0),
            });
            let (w, h) = [(4032, 3024), (1920, 1080), (800, 600), (3000, 4000)]
                [usize::try_from(rng.below(4)).unwrap_or(0)];
            (
                "image/jpeg",
                Some(w),
                Some(h),
                None,
                None,
                vec![thumb(0, None)],
                pdq,
            )
        }
        MediaKind::Video => {
            let d = 5.0 + rng.unit() * 600.0;
            let info = VideoInfo {
                container: Some("mov,mp4,m4a,3gp,3g2,mj2".into()),
                duration_s: Some(d),
                video_codec: Some("h264".into()),
                audio_codec: Some("aac".into()),
                width: Some(1280),
                height: Some(720),
                rotation: 0,
                fps: Some(30.0),
                has_audio: true,
                creation_time: None,
            };
            let thumbs = (0..3)
                .map(|s| thumb(s, Some(d * (s as f64 + 0.5) / 3.0)))
                .collect();
            (
                "video/mp4",
                Some(1280),
                Some(720),
                Some(d),
                Some(info),
                thumbs,
                None,
            )
        }
        _ => {
            let d = 10.0 + rng.unit() * 300.0;
            ("audio/mpeg", None, None, Some(d), None, Vec::new(), None)
        }
    };
    Built {
        record: MediaRecord {
            digests,
            size: 50_000 + rng.below(5_000_000),
            kind,
            mime: mime.into(),
            width,
            height,
            frame_count: None,
            duration_s: duration,
            pdq,
            pdq_dihedral: None,
            vpdq: Vec::new(),
            video,
            metadata,
            thumbnails,
            error: None,
            pipeline_version: 1,
        },
        country,
    }
}

fn item(i: usize, case: usize, media: &MediaRecord, mime_ext: &str) -> EvidenceItem {
    let (number, agency, _) = CASES[case];
    EvidenceItem {
        path: format!("/evidence/{number}/dir{:03}/file{i:07}.{mime_ext}", i % 512),
        size: media.size,
        mtime: Some(1_700_000_000 + i as i64),
        ctime: None,
        atime: None,
        file_type: FileType::Regular,
        case: number.into(),
        agency: AGENCIES[agency].0.into(),
        media: Some(media.digests.sha256),
        error: None,
    }
}

fn clue(kind: &str, value: &str, confidence: f64, extractor: &str) -> ClueRow {
    ClueRow {
        kind: kind.into(),
        value: value.into(),
        confidence,
        extractor: extractor.into(),
        version: 1,
        model_name: None,
        model_sha256: None,
        region: None,
        time_range: None,
        detail: serde_json::Value::Null,
    }
}

fn clues_of(b: &Built, i: usize, rng: &mut Rng) -> Vec<ClueBatch> {
    let sha = b.record.digests.sha256;
    let mut out = Vec::new();
    let mut push = |extractor: &str, c: ClueRow| {
        out.push(ClueBatch {
            media: sha,
            extractor: extractor.into(),
            fingerprint: format!("{extractor}/1"),
            clues: vec![c],
        });
    };
    match b.record.kind {
        MediaKind::Image => {
            if let Some(c) = b.country {
                push("gps", clue("gps_place", c, 0.99, "gps"));
            } else if i % 4 == 1
                && let Some((c, _, _)) = rng.pick(&PLACES)
            {
                let conf = 0.3 + rng.unit() * 0.4;
                push("scene", clue("scene_geolocation", c, conf, "scene"));
            }
        }
        MediaKind::Video if rng.below(10) < 4 => {
            if let Some(l) = rng.pick(&LANGUAGES) {
                push("speech", clue("spoken_language", l, 0.8, "speech"));
            }
        }
        _ => {}
    }
    out
}

/// Build the workspace described by `spec` in `ws` (which should be
/// empty). Progress is logged with `tracing`.
pub fn seed(ws: &Workspace, spec: &SeedSpec) -> Result<SeedReport, SeedError> {
    let t0 = Instant::now();
    let mut store = Store::open(ws)?;
    for (code, country, name) in AGENCIES {
        store.add_agency(code, country, Some(name))?;
    }
    // Thumbnails first: a row never names a missing blob.
    let thumbs = spec.thumbnails.max(1);
    for j in 0..thumbs {
        let key = thumb_key(j);
        if !ws.blobs().exists(&key)? {
            ws.blobs().put(&key, &thumbnail_jpeg(j)?)?;
        }
    }
    tracing::info!(thumbnails = thumbs, "seed: thumbnails written");

    // The hash set of "known" media (every 10th), entries pushed as media
    // are built; hits recorded once the set is ready.
    let n = spec.media;
    let mut rng = Rng::new(spec.seed);
    let mut built: Vec<Built> = Vec::with_capacity(BATCH);
    let mut media_count = 0u64;
    let mut evidence = 0u64;
    let mut per_case = [0u64; CASES.len()];
    let mut clue_batches = Vec::new();
    let mut known: Vec<(Sha256, Option<String>)> = Vec::new();
    let mut links: Vec<NewLink> = Vec::new();
    let mut start = 0;
    while start < n {
        let end = (start + BATCH).min(n);
        built.clear();
        clue_batches.clear();
        for i in start..end {
            let b = build_media(spec, i, &mut rng);
            clue_batches.extend(clues_of(&b, i, &mut rng));
            if i % 10 == 3 {
                let series = (i % 70 == 3).then(|| format!("Series {:03}", (i / 70) % 40));
                known.push((b.record.digests.sha256, series));
            }
            built.push(b);
        }
        let mut items = Vec::with_capacity(built.len() + built.len() / 50 + 1);
        for (k, b) in built.iter().enumerate() {
            let i = start + k;
            let ext = if b.record.kind == MediaKind::Video {
                "mp4"
            } else if b.record.kind == MediaKind::Audio {
                "mp3"
            } else {
                "jpg"
            };
            let c = case_of(i, n);
            per_case[c] += 1;
            items.push(item(i, c, &b.record, ext));
            if i % 50 == 17 {
                // Seized again by the next agency (its first case).
                let other = (CASES[c].1 + 1) % AGENCIES.len();
                let c2 = CASES.iter().position(|x| x.1 == other).unwrap_or(0);
                per_case[c2] += 1;
                items.push(item(i, c2, &b.record, ext));
            }
        }
        let mut rows: Vec<(Option<&MediaRecord>, &EvidenceItem)> = Vec::with_capacity(items.len());
        let mut bi = 0;
        for it in &items {
            // The first item of a media carries it; a second one refers to it.
            let first = bi < built.len() && Some(built[bi].record.digests.sha256) == it.media;
            if first {
                rows.push((Some(&built[bi].record), it));
                bi += 1;
            } else {
                rows.push((None, it));
            }
        }
        media_count += store.put_items_bulk(&rows)?;
        evidence += items.len() as u64;
        store.put_clues_bulk(&clue_batches)?;
        for (k, b) in built.iter().enumerate() {
            let i = start + k;
            let mut link_to = |j: usize, kind: LinkKind, distance: u32| {
                if j >= n {
                    return;
                }
                let other = digest(spec.seed, j).sha256;
                let me = b.record.digests.sha256;
                let (a, bb) = if me < other { (me, other) } else { (other, me) };
                links.push(NewLink {
                    a,
                    b: bb,
                    kind,
                    distance: Some(distance),
                    score: None,
                    extractor: "vidi-loadgen".into(),
                    extractor_version: 1,
                    detail: None,
                });
            };
            if b.record.kind == MediaKind::Image && i % 40 == 7 {
                link_to(i + 1, LinkKind::Pdq, 12);
            }
            if b.record.kind == MediaKind::Image && i % 400 == 7 {
                link_to(i + 13, LinkKind::Pdq, 20);
            }
        }
        start = end;
        tracing::info!(done = end, of = n, "seed: media written");
    }

    // Links between media that both exist (links may point forward).
    let mut link_count = 0u64;
    for chunk in links.chunks(BATCH) {
        link_count += store.record_links(chunk, &[], 1)?.new;
    }

    // The hash set and its hits.
    let mut hit_count = 0u64;
    if !known.is_empty() {
        let file = Sha256(sha2::Sha256::digest(format!("vidi-loadgen/set/{}", spec.seed)).into());
        let mut w = store.begin_hashset_import(
            ws.root(),
            "Bench known set",
            &file,
            "plain",
            "/dev/null",
        )?;
        let mut entries = Vec::with_capacity(known.len());
        for (k, (sha, series)) in known.iter().enumerate() {
            let code = ["1", "2", "3"][k % 3];
            let e = HashEntry {
                sha256: Some(*sha),
                categories: vec![Category::new(Scheme::Vics20, code)],
                series: series.clone(),
                ..HashEntry::default()
            };
            entries.push((*sha, w.push(&e)?));
        }
        let set_id = w.id();
        let read = u64::try_from(entries.len()).map_err(|_| SeedError::TooLarge { what: "set" })?;
        w.finish(read, 0)?;
        for chunk in entries.chunks(BATCH) {
            let hits: Vec<NewHit> = chunk
                .iter()
                .map(|(sha, entry)| NewHit {
                    media: *sha,
                    set_id,
                    entry_id: *entry,
                    rule: vidi_store::HitRule::Sha256,
                    distance: 0,
                    detail: None,
                })
                .collect();
            hit_count += store.record_hits(&hits)?;
        }
    }

    for (case, agency) in GRANTS {
        if per_case[CASES.iter().position(|c| c.0 == case).unwrap_or(0)] > 0 {
            store.grant_case_as_operator(case, agency)?;
        }
    }

    // Users: one password, hashed once.
    let phc = vidi_server::hash_password(&spec.password).map_err(|_| SeedError::Password)?;
    let mut users = Vec::with_capacity(spec.users);
    for k in 0..spec.users {
        let agency = AGENCIES[k % AGENCIES.len()].0;
        let role = match k % 10 {
            0 => Role::Admin,
            1 | 2 => Role::Reviewer,
            _ => Role::Analyst,
        };
        let username = format!("user{k:03}");
        store.add_user(&NewUser {
            username: &username,
            password_hash: &phc,
            role,
            agency,
        })?;
        users.push(SeededUser {
            username,
            agency: agency.into(),
            role: role.as_str().into(),
        });
    }
    let cases = CASES
        .iter()
        .zip(per_case)
        .filter(|(_, m)| *m > 0)
        .map(|((number, a, _), m)| SeededCase {
            number: (*number).into(),
            agency: AGENCIES[*a].0.into(),
            media: m,
        })
        .collect();
    let seconds = t0.elapsed().as_secs_f64();
    tracing::info!(media = media_count, evidence, seconds, "seed: done");
    Ok(SeedReport {
        media: media_count,
        evidence,
        hits: hit_count,
        links: link_count,
        cases,
        users,
        password: spec.password.clone(),
        seconds,
    })
}

/// [`seed`] into a new workspace at `root`.
pub fn seed_new(root: &Path, spec: &SeedSpec) -> Result<(Workspace, SeedReport), SeedError> {
    let ws = Workspace::init(root)?;
    let report = seed(&ws, spec)?;
    Ok((ws, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_partition_the_media() {
        let n = 10_000;
        let mut per = [0usize; CASES.len()];
        for i in 0..n {
            per[case_of(i, n)] += 1;
        }
        assert_eq!(per.iter().sum::<usize>(), n);
        assert_eq!(per[0], 4_000);
        assert!(per.iter().all(|&c| c > 0));
    }

    #[test]
    fn thumbnails_are_jpegs_and_differ() {
        let a = thumbnail_jpeg(1).unwrap();
        let b = thumbnail_jpeg(2).unwrap();
        assert!(a.starts_with(&[0xff, 0xd8]));
        assert_ne!(a, b);
        assert!(a.len() < 16_000);
    }
}
