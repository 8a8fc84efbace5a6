//! `vidi hashsets import|ls|rm`, matching at ingest and on demand, hits in
//! `ls`/`show`, `triage`, `categorize` and `export`, through the binary.

use crate::util::{ingest, json_lines, ls_json, run_ok, small_dataset, vidi};

#[test]
fn known_material_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let manifest = small_dataset(&data);
    let be = &manifest.agencies[0];
    let be_case = &be.cases[0];
    let other = &manifest.agencies[1];
    let other_case = &other.cases[0];
    let ws = tmp.path().join("ws");
    let w = ws.to_str().unwrap();
    run_ok(&["init", "--workspace", w]);
    // A set imported before any media: it matches at ingest.
    let case = be_case.case.as_str();
    ingest(w, case, &be.agency, &be_case.dir, &[]);
    let rows = ls_json(&ws, Some(case));
    let images: Vec<&serde_json::Value> = rows.iter().filter(|r| r["kind"] == "image").collect();
    assert!(images.len() >= 2);
    assert!(
        rows.iter()
            .all(|r| r["hits"].as_array().is_some_and(|h| h.is_empty()))
    );
    let md5 = images[0]["md5"].as_str().unwrap().to_owned();
    let sha256 = images[0]["sha256"].as_str().unwrap().to_owned();
    let pdq = images[1]["pdq"].as_str().unwrap().to_owned();
    let list = tmp.path().join("list.txt");
    std::fs::write(&list, format!("{md5},seed\nzz-not-hex\n")).unwrap();
    let te = tmp.path().join("te.csv");
    std::fs::write(
        &te,
        format!("signal_type,signal_str,collab,category,tags\npdq,{pdq},c,INVESTIGATION_SEED,x\n"),
    )
    .unwrap();

    // Import: summary JSON, rejected line reported, retroactive match.
    let out = run_ok(&[
        "hashsets",
        "import",
        "--workspace",
        w,
        list.to_str().unwrap(),
        "--json",
    ]);
    let s = &json_lines(&out)[0];
    assert_eq!(s["read"], 2);
    assert_eq!(s["imported"], 1);
    assert_eq!(s["rejected"], 1);
    assert_eq!(s["rejected_samples"][0]["line"], 2);
    assert_eq!(s["match"]["hits"], 1);
    // Twice: nothing changes.
    let out = run_ok(&[
        "hashsets",
        "import",
        "--workspace",
        w,
        list.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(json_lines(&out)[0]["already_imported"], true);
    // Human output names the bad line.
    let out = run_ok(&[
        "hashsets",
        "import",
        "--workspace",
        w,
        "--name",
        "again",
        list.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2") && err.contains("zz-not-hex"),
        "{err}"
    );
    run_ok(&["hashsets", "rm", "--workspace", w, "again"]);
    let out = run_ok(&[
        "hashsets",
        "import",
        "--workspace",
        w,
        "--format",
        "te-csv",
        te.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(json_lines(&out)[0]["match"]["by_rule"]["pdq"], 1);
    let sets = json_lines(&run_ok(&["hashsets", "ls", "--workspace", w, "--json"]));
    assert_eq!(sets.len(), 2);
    assert!(sets.iter().all(|s| s["status"] == "ready"));

    // hits in ls and show.
    let rows = ls_json(&ws, Some(case));
    let hit_row = rows
        .iter()
        .find(|r| r["sha256"] == sha256.as_str())
        .unwrap();
    let hits = hit_row["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    for key in ["set", "scheme", "code", "label", "rule", "distance"] {
        assert!(hits[0].get(key).is_some(), "hit lacks {key}: {}", hits[0]);
    }
    assert_eq!(hits[0]["rule"], "md5");
    assert_eq!(hits[0]["distance"], 0);
    let show = run_ok(&["show", "--workspace", w, &sha256[..12], "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["hits"][0]["set"], "list.txt");
    let pdq_row = rows.iter().find(|r| r["pdq"] == pdq.as_str()).unwrap();
    assert_eq!(pdq_row["hits"][0]["scheme"], "threatexchange");
    assert_eq!(pdq_row["hits"][0]["code"], "INVESTIGATION_SEED");

    // Categorize with who; bad codes are refused.
    run_ok(&[
        "categorize",
        "--workspace",
        w,
        &sha256[..12],
        "--scheme",
        "vics-us-2.0",
        "--code",
        "4",
        "--by",
        "alice",
    ]);
    let bad = vidi()
        .args([
            "categorize",
            "--workspace",
            w,
            &sha256[..12],
            "--scheme",
            "vics-us-2.0",
            "--code",
            "77",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let show = run_ok(&["show", "--workspace", w, &sha256[..12], "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["categories"][0]["set_by"], "alice");
    assert_eq!(v["categories"][0]["code"], "4");

    // Triage.
    let out = run_ok(&["triage", "--workspace", w, "--case", case, "--json"]);
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["by_status"]["known_unidentified"], 2);
    let media = t["media"].as_u64().unwrap();
    assert_eq!(t["by_status"]["new"].as_u64().unwrap(), media - 2);

    // A second case ingested later is matched at ingest.
    std::fs::copy(
        hit_row["path"].as_str().unwrap(),
        other_case.dir.join("copied.bin"),
    )
    .unwrap();
    let out = ingest(
        w,
        &other_case.case,
        &other.agency,
        &other_case.dir,
        &["--json"],
    );
    let s = &json_lines(&out)[0];
    assert!(s["match"]["hits"].as_u64().unwrap() >= 1, "{s}");
    // ...and `vidi match` is idempotent.
    let out = run_ok(&["match", "--workspace", w, "--json"]);
    assert_eq!(json_lines(&out)[0]["new_hits"], 0);

    // Exports: VICS 2.0 case file and ICSE CSV, to files, re-importable.
    let vics = tmp.path().join("be.json");
    run_ok(&[
        "export",
        "vics",
        "--workspace",
        w,
        "--case",
        case,
        "--version",
        "2.0",
        "-o",
        vics.to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&vics).unwrap()).unwrap();
    assert_eq!(doc["value"][0]["CaseNumber"], case);
    let icse = tmp.path().join("be.csv");
    run_ok(&[
        "export",
        "icse-csv",
        "--workspace",
        w,
        "--case",
        case,
        "-o",
        icse.to_str().unwrap(),
    ]);
    for f in [&vics, &icse] {
        let out = run_ok(&[
            "hashsets",
            "import",
            "--workspace",
            w,
            f.to_str().unwrap(),
            "--json",
        ]);
        let s = &json_lines(&out)[0];
        assert_eq!(s["rejected"], 0, "{s}");
        assert!(s["imported"].as_u64().unwrap() >= 2, "{s}");
    }
    let bad = vidi()
        .args([
            "export",
            "vics",
            "--workspace",
            w,
            "--case",
            case,
            "--version",
            "9",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    // rm by id removes the hits.
    run_ok(&["hashsets", "rm", "--workspace", w, "1"]);
    let rows = ls_json(&ws, Some(case));
    let hit_row = rows
        .iter()
        .find(|r| r["sha256"] == sha256.as_str())
        .unwrap();
    assert!(
        hit_row["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["set"] != "list.txt")
    );
}
