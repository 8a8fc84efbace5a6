//! Read side: case filter, hash lookups, counts, runs.

use serde_json::json;
use vidi_store::{RunInfo, RunStatus, StoreError};
use vidi_types::{FileError, FileErrorKind, Sha256};

use crate::common::{full_media, image_media, item, store};

#[test]
fn list_evidence_filters_by_case_and_orders_by_case_then_path() {
    let (_dir, _ws, mut store) = store();
    for (case, path) in [
        ("NL-1", "/b"),
        ("BE-1", "/z"),
        ("BE-1", "/a"),
        ("NL-1", "/a"),
    ] {
        store.put_item(None, &item(case, path, None)).unwrap();
    }
    let all: Vec<_> = store
        .list_evidence(None)
        .unwrap()
        .into_iter()
        .map(|r| (r.item.case, r.item.path))
        .collect();
    let expected = [
        ("BE-1", "/a"),
        ("BE-1", "/z"),
        ("NL-1", "/a"),
        ("NL-1", "/b"),
    ];
    assert_eq!(
        all,
        expected
            .map(|(c, p)| (c.to_string(), p.to_string()))
            .to_vec()
    );
    let be = store.list_evidence(Some("BE-1")).unwrap();
    assert_eq!(be.len(), 2);
    assert!(be.iter().all(|r| r.item.case == "BE-1"));
    assert!(store.list_evidence(Some("XX-0")).unwrap().is_empty());
}

fn sha_hex(hex: &str) -> Sha256 {
    Sha256::from_hex(hex).unwrap()
}

#[test]
fn prefix_lookup() {
    let (_dir, _ws, mut store) = store();
    let shas = [
        "abcd0000000000000000000000000000000000000000000000000000000000aa",
        "abcd1000000000000000000000000000000000000000000000000000000000bb",
        "abce0000000000000000000000000000000000000000000000000000000000cc",
        "abcc0000000000000000000000000000000000000000000000000000000000dd",
    ];
    let mut media = Vec::new();
    for (i, hex) in shas.iter().enumerate() {
        let mut m = image_media(i as u64, 1);
        m.digests.sha256 = sha_hex(hex);
        store
            .put_item(Some(&m), &item("BE-1", &format!("/f{i}"), Some(m.sha256())))
            .unwrap();
        media.push(m);
    }
    let found = |p: &str| -> Vec<String> {
        store
            .media_by_prefix(p)
            .unwrap()
            .iter()
            .map(|m| m.sha256().to_hex())
            .collect()
    };
    // Ambiguous: several, ordered by SHA-256.
    assert_eq!(found("abcd"), vec![shas[0], shas[1]]);
    assert_eq!(found("ABCD"), vec![shas[0], shas[1]]);
    assert_eq!(found("abcd1"), vec![shas[1]]);
    assert_eq!(found("abcd0"), vec![shas[0]]);
    assert_eq!(found("abc0"), Vec::<String>::new());
    assert_eq!(found(shas[2]), vec![shas[2]]);
    assert_eq!(found(&shas[3].to_uppercase()), vec![shas[3]]);
    // Full MD5 and SHA-1.
    let md5 = media[2].digests.md5.to_hex();
    assert_eq!(found(&md5), vec![shas[2]]);
    assert_eq!(found(&md5.to_uppercase()), vec![shas[2]]);
    let sha1 = media[1].digests.sha1.to_hex();
    assert_eq!(found(&sha1), vec![shas[1]]);
    // A returned record is complete.
    assert_eq!(
        store.media_by_prefix(shas[0]).unwrap(),
        vec![media[0].clone()]
    );
    // Bad prefixes.
    for bad in ["", "abc", "abcg", "ab cd", &"a".repeat(65), "%%%%", "abc_"] {
        assert!(
            matches!(
                store.media_by_prefix(bad),
                Err(StoreError::BadPrefix { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn counts_by_kind_and_error() {
    let (_dir, _ws, mut store) = store();
    let video = full_media(1, 1); // video with a Truncated error
    store
        .put_item(Some(&video), &item("BE-1", "/v", Some(video.sha256())))
        .unwrap();
    for n in 2..5 {
        let img = image_media(n, 1);
        store
            .put_item(
                Some(&img),
                &item("NL-1", &format!("/i{n}"), Some(img.sha256())),
            )
            .unwrap();
    }
    let mut unreadable = item("NL-1", "/locked", None);
    unreadable.error = Some(FileError::new(FileErrorKind::Io, "permission denied"));
    store.put_item(None, &unreadable).unwrap();
    let c = store.counts().unwrap();
    assert_eq!(c.media, 4);
    assert_eq!(c.media_by_kind.get("image"), Some(&3));
    assert_eq!(c.media_by_kind.get("video"), Some(&1));
    assert_eq!(c.media_by_kind.get("audio"), None);
    assert_eq!(c.media_errors_by_kind.get("truncated"), Some(&1));
    assert_eq!(c.evidence, 5);
    assert_eq!(c.evidence_errors_by_kind.get("io"), Some(&1));
    assert_eq!((c.cases, c.agencies), (2, 2));
}

#[test]
fn runs_record_start_end_and_interruptions() {
    let (_dir, _ws, mut store) = store();
    let info = RunInfo {
        case: "BE-1".into(),
        agency: "BE".into(),
        roots: vec!["/evidence".into(), "/more".into()],
        pipeline_version: 3,
    };
    let first = store.begin_run(&info).unwrap();
    // The first run "dies": never finished. The next run marks it.
    let second = store.begin_run(&info).unwrap();
    assert_ne!(first, second);
    store
        .finish_run(second, "completed", &json!({"items": 10}))
        .unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].id, second);
    assert_eq!(runs[0].status, RunStatus::Completed);
    assert_eq!(runs[0].summary, Some(json!({"items": 10})));
    assert!(runs[0].finished_at.is_some());
    assert_eq!(runs[0].roots, info.roots);
    assert_eq!(
        (runs[0].case.as_str(), runs[0].agency.as_str()),
        ("BE-1", "BE")
    );
    assert_eq!(store.case_agency("BE-1").unwrap().as_deref(), Some("BE"));
    assert_eq!(runs[0].pipeline_version, 3);
    assert_eq!(runs[1].id, first);
    assert_eq!(runs[1].status, RunStatus::Interrupted);
    assert!(runs[1].finished_at.is_none());
    assert_eq!(
        store.run(first).unwrap().map(|r| r.status),
        Some(RunStatus::Interrupted)
    );
    assert_eq!(store.run(12345).unwrap(), None);

    let third = store.begin_run(&info).unwrap();
    assert_eq!(
        store.run(third).unwrap().map(|r| r.status),
        Some(RunStatus::Running)
    );
    assert!(matches!(
        store.finish_run(third, "running", &json!(null)),
        Err(StoreError::InvalidRunStatus { .. })
    ));
    assert!(matches!(
        store.finish_run(third, "bogus", &json!(null)),
        Err(StoreError::InvalidRunStatus { .. })
    ));
    assert!(matches!(
        store.finish_run(999, "completed", &json!(null)),
        Err(StoreError::NoSuchRun { id: 999 })
    ));
    store.finish_run(third, "cancelled", &json!({})).unwrap();
    assert_eq!(
        store.run(third).unwrap().map(|r| r.status),
        Some(RunStatus::Cancelled)
    );
}
