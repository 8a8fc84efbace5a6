//! init, ingest, ls, show on a generated dataset.

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;

use crate::util::{
    count_entries, ingest, init_and_ingest_all, json_lines, ls_json, run_ok, small_dataset, vidi,
};

const FIELDS: &[&str] = &[
    "path",
    "size",
    "md5",
    "sha1",
    "sha256",
    "kind",
    "mime",
    "width",
    "height",
    "duration_s",
    "pdq",
    "pdq_quality",
    "vpdq_frames",
    "gps",
    "gps_flags",
    "taken_at",
    "camera",
    "error",
    "case",
    "agency",
];

#[test]
fn init_is_idempotent_and_private() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let w = ws.to_str().unwrap();
    run_ok(&["init", "--workspace", w]);
    run_ok(&["init", "--workspace", w]);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&ws), 0o700);
    assert_eq!(mode(&ws.join("blobs")), 0o700);
    assert_eq!(mode(&ws.join("vidi.db")), 0o600);
}

#[test]
fn ingest_ls_show_and_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let manifest = small_dataset(&data);
    let ws = tmp.path().join("ws");
    let w = ws.to_str().unwrap();

    let mut expected = 0;
    for (case, out) in init_and_ingest_all(w, &manifest, &["--json"]) {
        let summary = &json_lines(&out)[0];
        expected += count_entries(&case.dir);
        assert_eq!(
            summary["found"].as_u64().unwrap() as usize,
            count_entries(&case.dir)
        );
    }
    let rows = ls_json(&ws, None);
    assert_eq!(rows.len(), expected, "one evidence item per file");
    for row in &rows {
        for f in FIELDS {
            assert!(row.get(*f).is_some(), "field {f} missing in {row}");
        }
    }
    // Images decode, hash, and carry the EXIF GPS the generator wrote.
    let images: Vec<_> = rows
        .iter()
        .filter(|r| r["kind"] == "image" && r["error"].is_null())
        .collect();
    assert!(
        images.len() >= 8,
        "too few decoded images: {}",
        images.len()
    );
    for r in &images {
        assert_eq!(r["pdq"].as_str().unwrap().len(), 64, "{r}");
        assert!(r["width"].as_u64().unwrap() > 0);
    }
    let with_gps: Vec<_> = manifest.files.iter().filter(|f| f.gps.is_some()).collect();
    assert!(!with_gps.is_empty());
    for f in with_gps {
        let path = f.path.to_string_lossy();
        let row = rows
            .iter()
            .find(|r| {
                r["path"].as_str().unwrap().ends_with(path.as_ref()) || r["path"] == path.as_ref()
            })
            .unwrap_or_else(|| panic!("{path} not listed"));
        let (lat, lon, _) = f.gps.unwrap();
        assert!(
            (row["gps"]["lat"].as_f64().unwrap() - lat).abs() < 1e-5,
            "{row}"
        );
        assert!(
            (row["gps"]["lon"].as_f64().unwrap() - lon).abs() < 1e-5,
            "{row}"
        );
    }
    // Deliberately broken files are recorded with an error, with hashes.
    let broken: Vec<_> = rows.iter().filter(|r| !r["error"].is_null()).collect();
    assert!(
        !broken.is_empty(),
        "the dataset has broken files on purpose"
    );
    for r in &broken {
        assert!(r["error"]["kind"].is_string() && r["error"]["message"].is_string());
        assert!(
            r["sha256"].is_string(),
            "hashes are kept for broken files: {r}"
        );
    }
    // Same content in two places: one media, several items.
    let shas: Vec<&str> = rows.iter().filter_map(|r| r["sha256"].as_str()).collect();
    let unique: HashSet<&str> = shas.iter().copied().collect();
    assert!(
        unique.len() < shas.len(),
        "the dataset has an exact duplicate across cases"
    );

    // Case filter.
    let first_case = &manifest.agencies[0].cases[0].case;
    let filtered = ls_json(&ws, Some(first_case));
    assert!(!filtered.is_empty() && filtered.iter().all(|r| r["case"] == first_case.as_str()));

    // show by prefix, JSON and text.
    let sha = images[0]["sha256"].as_str().unwrap();
    let out = run_ok(&["show", "--workspace", w, &sha[..12], "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["digests"]["sha256"], sha);
    assert!(!v["evidence"].as_array().unwrap().is_empty());
    let out = run_ok(&["show", "--workspace", w, &sha[..12]]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(sha));
    let bad = vidi()
        .args(["show", "--workspace", w, "zzzz"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));

    // Re-running does no repeated work and adds no rows.
    let agency = &manifest.agencies[0];
    let case = &agency.cases[0];
    let out = ingest(w, &case.case, &agency.agency, &case.dir, &["--json"]);
    let summary = &json_lines(&out)[0];
    assert_eq!(summary["new_media"], 0, "{summary}");
    assert_eq!(summary["bytes_read"], 0, "{summary}");
    assert_eq!(ls_json(&ws, None).len(), expected);
}

#[test]
fn errors_are_clear() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let out = vidi()
        .args(["ls", "--workspace", missing.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope") && err.contains("vidi init"), "{err}");
}

#[test]
fn symlinks_and_fifos_are_recorded_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let outside = tmp.path().join("outside.txt");
    std::fs::write(&outside, b"outside the root").unwrap();
    std::fs::write(data.join("inside.txt"), b"inside").unwrap();
    std::os::unix::fs::symlink(&outside, data.join("link")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(data.join("fifo"))
        .status()
        .unwrap();
    assert!(status.success());
    let ws = tmp.path().join("ws");
    let w = ws.to_str().unwrap();
    run_ok(&["init", "--workspace", w]);
    ingest(w, "X-1", "XX", &data, &[]);
    let rows = ls_json(&ws, None);
    assert_eq!(rows.len(), 3);
    let link = rows
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("link"))
        .unwrap();
    assert_eq!(link["file_type"], "symlink");
    assert!(
        link["sha256"].is_null(),
        "a symlink is not followed: {link}"
    );
    let fifo = rows
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("fifo"))
        .unwrap();
    assert_eq!(fifo["file_type"], "special");
}
