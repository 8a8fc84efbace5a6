//! The file route streams from disk: a file larger than the old 64 MiB
//! in-memory limit comes whole and by ranges; a changed file is refused.

use std::io::{Seek, SeekFrom, Write};

use vidi_server::ServerConfig;

use crate::common::{Client, put, sha, start_with};

const BIG: u64 = 70 * 1024 * 1024 + 123;

#[test]
fn files_larger_than_64_mib_stream_whole_and_by_range() {
    let s = start_with(ServerConfig::default(), |store, ws, files| {
        put(store, ws, files, 50, "A-1", "BE-A", false);
        // A sparse 70 MiB file with marks at the start, middle and end.
        let path = files.join("A-1-50.bin");
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(BIG).unwrap();
        for (at, mark) in [(0u64, b"HEAD"), (BIG / 2, b"MIDL"), (BIG - 4, b"TAIL")] {
            f.seek(SeekFrom::Start(at)).unwrap();
            f.write_all(mark).unwrap();
        }
        drop(f);
        let conn = rusqlite::Connection::open(ws.db_path()).unwrap();
        conn.execute(
            "UPDATE evidence SET size = ?1 WHERE media_sha256 = ?2",
            rusqlite::params![BIG as i64, sha(50).to_hex()],
        )
        .unwrap();
    });
    let a = Client::login(&s, "a-analyst");
    let url = format!("/api/v1/media/{}/file", sha(50).to_hex());
    let whole = a.get(&url);
    assert_eq!(whole.status, 200, "{}", whole.text());
    assert_eq!(whole.body.len() as u64, BIG);
    assert_eq!(&whole.body[..4], b"HEAD");
    let mid = (BIG / 2) as usize;
    assert_eq!(&whole.body[mid..mid + 4], b"MIDL");
    assert_eq!(&whole.body[whole.body.len() - 4..], b"TAIL");
    drop(whole);

    let tail = a.get_with(&url, ("Range", "bytes=-4"));
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, b"TAIL");
    assert_eq!(
        tail.content_range.as_deref(),
        Some(format!("bytes {}-{}/{BIG}", BIG - 4, BIG - 1).as_str())
    );
    // An open range from the middle runs to the end (not capped).
    let from_mid = a.get_with(&url, ("Range", &format!("bytes={}-", BIG / 2)));
    assert_eq!(from_mid.status, 206);
    assert_eq!(from_mid.body.len() as u64, BIG - BIG / 2);
    assert_eq!(&from_mid.body[..4], b"MIDL");
    drop(from_mid);

    let bad = a.get_with(&url, ("Range", &format!("bytes={BIG}-")));
    assert_eq!((bad.status, bad.code().as_str()), (416, "bad_range"));
    assert!(!bad.json()["error"]["message"].as_str().unwrap().is_empty());

    // The file changed size on disk: not served.
    let path = s._dir.path().join("evidence").join("A-1-50.bin");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(10)
        .unwrap();
    let gone = a.get(&url);
    assert_eq!((gone.status, gone.code().as_str()), (404, "not_available"));
    // Replaced by a symlink: not followed.
    std::fs::remove_file(&path).unwrap();
    let other = s._dir.path().join("evidence").join("other.bin");
    std::fs::write(&other, vec![0u8; BIG as usize / 1024]).unwrap();
    std::os::unix::fs::symlink(&other, &path).unwrap();
    let link = a.get(&url);
    assert_eq!((link.status, link.code().as_str()), (404, "not_available"));
}
