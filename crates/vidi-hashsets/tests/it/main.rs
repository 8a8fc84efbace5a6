//! Integration tests: fixtures, every corpus sample, round trip.

mod nsrl3;
mod vics20;
mod writers;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use vidi_hashsets::{
    Format, HashEntry, PlainKind, ReadOptions, ReadSummary, Rejected, Scheme, detect, read,
    read_with,
};

use vidi_testkit::shared_dir;

fn read_file(
    path: &Path,
    format: Format,
    opts: ReadOptions,
) -> (Vec<HashEntry>, Vec<Rejected>, ReadSummary) {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    let f = BufReader::new(File::open(path).unwrap());
    let s = read_with(format, opts, f, &mut |e| ok.push(e), &mut |r| bad.push(r)).unwrap();
    (ok, bad, s)
}

fn head(path: &Path) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let n = File::open(path).unwrap().read(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn vics_13_fixture() {
    let p = fixture("vics-1.3.json");
    assert_eq!(detect(&head(&p)), Some(Format::Vics));
    let (ok, bad, s) = read_file(&p, Format::Vics, ReadOptions::default());
    assert_eq!(
        s,
        ReadSummary {
            read: 3,
            accepted: 2,
            rejected: 1
        }
    );
    assert!(bad[0].reason.contains("record 3"));
    assert!(ok[0].categories.is_empty(), "null Category = uncategorised");
    assert_eq!(ok[0].size, Some(0));
    assert_eq!(ok[0].flags.distributed, Some(true));
    assert_eq!(ok[0].photodna.as_deref(), Some("QUFBQQ=="));
    assert_eq!(ok[0].file_name.as_deref(), Some("empty.bin"));
    assert_eq!(ok[1].categories[0].scheme, Scheme::VicsUs);
    assert_eq!(ok[1].categories[0].label, Some("Comparison Images"));
    assert_eq!(ok[1].photodna.as_deref(), Some("QkJCQg=="));
}

#[test]
fn vics_20_hashset_fixture() {
    let (ok, bad, _) = read_file(
        &fixture("vics-2.0-hashset.json"),
        Format::Vics,
        ReadOptions::default(),
    );
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].categories[0].scheme, Scheme::Vics20);
    assert_eq!(ok[0].categories[0].label, Some("Non-pertinent"));
    assert_eq!(ok[0].flags.suspected, Some(false));
    assert_eq!(ok[0].flags.self_generated, Some(false));
    assert_eq!(ok[0].label.as_deref(), Some("benign, fixture"));
    assert_eq!(ok[1].flags.suspected, Some(true));
}

#[test]
fn vics_20_case_fixture() {
    let (ok, bad, s) = read_file(
        &fixture("vics-2.0-case.json"),
        Format::Vics,
        ReadOptions::default(),
    );
    // TotalMediaFiles says 7; we count the array.
    assert_eq!(
        s,
        ReadSummary {
            read: 3,
            accepted: 2,
            rejected: 1
        }
    );
    assert!(bad[0].reason.contains("media 3"));
    assert_eq!(ok[0].file_name.as_deref(), Some("empty.bin"));
    assert_eq!(ok[1].file_name.as_deref(), Some("abc.txt"));
    assert_eq!(ok[1].photodna.as_deref(), Some("Q0NDQw=="));
    assert_eq!(ok[0].categories[0].scheme, Scheme::Vics20);
}

#[test]
fn every_corpus_sample() {
    let Some(shared) = shared_dir() else {
        println!("SKIP every_corpus_sample: shared dir not found (set VIDI_SHARED_DIR)");
        return;
    };
    let caid = shared.join("corpora/hashlists/nsrl-caid-vics-json");
    let mut total = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&caid)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for p in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        assert_eq!(detect(&head(p)), Some(Format::Vics), "{}", p.display());
        let (ok, bad, s) = read_file(p, Format::Vics, ReadOptions::default());
        println!("{}: {s:?}", p.display());
        assert!(
            bad.is_empty(),
            "{}: {:?}",
            p.display(),
            &bad[..bad.len().min(3)]
        );
        assert!(
            ok.iter()
                .all(|e| e.md5.is_some() && e.sha1.is_some() && e.size.is_some())
        );
        assert!(ok.iter().all(|e| {
            e.categories
                .iter()
                .all(|c| c.scheme == Scheme::VicsUs && c.code == "8")
        }));
        total += s.accepted;
    }
    println!("CAID VICS 1.2 total: {total}");
    if !entries.is_empty() {
        assert_eq!(total, 5411);
    }

    let te = shared.join("corpora/hashlists/threatexchange-cli-sample/sample-signals.csv");
    if te.is_file() {
        assert_eq!(detect(&head(&te)), Some(Format::ThreatExchangeCsv));
        let (ok, _bad, s) = read_file(&te, Format::ThreatExchangeCsv, ReadOptions::default());
        println!("{}: {s:?}", te.display());
        assert_eq!(ok.iter().filter(|e| e.pdq.is_some()).count(), 16);
        assert_eq!(ok.iter().filter(|e| e.md5.is_some()).count(), 2);
        assert_eq!(ok.iter().filter(|e| e.sha256.is_some()).count(), 2);
    }

    for name in ["needles.txt", "haystack.txt"] {
        let p = shared
            .join("corpora/threatexchange-pdq/pdq-data/reg-test-input")
            .join(name);
        if !p.is_file() {
            println!("SKIP {}: absent", p.display());
            continue;
        }
        assert_eq!(detect(&head(&p)), Some(Format::Plain));
        let (ok, bad, s) = read_file(
            &p,
            Format::Plain,
            ReadOptions {
                plain_kind: PlainKind::Pdq,
            },
        );
        println!("{}: {s:?}", p.display());
        assert!(bad.is_empty(), "{:?}", &bad[..bad.len().min(3)]);
        assert!(!ok.is_empty() && ok.iter().all(|e| e.pdq.is_some()));
    }
}

#[test]
fn detect_formats() {
    assert_eq!(
        detect(b"MD5;SHA1;PhotoDNA;Image ID\n"),
        Some(Format::IcseCsv)
    );
    assert_eq!(
        detect(b"\"SHA-1\",\"MD5\",\"CRC32\"\n"),
        Some(Format::Nsrl2)
    );
    assert_eq!(
        detect(b"signal_type,signal_str,collab,category,tags\n"),
        Some(Format::ThreatExchangeCsv)
    );
    assert_eq!(
        detect(b"# list\nd41d8cd98f00b204e9800998ecf8427e\n"),
        Some(Format::Plain)
    );
    assert_eq!(detect(b"\xEF\xBB\xBF {\"x\":1}"), Some(Format::Vics));
    assert_eq!(detect(b"hello world\n"), None);
    assert_eq!(detect(b""), None);
}

fn write_plain(hashes: &[(u8, Vec<u8>, Option<String>)]) -> String {
    let mut s = String::from("# generated\r\n\r\n");
    for (_, bytes, label) in hashes {
        let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        match label {
            Some(l) => s.push_str(&format!("{hex},{l}\n")),
            None => s.push_str(&format!("{hex}\n")),
        }
    }
    s
}

proptest! {
    #[test]
    fn plain_list_round_trip(
        items in proptest::collection::vec(
            (prop_oneof![Just(16usize), Just(20), Just(32)], any::<[u8; 32]>(), proptest::option::of("[a-zA-Z0-9 _-]{1,20}")),
            0..40),
        pdq in any::<bool>(),
    ) {
        let hashes: Vec<(u8, Vec<u8>, Option<String>)> = items
            .into_iter()
            .map(|(n, b, l)| (n as u8, b[..n].to_vec(), l.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty())))
            .collect();
        let text = write_plain(&hashes);
        let kind = if pdq { PlainKind::Pdq } else { PlainKind::Auto };
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        let s = read_with(Format::Plain, ReadOptions { plain_kind: kind }, text.as_bytes(), &mut |e| ok.push(e), &mut |r| bad.push(r)).unwrap();
        prop_assert!(bad.is_empty());
        prop_assert_eq!(s.accepted as usize, hashes.len());
        for (e, (n, b, l)) in ok.iter().zip(&hashes) {
            let got: Vec<u8> = match n {
                16 => e.md5.unwrap().0.to_vec(),
                20 => e.sha1.unwrap().0.to_vec(),
                _ if pdq => e.pdq.unwrap().0.to_vec(),
                _ => e.sha256.unwrap().0.to_vec(),
            };
            prop_assert_eq!(&got, b);
            prop_assert_eq!(&e.label, l);
        }
    }
}

#[test]
fn read_default_is_plain_auto() {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    read(
        Format::Plain,
        &b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"[..],
        &mut |e| ok.push(e),
        &mut |r| bad.push(r),
    )
    .unwrap();
    assert!(ok[0].sha256.is_some());
}

proptest! {
    /// Hostile input: every reader returns (Ok or a typed error), never panics.
    #[test]
    fn arbitrary_bytes_never_panic(
        data in proptest::collection::vec(any::<u8>(), 0..512),
        prefix in prop_oneof![
            Just(&b""[..]),
            Just(&b"{\"value\":["[..]),
            Just(&b"{\"@odata.context\":\"x/2.0.xml\",\"value\":[{\"Media\":["[..]),
            Just(&b"MD5;SHA1;PhotoDNA\n"[..]),
            Just(&b"signal_type,signal_str\npdq,"[..]),
        ],
    ) {
        let mut input = prefix.to_vec();
        input.extend_from_slice(&data);
        for format in [Format::Plain, Format::ThreatExchangeCsv, Format::IcseCsv, Format::Nsrl2, Format::Vics] {
            let mut n = 0u64;
            let mut r = 0u64;
            if let Ok(s) = read(format, &input[..], &mut |_e| n += 1, &mut |_r| r += 1) {
                prop_assert_eq!(s.accepted, n);
                prop_assert_eq!(s.rejected, r);
                prop_assert_eq!(s.read, n + r);
            }
            let _ = detect(&input);
        }
    }
}
