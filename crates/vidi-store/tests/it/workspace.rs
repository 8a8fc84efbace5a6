//! Workspace creation, permissions, opening.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use vidi_store::{DB_FILE, SCHEMA_VERSION, Store, StoreError, Workspace};

use crate::common::{full_media, item, sha};

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file and folder under `root` is private to the user.
fn assert_private_tree(root: &Path) {
    assert_eq!(mode(root), 0o700, "{}", root.display());
    for entry in fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        let m = fs::symlink_metadata(&path).unwrap();
        if m.is_dir() {
            assert_private_tree(&path);
        } else {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}

#[test]
fn init_is_idempotent_and_private() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("W");
    // A pre-existing, too open folder gets tightened.
    fs::create_dir(&root).unwrap();
    fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).unwrap();

    let ws = Workspace::init(&root).unwrap();
    assert_eq!(ws.root(), root);
    assert_eq!(ws.blobs().root(), root.join("blobs"));
    {
        let mut store = Store::open(&ws).unwrap();
        let m = full_media(1, 1);
        store
            .put_item(Some(&m), &item("BE-1", "/e/a.mp4", Some(m.sha256())))
            .unwrap();
        ws.blobs().put("thumbs/ab/x.jpg", b"jpeg").unwrap();
        // While the connection is open the WAL and SHM files exist.
        let wal = root.join(format!("{DB_FILE}-wal"));
        let shm = root.join(format!("{DB_FILE}-shm"));
        assert!(wal.exists() && shm.exists());
        assert_private_tree(&root);
    }
    assert_private_tree(&root);

    // Again: nothing lost, nothing duplicated.
    let ws2 = Workspace::init(&root).unwrap();
    let store = Store::open(&ws2).unwrap();
    assert_eq!(store.counts().unwrap().evidence, 1);
    assert!(store.media_is_complete(&sha(1), 1).unwrap());
    assert_eq!(ws2.blobs().get("thumbs/ab/x.jpg").unwrap(), b"jpeg");
    assert_private_tree(&root);

    Workspace::open(&root).unwrap();
}

#[test]
fn init_tightens_a_loose_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("W");
    Workspace::init(&root).unwrap();
    fs::set_permissions(root.join(DB_FILE), fs::Permissions::from_mode(0o644)).unwrap();
    Workspace::init(&root).unwrap();
    assert_eq!(mode(&root.join(DB_FILE)), 0o600);
}

#[test]
fn open_requires_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let err = Workspace::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
    assert!(msg.contains("vidi.db"), "{msg}");

    // A database but no blob folder.
    let root = dir.path().join("W");
    Workspace::init(&root).unwrap();
    fs::remove_dir(root.join("blobs")).unwrap();
    let err = Workspace::open(&root).unwrap_err();
    assert!(err.to_string().contains("blobs"), "{err}");

    // A file, not a folder.
    let file = dir.path().join("plain");
    fs::write(&file, b"x").unwrap();
    assert!(matches!(
        Workspace::open(&file),
        Err(StoreError::NotAWorkspace { .. })
    ));
}

#[test]
fn newer_database_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("W");
    Workspace::init(&root).unwrap();
    {
        let conn = rusqlite::Connection::open(root.join(DB_FILE)).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 5))
            .unwrap();
    }
    let err = Workspace::open(&root).unwrap_err();
    match &err {
        StoreError::SchemaTooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, SCHEMA_VERSION + 5);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("unexpected {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("vidi.db") && msg.contains("upgrade"), "{msg}");
}

#[test]
fn pragmas_are_set() {
    let (_dir, ws) = crate::common::workspace();
    let conn = rusqlite::Connection::open(ws.db_path()).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    let created: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'created_by'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(created.starts_with("vidi 0."), "{created}");
}

const UMASK_CHILD_ENV: &str = "VIDI_STORE_UMASK_CHILD_DIR";

/// Run by [`files_are_private_even_with_umask_0`] in a process whose umask
/// is 0: every file the store creates must still be 0600.
#[test]
fn umask_child() {
    let Some(dir) = std::env::var_os(UMASK_CHILD_ENV) else {
        return;
    };
    let root = Path::new(&dir).join("W");
    let ws = Workspace::init(&root).unwrap();
    let mut store = Store::open(&ws).unwrap();
    let m = full_media(1, 1);
    store
        .put_item(Some(&m), &item("BE-1", "/e/a.mp4", Some(m.sha256())))
        .unwrap();
    ws.blobs().put("thumbs/ab/deep/x.jpg", b"jpeg").unwrap();
    assert_private_tree(&root);
    drop(store);
    assert_private_tree(&root);
}

#[test]
fn files_are_private_even_with_umask_0() {
    if std::env::var_os(UMASK_CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" --exact workspace::umask_child --test-threads=1")
        .arg(&exe)
        .env(UMASK_CHILD_ENV, dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "child failed: {status:?}");
    // The child really ran: it left a workspace behind.
    Workspace::open(&dir.path().join("W")).unwrap();
}
