//! `vidi similar`: embeddings at ingest, the persisted index (rebuilt when
//! damaged), the demo's variants found, and visibility by case.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::util::{dataset, init_and_ingest_all, json_lines, ls_json, run_ok, vidi};

fn model_installed() -> bool {
    let dir = vidi_models::default_models_dir();
    let ok = vidi_models::Registry::open(&dir)
        .ok()
        .is_some_and(|r| r.get(vidi_pipeline::embed::DEFAULT_MODEL).is_ok());
    if !ok {
        eprintln!(
            "SKIP: embedding model {} not installed in {} (scripts/models/install-vision.sh)",
            vidi_pipeline::embed::DEFAULT_MODEL,
            dir.display()
        );
    }
    ok
}

#[test]
fn similar_finds_variants_respects_cases_and_rebuilds_index() {
    if !model_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let spec = vidi_synth::DemoSpec {
        seed: 5,
        images_per_case: 3,
        videos: false,
        audio: false,
        width: 512,
        height: 384,
    };
    let manifest = dataset(&data, &spec);
    let ws = dir.path().join("ws");
    let w = ws.to_str().unwrap();
    let mut cases = Vec::new();
    for (case, out) in init_and_ingest_all(w, &manifest, &["--no-thumbnails", "--no-match"]) {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("embedding for similar-scene search failed"),
            "{err}"
        );
        cases.push(case.case.clone());
    }
    let mut sha_of: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut case_of: BTreeMap<String, String> = BTreeMap::new();
    for row in ls_json(&ws, None) {
        if let (Some(p), Some(s), Some(c)) = (
            row["path"].as_str(),
            row["sha256"].as_str(),
            row["case"].as_str(),
        ) {
            sha_of.insert(PathBuf::from(p), s.to_owned());
            case_of.insert(s.to_owned(), c.to_owned());
        }
    }
    // Original -> its variants (other content than the original's).
    let mut variants: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &manifest.files {
        if let (Some(of), Some(kind)) = (&f.variant_of, &f.variant) {
            if kind == "exact_copy" || kind == "frame_of_video" {
                continue;
            }
            if let (Some(a), Some(b)) = (sha_of.get(of), sha_of.get(&f.path))
                && a != b
            {
                variants.entry(a.clone()).or_default().insert(b.clone());
            }
        }
    }
    assert!(!variants.is_empty(), "the demo has no image variants");
    let (mut found, mut total) = (0usize, 0usize);
    for (orig, vars) in &variants {
        let out = run_ok(&["similar", "--workspace", w, orig, "--k", "5", "--json"]);
        let hits = json_lines(&out);
        assert!(hits.len() <= 5);
        for h in &hits {
            assert!(h["score"].is_number() && h["cosine"].is_number());
            assert!(h["query_region"]["index"].is_u64());
            assert_eq!(h["hit_region"]["rect"].as_array().map(Vec::len), Some(4));
            assert!(!h["cases"].as_array().unwrap().is_empty());
            assert!(!h["agencies"].as_array().unwrap().is_empty());
            assert_ne!(h["sha256"].as_str(), Some(orig.as_str()));
        }
        let got: BTreeSet<&str> = hits.iter().filter_map(|h| h["sha256"].as_str()).collect();
        total += vars.len();
        found += vars.iter().filter(|v| got.contains(v.as_str())).count();
    }
    let recall = found as f64 / total as f64;
    eprintln!(
        "similar: {found}/{total} demo variants in the top 5 of their original ({recall:.3})"
    );
    assert!(recall >= 0.8, "recall@5 of demo variants {recall}");

    // The index is persisted; a damaged file is rebuilt, not fatal.
    let idx_dir = ws.join("indexes");
    let ann: Vec<PathBuf> = std::fs::read_dir(&idx_dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ann"))
        .collect();
    assert_eq!(ann.len(), 1, "{ann:?}");
    let mut bytes = std::fs::read(&ann[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&ann[0], &bytes).unwrap();
    let first = variants.keys().next().unwrap();
    let out = vidi()
        .args(["similar", "--workspace", w, first, "--k", "3"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("similarity index rebuilt"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);

    // Visibility: only the cases given come back.
    let wsx = vidi_store::Workspace::open(&ws).unwrap();
    let store = vidi_store::Store::open(&wsx).unwrap();
    let bb = vidi_pipeline::embed::load_backbone(&vidi_models::default_models_dir(), None).unwrap();
    let key = vidi_pipeline::embed::model_key(&bb);
    let index = vidi_pipeline::embed::SimilarIndex::open(&wsx, &key).unwrap();
    assert_eq!(index.origin, "loaded");
    let own_case = &case_of[first];
    let visible = store.case_ids_by_number(&[own_case.as_str()]).unwrap();
    let sha = vidi_types::Sha256::from_hex(first).unwrap();
    let hits =
        vidi_pipeline::embed::find_similar(&wsx, &index, &key, &sha, 50, Some(&visible)).unwrap();
    assert!(!hits.is_empty());
    for h in &hits {
        assert_eq!(h.cases, vec![own_case.clone()]);
    }
    let other = cases.iter().find(|c| *c != own_case).unwrap();
    let other_ids = store.case_ids_by_number(&[other.as_str()]).unwrap();
    assert!(
        vidi_pipeline::embed::find_similar(&wsx, &index, &key, &sha, 5, Some(&other_ids)).is_err(),
        "a query outside the visible cases must not be searchable"
    );

    // Bad arguments give clear errors.
    let out = vidi()
        .args(["similar", "--workspace", w, "abc"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("prefix"));
}
