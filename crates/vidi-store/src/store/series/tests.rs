//! Unit tests of the series store.
use super::*;
use crate::Workspace;

fn sha(n: u8) -> Sha256 {
    Sha256([n; 32])
}

/// A store with media 1..=4: 1, 2 in case BE-1 (agency BE), 3 in CA-1
/// (agency CA), 4 in both.
fn fixture() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("W")).unwrap();
    let store = Store::open(&ws).unwrap();
    let c = &store.conn;
    c.execute_batch(
        "INSERT INTO agencies (id, code) VALUES (1, 'BE'), (2, 'CA');
         INSERT INTO cases (id, number, agency_id) VALUES (1, 'BE-1', 1), (2, 'CA-1', 2);",
    )
    .unwrap();
    for n in 1..=4u8 {
        c.execute(
            "INSERT INTO media (sha256, md5, sha1, size, kind, mime, metadata_json,
                 pipeline_version)
             VALUES (?1, ?2, ?3, 1, 'image', 'image/png', '{}', 1)",
            params![sha(n).to_hex(), "0".repeat(32), "0".repeat(40)],
        )
        .unwrap();
    }
    let ev = |case: i64, agency: i64, n: u8| {
        c.execute(
            "INSERT INTO evidence (case_id, path, size, file_type, agency_id, media_sha256)
             VALUES (?1, ?2, 1, 'regular', ?3, ?4)",
            params![case, format!("/e/{case}/{n}"), agency, sha(n).to_hex()],
        )
        .unwrap();
    };
    ev(1, 1, 1);
    ev(1, 1, 2);
    ev(2, 2, 3);
    ev(1, 1, 4);
    ev(2, 2, 4);
    (dir, store)
}

fn hit(store: &Store, set: i64, n: u8, entry: i64, series: &str) {
    store
        .conn
        .execute(
            "INSERT OR IGNORE INTO hashsets (id, name, file_sha256, format, source_path, status)
             VALUES (?1, ?2, ?3, 'vics', '/x', 'ready')",
            params![set, format!("set{set}"), "a".repeat(64)],
        )
        .unwrap();
    store
        .conn
        .execute(
            "INSERT INTO hashset_hits (media_sha256, set_id, entry_id, rule, distance, series)
             VALUES (?1, ?2, ?3, 'md5', 0, ?4)",
            params![sha(n).to_hex(), set, entry, series],
        )
        .unwrap();
}

#[test]
fn create_rename_add_remove_with_history() {
    let (_d, mut s) = fixture();
    let id = s.create_series("Blue room", "alice").unwrap();
    assert!(matches!(
        s.create_series(" blue ROOM ", "bob"),
        Err(SeriesError::NameTaken { .. })
    ));
    assert!(matches!(
        s.create_series("  ", "bob"),
        Err(SeriesError::BadName)
    ));
    assert_eq!(s.add_to_series(id, &[sha(1), sha(3)], "alice").unwrap(), 2);
    assert_eq!(s.add_to_series(id, &[sha(1)], "alice").unwrap(), 0);
    assert!(matches!(
        s.add_to_series(id, &[sha(9)], "alice"),
        Err(SeriesError::Store(StoreError::NoSuchMedia { .. }))
    ));
    s.rename_series(id, "Room A", "bob").unwrap();
    assert_eq!(s.resolve_series("room a", None).unwrap(), id);
    assert_eq!(s.resolve_series(&id.to_string(), None).unwrap(), id);
    assert!(s.resolve_series("Blue room", None).is_err());
    s.remove_from_series(id, &[sha(3)], "bob").unwrap();
    assert!(matches!(
        s.remove_from_series(id, &[sha(3)], "bob"),
        Err(SeriesError::NotAMember { .. })
    ));
    let d = s.series_detail(id, None).unwrap();
    assert_eq!(d.summary.name, "Room A");
    assert_eq!(d.summary.media, 1);
    assert_eq!(d.cases, vec!["BE-1"]);
    assert_eq!(d.agencies, vec!["BE"]);
    let actions: Vec<&str> = d.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "add", "add", "rename", "remove"]);
    assert_eq!(d.history[3].actor, "bob");
    assert_eq!(d.media[0].added_by, "alice");
    assert_eq!(d.media[0].origin, MemberOrigin::Manual);
}

#[test]
fn merge_keeps_history_and_split_moves_media() {
    let (_d, mut s) = fixture();
    let a = s.create_series("A", "alice").unwrap();
    let b = s.create_series("B", "alice").unwrap();
    s.add_to_series(a, &[sha(1), sha(2)], "alice").unwrap();
    s.add_to_series(b, &[sha(2), sha(3)], "alice").unwrap();
    assert!(matches!(
        s.merge_series(a, a, "x"),
        Err(SeriesError::SelfMerge { .. })
    ));
    assert_eq!(s.merge_series(a, b, "bob").unwrap(), 1);
    // The merged series resolves to the survivor and cannot change.
    assert_eq!(s.resolve_series("A", None).unwrap(), b);
    assert_eq!(s.resolve_series(&a.to_string(), None).unwrap(), b);
    assert!(matches!(
        s.add_to_series(a, &[sha(4)], "x"),
        Err(SeriesError::Merged { .. })
    ));
    let d = s.series_detail(b, None).unwrap();
    assert_eq!(d.summary.media, 3);
    assert_eq!(d.merged_from, vec![(a, "A".to_owned())]);
    assert_eq!(s.list_series(None).unwrap().len(), 1);
    let from_merge = d.media.iter().find(|m| m.sha256 == sha(1)).unwrap();
    assert_eq!(from_merge.origin, MemberOrigin::Merge);
    assert_eq!(from_merge.source_id, Some(a));

    assert!(matches!(
        s.split_series(b, "C", &[sha(4)], "x"),
        Err(SeriesError::NotAMember { .. })
    ));
    let c = s.split_series(b, "C", &[sha(3), sha(1)], "carol").unwrap();
    assert_eq!(s.series_media(b, None).unwrap(), vec![sha(2)]);
    assert_eq!(s.series_media(c, None).unwrap(), vec![sha(1), sha(3)]);
    let dc = s.series_detail(c, None).unwrap();
    assert_eq!(dc.split_from, Some(b));
    assert_eq!(dc.summary.origin, "split");
    assert_eq!(dc.summary.agencies, 2);
}

#[test]
fn hashset_series_names_create_and_join() {
    let (_d, mut s) = fixture();
    hit(&s, 1, 1, 10, "Series-X");
    hit(&s, 1, 2, 11, "  Series-X ");
    hit(&s, 1, 3, 12, "");
    let list = s.list_series(None).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "Series-X");
    assert_eq!(list[0].origin, "hashset");
    assert_eq!(list[0].media, 2);
    assert_eq!(list[0].hashset_names, vec!["Series-X"]);
    let id = list[0].id;
    let d = s.series_detail(id, None).unwrap();
    assert_eq!(d.media[0].origin, MemberOrigin::Hashset);
    assert_eq!(d.media[0].added_by, "hashset:set1");
    assert_eq!(d.hashset_names[0].set_name.as_deref(), Some("set1"));

    // Renamed and merged: the hash-set name still reaches it.
    let other = s.create_series("Manual", "alice").unwrap();
    s.merge_series(id, other, "alice").unwrap();
    hit(&s, 2, 4, 1, "series-x");
    assert_eq!(s.series_media(other, None).unwrap().len(), 3);
    assert_eq!(s.resolve_series("SERIES-X", None).unwrap(), other);
    // A removed media is not re-added by a new hit.
    s.remove_from_series(other, &[sha(1)], "alice").unwrap();
    hit(&s, 2, 1, 2, "Series-X");
    assert_eq!(s.series_media(other, None).unwrap().len(), 2);

    // A hash-set name equal to a live manual series joins it.
    let m = s.create_series("Y-Name", "alice").unwrap();
    hit(&s, 1, 3, 13, "y-name");
    assert_eq!(s.series_media(m, None).unwrap(), vec![sha(3)]);
}

#[test]
fn visible_cases_hide_media_cases_and_series() {
    let (_d, mut s) = fixture();
    let a = s.create_series("A", "alice").unwrap();
    s.add_to_series(a, &[sha(1), sha(3), sha(4)], "alice")
        .unwrap();
    let ca_only = s.create_series("CA only", "alice").unwrap();
    s.add_to_series(ca_only, &[sha(3)], "alice").unwrap();
    let be = case_ids(&s, &["BE-1", "nope"]).unwrap();
    assert_eq!(be, vec![1]);
    let vis = Some(be.as_slice());
    let d = s.series_detail(a, vis).unwrap();
    assert_eq!(s.series_media(a, vis).unwrap(), vec![sha(1), sha(4)]);
    assert_eq!(d.cases, vec!["BE-1"]);
    assert_eq!(d.agencies, vec!["BE"]);
    assert_eq!(d.summary.media, 2);
    assert_eq!(d.summary.cases, 1);
    assert!(d.media.iter().all(|m| m.cases == ["BE-1"]));
    assert!(
        d.history
            .iter()
            .all(|e| e.detail.as_deref() != Some(sha(3).to_hex().as_str()))
    );
    let names: Vec<String> = s
        .list_series(vis)
        .unwrap()
        .into_iter()
        .map(|x| x.name)
        .collect();
    assert_eq!(names, ["A"]);
    assert!(matches!(
        s.resolve_series("CA only", vis),
        Err(SeriesError::NoSuchSeries { .. })
    ));
    assert!(s.series_detail(ca_only, vis).is_err());
    assert!(s.series_detail(ca_only, Some(&[])).is_err());
}

#[test]
fn clusters_are_labelled_by_visible_media() {
    let (_d, mut s) = fixture();
    let a = s.create_series("A", "alice").unwrap();
    s.add_to_series(a, &[sha(2)], "alice").unwrap();
    // Cluster of 1 (smallest, case BE-1), 2 and 3.
    s.conn
        .execute_batch(&format!(
            "INSERT INTO link_clusters VALUES ('{0}', '{0}'), ('{1}', '{0}'), ('{2}', '{0}');",
            sha(1).to_hex(),
            sha(2).to_hex(),
            sha(3).to_hex()
        ))
        .unwrap();
    let d = s.series_detail(a, None).unwrap();
    assert_eq!(d.clusters[0].cluster, sha(1));
    assert_eq!(d.clusters[0].media, vec![sha(2)]);
    // Seen from BE-1 the cluster id (media 1) is visible.
    let d = s.series_detail(a, Some(&[1])).unwrap();
    assert_eq!(d.clusters[0].cluster, sha(1));
    // Media 2 also in CA-1, where media 1 is not: labelled by media 2.
    s.conn
        .execute(
            "INSERT INTO evidence (case_id, path, size, file_type, agency_id, media_sha256)
             VALUES (2, '/e/2/2', 1, 'regular', 2, ?1)",
            [sha(2).to_hex()],
        )
        .unwrap();
    let d = s.series_detail(a, Some(&[2])).unwrap();
    assert_eq!(d.clusters[0].cluster, sha(2));
}
