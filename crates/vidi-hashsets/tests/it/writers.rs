//! Writers: golden files, round trips through the readers, property tests.

use std::path::PathBuf;

use proptest::prelude::*;
use vidi_hashsets::{
    CaseHeader, Category, CategoryPolicy, EntryFlags, EntryWriter, Format, HashEntry,
    IcseCsvWriter, Md5, PdqHash, PlainHash, PlainKind, PlainWriter, ReadOptions, Scheme, Sha1,
    Sha256, TeCsvWriter, VicsDocument, VicsVersion, VicsWriter, WriteError, read_with,
};

/// Every writer configuration under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Vics13,
    Vics20,
    Vics20Case,
    Icse,
    Te,
    Plain(PlainHash),
}

const ALL: [Target; 10] = [
    Target::Vics13,
    Target::Vics20,
    Target::Vics20Case,
    Target::Icse,
    Target::Te,
    Target::Plain(PlainHash::Strongest),
    Target::Plain(PlainHash::Md5),
    Target::Plain(PlainHash::Sha1),
    Target::Plain(PlainHash::Sha256),
    Target::Plain(PlainHash::Pdq),
];

fn case_header() -> CaseHeader {
    CaseHeader {
        case_id: Some("00000000-0000-0000-0000-00000000002a".into()),
        case_number: "CASE-42; \"golden\"".into(),
        source_application_name: Some("vidi-tests".into()),
        source_application_version: Some("1".into()),
    }
}

/// Write `entries` with `target`; refused entries are skipped (as a
/// caller would). Returns the bytes and how many entries were written.
fn write(target: Target, entries: &[HashEntry], policy: CategoryPolicy) -> (Vec<u8>, u64) {
    fn each(mut w: impl EntryWriter<Output = Vec<u8>>, entries: &[HashEntry]) -> (Vec<u8>, u64) {
        for e in entries {
            match w.write(e) {
                Ok(_) | Err(WriteError::Category { .. } | WriteError::Unrepresentable { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
        let n = w.stats().written;
        (w.finish().unwrap(), n)
    }
    match target {
        Target::Vics13 | Target::Vics20 | Target::Vics20Case => {
            let (v, d) = match target {
                Target::Vics13 => (VicsVersion::V1_3, VicsDocument::HashSet),
                Target::Vics20 => (VicsVersion::V2_0, VicsDocument::HashSet),
                _ => (VicsVersion::V2_0, VicsDocument::Case(case_header())),
            };
            let w = VicsWriter::new(Vec::new(), v, d).unwrap();
            each(w.with_category_policy(policy), entries)
        }
        Target::Icse => {
            let w = IcseCsvWriter::new(Vec::new()).unwrap();
            each(w.with_category_policy(policy), entries)
        }
        Target::Te => {
            let w = TeCsvWriter::new(Vec::new()).unwrap();
            each(w.with_category_policy(policy), entries)
        }
        Target::Plain(h) => each(
            PlainWriter::new(Vec::new(), h).with_category_policy(policy),
            entries,
        ),
    }
}

fn format_of(target: Target) -> (Format, ReadOptions) {
    let f = match target {
        Target::Vics13 | Target::Vics20 | Target::Vics20Case => Format::Vics,
        Target::Icse => Format::IcseCsv,
        Target::Te => Format::ThreatExchangeCsv,
        Target::Plain(_) => Format::Plain,
    };
    let plain_kind = if target == Target::Plain(PlainHash::Pdq) {
        PlainKind::Pdq
    } else {
        PlainKind::Auto
    };
    (f, ReadOptions { plain_kind })
}

fn read_back(target: Target, bytes: &[u8]) -> Vec<HashEntry> {
    let (format, options) = format_of(target);
    assert_eq!(vidi_hashsets::detect(bytes).unwrap_or(format), format);
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    let s = read_with(format, options, bytes, &mut |e| ok.push(e), &mut |r| {
        bad.push(r)
    })
    .unwrap();
    assert!(
        bad.is_empty(),
        "{target:?}: {bad:?}\n{}",
        String::from_utf8_lossy(bytes)
    );
    assert_eq!(s.accepted as usize, ok.len());
    ok
}

/// What `target` is expected to give back for `e` (the fields the format
/// carries), as zero or more entries. Categories the format cannot carry
/// are dropped (the `Omit` policy).
fn project(target: Target, e: &HashEntry) -> Vec<HashEntry> {
    let keep_cats = |scheme: Scheme, code: Option<&str>| -> Vec<Category> {
        e.categories
            .iter()
            .filter(|c| c.scheme == scheme && code.is_none_or(|k| c.code == k))
            .take(1)
            .cloned()
            .collect()
    };
    match target {
        Target::Vics13 | Target::Vics20 | Target::Vics20Case => {
            let v2 = target != Target::Vics13;
            let p = HashEntry {
                md5: e.md5,
                sha1: e.sha1,
                sha256: e.sha256.filter(|_| v2),
                pdq: e.pdq,
                pdq_quality: e.pdq.and(e.pdq_quality),
                photodna: e.photodna.clone(),
                categories: keep_cats(if v2 { Scheme::Vics20 } else { Scheme::VicsUs }, None),
                series: e.series.clone(),
                flags: EntryFlags {
                    suspected: e.flags.suspected.filter(|_| v2),
                    self_generated: e.flags.self_generated.filter(|_| v2),
                    ..e.flags.clone()
                },
                label: e.label.clone(),
                size: e.size,
                file_name: e.file_name.clone(),
                source_id: e.source_id.clone(),
            };
            let any = p.md5.is_some()
                || p.sha1.is_some()
                || p.sha256.is_some()
                || p.photodna.is_some()
                || p.pdq.is_some();
            if any { vec![p] } else { vec![] }
        }
        Target::Icse => {
            if e.md5.is_none() && e.sha1.is_none() && e.photodna.is_none() {
                return vec![];
            }
            vec![HashEntry {
                md5: e.md5,
                sha1: e.sha1,
                photodna: e.photodna.clone(),
                source_id: e.source_id.clone(),
                series: e.series.clone(),
                flags: EntryFlags {
                    distributed: e.flags.distributed,
                    victim_identified: e.flags.victim_identified,
                    offender_identified: e.flags.offender_identified,
                    ..EntryFlags::default()
                },
                categories: keep_cats(Scheme::IcseFlags, Some("baseline")),
                ..HashEntry::default()
            }]
        }
        Target::Te => {
            let base = HashEntry {
                source_id: e.source_id.clone(),
                label: e.label.clone(),
                categories: keep_cats(Scheme::ThreatExchange, None),
                ..HashEntry::default()
            };
            let mut out = Vec::new();
            if e.pdq.is_some() {
                out.push(HashEntry {
                    pdq: e.pdq,
                    ..base.clone()
                });
            }
            if e.md5.is_some() {
                out.push(HashEntry {
                    md5: e.md5,
                    ..base.clone()
                });
            }
            if e.sha256.is_some() {
                out.push(HashEntry {
                    sha256: e.sha256,
                    ..base.clone()
                });
            }
            out
        }
        Target::Plain(h) => {
            let mut p = HashEntry {
                label: e.label.clone(),
                ..HashEntry::default()
            };
            match h {
                PlainHash::Strongest if e.sha256.is_some() => p.sha256 = e.sha256,
                PlainHash::Strongest if e.sha1.is_some() => p.sha1 = e.sha1,
                PlainHash::Strongest => p.md5 = e.md5,
                PlainHash::Md5 => p.md5 = e.md5,
                PlainHash::Sha1 => p.sha1 = e.sha1,
                PlainHash::Sha256 => p.sha256 = e.sha256,
                PlainHash::Pdq => p.pdq = e.pdq,
            }
            if p.md5.is_none() && p.sha1.is_none() && p.sha256.is_none() && p.pdq.is_none() {
                return vec![];
            }
            if p.label.as_deref().is_some_and(|l| l.contains('\n')) {
                return vec![];
            }
            vec![p]
        }
    }
}

fn hex_md5(s: &str) -> Md5 {
    Md5::from_hex(s).unwrap()
}

/// A small fixed set with awkward values.
fn golden_entries() -> Vec<HashEntry> {
    vec![
        HashEntry {
            md5: Some(hex_md5("d41d8cd98f00b204e9800998ecf8427e")),
            sha1: Some(Sha1::from_hex("da39a3ee5e6b4b0d3255bfef95601890afd80709").unwrap()),
            sha256: Some(
                Sha256::from_hex(
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                )
                .unwrap(),
            ),
            categories: vec![
                Category::new(Scheme::VicsUs, "8"),
                Category::new(Scheme::Vics20, "5"),
                Category::new(Scheme::Nsrl, "known"),
            ],
            size: Some(0),
            file_name: Some("empty.bin".into()),
            source_id: Some("1".into()),
            label: Some("empty file".into()),
            ..HashEntry::default()
        },
        HashEntry {
            md5: Some(hex_md5("900150983cd24fb0d6963f7d28e17f72")),
            photodna: Some("QUJD".repeat(48)),
            categories: vec![
                Category::new(Scheme::IcseFlags, "baseline"),
                Category::new(Scheme::Vics20, "4"),
                Category::new(Scheme::VicsUs, "4"),
                Category::new(Scheme::ThreatExchange, "INVESTIGATION_SEED"),
            ],
            series: Some("Série \"Ünïcødé\"; 系列, two".into()),
            flags: EntryFlags {
                victim_identified: Some(true),
                offender_identified: Some(false),
                distributed: Some(true),
                suspected: Some(false),
                self_generated: Some(true),
            },
            file_name: Some("abc ; \"quoted\".txt".into()),
            source_id: Some("IMG-0007".into()),
            label: Some("tag one, tag \"two\"; three".into()),
            size: Some(3),
            ..HashEntry::default()
        },
        HashEntry {
            pdq: Some(
                PdqHash::from_hex(
                    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
                )
                .unwrap(),
            ),
            pdq_quality: Some(87),
            sha1: Some(Sha1([0x11; 20])),
            series: Some("line one\nline two".into()),
            source_id: Some("007".into()),
            flags: EntryFlags {
                suspected: Some(true),
                ..EntryFlags::default()
            },
            categories: vec![Category::new(Scheme::DhsLegacy, "1")],
            ..HashEntry::default()
        },
        // No hash at all: skipped by every writer.
        HashEntry {
            label: Some("nothing to match on".into()),
            ..HashEntry::default()
        },
    ]
}

fn golden_name(target: Target) -> &'static str {
    match target {
        Target::Vics13 => "vics-1.3-hashset.json",
        Target::Vics20 => "vics-2.0-hashset.json",
        Target::Vics20Case => "vics-2.0-case.json",
        Target::Icse => "icse.csv",
        Target::Te => "threatexchange.csv",
        Target::Plain(PlainHash::Strongest) => "plain-strongest.txt",
        Target::Plain(PlainHash::Md5) => "plain-md5.txt",
        Target::Plain(PlainHash::Sha1) => "plain-sha1.txt",
        Target::Plain(PlainHash::Sha256) => "plain-sha256.txt",
        Target::Plain(PlainHash::Pdq) => "plain-pdq.txt",
    }
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Byte-for-byte against `tests/golden/`; `VIDI_BLESS=1` rewrites them.
#[test]
fn golden_files() {
    let bless = std::env::var_os("VIDI_BLESS").is_some_and(|v| v == "1");
    let entries = golden_entries();
    for target in ALL {
        let (bytes, _) = write(target, &entries, CategoryPolicy::Omit);
        let path = golden_dir().join(golden_name(target));
        if bless {
            std::fs::create_dir_all(golden_dir()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let want = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with VIDI_BLESS=1)", path.display()));
        assert!(
            want == bytes,
            "{} differs:\n--- want\n{}\n--- got\n{}",
            path.display(),
            String::from_utf8_lossy(&want),
            String::from_utf8_lossy(&bytes)
        );
        // And the golden file reads back to the projection.
        let want: Vec<HashEntry> = entries.iter().flat_map(|e| project(target, e)).collect();
        assert_eq!(read_back(target, &bytes), want, "{target:?}");
    }
}

#[test]
fn golden_case_file_has_case_fields_and_count() {
    let (bytes, n) = write(Target::Vics20Case, &golden_entries(), CategoryPolicy::Omit);
    let j: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        j["@odata.context"],
        "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases"
    );
    let case = &j["value"][0];
    assert_eq!(case["CaseNumber"], "CASE-42; \"golden\"");
    assert_eq!(case["CaseID"], "00000000-0000-0000-0000-00000000002a");
    assert_eq!(case["SourceApplicationName"], "vidi-tests");
    assert_eq!(case["TotalMediaFiles"], 3);
    assert_eq!(n, 3);
    assert_eq!(case["Media"].as_array().unwrap().len(), 3);
    assert_eq!(case["Media"][1]["PhotoDNA"][0]["HashName"], "PhotoDNA");
    assert_eq!(case["Media"][2]["MediaID"], "007", "not a plain integer");
    assert_eq!(case["Media"][0]["MediaID"], 1);
}

#[test]
fn strict_policy_refuses_and_writes_nothing_for_the_entry() {
    let entries = golden_entries();
    for target in ALL {
        let (bytes, n) = write(target, &entries, CategoryPolicy::Strict);
        let got = read_back(target, &bytes);
        // Each golden entry with a hash has a category some format cannot
        // carry, so under Strict only the entries whose categories all fit remain.
        let fits = |e: &HashEntry| {
            let (omit_bytes, _) = write(target, std::slice::from_ref(e), CategoryPolicy::Omit);
            let (strict_bytes, _) = write(target, std::slice::from_ref(e), CategoryPolicy::Strict);
            omit_bytes == strict_bytes
        };
        let want: Vec<HashEntry> = entries
            .iter()
            .filter(|e| fits(e))
            .flat_map(|e| project(target, e))
            .collect();
        assert_eq!(got, want, "{target:?}");
        assert!(n <= 3);
    }
    // VICS 2.0 never writes a vics-us or dhs-legacy code as its own.
    let e = HashEntry {
        md5: Some(Md5([1; 16])),
        categories: vec![Category::new(Scheme::VicsUs, "1")],
        ..HashEntry::default()
    };
    let mut w = VicsWriter::new(Vec::new(), VicsVersion::V2_0, VicsDocument::HashSet).unwrap();
    match w.write(&e) {
        Err(WriteError::Category { scheme, code, .. }) => {
            assert_eq!((scheme, code.as_str()), (Scheme::VicsUs, "1"));
        }
        other => panic!("{other:?}"),
    }
    // Two categories in the right scheme: Media has one slot.
    let e = HashEntry {
        categories: vec![
            Category::new(Scheme::Vics20, "1"),
            Category::new(Scheme::Vics20, "2"),
        ],
        ..e
    };
    assert!(matches!(
        w.write(&e),
        Err(WriteError::Category { why, .. }) if why.contains("fewer categories")
    ));
    let out = w.finish().unwrap();
    assert!(read_back(Target::Vics20, &out).is_empty());
}

/// Awkward text: unicode, delimiters, quotes, inner line breaks; trimmed
/// and non-empty (the readers trim values, and empty means absent).
fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[a-zA-Z0-9 éÜ日本;,\"'#\n\t/\\\\-]{1,16}")
        .prop_map(|s| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

fn flag() -> impl Strategy<Value = Option<bool>> {
    proptest::option::of(any::<bool>())
}

fn category() -> impl Strategy<Value = Category> {
    prop_oneof![
        (0u8..10).prop_map(|c| Category::new(Scheme::VicsUs, c.to_string())),
        (0u8..10).prop_map(|c| Category::new(Scheme::Vics20, c.to_string())),
        (0u8..6).prop_map(|c| Category::new(Scheme::DhsLegacy, c.to_string())),
        Just(Category::new(Scheme::IcseFlags, "baseline")),
        Just(Category::new(Scheme::Nsrl, "known")),
        "[A-Z_]{1,12}".prop_map(|c| Category::new(Scheme::ThreatExchange, c)),
    ]
}

prop_compose! {
    fn entry()(
        md5 in proptest::option::of(any::<[u8; 16]>()),
        sha1 in proptest::option::of(any::<[u8; 20]>()),
        sha256 in proptest::option::of(any::<[u8; 32]>()),
        pdq in proptest::option::of(any::<[u8; 32]>()),
        pdq_quality in proptest::option::of(0u8..=100),
        photodna in proptest::option::of("[A-Za-z0-9+/=]{4,40}"),
        categories in proptest::collection::vec(category(), 0..3),
        series in text(),
        label in text(),
        file_name in text(),
        source_id in prop_oneof![text(), proptest::option::of(any::<u32>().prop_map(|n| n.to_string()))],
        size in proptest::option::of(any::<u64>()),
        flags in (flag(), flag(), flag(), flag(), flag()),
    ) -> HashEntry {
        HashEntry {
            md5: md5.map(Md5),
            sha1: sha1.map(Sha1),
            sha256: sha256.map(Sha256),
            pdq: pdq.map(PdqHash),
            pdq_quality,
            photodna,
            categories,
            series,
            label,
            file_name,
            source_id,
            size,
            flags: EntryFlags {
                victim_identified: flags.0,
                offender_identified: flags.1,
                distributed: flags.2,
                suspected: flags.3,
                self_generated: flags.4,
            },
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Write → read back gives the fields each format carries, unchanged.
    #[test]
    fn round_trip_every_writer(entries in proptest::collection::vec(entry(), 0..12)) {
        for target in ALL {
            let (bytes, _) = write(target, &entries, CategoryPolicy::Omit);
            let want: Vec<HashEntry> = entries.iter().flat_map(|e| project(target, e)).collect();
            let got = read_back(target, &bytes);
            prop_assert_eq!(got, want, "{:?}\n{}", target, String::from_utf8_lossy(&bytes));
        }
    }
}
