use vidi_embed::{Backbone, CropSet, EmbedError, GRID_REGIONS, REGIONS_PER_IMAGE};

use crate::{installed, models_dir};

/// The synthetic input of `convert_mobilenet.py`'s `reference_input`.
fn reference_rgb() -> Vec<u8> {
    let mut v = Vec::with_capacity(224 * 224 * 3);
    for y in 0..224u32 {
        for x in 0..224u32 {
            v.push((x * 255 / 223) as u8);
            v.push((y * 255 / 223) as u8);
            v.push(((x * 7 + y * 13) % 256) as u8);
        }
    }
    v
}

#[test]
fn matches_numpy_reference() {
    let Some(model) = installed() else { return };
    let bb = Backbone::load(&model).unwrap();
    assert_eq!(bb.dim(), 1280);
    assert_eq!(bb.labels().len(), 1000);
    let reference: serde_json::Value = serde_json::from_slice(
        &std::fs::read(model.file("reference").expect("reference file")).unwrap(),
    )
    .unwrap();
    let a = bb.analyse(&reference_rgb(), 224, 224).unwrap();
    let l2 = reference["pooled_l2"].as_f64().unwrap() as f32;
    for (i, want) in reference["pooled_first16"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let want = want.as_f64().unwrap() as f32 / l2;
        let got = a.whole.vector[i];
        assert!((got - want).abs() < 1e-4, "feature {i}: {got} vs {want}");
    }
    let top: Vec<usize> = a.top_classes(5).iter().map(|c| c.index).collect();
    let want: Vec<usize> = reference["top5"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(top, want);
    let logits = a.logits.as_ref().unwrap();
    for (i, l) in want
        .iter()
        .zip(reference["top5_logits"].as_array().unwrap())
    {
        let l = l.as_f64().unwrap() as f32;
        assert!(
            (logits[*i] - l).abs() < 1e-2 * l.abs().max(1.0),
            "logit {i}"
        );
    }
    assert_eq!(a.regions.len(), GRID_REGIONS);
    assert_eq!(a.regions[0].embedding, a.whole);
    // With the crop passes: the same whole-image pass, then the crops.
    let c = bb
        .analyse_with(&reference_rgb(), 224, 224, &CropSet::DEFAULT)
        .unwrap();
    assert_eq!(c.regions.len(), REGIONS_PER_IMAGE);
    assert_eq!(c.regions[..GRID_REGIONS], a.regions[..]);
    assert_eq!(c.regions[GRID_REGIONS].region.width, 134);
    assert_eq!(c.regions[REGIONS_PER_IMAGE - 1].region.x, 45);
    for r in &c.regions {
        assert_eq!(r.index, c.regions.iter().position(|x| x == r).unwrap());
        let n: f32 = r.embedding.vector.iter().map(|x| x * x).sum();
        assert!((n - 1.0).abs() < 1e-4);
    }
}

#[test]
fn kauai_photo_gives_known_classes() {
    let Some(model) = installed() else { return };
    let path = models_dir().join("vision/test-images/Kauai.png");
    let Ok(img) = image::open(&path) else {
        println!(
            "SKIP: {} absent; run scripts/models/install-vision.sh",
            path.display()
        );
        return;
    };
    let img = img.to_rgb8();
    let bb = Backbone::load(&model).unwrap();
    let a = bb.analyse(img.as_raw(), img.width(), img.height()).unwrap();
    let top: Vec<String> = a.top_classes(5).into_iter().map(|c| c.label).collect();
    for want in ["valley", "alp", "cliff", "promontory"] {
        assert!(top.iter().any(|t| t == want), "{want} not in {top:?}");
    }
    // Region boxes are in input pixels and cover the frame.
    let whole = a.regions[0].region;
    assert_eq!(
        (whole.x, whole.y, whole.width, whole.height),
        (0, 0, img.width(), img.height())
    );
}

#[test]
fn rejects_bad_input_and_unknown_architecture() {
    let Some(model) = installed() else { return };
    let bb = Backbone::load(&model).unwrap();
    assert!(matches!(
        bb.analyse(&[0u8; 10], 2, 2),
        Err(EmbedError::InvalidImage { .. })
    ));
    assert!(matches!(
        bb.analyse(&[], 0, 0),
        Err(EmbedError::InvalidImage { .. })
    ));
    // Tiny images are upscaled, not rejected.
    assert!(bb.embed(&[1, 2, 3], 1, 1).is_ok());

    let mut other = model.clone();
    other.manifest.architecture = "clip-vit-b32".into();
    assert!(matches!(
        Backbone::load(&other),
        Err(EmbedError::UnsupportedArchitecture { .. })
    ));
    // A corrupt weights file gives a typed error.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("model.safetensors"),
        b"\x10\0\0\0\0\0\0\0{}",
    )
    .unwrap();
    let mut broken = model.clone();
    broken.dir = tmp.path().to_path_buf();
    assert!(Backbone::load(&broken).is_err());
}
