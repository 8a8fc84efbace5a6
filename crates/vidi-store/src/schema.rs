//! The SQL schema as an ordered list of migrations.
//!
//! Migration `i` (1-based) brings a database from `PRAGMA user_version = i - 1`
//! to `i`. Never edit a released migration: append a new one. Hashes are
//! stored as lower-case hex `TEXT` so that prefix lookups are plain range
//! scans on an index and the same schema works on PostgreSQL later.

use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

use crate::StoreError;

/// Schema version 1: agencies, cases, media with derived rows, evidence.
const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    country    TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE cases (
    id         INTEGER PRIMARY KEY,
    number     TEXT NOT NULL UNIQUE,
    agency_id  INTEGER NOT NULL REFERENCES agencies(id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE media (
    sha256           TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    md5              TEXT NOT NULL CHECK (length(md5) = 32),
    sha1             TEXT NOT NULL CHECK (length(sha1) = 40),
    size             INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    mime             TEXT NOT NULL,
    width            INTEGER,
    height           INTEGER,
    frame_count      INTEGER,
    duration_s       REAL,
    pdq              TEXT,
    pdq_quality      INTEGER,
    dihedral_count   INTEGER,
    video_json       TEXT,
    taken_at         TEXT,
    camera_make      TEXT,
    camera_model     TEXT,
    camera_serial    TEXT,
    gps_lat          REAL,
    gps_lon          REAL,
    gps_alt          REAL,
    gps_source       TEXT,
    gps_flags        TEXT,
    metadata_json    TEXT NOT NULL,
    error_kind       TEXT,
    error_message    TEXT,
    pipeline_version INTEGER NOT NULL,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX media_md5 ON media(md5);
CREATE INDEX media_sha1 ON media(sha1);
CREATE INDEX media_pdq ON media(pdq) WHERE pdq IS NOT NULL;
CREATE INDEX media_camera_serial ON media(camera_serial) WHERE camera_serial IS NOT NULL;
CREATE INDEX media_kind ON media(kind);

CREATE TABLE pdq_dihedral (
    sha256  TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    variant INTEGER NOT NULL,
    pdq     TEXT NOT NULL,
    PRIMARY KEY (sha256, variant)
);
CREATE INDEX pdq_dihedral_pdq ON pdq_dihedral(pdq);

CREATE TABLE vpdq_frames (
    sha256       TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    frame_number INTEGER NOT NULL,
    timestamp_s  REAL,
    pdq          TEXT NOT NULL,
    quality      INTEGER NOT NULL,
    PRIMARY KEY (sha256, seq)
);
CREATE INDEX vpdq_frames_pdq ON vpdq_frames(pdq);

CREATE TABLE thumbnails (
    sha256      TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    blob_key    TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    timestamp_s REAL,
    PRIMARY KEY (sha256, seq)
);

CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    path          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    mtime         INTEGER,
    ctime         INTEGER,
    atime         INTEGER,
    file_type     TEXT NOT NULL CHECK (file_type IN ('regular', 'symlink', 'special')),
    link_target   TEXT,
    special_kind  TEXT,
    agency_id     INTEGER NOT NULL REFERENCES agencies(id),
    media_sha256  TEXT REFERENCES media(sha256),
    error_kind    TEXT,
    error_message TEXT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (case_id, path)
);
CREATE INDEX evidence_media ON evidence(media_sha256);
CREATE INDEX evidence_error_kind ON evidence(error_kind) WHERE error_kind IS NOT NULL;
"#;

/// Schema version 2: ingest runs.
const V2: &str = r#"
CREATE TABLE ingest_runs (
    id               INTEGER PRIMARY KEY,
    started_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at      TEXT,
    status           TEXT NOT NULL
        CHECK (status IN ('running', 'completed', 'cancelled', 'failed', 'crashed', 'interrupted')),
    vidi_version     TEXT NOT NULL,
    pipeline_version INTEGER NOT NULL,
    case_number      TEXT NOT NULL,
    agency           TEXT NOT NULL,
    roots_json       TEXT NOT NULL,
    summary_json     TEXT
);
CREATE INDEX ingest_runs_status ON ingest_runs(status);
"#;

/// Schema version 3: known-hash sets, their matches and investigator
/// categories.
///
/// The entries of set `N` live in their own table `hs_N` (created by the
/// import, see `store::hashsets`): a national set has 10^6 to 10^8 rows, and a
/// table of its own is filled without indexes, indexed once at the end, and
/// dropped in one statement when the set is removed.
const V3: &str = r#"
CREATE TABLE hashsets (
    -- AUTOINCREMENT: the id of a removed set is never given to another.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    file_sha256  TEXT NOT NULL CHECK (length(file_sha256) = 64),
    format       TEXT NOT NULL,
    source_path  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('importing', 'ready')),
    entries      INTEGER NOT NULL DEFAULT 0,
    records_read INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    md5_count    INTEGER NOT NULL DEFAULT 0,
    sha1_count   INTEGER NOT NULL DEFAULT 0,
    sha256_count INTEGER NOT NULL DEFAULT 0,
    pdq_count    INTEGER NOT NULL DEFAULT 0,
    started_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    imported_at  TEXT,
    UNIQUE (name, file_sha256)
);

CREATE TABLE hashset_categories (
    id     INTEGER PRIMARY KEY,
    scheme TEXT NOT NULL,
    code   TEXT NOT NULL,
    label  TEXT NOT NULL DEFAULT '',
    UNIQUE (scheme, code, label)
);

CREATE TABLE hashset_hits (
    media_sha256 TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    set_id       INTEGER NOT NULL REFERENCES hashsets(id) ON DELETE CASCADE,
    entry_id     INTEGER NOT NULL,
    rule         TEXT NOT NULL
        CHECK (rule IN ('md5', 'sha1', 'sha256', 'pdq', 'pdq-dihedral', 'vpdq-frame')),
    distance     INTEGER NOT NULL,
    detail_json  TEXT,
    categories   TEXT NOT NULL DEFAULT '',
    flags        INTEGER NOT NULL DEFAULT 0,
    series       TEXT,
    matched_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (media_sha256, set_id, entry_id, rule)
);
CREATE INDEX hashset_hits_set ON hashset_hits(set_id);

CREATE TABLE media_categories (
    id           INTEGER PRIMARY KEY,
    media_sha256 TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    scheme       TEXT NOT NULL,
    code         TEXT NOT NULL,
    label        TEXT,
    set_by       TEXT NOT NULL,
    note         TEXT,
    set_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX media_categories_media ON media_categories(media_sha256, scheme, id);
"#;

/// Schema version 4: links between media (near duplicates, stills of
/// videos, clips), the connected components over them, and which media the
/// linker has already processed.
///
/// A link is stored once: `a` < `b` (SHA-256 hex order). Every link is kept
/// as evidence of the cluster it belongs to. A cluster's id is the smallest
/// SHA-256 among its members, so it does not depend on the order in which
/// media arrived. Media without any link have no cluster row.
const V4: &str = r#"
CREATE TABLE media_links (
    a                 TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    b                 TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    kind              TEXT NOT NULL
        CHECK (kind IN ('pdq', 'pdq-dihedral', 'vpdq', 'vpdq-clip', 'still-in-video')),
    distance          INTEGER,
    score             REAL,
    extractor         TEXT NOT NULL,
    extractor_version INTEGER NOT NULL,
    detail_json       TEXT,
    linked_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (a, b, kind),
    CHECK (a < b)
);
CREATE INDEX media_links_b ON media_links(b);

CREATE TABLE link_state (
    sha256           TEXT PRIMARY KEY REFERENCES media(sha256) ON DELETE CASCADE,
    linker_version   INTEGER NOT NULL,
    pipeline_version INTEGER NOT NULL,
    linked_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE link_clusters (
    sha256  TEXT PRIMARY KEY REFERENCES media(sha256) ON DELETE CASCADE,
    cluster TEXT NOT NULL
);
CREATE INDEX link_clusters_cluster ON link_clusters(cluster);
"#;

/// All migrations, in order. `MIGRATIONS[i]` yields schema version `i + 1`.
/// Schema version 5: clues per media and the extractor runs behind them
/// (fingerprint = extractor id, version and model: a rerun recomputes only
/// when it changed).
const V5: &str = r#"
CREATE TABLE clues (
    id              INTEGER PRIMARY KEY,
    media_sha256    TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    extractor       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    value           TEXT NOT NULL,
    confidence      REAL NOT NULL,
    version         INTEGER NOT NULL,
    model_name      TEXT,
    model_sha256    TEXT,
    region_json     TEXT,
    time_range_json TEXT,
    detail_json     TEXT,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX clues_media ON clues(media_sha256, extractor);
CREATE INDEX clues_kind_value ON clues(kind, value);

CREATE TABLE clue_runs (
    media_sha256 TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    extractor    TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    error        TEXT,
    ran_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (media_sha256, extractor)
);
"#;

/// Schema version 6: image embeddings (find-similar).
const V6: &str = include_str!("schema_sql/v6.sql");
/// Schema version 7: series.
const V7: &str = include_str!("schema_sql/v7.sql");
/// Schema version 8: accounts, sessions, case grants.
const V8: &str = include_str!("schema_sql/v8.sql");
/// Schema version 9: audit log and leads.
const V9: &str = include_str!("schema_sql/v9.sql");
/// Schema version 10: indexes for the server's grid (clues by media and kind).
const V10: &str = include_str!("schema_sql/v10.sql");
/// Schema version 11: generation counters (triggers) for the server's caches.
const V11: &str = include_str!("schema_sql/v11.sql");

const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11];

/// The schema version this code writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The SQL of one migration (1-based), for fixture databases in tests.
pub fn migration_sql(version: i64) -> Option<&'static str> {
    let idx = usize::try_from(version).ok()?.checked_sub(1)?;
    MIGRATIONS.get(idx).copied()
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Bring the database up to [`SCHEMA_VERSION`]. Safe against several
/// processes opening the same fresh workspace: the version is re-read inside
/// an immediate (write-locked) transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let found = user_version(conn).map_err(open_err)?;
    check_not_newer(found, path)?;
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(open_err)?;
    let found = user_version(&tx).map_err(open_err)?;
    check_not_newer(found, path)?;
    for version in (found + 1)..=SCHEMA_VERSION {
        let mig_err = |source| StoreError::Migration {
            path: path.to_path_buf(),
            version,
            source,
        };
        let sql = migration_sql(version).unwrap_or_default();
        tx.execute_batch(sql).map_err(mig_err)?;
        if version == 1 {
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('created_by', ?1)",
                [concat!("vidi ", env!("CARGO_PKG_VERSION"))],
            )
            .map_err(mig_err)?;
        }
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('migrated_by', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [concat!("vidi ", env!("CARGO_PKG_VERSION"))],
        )
        .map_err(mig_err)?;
        // PRAGMA does not take parameters; `version` is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))
            .map_err(mig_err)?;
        tracing::info!(db = %path.display(), version, "applied schema migration");
    }
    tx.commit().map_err(open_err)?;
    Ok(())
}

fn check_not_newer(found: i64, path: &Path) -> Result<(), StoreError> {
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_in_order_and_are_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        migrate(&mut conn, Path::new(":memory:")).unwrap();
        let created: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'created_by'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(created.starts_with("vidi "));
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
        let err = migrate(&mut conn, Path::new("x.db")).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { found: 999, .. }));
        assert!(err.to_string().contains("x.db"));
    }

    #[test]
    fn migration_sql_bounds() {
        assert!(migration_sql(0).is_none());
        assert!(migration_sql(1).is_some());
        assert!(migration_sql(SCHEMA_VERSION + 1).is_none());
        assert!(migration_sql(-3).is_none());
    }
}
