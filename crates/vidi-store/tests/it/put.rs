//! put_item semantics: identity, versions, transactions.

use vidi_store::{Change, PutOutcome, StoreError};
use vidi_types::{FileType, PdqHash, VpdqFrame};

use crate::common::{full_media, image_media, item, sha, store};

fn raw_count(ws: &vidi_store::Workspace, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(ws.db_path()).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn re_put_same_item_never_duplicates() {
    let (_dir, ws, mut store) = store();
    let m = full_media(1, 2);
    let it = item("BE-1", "/e/a.mp4", Some(m.sha256()));
    let first = store.put_item(Some(&m), &it).unwrap();
    assert_eq!(first.media, Some(Change::New));
    assert_eq!(first.evidence, Change::New);
    for _ in 0..3 {
        let again = store.put_item(Some(&m), &it).unwrap();
        assert_eq!(
            again,
            PutOutcome {
                media: Some(Change::Unchanged),
                evidence: Change::Unchanged
            }
        );
    }
    // The same file with a new mtime: the row is updated in place.
    let mut touched = it.clone();
    touched.mtime = Some(1_800_000_000);
    let out = store.put_item(None, &touched).unwrap();
    assert_eq!(out.media, None);
    assert_eq!(out.evidence, Change::Updated);

    let c = store.counts().unwrap();
    assert_eq!((c.media, c.evidence, c.cases, c.agencies), (1, 1, 1, 1));
    assert_eq!(raw_count(&ws, "SELECT count(*) FROM vpdq_frames"), 3);
    assert_eq!(raw_count(&ws, "SELECT count(*) FROM pdq_dihedral"), 8);
    assert_eq!(raw_count(&ws, "SELECT count(*) FROM thumbnails"), 2);
    assert_eq!(store.list_evidence(None).unwrap()[0].item, touched);
}

#[test]
fn same_content_in_two_places_is_one_media() {
    let (_dir, _ws, mut store) = store();
    let m = image_media(2, 1);
    store
        .put_item(Some(&m), &item("BE-1", "/e/a.jpg", Some(m.sha256())))
        .unwrap();
    let out = store
        .put_item(Some(&m), &item("NL-7", "/x/copy.jpg", Some(m.sha256())))
        .unwrap();
    assert_eq!(out.media, Some(Change::Unchanged));
    assert_eq!(out.evidence, Change::New);
    let places = store.evidence_for_media(&m.sha256()).unwrap();
    let paths: Vec<_> = places
        .iter()
        .map(|i| (i.case.as_str(), i.path.as_str()))
        .collect();
    assert_eq!(paths, vec![("BE-1", "/e/a.jpg"), ("NL-7", "/x/copy.jpg")]);
    let c = store.counts().unwrap();
    assert_eq!((c.media, c.evidence, c.cases, c.agencies), (1, 2, 2, 2));
}

#[test]
fn older_pipeline_version_is_replaced_with_all_derived_rows() {
    let (_dir, ws, mut store) = store();
    let old = full_media(3, 1);
    let it = item("BE-1", "/e/v.mp4", Some(old.sha256()));
    store.put_item(Some(&old), &it).unwrap();
    assert!(store.media_is_complete(&old.sha256(), 1).unwrap());
    assert!(!store.media_is_complete(&old.sha256(), 2).unwrap());

    let mut new = full_media(3, 2);
    new.vpdq = vec![VpdqFrame {
        frame_number: 0,
        timestamp_s: 0.0,
        hash: PdqHash([0xee; 32]),
        quality: 99,
    }];
    new.pdq_dihedral = None;
    new.thumbnails.truncate(1);
    new.metadata.gps = None;
    new.metadata.camera.serial = Some("NEW-SERIAL".into());
    new.error = None;
    let out = store.put_item(Some(&new), &it).unwrap();
    assert_eq!(out.media, Some(Change::Updated));
    assert_eq!(out.evidence, Change::Unchanged);
    assert_eq!(store.media(&new.sha256()).unwrap().as_ref(), Some(&new));
    assert!(store.media_is_complete(&new.sha256(), 2).unwrap());
    assert_eq!(raw_count(&ws, "SELECT count(*) FROM vpdq_frames"), 1);
    assert_eq!(raw_count(&ws, "SELECT count(*) FROM pdq_dihedral"), 0);
    assert_eq!(raw_count(&ws, "SELECT count(*) FROM thumbnails"), 1);
    assert_eq!(
        raw_count(
            &ws,
            "SELECT count(*) FROM media WHERE gps_lat IS NULL AND camera_serial = 'NEW-SERIAL'"
        ),
        1
    );

    // An older or equal version does not overwrite the newer one.
    for stale in [full_media(3, 1), full_media(3, 2)] {
        let out = store.put_item(Some(&stale), &it).unwrap();
        assert_eq!(out.media, Some(Change::Unchanged));
        assert_eq!(store.media(&new.sha256()).unwrap().as_ref(), Some(&new));
    }
}

#[test]
fn evidence_unchanged_and_media_is_complete() {
    let (_dir, _ws, mut store) = store();
    let m = image_media(4, 5);
    let it = item("BE-1", "/e/a.jpg", Some(m.sha256()));
    assert_eq!(
        store
            .evidence_unchanged("BE-1", "/e/a.jpg", 1000, it.mtime)
            .unwrap(),
        None
    );
    store.put_item(Some(&m), &it).unwrap();
    assert_eq!(
        store
            .evidence_unchanged("BE-1", "/e/a.jpg", 1000, it.mtime)
            .unwrap(),
        Some(m.sha256())
    );
    assert_eq!(
        store
            .evidence_unchanged("BE-1", "/e/a.jpg", 1001, it.mtime)
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .evidence_unchanged("BE-1", "/e/a.jpg", 1000, None)
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .evidence_unchanged("BE-2", "/e/a.jpg", 1000, it.mtime)
            .unwrap(),
        None
    );
    // mtime None matches None.
    let mut no_mtime = item("BE-1", "/e/b.jpg", Some(m.sha256()));
    no_mtime.mtime = None;
    store.put_item(None, &no_mtime).unwrap();
    assert_eq!(
        store
            .evidence_unchanged("BE-1", "/e/b.jpg", 1000, None)
            .unwrap(),
        Some(m.sha256())
    );
    // A symlink has no media: never "unchanged".
    let link = vidi_types::EvidenceItem {
        file_type: FileType::Symlink { target: "x".into() },
        ..item("BE-1", "/e/l", None)
    };
    store.put_item(None, &link).unwrap();
    assert_eq!(
        store
            .evidence_unchanged("BE-1", "/e/l", 1000, link.mtime)
            .unwrap(),
        None
    );

    assert!(store.media_is_complete(&m.sha256(), 0).unwrap());
    assert!(store.media_is_complete(&m.sha256(), 5).unwrap());
    assert!(!store.media_is_complete(&m.sha256(), 6).unwrap());
    assert!(!store.media_is_complete(&sha(999), 0).unwrap());
}

#[test]
fn bad_puts_are_typed_errors_and_write_nothing() {
    let (_dir, _ws, mut store) = store();
    // Media not stored and not given.
    let err = store
        .put_item(None, &item("BE-1", "/e/a.jpg", Some(sha(5))))
        .unwrap_err();
    assert!(matches!(err, StoreError::MissingMedia { .. }), "{err:?}");
    // Media given but the item points elsewhere.
    let m = image_media(6, 1);
    let err = store
        .put_item(Some(&m), &item("BE-1", "/e/a.jpg", Some(sha(7))))
        .unwrap_err();
    assert!(matches!(err, StoreError::MediaMismatch { .. }), "{err:?}");
    let err = store
        .put_item(Some(&m), &item("BE-1", "/e/a.jpg", None))
        .unwrap_err();
    assert!(matches!(err, StoreError::MediaMismatch { .. }), "{err:?}");
    // Sizes beyond i64 do not fit.
    let mut huge = item("BE-1", "/e/h", None);
    huge.size = u64::MAX;
    let err = store.put_item(None, &huge).unwrap_err();
    assert!(matches!(err, StoreError::OutOfRange { .. }), "{err:?}");
    let c = store.counts().unwrap();
    assert_eq!((c.media, c.evidence, c.cases, c.agencies), (0, 0, 0, 0));
}

#[test]
fn agencies_and_cases() {
    let (_dir, _ws, mut store) = store();
    store
        .put_item(None, &item("BE-2024-017", "/a", None))
        .unwrap();
    assert_eq!(
        store.case_agency("BE-2024-017").unwrap().as_deref(),
        Some("BE")
    );
    assert_eq!(store.case_agency("nope").unwrap(), None);
    assert_eq!(store.agency_country("BE").unwrap(), None);
    store.upsert_agency("BE", Some("BE")).unwrap();
    store.upsert_agency("FR", Some("FR")).unwrap();
    assert_eq!(store.agency_country("BE").unwrap().as_deref(), Some("BE"));
    // An item found by another agency in the same case keeps its own agency.
    let mut other = item("BE-2024-017", "/b", None);
    other.agency = "NL".into();
    store.put_item(None, &other).unwrap();
    assert_eq!(
        store.case_agency("BE-2024-017").unwrap().as_deref(),
        Some("BE")
    );
    assert_eq!(store.list_evidence(None).unwrap()[1].item.agency, "NL");
    assert_eq!(store.counts().unwrap().agencies, 3);
}
