//! Everything written comes back equal.

use proptest::prelude::*;
use serde_json::json;
use vidi_store::{Change, PutOutcome, Store, Workspace};
use vidi_types::{
    Camera, Digests, EvidenceItem, FileError, FileErrorKind, FileType, Gps, GpsFlag, GpsSource,
    Md5, MediaKind, MediaRecord, Metadata, PdqHash, PdqWithQuality, Sha1, Sha256, Thumbnail,
    VideoInfo, VpdqFrame,
};

use crate::common::{full_media, item, store};

#[test]
fn full_media_and_items_round_trip() {
    let (_dir, _ws, mut store) = store();
    let m = full_media(7, 3);
    let mut regular = item("BE-2024-017", "/evidence/b/clip.mp4", Some(m.sha256()));
    regular.atime = Some(1_700_000_002);
    regular.error = Some(FileError::new(FileErrorKind::Io, "short read"));
    let out = store.put_item(Some(&m), &regular).unwrap();
    assert_eq!(
        out,
        PutOutcome {
            media: Some(Change::New),
            evidence: Change::New
        }
    );

    let symlink = EvidenceItem {
        file_type: FileType::Symlink {
            target: "../outside/target.jpg".into(),
        },
        media: None,
        size: 21,
        ..item("BE-2024-017", "/evidence/a/link.jpg", None)
    };
    let special = EvidenceItem {
        file_type: FileType::Special {
            what: "fifo".into(),
        },
        media: None,
        size: 0,
        mtime: None,
        ctime: None,
        ..item("BE-2024-017", "/evidence/c/pipe", None)
    };
    store.put_item(None, &symlink).unwrap();
    store.put_item(None, &special).unwrap();

    let rows = store.list_evidence(None).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].item, symlink);
    assert_eq!(rows[0].media, None);
    assert_eq!(rows[1].item, regular);
    assert_eq!(rows[1].media.as_ref(), Some(&m));
    assert_eq!(rows[2].item, special);

    assert_eq!(store.media(&m.sha256()).unwrap().as_ref(), Some(&m));
    assert_eq!(
        store.evidence_for_media(&m.sha256()).unwrap(),
        vec![regular]
    );
}

#[test]
fn empty_vectors_and_nones_round_trip() {
    let (_dir, _ws, mut store) = store();
    let mut m = full_media(8, 1);
    m.pdq = None;
    m.pdq_dihedral = Some(Vec::new()); // Some(empty) is not None
    m.vpdq.clear();
    m.thumbnails.clear();
    m.video = None;
    m.metadata = Metadata::default();
    m.error = None;
    m.width = None;
    m.height = None;
    m.frame_count = None;
    m.duration_s = None;
    store
        .put_item(Some(&m), &item("X-1", "/p", Some(m.sha256())))
        .unwrap();
    assert_eq!(store.media(&m.sha256()).unwrap(), Some(m));
}

fn pdq() -> impl Strategy<Value = PdqHash> {
    any::<[u8; 32]>().prop_map(PdqHash)
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![-1.0e9..1.0e9f64, Just(0.0), Just(-0.0), Just(f64::MAX)]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ./_-]{0,20}",
        any::<String>(),
        Just("O'Brien; DROP TABLE media;--".to_string()),
    ]
}

fn gps() -> impl Strategy<Value = Gps> {
    (
        proptest::option::of(finite()),
        proptest::option::of(finite()),
        proptest::option::of(finite()),
        proptest::option::of(text()),
        prop_oneof![
            Just(GpsSource::Exif),
            Just(GpsSource::Xmp),
            Just(GpsSource::QuickTimeXyz),
            Just(GpsSource::QuickTimeKeys)
        ],
        proptest::collection::vec(
            prop_oneof![
                Just(GpsFlag::ZeroZero),
                Just(GpsFlag::LatOutOfRange),
                Just(GpsFlag::LonOutOfRange),
                Just(GpsFlag::LatWithoutLon),
                Just(GpsFlag::LonWithoutLat),
                Just(GpsFlag::MissingRef),
                Just(GpsFlag::SourcesDisagree),
                Just(GpsFlag::Malformed)
            ],
            0..4,
        ),
    )
        .prop_map(|(lat, lon, alt, time, source, flags)| Gps {
            lat,
            lon,
            alt,
            time,
            source,
            flags,
        })
}

fn file_error() -> impl Strategy<Value = FileError> {
    (
        prop_oneof![
            Just(FileErrorKind::Io),
            Just(FileErrorKind::Unsupported),
            Just(FileErrorKind::Corrupt),
            Just(FileErrorKind::Truncated),
            Just(FileErrorKind::TooLarge),
            Just(FileErrorKind::Timeout),
            Just(FileErrorKind::DecoderPanic),
            Just(FileErrorKind::Metadata),
            Just(FileErrorKind::Video),
            Just(FileErrorKind::ToolMissing)
        ],
        text(),
    )
        .prop_map(|(kind, message)| FileError { kind, message })
}

prop_compose! {
    fn metadata()(
        make in proptest::option::of(text()),
        serial in proptest::option::of(text()),
        taken_at in proptest::option::of(text()),
        orientation in proptest::option::of(1u16..9),
        gps in proptest::option::of(gps()),
        gps_all in proptest::collection::vec(gps(), 0..3),
        raw_n in finite(),
        warnings in proptest::collection::vec(text(), 0..2),
    ) -> Metadata {
        Metadata {
            camera: Camera { make, serial, ..Camera::default() },
            taken_at,
            offset_time: None,
            modified_at: None,
            orientation,
            gps,
            gps_all,
            raw: json!({"exif": {"x": raw_n}}),
            warnings,
        }
    }
}

prop_compose! {
    fn media()(
        md5 in any::<[u8; 16]>(),
        sha1 in any::<[u8; 20]>(),
        sha256 in any::<[u8; 32]>(),
        size in 0..i64::MAX as u64,
        kind in prop_oneof![Just(MediaKind::Image), Just(MediaKind::Video), Just(MediaKind::Audio), Just(MediaKind::Other)],
        mime in text(),
        width in proptest::option::of(any::<u32>()),
        height in proptest::option::of(any::<u32>()),
        frame_count in proptest::option::of(any::<u32>()),
        duration_s in proptest::option::of(finite()),
        pdq in proptest::option::of((pdq(), any::<u8>()).prop_map(|(hash, quality)| PdqWithQuality { hash, quality })),
        pdq_dihedral in proptest::option::of(proptest::collection::vec(pdq(), 0..9)),
        vpdq in proptest::collection::vec((any::<u32>(), finite(), pdq(), any::<u8>()).prop_map(
            |(frame_number, timestamp_s, hash, quality)| VpdqFrame { frame_number, timestamp_s, hash, quality }), 0..5),
        video in proptest::option::of((proptest::option::of(text()), proptest::option::of(finite()), any::<i32>(), any::<bool>()).prop_map(
            |(container, fps, rotation, has_audio)| VideoInfo { container, fps, rotation, has_audio, ..VideoInfo::default() })),
        metadata in metadata(),
        thumbnails in proptest::collection::vec((text(), any::<u32>(), any::<u32>(), proptest::option::of(finite())).prop_map(
            |(key, width, height, timestamp_s)| Thumbnail { key, width, height, timestamp_s }), 0..3),
        error in proptest::option::of(file_error()),
        pipeline_version in any::<u32>(),
    ) -> MediaRecord {
        MediaRecord {
            digests: Digests { md5: Md5(md5), sha1: Sha1(sha1), sha256: Sha256(sha256) },
            size, kind, mime, width, height, frame_count, duration_s, pdq, pdq_dihedral, vpdq,
            video, metadata, thumbnails, error, pipeline_version,
        }
    }
}

prop_compose! {
    fn evidence()(
        path in text(),
        size in 0..i64::MAX as u64,
        mtime in proptest::option::of(any::<i64>()),
        ctime in proptest::option::of(any::<i64>()),
        atime in proptest::option::of(any::<i64>()),
        file_type in prop_oneof![
            Just(FileType::Regular),
            text().prop_map(|target| FileType::Symlink { target }),
            text().prop_map(|what| FileType::Special { what }),
        ],
        case in text(),
        agency in text(),
        error in proptest::option::of(file_error()),
    ) -> EvidenceItem {
        EvidenceItem { path, size, mtime, ctime, atime, file_type, case, agency, media: None, error }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_records_round_trip(m in media(), mut it in evidence(), with_media in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap();
        let mut store = Store::open(&ws).unwrap();
        if with_media {
            it.media = Some(m.sha256());
            store.put_item(Some(&m), &it).unwrap();
            prop_assert_eq!(store.media(&m.sha256()).unwrap(), Some(m.clone()));
        } else {
            store.put_item(None, &it).unwrap();
        }
        let rows = store.list_evidence(Some(&it.case)).unwrap();
        prop_assert_eq!(rows.len(), 1);
        prop_assert_eq!(&rows[0].item, &it);
        prop_assert_eq!(rows[0].media.as_ref(), if with_media { Some(&m) } else { None });
        // Re-putting the same thing changes nothing.
        let again = store.put_item(if with_media { Some(&m) } else { None }, &it).unwrap();
        prop_assert_eq!(again.evidence, Change::Unchanged);
        prop_assert_eq!(store.counts().unwrap().evidence, 1);
    }
}
