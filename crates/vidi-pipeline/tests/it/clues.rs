//! Clue extraction and location hypotheses on the demo dataset, whose true
//! countries are known (the country of the agency whose case holds each
//! file). Prints the accuracy table and fails if it drops.

use std::collections::BTreeMap;

use vidi_pipeline::clues::{ClueConfig, NoClueProgress, clue_from_row, run_clues};
use vidi_pipeline::{IngestConfig, NoProgress, ingest};
use vidi_store::{Store, Workspace};
use vidi_types::Cancel;

#[test]
fn demo_country_accuracy_and_incremental_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let spec = vidi_synth::DemoSpec::default();
    let manifest = vidi_synth::generate_demo(&data, &spec, &Cancel::new()).unwrap();
    let ws = Workspace::init(&tmp.path().join("ws")).unwrap();
    let mut truth: BTreeMap<String, String> = BTreeMap::new();
    for agency in &manifest.agencies {
        for case in &agency.cases {
            let mut config = IngestConfig::new(
                vec![case.dir.clone()],
                case.case.clone(),
                agency.agency.clone(),
            );
            config.thumbnails = false;
            ingest(&ws, &config, &NoProgress, &Cancel::new()).unwrap();
            truth.insert(case.case.clone(), agency.country.clone());
        }
    }
    let models = vidi_models::default_models_dir();
    let (extractors, missing) = vidi_clues::extractors(None, &models);
    for (id, why) in &missing {
        eprintln!("note: extractor {id} unavailable: {why}");
    }
    let summary = run_clues(
        &ws,
        &extractors,
        &ClueConfig::default(),
        &NoClueProgress,
        &Cancel::new(),
    )
    .unwrap();
    eprintln!("{}", serde_json::to_string_pretty(&summary).unwrap());
    // A rerun with the same extractors recomputes nothing.
    let again = run_clues(
        &ws,
        &extractors,
        &ClueConfig::default(),
        &NoClueProgress,
        &Cancel::new(),
    )
    .unwrap();
    assert!(again.by_extractor.values().all(|s| s.ran == 0), "{again:?}");

    let store = Store::open(&ws).unwrap();
    let (mut n, mut with_clues, mut top1, mut top3) = (0, 0, 0, 0);
    let mut rows = Vec::new();
    for row in store.list_evidence(None).unwrap() {
        let Some(m) = &row.media else { continue };
        if m.kind == vidi_types::MediaKind::Other {
            continue;
        }
        n += 1;
        let want = &truth[&row.item.case];
        let clues: Vec<_> = store
            .clues_for_media(&m.digests.sha256)
            .unwrap()
            .iter()
            .filter_map(clue_from_row)
            .collect();
        let h = vidi_clues::locate(&clues, &vidi_clues::Weights::default(), 3);
        if !h.is_empty() {
            with_clues += 1;
        }
        let rank = h.iter().position(|x| &x.country == want);
        top1 += usize::from(rank == Some(0));
        top3 += usize::from(rank.is_some());
        rows.push(format!(
            "{:<10} {:<3} {:<40} {}",
            row.item.case,
            want,
            row.item.path.rsplit('/').next().unwrap_or(""),
            h.iter()
                .map(|x| format!("{} {:.2}", x.country, x.score))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for r in &rows {
        eprintln!("{r}");
    }
    let pct = |k: usize, d: usize| 100.0 * k as f64 / d.max(1) as f64;
    eprintln!(
        "demo media {n}, with a location clue {with_clues}; top-1 {top1} ({:.0} %), top-3 {top3} ({:.0} %) of all media",
        pct(top1, n),
        pct(top3, n)
    );
    assert!(n >= 30, "demo too small: {n}");
    assert!(
        pct(top1, n) >= FLOOR_TOP1,
        "top-1 {:.0} % < {FLOOR_TOP1} %",
        pct(top1, n)
    );
    assert!(
        pct(top3, n) >= FLOOR_TOP3,
        "top-3 {:.0} % < {FLOOR_TOP3} %",
        pct(top3, n)
    );
}

/// Floors a bit below what was measured (docs/accuracy.md).
const FLOOR_TOP1: f64 = 50.0;
const FLOOR_TOP3: f64 = 50.0;
