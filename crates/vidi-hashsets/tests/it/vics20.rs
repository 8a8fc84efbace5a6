//! Hand-written VICS 2.0 fixtures with every field of formats.md's list
//! (hash set and case file), read field by field.

use std::path::Path;

use vidi_hashsets::{Format, HashEntry, ReadOptions, Rejected, Scheme, detect, read_path};

fn read(name: &str) -> (Vec<HashEntry>, Vec<Rejected>) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let head = std::fs::read(&p).unwrap();
    assert_eq!(detect(&head), Some(Format::Vics));
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    let s = read_path(
        Format::Vics,
        ReadOptions::default(),
        &p,
        &mut |e| ok.push(e),
        &mut |r| bad.push(r),
    )
    .unwrap();
    assert_eq!(s.read, s.accepted + s.rejected);
    (ok, bad)
}

#[test]
fn hash_set_every_field() {
    let (ok, bad) = read("vics-2.0-hashset-full.json");
    assert_eq!(ok.len(), 2);
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0].reason.contains("record 3: DateUpdated"),
        "{}",
        bad[0].reason
    );

    let a = &ok[0];
    assert_eq!(a.source_id.as_deref(), Some("100"));
    assert_eq!(a.categories.len(), 1);
    assert_eq!(a.categories[0].scheme, Scheme::Vics20);
    assert_eq!(a.categories[0].label, Some("Uncategorized"));
    assert_eq!(a.md5.unwrap().to_hex(), "d41d8cd98f00b204e9800998ecf8427e");
    assert!(a.sha1.is_some() && a.sha256.is_some());
    assert_eq!(a.size, Some(0));
    assert_eq!(a.series.as_deref(), Some("Fixture series"));
    assert_eq!(a.label.as_deref(), Some("one, two"));
    assert_eq!(a.flags.victim_identified, Some(false));
    assert_eq!(a.flags.offender_identified, Some(true));
    assert_eq!(a.flags.distributed, Some(false));
    assert_eq!(a.flags.suspected, Some(true));
    assert_eq!(a.flags.self_generated, Some(false));
    assert_eq!(
        a.photodna.as_deref().map(str::len),
        Some(192),
        "base64 PhotoDNA"
    );

    let b = &ok[1];
    assert_eq!(b.source_id.as_deref(), Some("101"));
    assert_eq!(b.categories[0].code, "3");
    assert_eq!(b.categories[0].label, Some("CGI / Animation"));
    assert_eq!(b.size, Some(3));
    assert_eq!(b.series, None);
    assert_eq!(b.label.as_deref(), Some("single tag"));
    assert_eq!(b.flags.victim_identified, None);
    assert_eq!(b.flags.self_generated, Some(true));
    assert_eq!(
        b.photodna.as_deref().map(str::len),
        Some(288),
        "hex PhotoDNA"
    );
}

#[test]
fn case_file_every_field() {
    let (ok, bad) = read("vics-2.0-case-full.json");
    assert!(bad.is_empty(), "{bad:?}");
    // Two cases; the second has no media. TotalMediaFiles is not trusted.
    assert_eq!(ok.len(), 3);
    // One file named by two Media entries (different categories).
    assert_eq!(ok[0].file_name.as_deref(), Some("abc.txt"));
    assert_eq!(ok[1].file_name.as_deref(), Some("abc.txt"));
    assert_eq!(ok[0].md5, ok[1].md5);
    assert_eq!(
        ok[0].categories[0].label,
        Some("Comparison Images (Non-pertinent)")
    );
    assert_eq!(ok[1].categories[0].label, Some("Non-pertinent"));
    assert_eq!(ok[2].file_name.as_deref(), Some("日本語 ; \"名前\".txt"));
    assert!(
        ok[2].categories.is_empty(),
        "IsPrecategorized with null Category"
    );
    assert!(
        ok.iter()
            .all(|e| e.flags.suspected == Some(false) && e.size == Some(3))
    );
}
