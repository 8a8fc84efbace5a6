//! `vidi series ls|show|create|rename|merge|split|add|rm`, series from
//! hash-set series names, and `vidi locate --series`.

use crate::util::{init_and_ingest_all, json_lines, ls_json, run_ok, small_dataset, vidi};

/// The first string value under a key named `key`, anywhere in `v`.
fn find_str<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    match v {
        serde_json::Value::Object(o) => o
            .get(key)
            .and_then(|x| x.as_str())
            .or_else(|| o.values().find_map(|x| find_str(x, key))),
        serde_json::Value::Array(a) => a.iter().find_map(|x| find_str(x, key)),
        _ => None,
    }
}

fn show_series(w: &str, key: &str) -> serde_json::Value {
    let out = run_ok(&["series", "show", "--workspace", w, key, "--json"]);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn series_lifecycle_hashset_names_and_locate() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let manifest = small_dataset(&data);
    let ws = tmp.path().join("ws");
    let w = ws.to_str().unwrap();
    init_and_ingest_all(w, &manifest, &[]);
    let rows = ls_json(&ws, None);
    let mut shas: Vec<String> = rows
        .iter()
        .filter_map(|r| r["sha256"].as_str().map(str::to_owned))
        .collect();
    shas.sort();
    shas.dedup();
    assert!(shas.len() >= 6, "{} media", shas.len());
    let short = |i: usize| shas[i][..12].to_owned();

    // Create with two media, add a third, rename.
    let out = run_ok(&[
        "series",
        "create",
        "--workspace",
        w,
        "Red curtain",
        &short(0),
        &short(1),
        "--by",
        "alice",
    ]);
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(id.parse::<i64>().is_ok(), "{id:?}");
    run_ok(&[
        "series",
        "add",
        "--workspace",
        w,
        &id,
        &short(2),
        "--by",
        "bob",
    ]);
    run_ok(&[
        "series",
        "rename",
        "--workspace",
        w,
        "red curtain",
        "Red room",
    ]);
    let d = show_series(w, "Red room");
    assert_eq!(d["media"].as_array().unwrap().len(), 3);
    assert_eq!(d["history"][0]["action"], "create");
    assert_eq!(d["history"][0]["actor"], "alice");
    assert!(!d["cases"].as_array().unwrap().is_empty());
    assert!(!d["agencies"].as_array().unwrap().is_empty());
    // A duplicate name is refused with a clear message.
    let dup = vidi()
        .args(["series", "create", "--workspace", w, "RED ROOM"])
        .output()
        .unwrap();
    assert_ne!(dup.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));

    // A hash set naming a series for two media creates it.
    let md5 = |sha: &str| {
        let out = run_ok(&["show", "--workspace", w, sha, "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        find_str(&v, "md5").expect("md5 in show --json").to_owned()
    };
    let csv = tmp.path().join("icse.csv");
    std::fs::write(
        &csv,
        format!(
            "{}\n{};;;1;;;;Ocean view;1;;image;\n{};;;2;;;;Ocean view;1;;image;\n",
            vidi_hashsets::ICSE_HEADER,
            md5(&shas[3]),
            md5(&shas[4]),
        ),
    )
    .unwrap();
    run_ok(&[
        "hashsets",
        "import",
        "--workspace",
        w,
        "--format",
        "icse",
        csv.to_str().unwrap(),
    ]);
    let list = json_lines(&run_ok(&["series", "ls", "--workspace", w, "--json"]));
    let ocean = list
        .iter()
        .find(|s| s["name"] == "Ocean view")
        .unwrap_or_else(|| panic!("no hash-set series in {list:?}"));
    assert_eq!(ocean["origin"], "hashset");
    assert_eq!(ocean["media"], 2);
    assert_eq!(ocean["hashset_names"][0], "Ocean view");

    // Merge the hash-set series into the manual one; the old name still
    // resolves, and the history says who merged.
    run_ok(&[
        "series",
        "merge",
        "--workspace",
        w,
        "Ocean view",
        "Red room",
        "--by",
        "carol",
    ]);
    let d = show_series(w, "Ocean view");
    assert_eq!(d["name"], "Red room");
    assert_eq!(d["media"].as_array().unwrap().len(), 5);
    assert_eq!(d["hashset_names"][0]["name"], "Ocean view");
    assert!(
        d["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "merge-in" && e["actor"] == "carol")
    );
    let list = json_lines(&run_ok(&["series", "ls", "--workspace", w, "--json"]));
    assert_eq!(list.len(), 1);

    // Split two media off, remove one more.
    let out = run_ok(&[
        "series",
        "split",
        "--workspace",
        w,
        "Red room",
        "--name",
        "Blue room",
        &short(3),
        &short(4),
    ]);
    let blue = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(show_series(w, &blue)["media"].as_array().unwrap().len(), 2);
    assert_eq!(show_series(w, &blue)["split_from"].to_string(), id);
    run_ok(&["series", "rm", "--workspace", w, "Red room", &short(2)]);
    assert_eq!(
        show_series(w, "Red room")["media"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let text = run_ok(&["series", "show", "--workspace", w, "Red room"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("history:"));
    let missing = vidi()
        .args(["series", "show", "--workspace", w, "no such series"])
        .output()
        .unwrap();
    assert_ne!(missing.status.code(), Some(0));

    // locate --series: the clues of its media rolled up, evidence naming
    // the media.
    run_ok(&["clues", "--workspace", w, "--only", "gps,camera"]);
    let all = run_ok(&[
        "series",
        "create",
        "--workspace",
        w,
        "Everything",
        &short(0),
        &short(1),
        &short(2),
        &short(3),
        &short(4),
        &short(5),
    ]);
    let all = String::from_utf8_lossy(&all.stdout).trim().to_owned();
    let out = run_ok(&["locate", "--workspace", w, "--series", &all, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["series"]["name"], "Everything");
    let hyps = v["hypotheses"].as_array().unwrap();
    if manifest.files.iter().any(|f| f.gps.is_some()) {
        assert!(!hyps.is_empty(), "{v}");
    }
    for h in hyps {
        for e in h["evidence"].as_array().unwrap() {
            let m = e["media"].as_str().expect("evidence names its media");
            assert!(shas.iter().any(|s| s == m), "{m}");
        }
    }
    let text = run_ok(&["locate", "--workspace", w, "--series", "Everything"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("series"));
}
