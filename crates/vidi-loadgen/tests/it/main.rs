//! Seeding a small workspace and a short load run against the real server
//! in-process (no timing assertions: counts, errors and need-to-know).

use std::time::Duration;

use vidi_loadgen::{LoadSpec, SeedSpec};
use vidi_server::{AppState, ServerConfig};

#[test]
fn seed_then_browse_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SeedSpec {
        media: 3_000,
        users: 6,
        thumbnails: 64,
        ..SeedSpec::default()
    };
    let (ws, report) = vidi_loadgen::seed::seed_new(&dir.path().join("ws"), &spec).unwrap();
    assert_eq!(report.media, 3_000);
    // Every 50th media is also in another agency's case.
    assert_eq!(report.evidence, 3_000 + 60);
    assert_eq!(report.hits, 300);
    assert!(report.links > 50, "{}", report.links);
    assert_eq!(report.cases.len(), 10);
    assert_eq!(report.users.len(), 6);
    let roles: std::collections::BTreeSet<&str> =
        report.users.iter().map(|u| u.role.as_str()).collect();
    assert!(roles.contains("admin") && roles.contains("reviewer") && roles.contains("analyst"));
    let store = vidi_store::Store::open(&ws).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!(counts.media, 3_000);
    assert_eq!(counts.agencies, 3);
    drop(store);

    let users: Vec<(String, String)> = report
        .users
        .iter()
        .map(|u| (u.username.clone(), spec.password.clone()))
        .collect();
    let state = AppState::new(ws, ServerConfig::default()).unwrap();
    let load = vidi_loadgen::load::run_in_process(state, |addr| {
        let mut l = LoadSpec::new(addr, users);
        l.duration = Duration::from_secs(600);
        l.warmup = Duration::ZERO;
        l.max_sessions = Some(3);
        l.thumbs_per_screen = 4;
        l
    })
    .unwrap();
    assert_eq!(load.overall.errors, 0, "{:?}", load.first_errors);
    assert_eq!(load.sessions, 18);
    let kinds: Vec<&str> = load.kinds.iter().map(|k| k.kind.as_str()).collect();
    for k in ["cases", "media", "thumbnail"] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    assert!(load.overall.requests >= 18 * 3);
    assert!(load.overall.p50_ms <= load.overall.p99_ms);
    assert!(load.overall.p99_ms <= load.overall.max_ms);
}

#[test]
fn the_browser_model_browses_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SeedSpec {
        media: 500,
        users: 3,
        thumbnails: 16,
        ..SeedSpec::default()
    };
    let (ws, report) = vidi_loadgen::seed::seed_new(&dir.path().join("ws"), &spec).unwrap();
    let users: Vec<(String, String)> = report
        .users
        .iter()
        .map(|u| (u.username.clone(), spec.password.clone()))
        .collect();
    let state = AppState::new(ws, ServerConfig::default()).unwrap();
    let load = vidi_loadgen::load::run_in_process(state, |addr| {
        let mut l = LoadSpec::new(addr, users);
        l.duration = Duration::from_secs(600);
        l.warmup = Duration::ZERO;
        l.max_sessions = Some(4);
        l.thumbs_per_screen = 12;
        l.browser = true;
        l.think = Duration::from_millis(5);
        l
    })
    .unwrap();
    assert_eq!(load.overall.errors, 0, "{:?}", load.first_errors);
    assert_eq!(load.sessions, 12);
    let thumbs: u64 = load
        .kinds
        .iter()
        .filter(|k| k.kind.starts_with("thumbnail"))
        .map(|k| k.requests)
        .sum();
    assert!(thumbs > 0);
}

#[test]
fn a_wrong_password_stops_the_run_with_a_login_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SeedSpec {
        media: 50,
        users: 1,
        thumbnails: 4,
        ..SeedSpec::default()
    };
    let (ws, _) = vidi_loadgen::seed::seed_new(&dir.path().join("ws"), &spec).unwrap();
    let state = AppState::new(ws, ServerConfig::default()).unwrap();
    let err = vidi_loadgen::load::run_in_process(state, |addr| {
        LoadSpec::new(addr, vec![("user000".into(), "not-the-password".into())])
    })
    .unwrap_err();
    assert!(
        matches!(err, vidi_loadgen::LoadError::Login { .. }),
        "{err}"
    );
}
