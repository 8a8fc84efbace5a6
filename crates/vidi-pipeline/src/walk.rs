//! Walking evidence roots without following symbolic links.
//!
//! Regular files are yielded for hashing; symbolic links and special files
//! (FIFOs, sockets, devices) are yielded as records and never opened or
//! followed, so a walk cannot leave the given roots or block on a FIFO.
//! A root given explicitly that is itself a symlink is followed once: the
//! user named it.

use std::fs::{self, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use vidi_types::{Cancel, FileError, FileErrorKind, FileType};

/// One directory entry found by the walk.
#[derive(Debug, Clone)]
pub struct WalkEntry {
    /// Path as found.
    pub path: PathBuf,
    /// Regular, symlink or special.
    pub file_type: FileType,
    /// Size from `lstat`.
    pub size: u64,
    /// Modification time (Unix seconds).
    pub mtime: Option<i64>,
    /// Status-change time (Unix seconds).
    pub ctime: Option<i64>,
    /// Access time (Unix seconds).
    pub atime: Option<i64>,
    /// An error reading this entry or its folder, if any.
    pub error: Option<FileError>,
}

impl WalkEntry {
    fn from_meta(path: PathBuf, meta: &Metadata) -> Self {
        let ft = meta.file_type();
        let file_type = if ft.is_file() {
            FileType::Regular
        } else if ft.is_symlink() {
            let target = fs::read_link(&path)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            FileType::Symlink { target }
        } else {
            let what = if ft.is_fifo() {
                "fifo"
            } else if ft.is_socket() {
                "socket"
            } else if ft.is_block_device() {
                "block_device"
            } else if ft.is_char_device() {
                "char_device"
            } else {
                "unknown"
            };
            FileType::Special { what: what.into() }
        };
        WalkEntry {
            path,
            file_type,
            size: meta.len(),
            mtime: Some(meta.mtime()),
            ctime: Some(meta.ctime()),
            atime: Some(meta.atime()),
            error: None,
        }
    }

    fn failed(path: PathBuf, err: &std::io::Error, what: &str) -> Self {
        WalkEntry {
            path,
            file_type: FileType::Special {
                what: "unreadable".into(),
            },
            size: 0,
            mtime: None,
            ctime: None,
            atime: None,
            error: Some(FileError::new(FileErrorKind::Io, format!("{what}: {err}"))),
        }
    }
}

/// Walk `roots` depth-first in sorted order, calling `visit` for every
/// entry that is not a directory. Unreadable folders are reported as
/// entries with an error. Stops early when `cancel` fires or `visit`
/// returns `false`.
pub fn walk(roots: &[PathBuf], cancel: &Cancel, visit: &mut dyn FnMut(WalkEntry) -> bool) {
    for root in roots {
        if cancel.is_cancelled() {
            return;
        }
        // Follow an explicitly named root, but nothing below it.
        match fs::metadata(root) {
            Ok(meta) if meta.is_dir() => {
                if !walk_dir(root, cancel, visit) {
                    return;
                }
            }
            Ok(_) => {
                let entry = match fs::symlink_metadata(root) {
                    Ok(m) if m.file_type().is_symlink() => {
                        // A symlink root to a file: ingest the file it names.
                        WalkEntry::from_meta(root.clone(), &fs::metadata(root).unwrap_or(m))
                    }
                    Ok(m) => WalkEntry::from_meta(root.clone(), &m),
                    Err(e) => WalkEntry::failed(root.clone(), &e, "cannot stat"),
                };
                if !visit(entry) {
                    return;
                }
            }
            Err(e) => {
                // Dangling symlink root or missing path: record it.
                let entry = match fs::symlink_metadata(root) {
                    Ok(m) => WalkEntry::from_meta(root.clone(), &m),
                    Err(_) => WalkEntry::failed(root.clone(), &e, "cannot stat"),
                };
                if !visit(entry) {
                    return;
                }
            }
        }
    }
}

fn walk_dir(dir: &Path, cancel: &Cancel, visit: &mut dyn FnMut(WalkEntry) -> bool) -> bool {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            return visit(WalkEntry::failed(
                dir.to_path_buf(),
                &e,
                "cannot list folder",
            ));
        }
    };
    let mut names: Vec<PathBuf> = Vec::new();
    for ent in rd {
        match ent {
            Ok(ent) => names.push(ent.path()),
            Err(e) => {
                if !visit(WalkEntry::failed(
                    dir.to_path_buf(),
                    &e,
                    "cannot read folder entry",
                )) {
                    return false;
                }
            }
        }
    }
    names.sort();
    for path in names {
        if cancel.is_cancelled() {
            return false;
        }
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                if !walk_dir(&path, cancel, visit) {
                    return false;
                }
            }
            Ok(meta) => {
                if !visit(WalkEntry::from_meta(path, &meta)) {
                    return false;
                }
            }
            Err(e) => {
                if !visit(WalkEntry::failed(path, &e, "cannot stat")) {
                    return false;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(roots: &[PathBuf]) -> Vec<WalkEntry> {
        let mut out = Vec::new();
        walk(roots, &Cancel::new(), &mut |e| {
            out.push(e);
            true
        });
        out
    }

    #[test]
    fn records_symlinks_and_fifos_without_following() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.txt"), b"outside").unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/a.txt"), b"hello").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link-out")).unwrap();
        std::os::unix::fs::symlink("sub/a.txt", dir.path().join("link-in")).unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: c is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);

        let got = collect(&[dir.path().to_path_buf()]);
        let names: Vec<String> = got
            .iter()
            .map(|e| {
                e.path
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, vec!["link-in", "link-out", "pipe", "sub/a.txt"]);
        assert!(
            matches!(got[0].file_type, FileType::Symlink { ref target } if target == "sub/a.txt")
        );
        assert!(matches!(got[1].file_type, FileType::Symlink { .. }));
        assert!(matches!(got[2].file_type, FileType::Special { ref what } if what == "fifo"));
        assert_eq!(got[3].file_type, FileType::Regular);
        assert_eq!(got[3].size, 5);
    }

    #[test]
    fn missing_root_is_recorded() {
        let got = collect(&[PathBuf::from("/nonexistent/vidi/root")]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].error.as_ref().unwrap().kind, FileErrorKind::Io);
    }

    #[test]
    fn cancel_stops_walk() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10 {
            fs::write(dir.path().join(format!("{i}.bin")), b"x").unwrap();
        }
        let mut n = 0;
        walk(&[dir.path().to_path_buf()], &Cancel::new(), &mut |_| {
            n += 1;
            n < 3
        });
        assert_eq!(n, 3);
    }
}
