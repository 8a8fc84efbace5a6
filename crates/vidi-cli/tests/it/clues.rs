//! `vidi clues`, `vidi locate` and the clues of `vidi show --json`.

use crate::util::{init_and_ingest_all, json_lines, ls_json, run_ok, small_dataset, vidi};

#[test]
fn clues_and_locate_through_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let manifest = small_dataset(&data);
    let ws = tmp.path().join("ws");
    let w = ws.to_str().unwrap();
    init_and_ingest_all(w, &manifest, &[]);
    let out = run_ok(&["clues", "--workspace", w, "--only", "gps,camera", "--json"]);
    let s = &json_lines(&out)[0];
    assert!(
        s["by_extractor"]["gps"]["clues"].as_u64().unwrap() > 0,
        "{s}"
    );
    // Up to date: a rerun runs nothing.
    let out = run_ok(&["clues", "--workspace", w, "--only", "gps,camera", "--json"]);
    assert_eq!(json_lines(&out)[0]["by_extractor"]["gps"]["ran"], 0);
    // Unknown extractors are refused.
    let bad = vidi()
        .args(["clues", "--workspace", w, "--only", "tarot"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));

    // A file with GPS: its top hypothesis is the country of the GPS fix.
    let f = manifest
        .files
        .iter()
        .find(|f| f.gps.is_some())
        .expect("a GPS file");
    let rows = ls_json(&ws, None);
    let row = rows
        .iter()
        .find(|r| {
            r["path"]
                .as_str()
                .unwrap()
                .ends_with(f.path.file_name().unwrap().to_str().unwrap())
        })
        .unwrap();
    let sha = row["sha256"].as_str().unwrap();
    let out = run_ok(&["locate", "--workspace", w, &sha[..16], "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let h = &v["hypotheses"][0];
    let (lat, lon, _) = f.gps.unwrap();
    let want = vidi_geo::place(lat, lon).unwrap().country.unwrap();
    assert_eq!(h["country"], want.as_str(), "{v}");
    assert!(h["score"].as_f64().unwrap() > 0.5);
    assert_eq!(h["evidence"][0]["kind"], "gps_place");
    let show = run_ok(&["show", "--workspace", w, &sha[..16], "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let clues = v["clues"].as_array().unwrap();
    assert!(!clues.is_empty());
    for key in ["kind", "value", "confidence", "extractor", "version"] {
        assert!(
            clues[0].get(key).is_some(),
            "clue lacks {key}: {}",
            clues[0]
        );
    }
}
