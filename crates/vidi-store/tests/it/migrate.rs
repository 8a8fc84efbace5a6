//! Old-schema databases open and migrate.

use std::fs;

use serde_json::json;
use vidi_store::{BLOBS_DIR, DB_FILE, RunInfo, SCHEMA_VERSION, Store, Workspace, migration_sql};
use vidi_types::Sha256;

/// Build a schema-version-1 workspace by hand, from the v1 SQL only, with
/// one agency, case, media (with a vPDQ frame) and evidence item.
fn v1_fixture(root: &std::path::Path) {
    fs::create_dir_all(root.join(BLOBS_DIR)).unwrap();
    let conn = rusqlite::Connection::open(root.join(DB_FILE)).unwrap();
    conn.execute_batch(migration_sql(1).unwrap()).unwrap();
    let sha = "ab".repeat(32);
    conn.execute_batch(&format!(
        "INSERT INTO meta (key, value) VALUES ('created_by', 'vidi 0.0.1');
         INSERT INTO agencies (id, code, country) VALUES (1, 'BE', 'BE');
         INSERT INTO cases (id, number, agency_id) VALUES (1, 'BE-2020-001', 1);
         INSERT INTO media (sha256, md5, sha1, size, kind, mime, width, height, pdq, pdq_quality,
            metadata_json, pipeline_version)
         VALUES ('{sha}', '{md5}', '{sha1}', 42, 'image', 'image/png', 2, 3, '{pdq}', 90,
            '{{\"camera\":{{}},\"gps_all\":[],\"raw\":null,\"warnings\":[]}}', 1);
         INSERT INTO vpdq_frames (sha256, seq, frame_number, timestamp_s, pdq, quality)
         VALUES ('{sha}', 0, 0, 0.0, '{pdq}', 90);
         INSERT INTO evidence (case_id, path, size, mtime, file_type, agency_id, media_sha256)
         VALUES (1, '/old/a.png', 42, 1600000000, 'regular', 1, '{sha}');
         PRAGMA user_version = 1;",
        md5 = "cd".repeat(16),
        sha1 = "ef".repeat(20),
        pdq = "01".repeat(32),
    ))
    .unwrap();
}

#[test]
fn version_1_database_is_migrated_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("W");
    v1_fixture(&root);
    let ws = Workspace::open(&root).unwrap();
    let mut store = Store::open(&ws).unwrap();

    let conn = rusqlite::Connection::open(ws.db_path()).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    let created: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'created_by'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(created, "vidi 0.0.1", "the creating version is kept");

    let rows = store.list_evidence(Some("BE-2020-001")).unwrap();
    assert_eq!(rows.len(), 1);
    let media = rows[0].media.as_ref().unwrap();
    assert_eq!(media.sha256(), Sha256([0xab; 32]));
    assert_eq!(media.vpdq.len(), 1);
    assert_eq!(media.pdq.map(|p| p.quality), Some(90));
    assert_eq!(store.agency_country("BE").unwrap().as_deref(), Some("BE"));

    // Tables from later migrations work.
    let id = store
        .begin_run(&RunInfo {
            case: "BE-2020-001".into(),
            agency: "BE".into(),
            roots: Vec::new(),
            pipeline_version: 1,
        })
        .unwrap();
    store.finish_run(id, "completed", &json!({})).unwrap();

    // Opening again is a no-op.
    drop(store);
    Workspace::open(&root).unwrap();
}
