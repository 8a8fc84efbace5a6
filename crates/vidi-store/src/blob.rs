//! Content-addressed blob folder (`W/blobs`): thumbnails and derived files.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use vidi_types::Sha256;

use crate::StoreError;
use crate::error::clip;

/// Longest accepted key, in bytes.
const MAX_KEY_LEN: usize = 512;

/// Files written by [`BlobStore::put`] while in flight start with this.
const TMP_PREFIX: &str = ".tmp-";

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The blob folder. Keys are relative paths such as `thumbs/ab/<sha256>.jpg`.
///
/// Writes are atomic (temporary file, fsync, rename), so a reader never sees
/// a half-written blob and a crash leaves at most a stray `.tmp-*` file.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    /// A blob store rooted at an existing folder.
    pub fn new(root: impl Into<PathBuf>) -> BlobStore {
        BlobStore { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob for `key` lives (whether or not it exists). The key is
    /// not checked here: call [`validate_key`] first when it is untrusted.
    pub fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    fn checked_path(&self, key: &str) -> Result<PathBuf, StoreError> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }

    /// Store `bytes` under `key`, replacing any previous content atomically.
    /// Folders are created 0700, files 0600.
    pub fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let dest = self.checked_path(key)?;
        let dir = dest.parent().unwrap_or(&self.root).to_path_buf();
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| StoreError::io(&dir, e))?;
        let tmp = dir.join(format!(
            "{TMP_PREFIX}{}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = write_synced(&tmp, bytes).and_then(|()| {
            fs::rename(&tmp, &dest).map_err(|e| StoreError::io(&dest, e))?;
            sync_dir(&dir)
        });
        if result.is_err() {
            // Best effort: do not leave the temporary file behind.
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// The content of a blob.
    pub fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.checked_path(key)?;
        fs::read(&path).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                StoreError::BlobNotFound {
                    key: key.to_owned(),
                }
            } else {
                StoreError::io(&path, e)
            }
        })
    }

    /// True when a blob exists under `key`.
    pub fn exists(&self, key: &str) -> Result<bool, StoreError> {
        let path = self.checked_path(key)?;
        match fs::symlink_metadata(&path) {
            Ok(m) => Ok(m.is_file()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StoreError::io(&path, e)),
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| StoreError::io(path, e))?;
    f.write_all(bytes).map_err(|e| StoreError::io(path, e))?;
    f.sync_all().map_err(|e| StoreError::io(path, e))
}

/// fsync a directory so that a rename inside it is durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, e))
}

/// Check a blob key: a relative path of non-empty segments made of
/// `[a-z0-9._-]`, no segment starting with `.` (so no `.`/`..` and no clash
/// with temporary files), at most 512 bytes.
pub fn validate_key(key: &str) -> Result<(), StoreError> {
    let bad = || StoreError::InvalidBlobKey { key: clip(key) };
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(bad());
    }
    let charset_ok = key.bytes().all(|b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'/' | b'.' | b'_' | b'-')
    });
    if !charset_ok {
        return Err(bad());
    }
    for segment in key.split('/') {
        if segment.is_empty() || segment.starts_with('.') {
            return Err(bad());
        }
    }
    Ok(())
}

/// The blob key of a thumbnail: `thumbs/ab/<sha256>.jpg` for a still, or
/// `thumbs/ab/<sha256>-t000012.500.jpg` for a video frame at 12.5 s.
/// Negative or non-finite times are written as 0.
pub fn thumb_key(sha256: &Sha256, timestamp_s: Option<f64>) -> String {
    let hex = sha256.to_hex();
    let shard = hex.get(..2).unwrap_or("00");
    match timestamp_s {
        None => format!("thumbs/{shard}/{hex}.jpg"),
        Some(t) => {
            let t = if t.is_finite() && t > 0.0 { t } else { 0.0 };
            format!("thumbs/{shard}/{hex}-t{t:010.3}.jpg")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keys() {
        for ok in ["a", "thumbs/ab/x.jpg", "a-b_c.d/e"] {
            validate_key(ok).unwrap();
        }
        for bad in [
            "",
            "/abs",
            "a/../b",
            "..",
            ".",
            "a//b",
            "a/",
            "A.jpg",
            "a b",
            "a\\b",
            ".tmp-1",
            "x/.hidden",
            "é",
        ] {
            assert!(validate_key(bad).is_err(), "{bad:?} accepted");
        }
        assert!(validate_key(&"a".repeat(513)).is_err());
    }

    #[test]
    fn thumb_keys() {
        let sha = Sha256([0xab; 32]);
        let hex = sha.to_hex();
        assert_eq!(thumb_key(&sha, None), format!("thumbs/ab/{hex}.jpg"));
        assert_eq!(
            thumb_key(&sha, Some(12.5)),
            format!("thumbs/ab/{hex}-t000012.500.jpg")
        );
        assert_eq!(
            thumb_key(&sha, Some(f64::NAN)),
            format!("thumbs/ab/{hex}-t000000.000.jpg")
        );
        assert_eq!(
            thumb_key(&sha, Some(-3.0)),
            format!("thumbs/ab/{hex}-t000000.000.jpg")
        );
        validate_key(&thumb_key(&sha, Some(1e12))).unwrap();
    }

    #[test]
    fn put_get_exists_modes() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::new(dir.path());
        assert!(!store.exists("thumbs/ab/x.jpg").unwrap());
        store.put("thumbs/ab/x.jpg", b"hello").unwrap();
        store.put("thumbs/ab/x.jpg", b"world").unwrap();
        assert_eq!(store.get("thumbs/ab/x.jpg").unwrap(), b"world");
        assert!(store.exists("thumbs/ab/x.jpg").unwrap());
        assert!(matches!(
            store.get("thumbs/ab/y.jpg"),
            Err(StoreError::BlobNotFound { .. })
        ));
        assert!(store.put("../escape", b"x").is_err());
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&store.path("thumbs/ab/x.jpg")), 0o600);
        assert_eq!(mode(&dir.path().join("thumbs")), 0o700);
        assert_eq!(mode(&dir.path().join("thumbs/ab")), 0o700);
        // No temporary files left behind.
        let names: Vec<_> = fs::read_dir(dir.path().join("thumbs/ab"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["x.jpg"]);
    }
}
