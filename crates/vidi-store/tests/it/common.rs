//! Fixture builders shared by the tests.

use serde_json::json;
use vidi_store::{Store, Workspace, thumb_key};
use vidi_types::{
    Camera, Digests, EvidenceItem, FileError, FileErrorKind, FileType, Gps, GpsFlag, GpsSource,
    Md5, MediaKind, MediaRecord, Metadata, PdqHash, PdqWithQuality, Sha1, Sha256, Thumbnail,
    VideoInfo, VpdqFrame,
};

/// A fresh workspace in a temp dir (keep the guard alive).
pub(crate) fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("W")).unwrap();
    (dir, ws)
}

pub(crate) fn store() -> (tempfile::TempDir, Workspace, Store) {
    let (dir, ws) = workspace();
    let store = Store::open(&ws).unwrap();
    (dir, ws, store)
}

/// A SHA-256 from a number (distinct numbers give distinct digests).
pub(crate) fn sha(n: u64) -> Sha256 {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&n.to_be_bytes());
    b[31] = 0x5a;
    Sha256(b)
}

/// A media record with every field set.
pub(crate) fn full_media(n: u64, pipeline_version: u32) -> MediaRecord {
    let sha256 = sha(n);
    let mut md5 = [0u8; 16];
    md5[..8].copy_from_slice(&n.to_le_bytes());
    let mut sha1 = [0u8; 20];
    sha1[..8].copy_from_slice(&n.to_le_bytes());
    sha1[19] = 1;
    let gps = Gps {
        lat: Some(50.846_666_666_666_67),
        lon: Some(-4.352_5),
        alt: Some(-12.25),
        time: Some("2024-05-01T10:11:12Z".into()),
        source: GpsSource::Exif,
        flags: vec![GpsFlag::MissingRef, GpsFlag::SourcesDisagree],
    };
    let gps2 = Gps {
        lat: Some(0.0),
        lon: Some(0.0),
        alt: None,
        time: None,
        source: GpsSource::QuickTimeXyz,
        flags: vec![GpsFlag::ZeroZero],
    };
    MediaRecord {
        digests: Digests {
            md5: Md5(md5),
            sha1: Sha1(sha1),
            sha256,
        },
        size: 123_456 + n,
        kind: MediaKind::Video,
        mime: "video/mp4".into(),
        width: Some(1920),
        height: Some(1080),
        frame_count: Some(300),
        duration_s: Some(10.01),
        pdq: Some(PdqWithQuality {
            hash: PdqHash([0x11; 32]),
            quality: 87,
        }),
        pdq_dihedral: Some((0..8u8).map(|i| PdqHash([i; 32])).collect()),
        vpdq: (0..3u32)
            .map(|i| VpdqFrame {
                frame_number: i * 30,
                timestamp_s: f64::from(i) * 1.001,
                hash: PdqHash([0x20 + i as u8; 32]),
                quality: 60 + i as u8,
            })
            .collect(),
        video: Some(VideoInfo {
            container: Some("mov,mp4,m4a,3gp,3g2,mj2".into()),
            duration_s: Some(10.01),
            video_codec: Some("h264".into()),
            audio_codec: Some("aac".into()),
            width: Some(1920),
            height: Some(1080),
            rotation: 90,
            fps: Some(29.97),
            has_audio: true,
            creation_time: Some("2024-05-01T10:11:12.000000Z".into()),
        }),
        metadata: Metadata {
            camera: Camera {
                make: Some("Canon".into()),
                model: Some("EOS 5D".into()),
                serial: Some("SN-0042".into()),
                lens: Some("EF 50mm".into()),
                lens_serial: Some("L-1".into()),
                software: Some("fw 1.0".into()),
            },
            taken_at: Some("2024-05-01T12:11:12+02:00".into()),
            offset_time: Some("+02:00".into()),
            modified_at: Some("2024-05-02T00:00:00".into()),
            orientation: Some(6),
            gps: Some(gps.clone()),
            gps_all: vec![gps, gps2],
            raw: json!({"exif": {"IFD0.Make": "Canon", "n": 1.5}, "xmp": {}, "quicktime": {"k": [1, 2]}}),
            warnings: vec!["odd maker note".into()],
        },
        thumbnails: vec![
            Thumbnail {
                key: thumb_key(&sha256, Some(0.0)),
                width: 256,
                height: 144,
                timestamp_s: Some(0.0),
            },
            Thumbnail {
                key: thumb_key(&sha256, Some(5.5)),
                width: 256,
                height: 144,
                timestamp_s: Some(5.5),
            },
        ],
        error: Some(FileError::new(
            FileErrorKind::Truncated,
            "stream ends early",
        )),
        pipeline_version,
    }
}

/// A small image media record.
pub(crate) fn image_media(n: u64, pipeline_version: u32) -> MediaRecord {
    MediaRecord {
        kind: MediaKind::Image,
        mime: "image/jpeg".into(),
        frame_count: None,
        duration_s: None,
        vpdq: Vec::new(),
        video: None,
        pdq_dihedral: None,
        thumbnails: vec![Thumbnail {
            key: thumb_key(&sha(n), None),
            width: 200,
            height: 100,
            timestamp_s: None,
        }],
        error: None,
        ..full_media(n, pipeline_version)
    }
}

pub(crate) fn item(case: &str, path: &str, media: Option<Sha256>) -> EvidenceItem {
    EvidenceItem {
        path: path.into(),
        size: 1000,
        mtime: Some(1_700_000_000),
        ctime: Some(1_700_000_001),
        atime: None,
        file_type: FileType::Regular,
        case: case.into(),
        agency: case.split('-').next().unwrap_or("XX").into(),
        media,
        error: None,
    }
}
