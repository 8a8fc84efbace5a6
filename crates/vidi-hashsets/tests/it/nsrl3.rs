//! NSRL RDS v3 (SQLite) reading, and `read_path`.

use std::path::Path;

use rusqlite::Connection;
use vidi_hashsets::{
    Format, HashEntry, HashSetError, ReadOptions, ReadSummary, Rejected, Scheme, detect,
    read_nsrl3, read_path, read_with,
};

/// The RDS v3 tables `FILE` is built from, and the `FILE` view, to the
/// schema in `corpora/hashlists/nsrl-rdsv3-schema` (only the columns the
/// view uses).
const RDS_VIEW_SCHEMA: &str = "
CREATE TABLE PACKAGE_OBJECT (
    package_object_id INTEGER UNIQUE NOT NULL PRIMARY KEY,
    package_id INTEGER NOT NULL,
    object_id INTEGER UNIQUE NOT NULL);
CREATE TABLE METADATA (
    metadata_id NUMERIC UNIQUE NOT NULL PRIMARY KEY,
    object_id INTEGER,
    key_hash VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    extension VARCHAR DEFAULT '' NOT NULL,
    bytes INTEGER NOT NULL,
    crc32 VARCHAR NOT NULL,
    md5 VARCHAR NOT NULL,
    sha1 VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL);
CREATE VIEW FILE AS
    SELECT UPPER(md.sha256) AS sha256, UPPER(md.sha1) AS sha1, UPPER(md.md5) AS md5,
        CASE md.extension WHEN '' THEN md.file_name ELSE md.file_name||'.'||md.extension END AS file_name,
        md.bytes AS file_size, po.package_id
    FROM METADATA AS md, PACKAGE_OBJECT AS po
    WHERE md.object_id = po.object_id;
";

const SHA256_EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const SHA1_EMPTY: &str = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
const MD5_EMPTY: &str = "d41d8cd98f00b204e9800998ecf8427e";

fn shared_schema() -> Option<String> {
    std::fs::read_to_string(
        vidi_testkit::shared_path()
            .join("corpora/hashlists/nsrl-rdsv3-schema/RDS_2021.12.2_curated.schema.sql"),
    )
    .ok()
}

fn read(path: &Path) -> Result<(Vec<HashEntry>, Vec<Rejected>, ReadSummary), HashSetError> {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    let s = read_nsrl3(path, &mut |e| ok.push(e), &mut |r| bad.push(r))?;
    Ok((ok, bad, s))
}

/// Rows into METADATA/PACKAGE_OBJECT: (object, package, name, ext, bytes, md5, sha1, sha256).
fn fill_view_db(conn: &Connection) {
    // The real schema's `extractee_id DEFAULT 0` points at no row.
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    type Row<'a> = (i64, i64, &'a str, &'a str, i64, &'a str, &'a str, &'a str);
    let rows: [Row<'_>; 4] = [
        (
            1,
            100,
            "empty",
            "bin",
            0,
            MD5_EMPTY,
            SHA1_EMPTY,
            SHA256_EMPTY,
        ),
        (
            2,
            100,
            "README",
            "",
            4109,
            MD5_EMPTY,
            SHA1_EMPTY,
            SHA256_EMPTY,
        ),
        (
            3,
            200,
            "bad",
            "dll",
            1,
            MD5_EMPTY,
            "not-a-sha1",
            SHA256_EMPTY,
        ),
        (4, 200, "noms", "txt", 2, "", "", ""),
    ];
    for (obj, pkg, name, ext, bytes, md5, sha1, sha256) in rows {
        conn.execute(
            "INSERT INTO PACKAGE_OBJECT (package_object_id, package_id, object_id) VALUES (?1, ?2, ?1)",
            (obj, pkg),
        )
        .unwrap();
        conn.execute(
            "INSERT INTO METADATA (metadata_id, object_id, key_hash, path, file_name, extension, bytes, crc32, md5, sha1, sha256) \
             VALUES (?1, ?1, '', '', ?2, ?3, ?4, '00000000', ?5, ?6, ?7)",
            (obj, name, ext, bytes, md5, sha1, sha256),
        )
        .unwrap();
    }
}

fn check_view_db(path: &Path) {
    let mut head = [0u8; 64];
    let n = std::io::Read::read(&mut std::fs::File::open(path).unwrap(), &mut head).unwrap();
    assert_eq!(detect(&head[..n]), Some(Format::Nsrl3));
    let (ok, bad, s) = read(path).unwrap();
    assert_eq!(
        s,
        ReadSummary {
            read: 4,
            accepted: 2,
            rejected: 2
        }
    );
    assert_eq!(ok[0].file_name.as_deref(), Some("empty.bin"));
    assert_eq!(ok[1].file_name.as_deref(), Some("README"));
    assert_eq!(ok[1].size, Some(4109));
    assert_eq!(ok[0].sha256.unwrap().to_hex(), SHA256_EMPTY);
    assert_eq!(ok[0].sha1.unwrap().to_hex(), SHA1_EMPTY);
    assert_eq!(ok[0].md5.unwrap().to_hex(), MD5_EMPTY);
    assert_eq!(ok[0].source_id.as_deref(), Some("100"));
    assert_eq!(ok[0].categories[0].scheme, Scheme::Nsrl);
    assert_eq!(ok[0].categories[0].code, "known");
    // A view has no rowid: the 1-based position in the scan.
    assert_eq!(bad[0].line, Some(3));
    assert!(bad[0].reason.contains("bad sha1"), "{}", bad[0].reason);
    assert_eq!(bad[1].line, Some(4));
    assert!(bad[1].reason.contains("no sha256"), "{}", bad[1].reason);
}

#[test]
fn rds3_view_built_to_formats_md() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rds.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(RDS_VIEW_SCHEMA).unwrap();
    fill_view_db(&conn);
    drop(conn);
    check_view_db(&path);
}

#[test]
fn rds3_real_schema() {
    let Some(schema) = shared_schema() else {
        println!("SKIP rds3_real_schema: shared dir not found (set VIDI_SHARED_DIR)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rds-real.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(&schema).unwrap();
    fill_view_db(&conn);
    drop(conn);
    check_view_db(&path);
}

#[test]
fn rds3_table_rejects_with_rowid_and_reads_odd_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("min.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE FILE (sha256 VARCHAR, sha1 VARCHAR, md5 VARCHAR, crc32 VARCHAR, \
         file_name VARCHAR, file_size INTEGER, package_id INTEGER);",
    )
    .unwrap();
    let ins = "INSERT INTO FILE (rowid, sha256, sha1, md5, file_name, file_size, package_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    conn.execute(
        ins,
        (3, SHA256_EMPTY, SHA1_EMPTY, MD5_EMPTY, "a.txt", "12", 7),
    )
    .unwrap();
    conn.execute(ins, (7, SHA256_EMPTY, SHA1_EMPTY, "zz", "b.txt", 1, 7))
        .unwrap();
    conn.execute(
        "INSERT INTO FILE (rowid, sha256, file_size) VALUES (9, ?1, -5)",
        [SHA256_EMPTY],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO FILE (rowid, sha1, file_name, file_size) VALUES (11, ?1, x'ff', 1)",
        [SHA1_EMPTY],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO FILE (rowid, md5, file_name, file_size) VALUES (12, ?1, NULL, NULL)",
        [MD5_EMPTY.to_uppercase()],
    )
    .unwrap();
    drop(conn);
    let (ok, bad, s) = read(&path).unwrap();
    assert_eq!((s.read, s.accepted, s.rejected), (5, 2, 3));
    assert_eq!(ok[0].size, Some(12), "text file_size");
    assert_eq!(ok[1].md5.unwrap().to_hex(), MD5_EMPTY);
    assert_eq!((ok[1].size, ok[1].file_name.as_deref()), (None, None));
    let lines: Vec<Option<u64>> = bad.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![Some(7), Some(9), Some(11)]);
    assert!(
        bad[0].reason.starts_with("row 7: bad md5"),
        "{}",
        bad[0].reason
    );
    assert!(bad[1].reason.contains("negative"));
    assert!(bad[2].reason.contains("file_name"));
}

#[test]
fn not_rds3_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("other.db");
    Connection::open(&p)
        .unwrap()
        .execute_batch("CREATE TABLE foo (x);")
        .unwrap();
    match read(&p) {
        Err(HashSetError::NotRds3 { missing, path }) => {
            assert_eq!(missing, "table or view FILE");
            assert_eq!(path, p);
        }
        other => panic!("{other:?}"),
    }
    let p = dir.path().join("nosha.db");
    Connection::open(&p)
        .unwrap()
        .execute_batch("CREATE TABLE file (sha1, md5, file_name, file_size);")
        .unwrap();
    match read(&p) {
        Err(e @ HashSetError::NotRds3 { .. }) => {
            assert!(e.to_string().ends_with("no column FILE.sha256"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // Not SQLite at all, and absent.
    let p = dir.path().join("text.db");
    std::fs::write(
        &p,
        "SQLite format 3\0 but not really a database, just text padding it out",
    )
    .unwrap();
    assert!(matches!(read(&p), Err(HashSetError::Sqlite { .. })));
    assert!(matches!(
        read(&dir.path().join("absent.db")),
        Err(HashSetError::Sqlite { .. })
    ));
}

#[test]
fn read_path_for_every_kind_and_needs_path() {
    let mut n = |_e: HashEntry| {};
    let mut r = |_r: Rejected| {};
    assert!(matches!(
        read_with(
            Format::Nsrl3,
            ReadOptions::default(),
            &b""[..],
            &mut n,
            &mut r
        ),
        Err(HashSetError::NeedsPath {
            format: Format::Nsrl3
        })
    ));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rds.db");
    let conn = Connection::open(&db).unwrap();
    conn.execute_batch(RDS_VIEW_SCHEMA).unwrap();
    fill_view_db(&conn);
    drop(conn);
    let s = read_path(Format::Nsrl3, ReadOptions::default(), &db, &mut n, &mut r).unwrap();
    assert_eq!(s.accepted, 2);
    let txt = dir.path().join("list.txt");
    std::fs::write(&txt, format!("{MD5_EMPTY},x\n{SHA1_EMPTY}\n")).unwrap();
    let s = read_path(Format::Plain, ReadOptions::default(), &txt, &mut n, &mut r).unwrap();
    assert_eq!(s.accepted, 2);
    let absent = dir.path().join("absent.txt");
    match read_path(
        Format::Plain,
        ReadOptions::default(),
        &absent,
        &mut n,
        &mut r,
    ) {
        Err(HashSetError::File { path, .. }) => assert_eq!(path, absent),
        other => panic!("{other:?}"),
    }
}
