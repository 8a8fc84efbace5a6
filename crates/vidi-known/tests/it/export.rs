//! Exports: round trips through the importers, and golden files.

use vidi_hashsets::{Category, HashEntry, Scheme, VicsVersion};
use vidi_known::{
    ExportFormat, ImportOptions, NoImportProgress, case_entries, export_case, import_hashset,
};
use vidi_store::Store;
use vidi_types::Cancel;

use crate::support::Fixture;

/// Entries of a set, in file order.
fn set_entries(f: &Fixture, set_id: i64) -> Vec<HashEntry> {
    let store = Store::open(&f.ws).unwrap();
    let mut out = Vec::new();
    store
        .for_each_hashset_entry(set_id, &mut |e| {
            out.push(e.entry);
            Ok(())
        })
        .unwrap();
    out
}

fn categorised_fixture() -> Fixture {
    let f = Fixture::new();
    let mut store = Store::open(&f.ws).unwrap();
    let a = f.media("a.png");
    store
        .set_media_category(
            &a.digests.sha256,
            &Category::new(Scheme::Vics20, "1"),
            "alice",
            None,
        )
        .unwrap();
    let b = f.media("b.png");
    // A category of another scheme: left out of a VICS 2.0 export, never renumbered.
    store
        .set_media_category(
            &b.digests.sha256,
            &Category::new(Scheme::CaidUk, "A"),
            "alice",
            None,
        )
        .unwrap();
    f
}

fn export_and_import(f: &Fixture, format: ExportFormat, name: &str) -> (Vec<u8>, i64) {
    let mut out = Vec::new();
    let summary = export_case(&f.ws, "BE-1", format, &mut out).unwrap();
    assert_eq!(summary.media, 6);
    let path = f.write(name, std::str::from_utf8(&out).unwrap());
    let s = import_hashset(
        &f.ws,
        &path,
        &ImportOptions::default(),
        &NoImportProgress,
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(s.rejected, 0, "{:?}", s.rejected_samples);
    (out, s.set_id)
}

#[test]
fn vics_2_0_case_file_round_trips() {
    let f = categorised_fixture();
    let exported = case_entries(&f.ws, "BE-1").unwrap();
    assert_eq!(exported.len(), 6);
    let (_, set) = export_and_import(&f, ExportFormat::Vics(VicsVersion::V2_0), "case.json");
    let read = set_entries(&f, set);
    assert_eq!(read.len(), exported.len());
    for (e, r) in exported.iter().zip(&read) {
        assert_eq!(r.md5, e.md5);
        assert_eq!(r.sha1, e.sha1);
        assert_eq!(r.sha256, e.sha256);
        assert_eq!(r.pdq, e.pdq);
        assert_eq!(r.pdq_quality, e.pdq_quality);
        assert_eq!(r.size, e.size);
        assert_eq!(r.file_name, e.file_name);
        assert_eq!(r.series, e.series);
        assert_eq!(r.flags, e.flags);
        // Only categories of the format's scheme survive.
        let kept: Vec<Category> = e
            .categories
            .iter()
            .filter(|c| c.scheme == Scheme::Vics20)
            .cloned()
            .collect();
        assert_eq!(r.categories, kept);
    }
    assert!(
        read.iter()
            .any(|r| r.categories == vec![Category::new(Scheme::Vics20, "1")])
    );
    // Importing the export matches every exported media back, by SHA-256.
    let m = vidi_known::match_workspace(
        &f.ws,
        &vidi_known::MatchConfig {
            sets: Some(vec![set]),
            ..vidi_known::MatchConfig::default()
        },
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(m.media_with_hits, 6);
}

#[test]
fn icse_csv_round_trips() {
    let f = categorised_fixture();
    let exported = case_entries(&f.ws, "BE-1").unwrap();
    let (_, set) = export_and_import(&f, ExportFormat::IcseCsv, "case.csv");
    let read = set_entries(&f, set);
    assert_eq!(read.len(), exported.len());
    for (e, r) in exported.iter().zip(&read) {
        assert_eq!((r.md5, r.sha1), (e.md5, e.sha1));
        assert_eq!(r.flags.victim_identified, e.flags.victim_identified);
        assert_eq!(r.flags.distributed, e.flags.distributed);
        assert_eq!(r.series, e.series);
    }
}

/// Exports of a fixed workspace are compared byte for byte with golden
/// files (`VIDI_BLESS=1` rewrites them).
#[test]
fn exports_match_golden_files() {
    let f = categorised_fixture();
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (format, file) in [
        (ExportFormat::Vics(VicsVersion::V2_0), "case-vics-2.0.json"),
        (ExportFormat::Vics(VicsVersion::V1_3), "case-vics-1.3.json"),
        (ExportFormat::IcseCsv, "case-icse.csv"),
    ] {
        let mut out = Vec::new();
        export_case(&f.ws, "BE-1", format, &mut out).unwrap();
        let path = golden.join(file);
        if std::env::var_os("VIDI_BLESS").is_some() {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&path, &out).unwrap();
        }
        let want = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e} (run with VIDI_BLESS=1 to create)", path.display())
        });
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&want),
            "{file} differs from its golden file"
        );
    }
}

#[test]
fn unknown_case_is_an_error_naming_it() {
    let f = Fixture::new();
    let err = export_case(&f.ws, "NO-SUCH", ExportFormat::IcseCsv, Vec::new()).unwrap_err();
    assert!(err.to_string().contains("NO-SUCH"));
}
