//! Scene extractor on the GeoCLIP test photo, corpus photos, a corpus
//! video and synthetic images.

use std::path::Path;

use vidi_clues::scene::{SCENE_MODEL, SceneExtractor};
use vidi_clues::{Clue, ClueError, ClueExtractor, ClueInput, ClueKind};
use vidi_types::{Cancel, MediaKind, MediaRecord};

use vidi_testkit::shared_dir;

use crate::{models_dir, record};

fn extractor() -> Option<(std::path::PathBuf, SceneExtractor)> {
    let (dir, _) = models_dir(SCENE_MODEL)?;
    Some((dir.clone(), SceneExtractor::load(&dir).expect("scene load")))
}

fn run(e: &SceneExtractor, media: &MediaRecord, path: &Path) -> Result<Vec<Clue>, ClueError> {
    e.extract(
        ClueInput {
            media,
            path: Some(path),
        },
        &Cancel::new(),
    )
}

fn summary(clues: &[Clue]) -> String {
    clues
        .iter()
        .map(|c| format!("{} {:.2}", c.value, c.confidence))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn kauai_is_an_outdoor_valley_or_alp() {
    let Some((dir, e)) = extractor() else { return };
    let photo = dir.join("vision/test-images/Kauai.png");
    if !photo.is_file() {
        println!("skipped: {} missing", photo.display());
        return;
    }
    let media = record(MediaKind::Image);
    assert!(e.applies(&media));
    let clues = run(&e, &media, &photo).expect("extract");
    println!("Kauai: {}", summary(&clues));
    assert_eq!(clues[0].value, "outdoor");
    assert!(clues[0].confidence > 0.5);
    let landscapes: Vec<&str> = clues[1..].iter().map(|c| c.value.as_str()).collect();
    assert!(
        ["valley", "alp", "cliff", "promontory"].contains(&landscapes[0]),
        "{landscapes:?}"
    );
    for c in &clues {
        assert_eq!(c.kind, ClueKind::Scene);
        assert_eq!(c.extractor, "scene");
        assert!((0.0..=1.0).contains(&c.confidence));
        assert_eq!(c.model.as_ref().map(|m| m.name.as_str()), Some(SCENE_MODEL));
        assert!(c.time_range.is_none());
    }
    assert_eq!(clues[1].detail["family"], "landscape");
    // The fingerprint names the version and the model's content SHA-256.
    let fp = e.fingerprint();
    let sha = e.model().expect("model").sha256;
    assert_eq!(fp, format!("scene/1/{SCENE_MODEL}@{sha}"));
}

/// Every decodable photo of the camera-sample corpus gives valid clues;
/// prints what each was classed as (see docs/accuracy.md).
#[test]
fn corpus_photos() {
    let Some((_, e)) = extractor() else { return };
    let Some(shared) = shared_dir() else { return };
    let dirs = ["corpora/exif-samples/jpg/gps", "corpora/exif-samples/jpg"];
    let media = record(MediaKind::Image);
    let mut n = 0;
    for d in dirs {
        let mut files: Vec<_> = std::fs::read_dir(shared.join(d))
            .expect("corpus dir")
            .filter_map(|f| f.ok().map(|f| f.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
            .collect();
        files.sort();
        for f in files {
            match run(&e, &media, &f) {
                Ok(clues) => {
                    n += 1;
                    let name = f.file_name().unwrap_or_default().to_string_lossy();
                    println!("{name}: {}", summary(&clues));
                    assert!(clues.iter().all(|c| (0.0..=1.0).contains(&c.confidence)));
                    // Checked by eye (docs/accuracy.md): every Arezzo photo
                    // is outdoors; DSCN0027 is a church square.
                    if d.ends_with("gps") {
                        assert_eq!(clues.first().map(|c| c.value.as_str()), Some("outdoor"));
                    }
                    if name == "DSCN0027.jpg" {
                        assert_eq!(clues.get(1).map(|c| c.value.as_str()), Some("church"));
                    }
                }
                Err(ClueError::Decode(_)) => {}
                Err(other) => panic!("{}: {other}", f.display()),
            }
        }
    }
    assert!(n >= 20, "{n} photos classified");
}

#[test]
fn synthetic_images_and_bad_input() {
    let Some((_, e)) = extractor() else { return };
    let d = tempfile::tempdir().expect("tmp");
    let media = record(MediaKind::Image);
    // Flat grey, a gradient, a 1x1 image and a very wide one: valid output.
    let imgs = [
        image::RgbImage::from_pixel(300, 200, image::Rgb([128, 128, 128])),
        image::RgbImage::from_fn(320, 240, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 200])
        }),
        image::RgbImage::from_pixel(1, 1, image::Rgb([0, 0, 0])),
        image::RgbImage::from_pixel(2000, 3, image::Rgb([10, 200, 30])),
    ];
    for (i, img) in imgs.iter().enumerate() {
        let p = d.path().join(format!("{i}.png"));
        img.save(&p).expect("png");
        let clues = run(&e, &media, &p).expect("extract");
        println!("synthetic {i}: {}", summary(&clues));
        assert!(clues.iter().all(|c| (0.0..=1.0).contains(&c.confidence)));
        assert!(clues.len() <= 6);
    }
    // Truncated and garbage files: typed decode errors, no panic.
    let p = d.path().join("bad.png");
    std::fs::write(&p, b"\x89PNG\r\n\x1a\nnot really").expect("write");
    assert!(matches!(run(&e, &media, &p), Err(ClueError::Decode(_))));
    // A missing file: an I/O error naming it.
    let gone = d.path().join("gone.jpg");
    match run(&e, &media, &gone) {
        Err(ClueError::Io { path, .. }) => assert_eq!(path, gone),
        other => panic!("{other:?}"),
    }
    // No path: nothing to say.
    let none = e
        .extract(
            ClueInput {
                media: &media,
                path: None,
            },
            &Cancel::new(),
        )
        .expect("no path");
    assert!(none.is_empty());
    assert!(!e.applies(&record(MediaKind::Audio)));
}

#[test]
fn video_keyframes_have_times() {
    let Some((_, e)) = extractor() else { return };
    let Some(shared) = shared_dir() else { return };
    let v = shared.join("corpora/threatexchange-video/tmk-sample-videos/chair-19-sd-bar.mp4");
    if !v.is_file() {
        println!("skipped: {} missing", v.display());
        return;
    }
    let cancel = Cancel::new();
    let info = match vidi_video::probe(&v, &vidi_video::VideoLimits::default(), &cancel) {
        Ok(i) => i,
        Err(err) => {
            println!("skipped: ffprobe unavailable ({err})");
            return;
        }
    };
    let mut media = record(MediaKind::Video);
    media.video = Some(info);
    assert!(e.applies(&media));
    let clues = run(&e, &media, &v).expect("video");
    println!("chair video: {}", summary(&clues));
    assert!(!clues.is_empty());
    let times: std::collections::BTreeSet<String> = clues
        .iter()
        .map(|c| format!("{:?}", c.time_range.expect("time")))
        .collect();
    assert!(!times.is_empty() && times.len() <= vidi_clues::scene::VIDEO_FRAMES);
}
