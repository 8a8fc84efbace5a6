use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use vidi_synth::{DemoSpec, SynthError, generate_demo};
use vidi_types::{Cancel, MediaKind};

use crate::{sha256, shared, small_spec};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            walk(&p, out)
        } else {
            out.push(p)
        }
    }
}

#[test]
fn manifest_lists_every_file_and_nothing_else() {
    let m = &shared().manifest;
    let mut on_disk = Vec::new();
    walk(&m.root, &mut on_disk);
    let on_disk: BTreeSet<PathBuf> = on_disk
        .into_iter()
        .filter(|p| !p.ends_with("manifest.json"))
        .collect();
    let listed: BTreeSet<PathBuf> = m.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(
        listed.len(),
        m.files.len(),
        "duplicate paths in the manifest"
    );
    assert_eq!(on_disk, listed);
    let saved: vidi_synth::DemoManifest = serde_json::from_slice(
        &std::fs::read(m.root.join("manifest.json")).expect("manifest.json"),
    )
    .expect("manifest parses");
    // serde_json's default float parsing may differ in the last bit.
    assert_eq!(saved.agencies, m.agencies);
    assert_eq!(saved.files.len(), m.files.len());
    for (a, b) in saved.files.iter().zip(&m.files) {
        assert_eq!(
            (&a.path, &a.variant_of, &a.text),
            (&b.path, &b.variant_of, &b.text)
        );
        let close = match (a.gps, b.gps) {
            (Some(x), Some(y)) => (x.0 - y.0).abs() < 1e-12 && (x.1 - y.1).abs() < 1e-12,
            (x, y) => x.is_none() && y.is_none(),
        };
        assert!(close, "{}", a.path.display());
    }
    // Every file sits in its case folder, and every case has files.
    for f in &m.files {
        assert!(
            f.path.starts_with(m.root.join(&f.agency).join(&f.case)),
            "{}",
            f.path.display()
        );
    }
    let countries: BTreeSet<&str> = m.agencies.iter().map(|a| a.country.as_str()).collect();
    assert!(countries.len() >= 4, "{countries:?}");
    for a in &m.agencies {
        assert!((1..=2).contains(&a.cases.len()));
        for c in &a.cases {
            assert!(c.case.starts_with(&format!("{}-", a.agency)));
            assert!(
                m.files.iter().any(|f| f.case == c.case),
                "{} is empty",
                c.case
            );
        }
    }
    println!(
        "demo: {} files in {} agencies",
        m.files.len(),
        m.agencies.len()
    );
}

#[test]
fn images_decode_except_the_broken_ones() {
    let m = &shared().manifest;
    let mut decoded = 0;
    for f in m.files.iter().filter(|f| f.kind == MediaKind::Image) {
        let r = image::open(&f.path);
        match f.scene.as_str() {
            // Some decoders fill in a cut-short JPEG; it must at least lack its end marker.
            "truncated" => {
                let b = std::fs::read(&f.path).expect("read");
                assert!(b.starts_with(&[0xFF, 0xD8]) && !b.ends_with(&[0xFF, 0xD9]));
            }
            "corrupt" => assert!(r.is_err(), "{} decoded", f.path.display()),
            _ => {
                let img = r.unwrap_or_else(|e| panic!("{}: {e}", f.path.display()));
                if let Some((w, h)) = f.size {
                    assert_eq!((img.width(), img.height()), (w, h), "{}", f.path.display());
                }
                decoded += 1;
            }
        }
    }
    let exts: BTreeSet<String> = m
        .files
        .iter()
        .filter_map(|f| f.path.extension().map(|e| e.to_string_lossy().into_owned()))
        .collect();
    for e in ["jpg", "png", "webp", "gif", "txt"] {
        assert!(exts.contains(e), "no .{e} file");
    }
    assert!(decoded >= 20, "{decoded}");
}

#[test]
fn variants_have_the_intended_relations() {
    let m = &shared().manifest;
    let by_path: BTreeMap<&Path, &vidi_synth::DemoFile> =
        m.files.iter().map(|f| (f.path.as_path(), f)).collect();
    let mut seen = BTreeSet::new();
    for f in m.files.iter().filter(|f| f.variant.is_some()) {
        let how = f.variant.as_deref().unwrap_or_default();
        let src = f
            .variant_of
            .as_deref()
            .and_then(|p| by_path.get(p))
            .expect("source listed");
        assert_ne!(src.case, f.case, "variants travel to another case");
        seen.insert(how.to_string());
        if how == "exact_copy" {
            assert_eq!(sha256(&f.path), sha256(&src.path));
            continue;
        }
        assert_ne!(sha256(&f.path), sha256(&src.path), "{how}");
        let v = image::open(&f.path).expect("variant decodes");
        if how == "frame_of_video" {
            assert_eq!(src.kind, MediaKind::Video);
            assert_eq!((v.width(), v.height()), src.size.expect("video size"));
            // The still is the frame shown at the recorded time.
            let t = f.video_time_s.expect("frame time");
            let out = std::process::Command::new("ffmpeg")
                .args(["-v", "error", "-ss", &format!("{t:.3}"), "-i"])
                .arg(&src.path)
                .args([
                    "-frames:v",
                    "1",
                    "-f",
                    "image2pipe",
                    "-c:v",
                    "png",
                    "pipe:1",
                ])
                .output()
                .expect("ffmpeg runs");
            let frame = image::load_from_memory(&out.stdout)
                .expect("frame")
                .to_rgb8();
            let still = v.to_rgb8();
            let diff: u64 = frame
                .as_raw()
                .iter()
                .zip(still.as_raw())
                .map(|(a, b)| u64::from(a.abs_diff(*b)))
                .sum();
            let mean = diff as f64 / frame.as_raw().len() as f64;
            assert!(mean < 3.0, "{}: mean difference {mean}", f.path.display());
            continue;
        }
        let o = image::open(&src.path).expect("original decodes");
        let (ow, oh) = (o.width(), o.height());
        match how {
            "resized" => assert!(
                v.width() < ow
                    && v.height() < oh
                    && (v.width() * oh).abs_diff(v.height() * ow) <= ow
            ),
            "recompressed" => {
                assert_eq!((v.width(), v.height()), (ow, oh));
                let (a, b) = (
                    std::fs::metadata(&f.path).expect("meta"),
                    std::fs::metadata(&src.path).expect("meta"),
                );
                assert!(a.len() < b.len(), "lower quality is smaller");
            }
            "cropped" => {
                assert_eq!(
                    (v.width(), v.height()),
                    (ow - 2 * (ow / 40), oh - 2 * (oh / 40))
                );
            }
            "mirrored" => {
                assert_eq!((v.width(), v.height()), (ow, oh));
                // The left column of the mirror looks like the right column of the original.
                let (o, v) = (o.to_luma8(), v.to_luma8());
                let col = |img: &image::GrayImage, x: u32| -> f64 {
                    (0..oh)
                        .map(|y| f64::from(img.get_pixel(x, y).0[0]))
                        .sum::<f64>()
                        / f64::from(oh)
                };
                assert!((col(&v, 0) - col(&o, ow - 1)).abs() < 12.0);
            }
            "captioned" => {
                assert_eq!((v.width(), v.height()), (ow, oh));
                assert!(
                    f.text
                        .as_deref()
                        .is_some_and(|t| t.contains("Brussel 2024"))
                );
            }
            other => panic!("unknown variant {other}"),
        }
    }
    let mut want = vec![
        "resized",
        "recompressed",
        "cropped",
        "mirrored",
        "captioned",
        "exact_copy",
    ];
    if crate::has_tool("ffmpeg") {
        want.push("frame_of_video");
    }
    for w in want {
        assert!(seen.contains(w), "no {w} variant");
    }
}

#[test]
fn signs_cover_many_languages() {
    let m = &shared().manifest;
    let langs: BTreeSet<&str> = m
        .files
        .iter()
        .filter_map(|f| f.text_lang.as_deref())
        .collect();
    println!("text languages: {langs:?}; notes: {:?}", m.notes);
    for l in ["en", "fr", "nl", "de", "es", "pt", "pl", "ru"] {
        assert!(langs.contains(l), "no {l} text");
    }
    assert!(
        langs.len() >= 11 || !m.notes.is_empty(),
        "missing scripts must be noted"
    );
    for f in m.files.iter().filter(|f| f.text.is_some()) {
        assert!(f.text_lang.is_some());
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let spec = DemoSpec {
        videos: false,
        audio: false,
        images_per_case: 1,
        width: 200,
        height: 150,
        ..small_spec()
    };
    let digests = |spec: &DemoSpec| -> Vec<(PathBuf, [u8; 32])> {
        let dir = tempfile::tempdir().expect("tempdir");
        let m = generate_demo(dir.path(), spec, &Cancel::new()).expect("demo");
        m.files
            .iter()
            .filter(|f| f.kind != MediaKind::Video && f.kind != MediaKind::Audio)
            .map(|f| {
                (
                    f.path
                        .strip_prefix(dir.path())
                        .expect("under root")
                        .to_path_buf(),
                    sha256(&f.path),
                )
            })
            .collect()
    };
    let a = digests(&spec);
    let b = digests(&spec);
    assert!(a.len() > 15);
    assert_eq!(a, b);
    let c = digests(&DemoSpec {
        seed: spec.seed + 1,
        ..spec
    });
    let same = a.iter().zip(&c).filter(|(x, y)| x.1 == y.1).count();
    // Only the plain text file is seed-independent.
    assert_eq!(same, 1, "a different seed must change the images");
}

#[test]
fn cancelled_token_stops_generation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cancel = Cancel::new();
    cancel.cancel();
    let r = generate_demo(dir.path(), &small_spec(), &cancel);
    assert!(matches!(r, Err(SynthError::Cancelled)), "{r:?}");
}

#[test]
fn bad_spec_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = DemoSpec {
        width: 0,
        ..small_spec()
    };
    assert!(matches!(
        generate_demo(dir.path(), &spec, &Cancel::new()),
        Err(SynthError::InvalidSpec { .. })
    ));
}

#[test]
fn rerun_in_the_same_folder_leaves_no_strays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = DemoSpec {
        videos: false,
        audio: false,
        images_per_case: 4,
        width: 128,
        height: 96,
        ..small_spec()
    };
    let first = generate_demo(dir.path(), &big, &Cancel::new()).expect("demo");
    let small = DemoSpec {
        images_per_case: 1,
        ..big
    };
    let second = generate_demo(dir.path(), &small, &Cancel::new()).expect("demo");
    assert!(second.files.len() < first.files.len());
    let mut on_disk = Vec::new();
    walk(dir.path(), &mut on_disk);
    assert_eq!(
        on_disk.len(),
        second.files.len() + 1,
        "only the new files and the manifest"
    );
}
