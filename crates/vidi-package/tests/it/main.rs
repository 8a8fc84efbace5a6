//! Integration tests for vidi-package: golden output, tampering, reading back.

use ed25519_dalek::SigningKey;
use vidi_package::{
    FORMAT, FORMAT_VERSION, HistoryStep, PackageClue, PackageDoc, PackageInfo, PackageLead,
    PackageMedia, Person, Problem, Rgb, Thumb, build, open, verify,
};

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn person(user: &str, agency: &str) -> Person {
    Person {
        user: user.into(),
        agency: agency.into(),
    }
}

/// A fixed document (fixed clock, fixed key): the golden files depend on it.
fn sample(thumbnails: bool) -> PackageDoc {
    let media = |n: char| PackageMedia {
        sha256: n.to_string().repeat(64),
        md5: Some(n.to_string().repeat(32)),
        sha1: Some(n.to_string().repeat(40)),
        pdq: Some("f".repeat(64)),
        kind: Some("image".into()),
        mime: Some("image/jpeg".into()),
        size: Some(12_345),
        width: Some(640),
        height: Some(480),
        duration_s: None,
        thumbnail: None,
    };
    PackageDoc {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        package: PackageInfo {
            id: "ES-v2".into(),
            country: "ES".into(),
            version: 2,
            created_at: "2026-11-30T07:00:00Z".into(),
            created_by: person("rev", "BE-FCCU"),
            tool: "vidi 0.1.0".into(),
            thumbnails,
            signing_key: String::new(),
        },
        leads: vec![PackageLead {
            id: 4,
            subject: "place".into(),
            target_country: "ES".into(),
            title: "Hotel room <Costa> & pool".into(),
            summary: "Same room in series A and B.\nTiles and sign \"Hotel Sol\" (Spanish).".into(),
            author: person("ana", "BE-FCCU"),
            created_at: "2026-11-29T10:00:00Z".into(),
            approved_by: Some(person("rev", "NL-TBKK")),
            approved_at: Some("2026-11-29T12:00:00Z".into()),
            review_note: Some("Convincing.".into()),
            media: vec![media('a'), media('b')],
            clues: vec![PackageClue {
                id: 17,
                media: "a".repeat(64),
                kind: "text".into(),
                value: "Hotel Sol".into(),
                confidence: 0.91,
                extractor: "ocr".into(),
                version: 3,
                region: Some(serde_json::json!({"x": 10, "y": 20, "w": 100, "h": 30})),
                time_range: None,
            }],
            history: vec![
                HistoryStep {
                    at: "2026-11-29T10:00:00Z".into(),
                    user: "ana".into(),
                    agency: "BE-FCCU".into(),
                    action: "create".into(),
                    from: None,
                    to: "draft".into(),
                    note: None,
                },
                HistoryStep {
                    at: "2026-11-29T12:00:00Z".into(),
                    user: "rev".into(),
                    agency: "NL-TBKK".into(),
                    action: "approve".into(),
                    from: Some("submitted".into()),
                    to: "approved".into(),
                    note: Some("Convincing.".into()),
                },
            ],
        }],
    }
}

fn thumb(sha: char) -> Thumb {
    let (w, h) = (40u32, 30u32);
    let pixels = (0..w * h)
        .flat_map(|i| [(i % 256) as u8, 40, 200])
        .collect();
    Thumb {
        sha256: sha.to_string().repeat(64),
        image: Rgb {
            width: w,
            height: h,
            pixels,
        },
    }
}

fn golden_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compare with the golden file; `VIDI_BLESS=1` rewrites it.
fn golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("VIDI_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read(&path).unwrap_or_else(|_| panic!("missing {}", path.display()));
    assert!(
        expected == actual,
        "{name} differs from {} (VIDI_BLESS=1 to update)",
        path.display()
    );
}

fn part<'a>(p: &'a vidi_package::OpenedPackage, name: &str) -> &'a [u8] {
    &p.parts.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn golden_json_and_html() {
    let bytes = build(&sample(false), &[], &key()).unwrap();
    let opened = open(&bytes, Some(&key().verifying_key())).unwrap();
    golden("package.json", part(&opened, "package.json"));
    golden("report.html", part(&opened, "report.html"));
    let names: Vec<_> = opened.parts.iter().map(|(n, _)| n.as_str()).collect();
    golden("manifest-names.txt", names.join("\n").as_bytes());
    // Deterministic: same input, same bytes.
    assert_eq!(build(&sample(false), &[], &key()).unwrap(), bytes);
    assert!(opened.report.key_checked);
    assert_eq!(opened.doc.leads[0].clues[0].value, "Hotel Sol");
}

#[test]
fn html_escapes_and_has_no_external_urls() {
    let bytes = build(&sample(false), &[], &key()).unwrap();
    let opened = open(&bytes, None).unwrap();
    let html = String::from_utf8(part(&opened, "report.html").to_vec()).unwrap();
    assert!(html.contains("Hotel room &lt;Costa&gt; &amp; pool"));
    assert!(!html.contains("<Costa>"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    let pdf = part(&opened, "report.pdf");
    assert!(pdf.starts_with(b"%PDF-1.4"));
    let text = String::from_utf8_lossy(pdf);
    assert!(text.contains("Hotel room <Costa> & pool"));
    assert!(text.contains(&"a".repeat(64)));
}

#[test]
fn thumbnails_only_when_chosen() {
    let without = build(&sample(false), &[thumb('a')], &key()).unwrap();
    let o = open(&without, None).unwrap();
    assert_eq!(o.parts.len(), 3);
    assert!(o.doc.leads[0].media[0].thumbnail.is_none());
    let with = build(&sample(true), &[thumb('a')], &key()).unwrap();
    let o = open(&with, None).unwrap();
    assert_eq!(o.parts.len(), 4);
    let name = format!("thumbs/{}.png", "a".repeat(64));
    assert_eq!(
        o.doc.leads[0].media[0].thumbnail.as_deref(),
        Some(name.as_str())
    );
    assert!(o.doc.leads[0].media[1].thumbnail.is_none());
    let png = part(&o, &name);
    assert!(png.starts_with(b"\x89PNG"));
    // 8 x 6 blocks at most: nothing recognisable.
    assert_eq!(&png[16..24], &[0, 0, 0, 8, 0, 0, 0, 6]);
    let html = String::from_utf8(part(&o, "report.html").to_vec()).unwrap();
    assert!(html.contains(&format!("src=\"{name}\"")));
}

#[test]
fn one_changed_byte_anywhere_fails() {
    let bytes = build(&sample(true), &[thumb('b')], &key()).unwrap();
    assert!(verify(&bytes, Some(&key().verifying_key())).is_ok());
    // Every byte of a package is covered: flip each one in turn.
    let n = bytes.len();
    for i in 0..n {
        let mut b = bytes.clone();
        b[i] ^= 0x20;
        let r = verify(&b, None);
        assert!(!r.is_ok(), "flipping byte {i} went unnoticed");
    }
    assert!(!verify(&bytes[..n - 512], None).is_ok());
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 512]);
    assert!(!verify(&longer, None).is_ok());
}

#[test]
fn problems_name_the_part() {
    let bytes = build(&sample(false), &[], &key()).unwrap();
    let opened = open(&bytes, None).unwrap();
    let html = part(&opened, "report.html");
    // Find the HTML content in the archive and change one letter of it.
    let at = bytes.windows(html.len()).position(|w| w == html).unwrap() + 200;
    let mut b = bytes.clone();
    b[at] ^= 0x01;
    let r = verify(&b, None);
    assert!(r.problems.contains(&Problem::PartMismatch {
        name: "report.html".into()
    }));
    assert!(r.problems.contains(&Problem::BadSignature));
    let msgs: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
    assert!(msgs[0].contains("report.html"), "{msgs:?}");
}

#[test]
fn another_key_is_reported() {
    let bytes = build(&sample(false), &[], &key()).unwrap();
    let other = SigningKey::from_bytes(&[9u8; 32]).verifying_key();
    let r = verify(&bytes, Some(&other));
    assert!(matches!(
        r.problems.as_slice(),
        [Problem::UntrustedKey { .. }]
    ));
    assert!(!r.key_checked);
    // Without a trusted key the signature still verifies with the embedded key.
    let r = verify(&bytes, None);
    assert!(r.is_ok());
    assert_eq!(
        r.public_key.unwrap(),
        vidi_package::keys::public_key_hex(&key().verifying_key())
    );
}

#[test]
fn resigned_by_another_key_is_caught_only_with_a_trusted_key() {
    // Someone rebuilds the package with their own key: it is internally
    // consistent, so only the trusted key catches it.
    let forged = build(&sample(false), &[], &SigningKey::from_bytes(&[1u8; 32])).unwrap();
    assert!(verify(&forged, None).is_ok());
    assert!(!verify(&forged, Some(&key().verifying_key())).is_ok());
}

#[test]
fn garbage_is_refused_without_panic() {
    for input in [
        &b""[..],
        &[0u8; 1024][..],
        &[0xffu8; 2048][..],
        b"not a tar at all, just text that goes on for a while",
    ] {
        assert!(!verify(input, None).is_ok());
        assert!(open(input, None).is_err());
    }
}

#[test]
fn random_mutations_never_panic() {
    let bytes = build(&sample(true), &[thumb('a')], &key()).unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..300 {
        let mut b = bytes.clone();
        match next() % 3 {
            0 => {
                let cut = (next() % b.len() as u64) as usize;
                b.truncate(cut);
            }
            1 => {
                for _ in 0..(next() % 8 + 1) {
                    let i = (next() % b.len() as u64) as usize;
                    b[i] = next() as u8;
                }
            }
            _ => {
                let i = (next() % b.len() as u64) as usize;
                b.insert(i, next() as u8);
            }
        }
        let r = verify(&b, None);
        if b != bytes {
            assert!(!r.is_ok());
        }
    }
}

#[test]
fn system_tar_lists_the_parts() {
    let bytes = build(&sample(true), &[thumb('a')], &key()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(vidi_package::file_name("ES", 2));
    std::fs::write(&path, &bytes).unwrap();
    let Ok(out) = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&path)
        .output()
    else {
        println!("skipping: no `tar` on this system");
        return;
    };
    assert!(out.status.success());
    let listed = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = listed.lines().collect();
    assert_eq!(
        names,
        [
            "manifest.json",
            "package.json",
            "report.html",
            "report.pdf",
            &format!("thumbs/{}.png", "a".repeat(64)),
            "signature.json"
        ]
    );
    assert!(
        vidi_package::verify_file(&path, Some(&key().verifying_key()))
            .unwrap()
            .is_ok()
    );
}
