//! Integration tests of vidi-models: the installed test models, when present.

#[test]
fn installed_models_verify_when_present() {
    let dir = vidi_models::default_models_dir();
    if !dir.is_dir() {
        eprintln!(
            "SKIP: no models installed at {} (run scripts/models/install.sh)",
            dir.display()
        );
        return;
    }
    let reg = vidi_models::Registry::open(&dir).unwrap();
    for m in reg.models() {
        let report = reg.verify(&m.name).unwrap();
        assert!(report.ok(), "{}: {:?}", m.name, report.problems);
    }
}
