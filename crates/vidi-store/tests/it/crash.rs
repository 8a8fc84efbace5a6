//! Crash consistency: a writer killed with SIGKILL at random moments never
//! leaves a half-written item.
//!
//! The parent test re-runs this very test binary as the child, selecting the
//! `crash::child_writer` test with an environment variable naming the
//! workspace. Without the variable that test does nothing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use vidi_store::{Store, Workspace};
use vidi_types::{PdqHash, VpdqFrame};

use crate::common::{full_media, item};

const CHILD_ENV: &str = "VIDI_STORE_CRASH_CHILD_WS";
const ROUNDS: u64 = 6;
const READY: &str = "vidi-store-crash-child-ready";

/// The child: write items forever, each media with a number of vPDQ frames
/// equal to its `frame_count`, and re-put some with a newer pipeline version
/// (which rewrites the derived rows).
#[test]
fn child_writer() {
    let Some(root) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let round: u64 = std::env::var("VIDI_STORE_CRASH_ROUND")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let ws = Workspace::open(std::path::Path::new(&root)).unwrap();
    let mut store = Store::open(&ws).unwrap();
    let mut announced = false;
    for i in 0u64.. {
        let n = round * 1_000_000 + i;
        let frames = (i % 7 + 1) as u32;
        let mut m = full_media(n, 1);
        m.frame_count = Some(frames);
        m.vpdq = (0..frames)
            .map(|f| VpdqFrame {
                frame_number: f,
                timestamp_s: f64::from(f),
                hash: PdqHash([f as u8; 32]),
                quality: 80,
            })
            .collect();
        let it = item("CRASH-1", &format!("/r{round}/f{i}"), Some(m.sha256()));
        store.put_item(Some(&m), &it).unwrap();
        if i % 3 == 0 && i > 0 {
            // Upgrade an earlier media: fewer frames, newer version.
            let old = round * 1_000_000 + i - 1;
            let mut up = full_media(old, 2 + (i as u32));
            up.frame_count = Some(2);
            up.vpdq.truncate(2);
            let it = item(
                "CRASH-1",
                &format!("/r{round}/f{}", i - 1),
                Some(up.sha256()),
            );
            store.put_item(Some(&up), &it).unwrap();
        }
        if !announced {
            println!("{READY}");
            announced = true;
        }
    }
}

/// Small xorshift: random kill delays without a dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn killed_writer_leaves_a_consistent_database() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("W");
    let ws = Workspace::init(&root).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        | 1;
    println!("crash test seed {seed}");
    let mut last_evidence = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash::child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &root)
            .env("VIDI_STORE_CRASH_ROUND", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the child has committed at least one item.
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                // The harness may print the test name on the same line.
                Some(Ok(l)) if l.contains(READY) => break,
                Some(Ok(_)) => continue,
                _ => panic!("child exited before writing: {:?}", child.wait()),
            }
        }
        std::thread::sleep(Duration::from_millis(next(&mut seed) % 300));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        drop(lines);

        let ws = Workspace::open(ws.root()).unwrap();
        let conn = rusqlite::Connection::open(ws.db_path()).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        let fk: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0);
        let orphans: i64 = conn
            .query_row(
                "SELECT count(*) FROM evidence e
                 WHERE e.media_sha256 IS NULL
                    OR NOT EXISTS (SELECT 1 FROM media m WHERE m.sha256 = e.media_sha256)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0, "evidence without media");
        // Every media has exactly its own derived rows: never half old,
        // half new.
        let torn: i64 = conn
            .query_row(
                "SELECT count(*) FROM media m
                 WHERE m.frame_count != (SELECT count(*) FROM vpdq_frames v WHERE v.sha256 = m.sha256)
                    OR (SELECT count(*) FROM pdq_dihedral d WHERE d.sha256 = m.sha256) != 8
                    OR (SELECT count(*) FROM thumbnails t WHERE t.sha256 = m.sha256) != 2",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(torn, 0, "media with torn derived rows");
        let media_without_evidence: i64 = conn
            .query_row(
                "SELECT count(*) FROM media m
                 WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.media_sha256 = m.sha256)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            media_without_evidence, 0,
            "media committed without its item"
        );
        // The store API reads everything back.
        let store = Store::open(&ws).unwrap();
        let rows = store.list_evidence(Some("CRASH-1")).unwrap();
        assert!(rows.iter().all(|r| r.media.is_some()));
        assert!(
            rows.len() > last_evidence,
            "round {round} committed nothing"
        );
        last_evidence = rows.len();
    }
}
