//! One ingest of all of the shared corpora (about 2,800 files, many
//! crafted to crash decoders) finishes with every file accounted for.

use std::collections::BTreeMap;

use crate::util::{count_entries, ingest, json_lines, ls_json, run_ok, shared_dir};

#[test]
fn whole_shared_corpus_is_accounted_for() {
    let Some(shared) = shared_dir() else { return };
    let corpora = shared.join("corpora");
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let w = ws.to_str().unwrap();
    run_ok(&["init", "--workspace", w]);
    let out = ingest(
        w,
        "CORPUS-1",
        "XX",
        &corpora,
        &["--json", "--file-budget", "30"],
    );
    let summary = &json_lines(&out)[0];
    let expected = count_entries(&corpora);
    eprintln!("corpus summary: {summary}");
    assert_eq!(summary["found"].as_u64().unwrap() as usize, expected);

    let rows = ls_json(&ws, None);
    assert_eq!(rows.len(), expected, "every file is an evidence item");
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        *kinds
            .entry(r["kind"].as_str().unwrap().to_string())
            .or_default() += 1;
        if !r["error"].is_null() {
            *errors
                .entry(r["error"]["kind"].as_str().unwrap().to_string())
                .or_default() += 1;
            assert!(!r["error"]["message"].as_str().unwrap().is_empty());
        }
        if r["file_type"] == "regular" {
            assert!(r["sha256"].is_string(), "regular file without hashes: {r}");
        }
    }
    eprintln!("kinds: {kinds:?}\nerrors: {errors:?}");
    assert!(kinds.get("image").copied().unwrap_or(0) > 1500, "{kinds:?}");
    assert!(kinds.get("video").copied().unwrap_or(0) > 40, "{kinds:?}");
    assert!(
        !errors.contains_key("decoder_panic") || errors["decoder_panic"] < 20,
        "{errors:?}"
    );
}
