//! The workspace folder: `W/vidi.db` and `W/blobs/`, private to the user.

use std::fs::{self, DirBuilder, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::{BlobStore, StoreError, schema};

/// File name of the database inside a workspace.
pub const DB_FILE: &str = "vidi.db";
/// Folder name of the blob store inside a workspace.
pub const BLOBS_DIR: &str = "blobs";
/// Folder of derived indexes (one PDQ index file per hash set).
pub const INDEXES_DIR: &str = "indexes";
/// Folder of the lock files of running hash-set imports.
pub(crate) const IMPORTS_DIR: &str = "imports";

/// How long a connection waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// An opened workspace folder. Cheap to clone; holds no connection.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    blobs: BlobStore,
}

impl Workspace {
    /// Create (or re-open) a workspace at `root`: folders 0700, the database
    /// and its WAL/SHM files 0600, schema migrated to the current version.
    /// Idempotent: running it on an existing workspace changes nothing but
    /// tightens permissions and applies pending migrations.
    pub fn init(root: &Path) -> Result<Workspace, StoreError> {
        make_private_dir(root)?;
        let blobs = root.join(BLOBS_DIR);
        make_private_dir(&blobs)?;
        let db = root.join(DB_FILE);
        // Create the database file ourselves so that it is 0600 before
        // SQLite ever opens it; SQLite gives the -wal and -shm files the
        // permissions of the database file.
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&db)
            .map_err(|e| StoreError::io(&db, e))?;
        set_mode(&db, 0o600)?;
        let ws = Workspace {
            root: root.to_path_buf(),
            blobs: BlobStore::new(blobs),
        };
        // Opening a connection sets WAL mode and applies migrations.
        drop(ws.connect()?);
        tracing::debug!(root = %root.display(), "workspace ready");
        Ok(ws)
    }

    /// Open an existing workspace. Fails with
    /// [`StoreError::NotAWorkspace`] naming the folder when it has no
    /// `vidi.db` or no `blobs/`, and with [`StoreError::SchemaTooNew`] when
    /// a newer vidi wrote it. Pending migrations are applied.
    pub fn open(root: &Path) -> Result<Workspace, StoreError> {
        let not_ws = |missing| StoreError::NotAWorkspace {
            path: root.to_path_buf(),
            missing,
        };
        match fs::metadata(root) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(not_ws("the folder itself")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(not_ws("the folder itself"));
            }
            Err(e) => return Err(StoreError::io(root, e)),
        }
        let db = root.join(DB_FILE);
        if !is_file(&db)? {
            return Err(not_ws(DB_FILE));
        }
        let blobs = root.join(BLOBS_DIR);
        if !fs::metadata(&blobs).map(|m| m.is_dir()).unwrap_or(false) {
            return Err(not_ws("blobs/"));
        }
        let ws = Workspace {
            root: root.to_path_buf(),
            blobs: BlobStore::new(blobs),
        };
        drop(ws.connect()?);
        Ok(ws)
    }

    /// The workspace folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The database file.
    pub fn db_path(&self) -> PathBuf {
        self.root.join(DB_FILE)
    }

    /// The blob store.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Where the PDQ index of hash set `id` is kept (the folder is created,
    /// private, on first use; the file may not exist yet).
    pub fn hashset_index_path(&self, id: i64) -> Result<PathBuf, StoreError> {
        let dir = self.root.join(INDEXES_DIR);
        make_private_dir(&dir)?;
        Ok(dir.join(format!("hashset-{id}.pdqi")))
    }

    /// Open and configure a connection, applying pending migrations.
    ///
    /// Durability: WAL with `synchronous = NORMAL`. A committed transaction
    /// is in the WAL file (the OS page cache at least) when `COMMIT`
    /// returns, so it survives the process being killed (`kill -9`, panic,
    /// OOM killer). Only an OS crash or power loss can lose the last few
    /// transactions, and even then the database stays consistent (WAL
    /// frames are checksummed); a rerun of the ingest redoes those items.
    /// `FULL` would fsync on every commit, one fsync per evidence item, for
    /// no gain against process crashes.
    pub(crate) fn connect(&self) -> Result<Connection, StoreError> {
        // Switching a fresh database to WAL needs an exclusive lock, and
        // SQLite answers "database is locked" at once (without its busy
        // handler) while another process or thread is opening the same new
        // workspace. Retry that case for a bounded time.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mut pause = std::time::Duration::from_millis(5);
        loop {
            match self.connect_once() {
                Err(StoreError::Open {
                    source: rusqlite::Error::SqliteFailure(e, _),
                    ..
                }) if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(200));
                }
                other => return other,
            }
        }
    }

    fn connect_once(&self) -> Result<Connection, StoreError> {
        let path = self.db_path();
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        // Create the WAL and SHM files 0600 before SQLite does (it would
        // copy the database file's mode; this holds even if that is wrong).
        // Never truncate: an existing WAL may hold committed transactions.
        for side in side_files(&path) {
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&side)
                .map_err(|e| StoreError::io(&side, e))?;
        }
        // No SQLITE_OPEN_CREATE: the file must exist (created by `init`).
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(&path, flags).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // `put_item` alone uses about 20 distinct statements.
        conn.set_prepared_statement_cache_capacity(64);
        // journal_mode returns a row; WAL is persistent in the file.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(db = %path.display(), mode, "could not switch the database to WAL mode");
        }
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;",
        )
        .map_err(open_err)?;
        schema::migrate(&mut conn, &path)?;
        // Belt and braces: SQLite copies the database file's mode to the
        // WAL and SHM files; make sure they are private whatever happened.
        for side in side_files(&path) {
            match set_mode(&side, 0o600) {
                Ok(()) => {}
                Err(StoreError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(conn)
    }
}

/// The `-wal` and `-shm` files next to a database file.
fn side_files(db: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

fn is_file(path: &Path) -> Result<bool, StoreError> {
    match fs::metadata(path) {
        Ok(m) => Ok(m.is_file()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StoreError::io(path, e)),
    }
}

/// Create (or truncate) a file readable by the owner only, creating its
/// folder (0700) when missing.
pub(crate) fn create_private_file(path: &Path) -> Result<fs::File, StoreError> {
    if let Some(dir) = path.parent() {
        make_private_dir(dir)?;
    }
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| StoreError::io(path, e))
}

fn make_private_dir(path: &Path) -> Result<(), StoreError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| StoreError::io(path, e))?;
    set_mode(path, 0o700)
}

fn set_mode(path: &Path, mode: u32) -> Result<(), StoreError> {
    fs::set_permissions(path, Permissions::from_mode(mode)).map_err(|e| StoreError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_non_workspace_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = Workspace::open(dir.path()).unwrap_err();
        assert!(matches!(err, StoreError::NotAWorkspace { .. }));
        assert!(err.to_string().contains(&dir.path().display().to_string()));
        let missing = dir.path().join("nope");
        let err = Workspace::open(&missing).unwrap_err();
        assert!(err.to_string().contains("nope"));
    }

    #[test]
    fn garbage_database_is_an_open_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(BLOBS_DIR)).unwrap();
        fs::write(dir.path().join(DB_FILE), vec![0x5a; 8192]).unwrap();
        let err = Workspace::open(dir.path()).unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    }
}
