//! Need-to-know: agency A cannot read, list, search or infer agency B's
//! ungranted media through any scoped read.

use vidi_types::{
    Digests, EvidenceItem, FileType, Md5, MediaKind, MediaRecord, Metadata, Sha1, Sha256,
};

use super::*;
use crate::Workspace;
use crate::store::accounts::scoped::{LinkView, MediaFilter, NoteKind};
use vidi_hashsets::Category;

fn sha(n: u8) -> Sha256 {
    Sha256([n; 32])
}

fn media(n: u8) -> MediaRecord {
    MediaRecord {
        digests: Digests {
            md5: Md5([n; 16]),
            sha1: Sha1([n; 20]),
            sha256: sha(n),
        },
        size: 100,
        kind: MediaKind::Image,
        mime: "image/jpeg".into(),
        width: Some(64),
        height: Some(48),
        frame_count: None,
        duration_s: None,
        pdq: None,
        pdq_dihedral: None,
        vpdq: Vec::new(),
        video: None,
        metadata: Metadata::default(),
        thumbnails: Vec::new(),
        error: None,
        pipeline_version: 1,
    }
}

fn put(store: &mut Store, n: u8, case: &str, agency: &str) {
    let item = EvidenceItem {
        path: format!("/evidence/{case}/{n}.jpg"),
        size: 100,
        mtime: None,
        ctime: None,
        atime: None,
        file_type: FileType::Regular,
        case: case.into(),
        agency: agency.into(),
        media: Some(sha(n)),
        error: None,
    };
    store.put_item(Some(&media(n)), &item).unwrap();
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    a: Scope,
    b: Scope,
}

/// Agency A (BE) owns case A-1 with media 1, 2; agency B (NL) owns case
/// B-1 with media 3 (linked to 1), 4 (GPS), and media 2 is also in B-1.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("W")).unwrap();
    let mut store = Store::open(&ws).unwrap();
    store.add_agency("A", "BE", Some("Agency A")).unwrap();
    store.add_agency("B", "NL", Some("Agency B")).unwrap();
    put(&mut store, 1, "A-1", "A");
    put(&mut store, 2, "A-1", "A");
    put(&mut store, 3, "B-1", "B");
    put(&mut store, 4, "B-1", "B");
    put(&mut store, 2, "B-1", "B");
    let hex = |n: u8| sha(n).to_hex();
    store
        .conn
        .execute(
            "INSERT INTO media_links (a, b, kind, distance, extractor, extractor_version)
             VALUES (?1, ?2, 'pdq', 4, 'test', 1)",
            [hex(1), hex(3)],
        )
        .unwrap();
    // One cluster {1, 3}: its id is media 1, hidden from B.
    for (m, c) in [(1, 1), (3, 1)] {
        store
            .conn
            .execute(
                "INSERT INTO link_clusters (sha256, cluster) VALUES (?1, ?2)",
                [hex(m), hex(c)],
            )
            .unwrap();
    }
    store
        .conn
        .execute(
            "UPDATE media SET gps_lat = 52.1, gps_lon = 5.1 WHERE sha256 = ?1",
            [hex(4)],
        )
        .unwrap();
    for (n, agency) in [(1u8, "A"), (2, "B")] {
        store
            .add_user(&NewUser {
                username: &format!("user{n}"),
                password_hash: "x",
                role: Role::Admin,
                agency,
            })
            .unwrap();
    }
    let users = store.users().unwrap();
    let a = store.scope_of_user(users[0].id).unwrap().unwrap();
    let b = store.scope_of_user(users[1].id).unwrap().unwrap();
    assert_eq!(a.agency_code(), "A");
    Fixture {
        _dir: dir,
        store,
        a,
        b,
    }
}

#[test]
fn cases_are_listed_by_need_to_know() {
    let f = fixture();
    let cases = f.store.scoped_cases(&f.a).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].number, "A-1");
    assert_eq!(cases[0].media_count, 2);
    assert!(
        f.store
            .scoped_media_page(&f.a, "B-1", &MediaFilter::default(), 10, None)
            .unwrap()
            .is_none()
    );
    // Absent case: same answer.
    assert!(
        f.store
            .scoped_media_page(&f.a, "NOPE", &MediaFilter::default(), 10, None)
            .unwrap()
            .is_none()
    );
}

#[test]
fn hidden_media_reads_as_absent() {
    let f = fixture();
    for n in [3u8, 4] {
        assert!(f.store.scoped_media(&f.a, &sha(n)).unwrap().is_none());
        assert!(!f.store.media_visible(&f.a, &sha(n)).unwrap());
        assert!(
            f.store
                .scoped_thumbnail_key(&f.a, &sha(n))
                .unwrap()
                .is_none()
        );
        assert!(f.store.scoped_file(&f.a, &sha(n)).unwrap().is_none());
    }
    // Same as a media that does not exist at all.
    assert!(f.store.scoped_media(&f.a, &sha(99)).unwrap().is_none());
    assert_eq!(
        f.store
            .visible_media(&f.a, &[sha(4), sha(1), sha(3), sha(2)])
            .unwrap(),
        vec![sha(1), sha(2)]
    );
    // Writes are refused the same way.
    let mut f = f;
    let a = f.a.clone();
    assert!(
        f.store
            .scoped_add_note(&a, &sha(3), NoteKind::Tag, "x")
            .unwrap()
            .is_none()
    );
    assert!(
        f.store
            .scoped_add_clue(&a, &sha(3), "text", "x", 0.5, None)
            .unwrap()
            .is_none()
    );
}

#[test]
fn shared_media_shows_only_visible_evidence() {
    let f = fixture();
    let v = f.store.scoped_media(&f.a, &sha(2)).unwrap().unwrap();
    assert_eq!(
        v.evidence,
        vec![("A-1".to_owned(), "/evidence/A-1/2.jpg".to_owned())]
    );
    let file = f.store.scoped_file(&f.a, &sha(2)).unwrap().unwrap();
    assert_eq!(file.path, "/evidence/A-1/2.jpg");
}

#[test]
fn link_into_ungranted_case_is_restricted() {
    let f = fixture();
    let v = f.store.scoped_media(&f.a, &sha(1)).unwrap().unwrap();
    assert_eq!(v.links.len(), 1);
    match &v.links[0] {
        LinkView::Restricted {
            other_agency,
            restricted,
            ..
        } => {
            assert!(restricted);
            assert_eq!(other_agency.code, "B");
            assert_eq!(other_agency.country.as_deref(), Some("NL"));
        }
        other => panic!("expected restricted, got {other:?}"),
    }
    let json = serde_json::to_string(&v.links).unwrap();
    assert!(!json.contains(&sha(3).to_hex()));
    assert!(!json.contains("B-1"));
    // B sees the same link restricted the other way.
    let vb = f.store.scoped_media(&f.b, &sha(3)).unwrap().unwrap();
    assert!(
        matches!(&vb.links[0], LinkView::Restricted { other_agency, .. } if other_agency.code == "A")
    );
}

#[test]
fn clusters_never_name_hidden_media() {
    let f = fixture();
    // Media 1's cluster head is media 1 itself: visible.
    let v = f.store.scoped_media(&f.a, &sha(1)).unwrap().unwrap();
    assert_eq!(v.cluster, Some(sha(1).to_hex()));
    // Filtering by a hidden cluster head finds nothing (not an error).
    let filter = MediaFilter {
        cluster: Some(sha(3).to_hex()),
        ..MediaFilter::default()
    };
    let page = f
        .store
        .scoped_media_page(&f.a, "A-1", &filter, 10, None)
        .unwrap()
        .unwrap();
    assert_eq!(page.total, 0);
    // B sees the cluster named by its smallest visible member (3), not 1.
    let v = f.store.scoped_media(&f.b, &sha(3)).unwrap().unwrap();
    assert_eq!(v.cluster, Some(sha(3).to_hex()));
}

#[test]
fn map_and_filters_are_scoped() {
    let f = fixture();
    let map = f.store.scoped_map(&f.a, None).unwrap().unwrap();
    assert!(map.points.is_empty());
    assert!(f.store.scoped_map(&f.a, Some("B-1")).unwrap().is_none());
    let map = f.store.scoped_map(&f.b, None).unwrap().unwrap();
    assert_eq!(map.points.len(), 1);
    let gps = MediaFilter {
        has_gps: Some(true),
        ..MediaFilter::default()
    };
    let page = f
        .store
        .scoped_media_page(&f.b, "B-1", &gps, 10, None)
        .unwrap()
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].sha256, sha(4).to_hex());
}

#[test]
fn grants_open_a_case_and_only_owner_admins_grant() {
    let mut f = fixture();
    let (a, b) = (f.a.clone(), f.b.clone());
    // A cannot grant B's case (and learns nothing about it).
    assert!(matches!(
        f.store.grant_case(&a, "B-1", "A"),
        Err(AccountError::UnknownCase { .. })
    ));
    let g = f.store.grant_case(&b, "B-1", "A").unwrap();
    assert_eq!(g.granted_by.as_deref(), Some("user2"));
    let cases = f.store.scoped_cases(&a).unwrap();
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[1].access, Access::Granted);
    assert!(f.store.scoped_media(&a, &sha(3)).unwrap().is_some());
    let v = f.store.scoped_media(&a, &sha(1)).unwrap().unwrap();
    assert!(matches!(&v.links[0], LinkView::Visible { .. }));
    assert_eq!(f.store.grants(&b).unwrap().len(), 1);
    assert!(f.store.grants(&a).unwrap().is_empty());
}

#[test]
fn pagination_walks_every_media_once() {
    let mut f = fixture();
    for n in 10..40u8 {
        put(&mut f.store, n, "A-1", "A");
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = f
            .store
            .scoped_media_page(&f.a, "A-1", &MediaFilter::default(), 7, cursor.as_deref())
            .unwrap()
            .unwrap();
        assert_eq!(page.total, 32);
        seen.extend(page.items.iter().map(|i| i.sha256.clone()));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 32);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen);
}

#[test]
fn sessions_expire_when_idle() {
    let mut f = fixture();
    let uid = f.a.user_id();
    let h = "ab".repeat(32);
    f.store
        .create_session(uid, &h, "csrf", 1000, 60, None)
        .unwrap();
    assert!(f.store.touch_session(&h, 1059).unwrap().is_some());
    // Touched at 1059: still alive at 1119, gone at 1180.
    assert!(f.store.touch_session(&h, 1119).unwrap().is_some());
    assert!(f.store.touch_session(&h, 1180).unwrap().is_none());
    assert!(f.store.touch_session(&h, 1181).unwrap().is_none());
}

#[test]
fn accounts_validate_input() {
    let mut f = fixture();
    assert!(matches!(
        f.store.add_agency("bad code", "BE", None),
        Err(AccountError::Invalid { .. })
    ));
    assert!(matches!(
        f.store.add_agency("X", "be", None),
        Err(AccountError::Invalid { .. })
    ));
    let nu = |name: &'static str, agency: &'static str| NewUser {
        username: name,
        password_hash: "h",
        role: Role::Analyst,
        agency,
    };
    assert!(matches!(
        f.store.add_user(&nu("user1", "A")),
        Err(AccountError::UsernameTaken { .. })
    ));
    assert!(matches!(
        f.store.add_user(&nu("newuser", "ZZ")),
        Err(AccountError::UnknownAgency { .. })
    ));
    assert!(matches!(
        check_password_policy("short"),
        Err(AccountError::WeakPassword { .. })
    ));
    let agencies = f.store.agencies().unwrap();
    assert_eq!(agencies[0].name.as_deref(), Some("Agency A"));
}

#[test]
fn clues_series_and_embeddings_are_read_within_the_scope() {
    let mut f = fixture();
    let row = |value: &str| crate::store::ClueRow {
        kind: "gps_place".into(),
        value: value.into(),
        confidence: 1.0,
        extractor: "t".into(),
        version: 1,
        model_name: None,
        model_sha256: None,
        region: None,
        time_range: None,
        detail: serde_json::Value::Null,
    };
    for (n, c) in [(1u8, "BE"), (3, "NL"), (4, "NL")] {
        f.store
            .put_clues(&sha(n), "t", "t/1", &[row(c)], None)
            .unwrap();
    }
    let mut seen = Vec::new();
    let r = f.store.scoped_clues_by_media(&f.a, None, |sha, rows| {
        seen.push((sha.to_owned(), rows.len()));
    });
    assert_eq!(r.unwrap(), Some(()));
    assert_eq!(
        seen,
        vec![(sha(1).to_hex(), 1)],
        "A sees media 1's clues only"
    );
    assert_eq!(
        f.store
            .scoped_clues_by_media(&f.a, Some("B-1"), |_, _| panic!("hidden"))
            .unwrap(),
        None
    );

    // The series filter takes a visible series (id or name) only.
    let s = f.store.create_series("S", "t").unwrap();
    f.store.add_to_series(s, &[sha(1), sha(3)], "t").unwrap();
    let hidden = f.store.create_series("Hidden", "t").unwrap();
    f.store.add_to_series(hidden, &[sha(4)], "t").unwrap();
    let page = |f: &Fixture, scope: &Scope, case: &str, filter: MediaFilter| {
        f.store
            .scoped_media_page(scope, case, &filter, 10, None)
            .unwrap()
            .unwrap()
            .total
    };
    let by = |key: String| MediaFilter {
        series: Some(key),
        ..MediaFilter::default()
    };
    assert_eq!(page(&f, &f.a, "A-1", by(s.to_string())), 1);
    assert_eq!(page(&f, &f.a, "A-1", by("S".into())), 1);
    assert_eq!(page(&f, &f.a, "A-1", by(hidden.to_string())), 0);
    assert_eq!(page(&f, &f.b, "B-1", by("Hidden".into())), 1);
    let only = MediaFilter {
        media_in: Some(vec![sha(2).to_hex(), sha(3).to_hex()]),
        ..MediaFilter::default()
    };
    assert_eq!(page(&f, &f.a, "A-1", only), 1);
    let item = f.store.scoped_media(&f.a, &sha(1)).unwrap().unwrap();
    assert_eq!(item.series, vec!["S".to_owned()]);

    // Embedding models and the visible embedded count.
    assert!(f.store.embedding_models().unwrap().is_empty());
    let key = crate::embeddings::ModelKey {
        name: "m@r".into(),
        sha256: "cd".repeat(32),
        dim: 2,
    };
    for n in [1u8, 3, 4] {
        let region = crate::embeddings::StoredRegion {
            index: 0,
            x: 0,
            y: 0,
            width: 1,
            height: 1,
            vector: vec![1.0, 0.0],
        };
        f.store.put_embeddings(&sha(n), &key, &[region]).unwrap();
    }
    assert_eq!(f.store.embedding_models().unwrap(), vec![key.clone()]);
    assert_eq!(f.store.scoped_embedded_count(&f.a, &key).unwrap(), 1);
    assert_eq!(f.store.scoped_embedded_count(&f.b, &key).unwrap(), 2);
}

#[test]
fn cached_totals_and_items_follow_every_write() {
    let mut f = fixture();
    let caches = ReadCaches::default();
    let cat = Category::new(vidi_hashsets::Scheme::Plain, "1");
    let by_cat = MediaFilter {
        category: Some("1".into()),
        ..MediaFilter::default()
    };
    let page = |s: &Store, filter: &MediaFilter| {
        s.scoped_media_page_cached(&caches, &f.a, "A-1", filter, 10, None)
            .unwrap()
            .unwrap()
    };
    let count = |s: &Store| s.scoped_cases_cached(&caches, &f.a).unwrap()[0].media_count;
    assert_eq!(page(&f.store, &MediaFilter::default()).total, 2);
    assert_eq!(page(&f.store, &by_cat).total, 0);
    assert_eq!(count(&f.store), 2);
    // Served from the caches now; the same answers.
    assert_eq!(page(&f.store, &MediaFilter::default()).total, 2);
    assert_eq!(count(&f.store), 2);
    assert!(!caches.totals.is_empty() && !caches.items.is_empty());
    // A category changes the next filtered total and the item.
    let g0 = f.store.generation(Generation::Data).unwrap();
    f.store
        .set_media_category(&sha(1), &cat, "tester", None)
        .unwrap();
    assert!(f.store.generation(Generation::Data).unwrap() > g0);
    assert_eq!(page(&f.store, &by_cat).total, 1);
    let items = page(&f.store, &MediaFilter::default()).items;
    assert_eq!(items[0].categories.len(), 1);
    // A new media in the case changes its total and the case list.
    put(&mut f.store, 9, "A-1", "A");
    assert_eq!(page(&f.store, &MediaFilter::default()).total, 3);
    assert_eq!(count(&f.store), 3);
    // The uncached read agrees.
    let plain = f
        .store
        .scoped_media_page(&f.a, "A-1", &by_cat, 10, None)
        .unwrap()
        .unwrap();
    assert_eq!(plain, page(&f.store, &by_cat));
    // Visibility is never cached: B still cannot read A-1.
    assert!(
        f.store
            .scoped_media_page_cached(&caches, &f.b, "A-1", &MediaFilter::default(), 10, None)
            .unwrap()
            .is_none()
    );
}

#[test]
fn session_rows_and_auth_generation() {
    let mut f = fixture();
    let uid = f.a.user_id();
    let h = "cd".repeat(32);
    f.store
        .create_session(uid, &h, "csrf", 1000, 60, None)
        .unwrap();
    let g0 = f.store.generation(Generation::Auth).unwrap();
    let row = f.store.session_row(&h).unwrap().unwrap();
    assert_eq!((row.last_seen, row.idle_timeout), (1000, 60));
    assert_eq!(row.info.csrf_token, "csrf");
    f.store.record_session_seen(&h, 1050).unwrap();
    f.store.record_session_seen(&h, 1040).unwrap();
    assert_eq!(f.store.session_row(&h).unwrap().unwrap().last_seen, 1050);
    // Activity is not an auth change; a removal or a user change is.
    assert_eq!(f.store.generation(Generation::Auth).unwrap(), g0);
    assert!(!StoredSession::idle_at(1110, 1050, 60));
    assert!(StoredSession::idle_at(1111, 1050, 60));
    f.store
        .conn
        .execute("UPDATE users SET disabled = 1 WHERE id = ?1", [uid])
        .unwrap();
    let g1 = f.store.generation(Generation::Auth).unwrap();
    assert!(g1 > g0);
    assert!(f.store.session_row(&h).unwrap().is_none());
    f.store.delete_session(&h).unwrap();
    assert!(f.store.generation(Generation::Auth).unwrap() > g1);
}
