//! Crash safety: a real `vidi ingest` process killed with SIGKILL at
//! random moments leaves a consistent workspace, and the next run
//! completes it.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use rand::{Rng, SeedableRng};

use crate::util::{count_entries, dataset, ingest, ls_json, run_ok, vidi};

fn check_consistent(ws: &Path) -> usize {
    let db = rusqlite::Connection::open(ws.join("vidi.db")).unwrap();
    let ok: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    drop(db);
    let rows = ls_json(ws, None);
    let mut seen = HashSet::new();
    for r in &rows {
        let key = (r["case"].to_string(), r["path"].to_string());
        assert!(seen.insert(key), "duplicate evidence item {r}");
        if r["file_type"] == "regular" && r["error"].is_null() {
            assert!(
                r["sha256"].is_string() && r["md5"].is_string(),
                "item without its media: {r}"
            );
        }
    }
    rows.len()
}

/// A generated image dataset (no video: fast) and an initialised
/// workspace `ws` beside it; returns the temp dir, the data folder and its
/// number of entries.
fn fresh_workspace(seed: u64) -> (tempfile::TempDir, std::path::PathBuf, usize) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let spec = vidi_synth::DemoSpec {
        seed,
        images_per_case: 8,
        videos: false,
        audio: false,
        ..vidi_synth::DemoSpec::default()
    };
    dataset(&data, &spec);
    let total = count_entries(&data);
    let ws = tmp.path().join("ws");
    run_ok(&["init", "--workspace", ws.to_str().unwrap()]);
    (tmp, data, total)
}

#[test]
fn kill_9_at_random_points_then_resume() {
    let (tmp, data, total) = fresh_workspace(9);
    let ws = tmp.path().join("ws");
    let w = ws.to_str().unwrap();

    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let mut kills = 0;
    for round in 0..8 {
        let mut child = vidi()
            .args([
                "ingest",
                "--workspace",
                w,
                "--case",
                "KILL-1",
                "--agency",
                "XX",
                "-j",
                "2",
                "--quiet",
            ])
            .arg(&data)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let wait_ms = rng.gen_range(20..(150 + round * 150));
        std::thread::sleep(Duration::from_millis(wait_ms));
        match child.try_wait().unwrap() {
            Some(_) => {}
            None => {
                child.kill().unwrap(); // SIGKILL
                kills += 1;
            }
        }
        let _ = child.wait();
        let n = check_consistent(&ws);
        assert!(n <= total);
    }
    assert!(
        kills > 0,
        "no run was killed mid-way; the dataset is too small"
    );
    // The next run completes the work.
    ingest(w, "KILL-1", "XX", &data, &["--quiet"]);
    assert_eq!(check_consistent(&ws), total);
}

#[test]
fn ctrl_c_stops_cleanly_with_130_and_rerun_completes() {
    let (tmp, data, total) = fresh_workspace(11);
    let ws = tmp.path().join("ws");
    let w = ws.to_str().unwrap();
    let child = vidi()
        .args([
            "ingest",
            "--workspace",
            w,
            "--case",
            "INT-1",
            "--agency",
            "XX",
            "-j",
            "1",
            "--quiet",
        ])
        .arg(&data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let n = check_consistent(&ws);
    if n < total {
        assert_eq!(out.status.code(), Some(130), "an interrupted run exits 130");
    }
    ingest(w, "INT-1", "XX", &data, &["--quiet"]);
    assert_eq!(check_consistent(&ws), total);
}
