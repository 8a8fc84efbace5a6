//! Import, identity, matching by every rule, removal, crash clean-up,
//! triage and categories, on a real workspace.

use vidi_hashsets::{
    Category, EntryFlags, HashEntry, PlainKind, Scheme, VicsDocument, VicsVersion, VicsWriter,
};
use vidi_known::{
    ImportOptions, MatchConfig, NoImportProgress, Status, import_hashset, match_workspace, triage,
};
use vidi_store::{HitRule, Store};
use vidi_types::{Cancel, PdqHash, VpdqFrame};

use crate::support::Fixture;

fn import(f: &Fixture, path: &std::path::Path) -> vidi_known::ImportSummary {
    import_opts(f, path, ImportOptions::default())
}

fn import_opts(f: &Fixture, path: &std::path::Path, o: ImportOptions) -> vidi_known::ImportSummary {
    import_hashset(&f.ws, path, &o, &NoImportProgress, &Cancel::new()).unwrap()
}

fn match_all(f: &Fixture) -> vidi_known::MatchSummary {
    match_workspace(&f.ws, &MatchConfig::default(), &Cancel::new()).unwrap()
}

/// Flip `n` bits of a PDQ hash (the first n bits).
fn flip(h: &PdqHash, n: usize) -> PdqHash {
    let mut out = *h;
    for i in 0..n {
        out.0[i / 8] ^= 1 << (i % 8);
    }
    out
}

#[test]
fn plain_list_imports_reports_bad_lines_and_is_idempotent() {
    let f = Fixture::new();
    let a = f.media("a.png");
    let b = f.media("b.png");
    let list = f.write(
        "list.txt",
        &format!(
            "# comment\n{},first\nnot-a-hash\n{}\n",
            a.digests.md5, b.digests.sha1
        ),
    );
    let s = import(&f, &list);
    assert!(!s.already_imported);
    assert_eq!((s.read, s.imported, s.rejected), (3, 2, 1));
    assert_eq!(s.rejected_samples.len(), 1);
    assert_eq!(s.rejected_samples[0].line, Some(3));
    assert!(
        s.rejected_samples[0].reason.contains("not-a-hash"),
        "{:?}",
        s.rejected_samples
    );

    // Key files only for the columns the list uses.
    let index = f.ws.hashset_index_path(s.set_id).unwrap();
    for (column, present) in [
        ("md5", true),
        ("sha1", true),
        ("sha256", false),
        ("pdq", false),
    ] {
        let keys = index.with_extension(format!("{column}.keys"));
        assert_eq!(keys.exists(), present, "{}", keys.display());
    }

    let m = match_all(&f);
    assert_eq!(m.hits, 2);
    assert_eq!(m.new_hits, 2);
    assert_eq!(m.by_rule.get("md5"), Some(&1));
    assert_eq!(m.by_rule.get("sha1"), Some(&1));
    let store = Store::open(&f.ws).unwrap();
    let hits = store.hits_for_media(&a.digests.sha256).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule, HitRule::Md5);
    assert_eq!(hits[0].set_name, "list.txt");

    // Same file, same name: nothing changes, not even the hits.
    let again = import(&f, &list);
    assert!(again.already_imported);
    assert_eq!(again.set_id, s.set_id);
    assert_eq!(store.hashsets().unwrap().len(), 1);
    let m2 = match_all(&f);
    assert_eq!((m2.hits, m2.new_hits), (2, 0));
    // Same file under another name is another set.
    let other = import_opts(
        &f,
        &list,
        ImportOptions {
            name: Some("national list".into()),
            ..ImportOptions::default()
        },
    );
    assert!(!other.already_imported);
    assert_ne!(other.set_id, s.set_id);
}

#[test]
fn pdq_matches_within_radius_and_quality_and_dihedral_and_video_frames() {
    let f = Fixture::new();
    let a = f.media("a.png");
    let b = f.media("b.png");
    let flat = f.media("flat.png");
    let pa = a.pdq.unwrap().hash;
    let pb = b.pdq.unwrap().hash;
    assert!(a.pdq.unwrap().quality >= 50);
    assert!(
        flat.pdq.unwrap().quality < 50,
        "flat image should have low PDQ quality"
    );
    // A video whose frame 2 is a near copy of image `a`.
    let mut video = a.clone();
    video.digests.sha256.0[0] ^= 0xff;
    video.digests.md5.0[0] ^= 0xff;
    video.digests.sha1.0[0] ^= 0xff;
    video.kind = vidi_types::MediaKind::Video;
    video.pdq = None;
    video.pdq_dihedral = None;
    video.vpdq = vec![
        VpdqFrame {
            frame_number: 0,
            timestamp_s: 0.0,
            hash: pb,
            quality: 20,
        },
        VpdqFrame {
            frame_number: 30,
            timestamp_s: 1.0,
            hash: flip(&pa, 9),
            quality: 90,
        },
        VpdqFrame {
            frame_number: 60,
            timestamp_s: 2.0,
            hash: flip(&pa, 3),
            quality: 90,
        },
    ];
    let mut item = Store::open(&f.ws)
        .unwrap()
        .evidence_for_media(&a.digests.sha256)
        .unwrap()
        .remove(0);
    item.path = format!("{}/clip.mp4", f.data.display());
    item.media = Some(video.digests.sha256);
    Store::open(&f.ws)
        .unwrap()
        .put_item(Some(&video), &item)
        .unwrap();

    let list = f.write(
        "te.csv",
        &format!(
            "signal_type,signal_str,collab,category,tags\n\
             pdq,{},c,INVESTIGATION_SEED,near-a\n\
             pdq,{},c,INVESTIGATION_SEED,far-b\n\
             pdq,{},c,INVESTIGATION_SEED,flat\n",
            flip(&pa, 5),
            flip(&pb, 40),
            flat.pdq.unwrap().hash,
        ),
    );
    let s = import(&f, &list);
    assert_eq!(s.imported, 3);
    assert_eq!(s.pdq_indexed, 3);
    let m = match_all(&f);
    let store = Store::open(&f.ws).unwrap();
    // `a` at distance 5.
    let ha = store.hits_for_media(&a.digests.sha256).unwrap();
    assert_eq!(ha.len(), 1, "{ha:?}");
    assert_eq!((ha[0].rule, ha[0].distance), (HitRule::Pdq, 5));
    assert_eq!(
        ha[0].categories,
        vec![Category::new(Scheme::ThreatExchange, "INVESTIGATION_SEED")]
    );
    // `b` is 40 away: no hit. The flat image is below quality 50: no hit.
    assert!(store.hits_for_media(&b.digests.sha256).unwrap().is_empty());
    assert!(
        store
            .hits_for_media(&flat.digests.sha256)
            .unwrap()
            .is_empty()
    );
    // The mirrored copy of `a` matches through its dihedral variants.
    let mirrored = f.media("a-mirrored.png");
    let hm = store.hits_for_media(&mirrored.digests.sha256).unwrap();
    assert_eq!(hm.len(), 1, "{hm:?}");
    assert_eq!(hm[0].rule, HitRule::PdqDihedral);
    assert!(hm[0].distance <= 31);
    // The video: frames 1 and 2 match (distance 5+9=14 and 5+3 at most), frame 0 is low quality.
    let hv = store.hits_for_media(&video.digests.sha256).unwrap();
    assert_eq!(hv.len(), 1, "{hv:?}");
    assert_eq!(hv[0].rule, HitRule::VpdqFrame);
    let detail = hv[0].detail.as_ref().unwrap();
    assert_eq!(detail["frames_matched"], 2);
    assert_eq!(detail["frames_considered"], 2);
    assert_eq!(detail["best_timestamp_s"], 2.0);
    assert_eq!(hv[0].distance, flip(&pa, 5).distance(&flip(&pa, 3)));
    assert_eq!(m.media_with_hits, 3);

    // A tighter radius drops the looser matches.
    let tight = MatchConfig {
        radius: 4,
        ..MatchConfig::default()
    };
    let store2 = Store::open(&f.ws).unwrap();
    let before = store2.hits_by_media(None).unwrap().len();
    vidi_known::remove_hashset(&f.ws, s.set_id).unwrap();
    assert!(
        store2.hits_by_media(None).unwrap().is_empty(),
        "hits go with their set"
    );
    assert_eq!(before, 3);
    let s2 = import_opts(
        &f,
        &list,
        ImportOptions {
            name: Some("again".into()),
            ..ImportOptions::default()
        },
    );
    let m = match_workspace(&f.ws, &tight, &Cancel::new()).unwrap();
    // The import itself does not match (the CLI does); with radius 4 only the
    // video frame at distance 2 (5 vs 3 flipped bits) is found.
    assert_eq!(m.hits, 1, "{m:?}");
    assert_eq!(m.by_rule.get("vpdq-frame"), Some(&1));
    // Index and key files of a removed set are gone; those of the new set exist.
    let dir = f.ws.root().join(vidi_store::INDEXES_DIR);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.starts_with(&format!("hashset-{}.", s.set_id))),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("hashset-{}.pdqi", s2.set_id)),
        "{names:?}"
    );
}

#[test]
fn plain_pdq_list_and_retroactive_match_after_new_ingest() {
    let f = Fixture::new();
    // A set imported before the media exists.
    let later = super::support::textured(99);
    let dir = f.data.parent().unwrap().join("later");
    std::fs::create_dir_all(&dir).unwrap();
    later.save(dir.join("later.png")).unwrap();
    let pdq = vidi_media_pdq(&dir.join("later.png"));
    let list = f.write("pdq.txt", &format!("{}\n", flip(&pdq, 2)));
    let s = import_opts(
        &f,
        &list,
        ImportOptions {
            plain_kind: PlainKind::Pdq,
            ..ImportOptions::default()
        },
    );
    assert_eq!(s.pdq_indexed, 1);
    assert_eq!(match_all(&f).hits, 0);
    f.ingest(&dir, "NL-7", "NL");
    let m = match_workspace(
        &f.ws,
        &MatchConfig {
            case: Some("NL-7".into()),
            ..MatchConfig::default()
        },
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!((m.media, m.hits), (1, 1));
    // An unknown case is an error that names it.
    let err = match_workspace(
        &f.ws,
        &MatchConfig {
            case: Some("XX-404".into()),
            ..MatchConfig::default()
        },
        &Cancel::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("XX-404"));
}

/// The PDQ vidi computes for a file (by ingesting it in a scratch workspace).
fn vidi_media_pdq(path: &std::path::Path) -> PdqHash {
    let tmp = tempfile::tempdir().unwrap();
    let ws = vidi_store::Workspace::init(tmp.path()).unwrap();
    let mut config = vidi_pipeline::IngestConfig::new(vec![path.to_path_buf()], "T", "T");
    config.thumbnails = false;
    vidi_pipeline::ingest(&ws, &config, &vidi_pipeline::NoProgress, &Cancel::new()).unwrap();
    let rows = Store::open(&ws).unwrap().list_evidence(None).unwrap();
    rows[0].media.as_ref().unwrap().pdq.unwrap().hash
}

#[test]
fn an_import_that_died_is_cleaned_up_by_the_next() {
    let f = Fixture::new();
    let sha = vidi_types::Sha256([7; 32]);
    {
        let mut store = Store::open(&f.ws).unwrap();
        let mut w = store
            .begin_hashset_import(f.ws.root(), "dead", &sha, "plain", "/nowhere")
            .unwrap();
        w.push(&HashEntry {
            md5: Some(f.media("a.png").digests.md5),
            ..HashEntry::default()
        })
        .unwrap();
        // Dropped without finish, as a killed process would leave it.
    }
    let store = Store::open(&f.ws).unwrap();
    assert_eq!(store.hashsets().unwrap().len(), 1);
    // Not matched while importing.
    assert_eq!(match_all(&f).sets, 0);
    let list = f.write("ok.txt", &format!("{}\n", f.media("b.png").digests.md5));
    import(&f, &list);
    let sets = store.hashsets().unwrap();
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(sets[0].name, "ok.txt");
}

#[test]
fn a_set_with_an_unknown_format_or_missing_file_is_a_clear_error() {
    let f = Fixture::new();
    let junk = f.write("junk.bin", "\u{1}\u{2}hello\n");
    let err = import_hashset(
        &f.ws,
        &junk,
        &ImportOptions::default(),
        &NoImportProgress,
        &Cancel::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("junk.bin"), "{err}");
    let missing = f.data.join("nope.txt");
    let err = import_hashset(
        &f.ws,
        &missing,
        &ImportOptions::default(),
        &NoImportProgress,
        &Cancel::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("nope.txt"), "{err}");
    // Broken JSON stops the import with its position; the set is not kept.
    let broken = f.write("broken.json", "{\"value\": [ {\"MD5\": \"00\" ");
    let err = import_hashset(
        &f.ws,
        &broken,
        &ImportOptions::default(),
        &NoImportProgress,
        &Cancel::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("broken.json"), "{err}");
    let store = Store::open(&f.ws).unwrap();
    let _ = match_all(&f);
    assert!(
        store
            .hashsets()
            .unwrap()
            .iter()
            .all(|s| s.status != vidi_store::HashSetStatus::Ready)
    );
}

#[test]
fn triage_counts_known_identified_unidentified_software_new_and_categories() {
    let f = Fixture::new();
    let a = f.media("a.png");
    let b = f.media("b.png");
    let c = f.media("c.png");
    // A VICS 2.0 set: `a` is CAM with its victim identified, series S1;
    // `b` is in the set without identification.
    let mut out = Vec::new();
    {
        let mut w = VicsWriter::new(&mut out, VicsVersion::V2_0, VicsDocument::HashSet).unwrap();
        w.write(&HashEntry {
            md5: Some(a.digests.md5),
            categories: vec![Category::new(Scheme::Vics20, "1")],
            series: Some("S1".into()),
            flags: EntryFlags {
                victim_identified: Some(true),
                distributed: Some(true),
                ..EntryFlags::default()
            },
            ..HashEntry::default()
        })
        .unwrap();
        w.write(&HashEntry {
            sha1: Some(b.digests.sha1),
            categories: vec![Category::new(Scheme::Vics20, "2")],
            flags: EntryFlags {
                victim_identified: Some(false),
                ..EntryFlags::default()
            },
            ..HashEntry::default()
        })
        .unwrap();
        w.finish().unwrap();
    }
    let vics = f.write("set.json", std::str::from_utf8(&out).unwrap());
    import(&f, &vics);
    // NSRL-like: `c` is known software.
    let nsrl = f.write(
        "NSRLFile.txt",
        &format!(
            "\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\n\
             \"{}\",\"{}\",\"00000000\",\"c.png\",{},1,\"WIN\",\"\"\n",
            c.digests.sha1.to_hex().to_uppercase(),
            c.digests.md5.to_hex().to_uppercase(),
            c.size
        ),
    );
    let s = import(&f, &nsrl);
    assert_eq!(s.imported, 1, "{s:?}");
    match_all(&f);
    // An investigator categorises `d` (new) and changes their mind once.
    let d = f.media("d.png");
    let mut store = Store::open(&f.ws).unwrap();
    store
        .set_media_category(
            &d.digests.sha256,
            &Category::new(Scheme::Vics20, "5"),
            "alice",
            None,
        )
        .unwrap();
    store
        .set_media_category(
            &d.digests.sha256,
            &Category::new(Scheme::Vics20, "4"),
            "bob",
            Some("comparison image"),
        )
        .unwrap();
    let history = store.media_categories(&d.digests.sha256).unwrap();
    assert_eq!(history.len(), 2);
    assert!(!history[0].current && history[1].current);
    assert_eq!(history[1].set_by, "bob");

    let t = triage(&f.ws, "BE-1").unwrap();
    let count = |s: Status| t.by_status.get(&s).copied().unwrap_or(0);
    assert_eq!(count(Status::KnownIdentified), 1);
    assert_eq!(count(Status::KnownUnidentified), 1);
    assert_eq!(count(Status::KnownNonPertinent), 1);
    // d, a-mirrored, flat are new.
    assert_eq!(count(Status::New), 3);
    assert_eq!(t.flags.victim_identified, 1);
    assert_eq!(t.flags.distributed, 1);
    assert_eq!(t.series.get("S1"), Some(&1));
    let cat = |source: &str, scheme: &str, code: &str| {
        t.by_category
            .iter()
            .find(|c| c.source == source && c.scheme == scheme && c.code == code)
            .map(|c| c.media)
    };
    assert_eq!(cat("hashset", "vics-us-2.0", "1"), Some(1));
    assert_eq!(cat("hashset", "vics-us-2.0", "2"), Some(1));
    assert_eq!(cat("hashset", "nsrl", "known"), Some(1));
    // Investigator categories are apart, and only the current one counts.
    assert_eq!(cat("investigator", "vics-us-2.0", "4"), Some(1));
    assert_eq!(cat("investigator", "vics-us-2.0", "5"), None);
    assert_eq!(cat("hashset", "vics-us-2.0", "4"), None);
    // New media carry their links: `d` is also in another agency's case.
    let other = f.data.parent().unwrap().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(f.data.join("d.png"), other.join("copy-of-d.png")).unwrap();
    f.ingest(&other, "CA-9", "CA");
    let t = triage(&f.ws, "BE-1").unwrap();
    let item = t
        .items
        .iter()
        .find(|i| i.sha256 == d.digests.sha256.to_hex())
        .unwrap();
    assert_eq!(item.status, Status::New);
    assert!(
        item.links
            .iter()
            .any(|l| l.kind == "same-file" && l.case == "CA-9" && l.agency == "CA"),
        "{:?}",
        item.links
    );
    assert!(triage(&f.ws, "NOPE").is_err());
}

#[test]
fn nsrl_rds_v3_database_imports_as_known_software() {
    let f = Fixture::new();
    let c = f.media("c.png");
    let db = f
        .data
        .parent()
        .unwrap()
        .join("RDS_2024.03.1_modern_minimal.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE FILE (sha256 VARCHAR, sha1 VARCHAR, md5 VARCHAR, crc32 VARCHAR, \
         file_name VARCHAR, file_size INTEGER, package_id INTEGER);",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO FILE (sha256, sha1, md5, file_name, file_size, package_id) VALUES (?1, ?2, ?3, ?4, ?5, 1)",
        (
            c.digests.sha256.to_hex().to_uppercase(),
            c.digests.sha1.to_hex().to_uppercase(),
            c.digests.md5.to_hex().to_uppercase(),
            "c.png",
            c.size as i64,
        ),
    )
    .unwrap();
    conn.execute(
        "INSERT INTO FILE (sha256, sha1, md5, file_name, file_size, package_id) VALUES ('zz', 'zz', 'zz', 'bad', 1, 1)",
        [],
    )
    .unwrap();
    drop(conn);
    let s = import(&f, &db);
    assert_eq!(s.format, "nsrl3");
    assert_eq!((s.imported, s.rejected), (1, 1), "{s:?}");
    assert_eq!(match_all(&f).media_with_hits, 1);
    let t = triage(&f.ws, "BE-1").unwrap();
    assert_eq!(t.by_status.get(&Status::KnownNonPertinent), Some(&1));
}
