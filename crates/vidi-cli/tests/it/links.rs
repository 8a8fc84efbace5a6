//! `vidi links` on the demo dataset: recall and precision against the
//! generator's ground truth (variants of photos, stills taken from videos).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::util::{dataset, init_and_ingest_all, json_lines, ls_json, run_ok};

fn has_ffmpeg() -> bool {
    std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The group of each file: the original's path for variants, the video's
/// for stills; files that are no variant are their own group.
fn groups(manifest: &vidi_synth::DemoManifest) -> BTreeMap<PathBuf, PathBuf> {
    let mut out = BTreeMap::new();
    for f in &manifest.files {
        out.insert(
            f.path.clone(),
            f.variant_of.clone().unwrap_or(f.path.clone()),
        );
    }
    out
}

#[test]
fn demo_links_recall_and_precision() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let videos = has_ffmpeg();
    if !videos {
        eprintln!("SKIP (videos): ffmpeg not found; only image links are checked");
    }
    let spec = vidi_synth::DemoSpec {
        seed: 5,
        images_per_case: 3,
        videos,
        audio: false,
        width: 640,
        height: 480,
    };
    let manifest = dataset(&data, &spec);
    let ws = dir.path().join("ws");
    let w = ws.to_str().unwrap();
    init_and_ingest_all(
        w,
        &manifest,
        &["--dihedral", "--no-thumbnails", "--no-match"],
    );
    // Path → SHA-256, SHA-256 → groups.
    let mut sha_of: BTreeMap<PathBuf, String> = BTreeMap::new();
    for row in ls_json(&ws, None) {
        if let (Some(p), Some(s)) = (row["path"].as_str(), row["sha256"].as_str()) {
            sha_of.insert(PathBuf::from(p), s.to_owned());
        }
    }
    let group = groups(&manifest);
    let mut groups_of: BTreeMap<String, BTreeSet<PathBuf>> = BTreeMap::new();
    for (path, g) in &group {
        if let Some(s) = sha_of.get(path) {
            groups_of.entry(s.clone()).or_default().insert(g.clone());
        }
    }
    // Ground truth: each variant (not byte-identical copies: same media)
    // with its original.
    let mut truth: BTreeSet<(String, String, String)> = BTreeSet::new();
    for f in &manifest.files {
        let (Some(of), Some(how)) = (&f.variant_of, &f.variant) else {
            continue;
        };
        if how == "exact_copy" {
            continue;
        }
        let (Some(a), Some(b)) = (sha_of.get(&f.path), sha_of.get(of)) else {
            continue;
        };
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        // vPDQ samples one frame per second: a still taken between two
        // sampled frames of a moving scene may be far from both.
        let off_grid = f.video_time_s.is_some_and(|t| (t - t.round()).abs() > 0.1);
        let how = if off_grid {
            format!("{how}@off-grid")
        } else {
            how.clone()
        };
        truth.insert((a.clone(), b.clone(), how));
    }
    assert!(truth.len() >= 5, "{truth:?}");

    let out = run_ok(&["links", "--workspace", w, "--json", "--all"]);
    let links = json_lines(&out);
    let mut found = BTreeSet::new();
    let mut wrong = Vec::new();
    for l in &links {
        let (a, b) = (l["a"].as_str().unwrap(), l["b"].as_str().unwrap());
        assert!(a < b, "{l}");
        for f in [
            "kind",
            "a_cases",
            "a_agencies",
            "b_cases",
            "b_agencies",
            "evidence",
        ] {
            assert!(l.get(f).is_some(), "field {f} missing in {l}");
        }
        assert!(l["distance"].is_u64() || l["score"].is_f64(), "{l}");
        let same_group = groups_of
            .get(a)
            .zip(groups_of.get(b))
            .is_some_and(|(x, y)| !x.is_disjoint(y));
        if !same_group {
            wrong.push(l.clone());
        }
        found.insert((a.to_owned(), b.to_owned()));
    }
    let mut missed = Vec::new();
    for (a, b, how) in &truth {
        if !found.contains(&(a.clone(), b.clone())) {
            missed.push(how.clone());
        }
    }
    let recall = 1.0 - missed.len() as f64 / truth.len() as f64;
    let precision = 1.0 - wrong.len() as f64 / links.len().max(1) as f64;
    eprintln!(
        "links: {} found, ground truth {}, recall {recall:.3} (missed: {missed:?}), precision {precision:.3}",
        links.len(),
        truth.len()
    );
    assert!(
        wrong.is_empty(),
        "links between unrelated media: {wrong:#?}"
    );
    // Cropping 5 % per side moves PDQ by more than 31 bits on the demo
    // photo, and off-grid stills may be far from every sampled frame; every
    // other variant and every on-grid still must be found.
    assert!(
        missed
            .iter()
            .all(|m| m == "cropped" || m.ends_with("@off-grid")),
        "missed: {missed:?}"
    );
    if videos {
        let stills = links
            .iter()
            .filter(|l| l["kind"] == "still-in-video")
            .count();
        let planted = truth.iter().filter(|t| t.2 == "frame_of_video").count();
        assert!(stills >= planted, "every on-grid still found in its video");
        assert!(planted > 0);
        let still = links
            .iter()
            .find(|l| l["kind"] == "still-in-video")
            .unwrap();
        assert!(
            still["evidence"]
                .as_str()
                .unwrap()
                .contains("is the frame at"),
            "{still}"
        );
    }
    // The mirrored copy links through a dihedral variant.
    assert!(
        links.iter().any(|l| l["kind"] == "pdq-dihedral"),
        "{links:#?}"
    );

    // Default listing: only cross-case or cross-agency links; --case filters.
    let cross = json_lines(&run_ok(&["links", "--workspace", w, "--json"]));
    assert!(!cross.is_empty() && cross.len() <= links.len());
    let case = &manifest.agencies[0].cases[0].case;
    for l in json_lines(&run_ok(&[
        "links",
        "--workspace",
        w,
        "--json",
        "--case",
        case,
    ])) {
        let has = |k: &str| l[k].as_array().unwrap().iter().any(|c| c == case.as_str());
        assert!(has("a_cases") || has("b_cases"), "{l}");
    }
    // Human output names the cases.
    let text = String::from_utf8_lossy(&run_ok(&["links", "--workspace", w]).stdout).to_string();
    assert!(text.contains("(case "), "{text}");
    // --update with nothing new, then a rebuild: same links.
    let s = json_lines(&run_ok(&["links", "--workspace", w, "--update", "--json"]));
    assert_eq!(s[0]["processed"], 0);
    run_ok(&["links", "--workspace", w, "--rebuild", "--json"]);
    let again = json_lines(&run_ok(&["links", "--workspace", w, "--json", "--all"]));
    let key = |v: &[serde_json::Value]| -> Vec<(String, String, String)> {
        v.iter()
            .map(|l| {
                (
                    l["a"].to_string(),
                    l["b"].to_string(),
                    l["kind"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(key(&again), key(&links));
}

#[test]
fn links_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path().join("ws");
    let out = crate::util::vidi()
        .args(["links", "--workspace", w.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("vidi init"));
    run_ok(&["init", "--workspace", w.to_str().unwrap()]);
    let out = crate::util::vidi()
        .args([
            "links",
            "--workspace",
            w.to_str().unwrap(),
            "--case",
            "NOPE-1",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOPE-1"));
}
