//! Synthetic textured scenes: a picture against itself shrunk into part of
//! another picture, rotated, and against unrelated pictures.

use proptest::prelude::*;
use vidi_local::{ExtractParams, Features, LocalError, VerifyParams, extract, verify};

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.next() % (hi - lo).max(1)
    }
}

/// An RGB image.
#[derive(Clone)]
struct Rgb {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Rgb {
    fn get(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.w + x) * 3) as usize;
        [self.px[i], self.px[i + 1], self.px[i + 2]]
    }
    fn set(&mut self, x: u32, y: u32, c: [u8; 3]) {
        let i = ((y * self.w + x) * 3) as usize;
        self.px[i..i + 3].copy_from_slice(&c);
    }
    fn features(&self) -> Features {
        extract(&self.px, self.w, self.h, 3, &ExtractParams::default()).expect("extract")
    }
}

/// A "room": a shaded ground and many boxes, discs and bars of random
/// colours (plenty of corners, none shared with another seed).
fn scene(seed: u64, w: u32, h: u32) -> Rgb {
    let mut r = Lcg(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x1234);
    let mut img = Rgb {
        w,
        h,
        px: vec![0; (w * h * 3) as usize],
    };
    let g0 = [r.range(40, 200), r.range(40, 200), r.range(40, 200)];
    for y in 0..h {
        for x in 0..w {
            let t = (x + y) * 60 / (w + h);
            img.set(x, y, g0.map(|c| (c + t) as u8));
        }
    }
    for _ in 0..60 {
        let c = [
            r.range(0, 256) as u8,
            r.range(0, 256) as u8,
            r.range(0, 256) as u8,
        ];
        let ow = r.range(w / 30, w / 6);
        let oh = r.range(h / 30, h / 6);
        let x0 = r.range(0, w - ow);
        let y0 = r.range(0, h - oh);
        let disc = r.next().is_multiple_of(3);
        for y in y0..y0 + oh {
            for x in x0..x0 + ow {
                if disc {
                    let dx = (x as f32 - (x0 + ow / 2) as f32) / (ow as f32 / 2.0);
                    let dy = (y as f32 - (y0 + oh / 2) as f32) / (oh as f32 / 2.0);
                    if dx * dx + dy * dy > 1.0 {
                        continue;
                    }
                }
                img.set(x, y, c);
            }
        }
    }
    img
}

/// Bilinear resample of `img` to `w` x `h` (after a box prefilter when
/// shrinking by more than 1.5).
fn resize(img: &Rgb, w: u32, h: u32) -> Rgb {
    let mut out = Rgb {
        w,
        h,
        px: vec![0; (w * h * 3) as usize],
    };
    let (sx, sy) = (img.w as f32 / w as f32, img.h as f32 / h as f32);
    for y in 0..h {
        for x in 0..w {
            // Average a 2x2 grid of bilinear samples inside the footprint.
            let mut acc = [0f32; 3];
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let fx = ((x as f32 + ox) * sx - 0.5).clamp(0.0, (img.w - 1) as f32);
                let fy = ((y as f32 + oy) * sy - 0.5).clamp(0.0, (img.h - 1) as f32);
                let (x0, y0) = (fx as u32, fy as u32);
                let (x1, y1) = ((x0 + 1).min(img.w - 1), (y0 + 1).min(img.h - 1));
                let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
                for (k, acc) in acc.iter_mut().enumerate() {
                    let a = f32::from(img.get(x0, y0)[k]) * (1.0 - tx)
                        + f32::from(img.get(x1, y0)[k]) * tx;
                    let b = f32::from(img.get(x0, y1)[k]) * (1.0 - tx)
                        + f32::from(img.get(x1, y1)[k]) * tx;
                    *acc += (a * (1.0 - ty) + b * ty) / 4.0;
                }
            }
            out.set(x, y, acc.map(|v| v.round() as u8));
        }
    }
    out
}

/// `base` shrunk by `frac` and pasted at (ox, oy) over `filler`.
fn composite(base: &Rgb, filler: &Rgb, frac: f32, ox: u32, oy: u32) -> Rgb {
    let small = resize(
        base,
        (base.w as f32 * frac) as u32,
        (base.h as f32 * frac) as u32,
    );
    let mut out = filler.clone();
    for y in 0..small.h {
        for x in 0..small.w {
            if x + ox < out.w && y + oy < out.h {
                out.set(x + ox, y + oy, small.get(x, y));
            }
        }
    }
    out
}

/// Rotated a quarter turn clockwise (in image coordinates: (x, y) ->
/// (h - 1 - y, x)).
fn quarter_turn(img: &Rgb) -> Rgb {
    let mut out = Rgb {
        w: img.h,
        h: img.w,
        px: vec![0; img.px.len()],
    };
    for y in 0..img.h {
        for x in 0..img.w {
            out.set(img.h - 1 - y, x, img.get(x, y));
        }
    }
    out
}

#[test]
fn scene_shrunk_into_a_third_of_another_picture_is_verified() {
    let base = scene(1, 512, 384);
    let filler = scene(2, 512, 384);
    let (frac, ox, oy) = (0.55, 150, 97);
    let comp = composite(&base, &filler, frac, ox, oy);
    let fb = base.features();
    let fc = comp.features();
    assert!(fb.len() >= 300, "{} keypoints", fb.len());
    let p = VerifyParams::default();
    // Original -> composite: scale 0.55, offset (ox, oy).
    let v = verify(&fb, &fc, &p);
    println!("original -> composite: {v:?}");
    assert!(v.verified && v.inliers >= 25, "{v:?}");
    let t = v.transform.expect("transform");
    assert!((t.scale - frac).abs() < 0.03, "{t:?}");
    assert!(t.rotation.abs() < 0.05, "{t:?}");
    // The original's top-left corner lands at the paste offset.
    let (x, y) = t.apply(-0.5, -0.5);
    assert!(
        (x - ox as f32).abs() < 6.0 && (y - oy as f32).abs() < 6.0,
        "{x} {y}"
    );
    // And back: composite -> original, scale 1 / 0.55.
    let w = verify(&fc, &fb, &p);
    println!("composite -> original: {w:?}");
    assert!(w.verified, "{w:?}");
    let t = w.transform.expect("transform");
    assert!((t.scale - 1.0 / frac).abs() < 0.1, "{t:?}");
    assert_eq!(v.tentative, w.tentative, "mutual matching is symmetric");
}

#[test]
fn unrelated_pictures_are_not_verified() {
    let p = VerifyParams::default();
    let feats: Vec<Features> = (10..16).map(|s| scene(s, 512, 384).features()).collect();
    let mut worst = 0;
    for i in 0..feats.len() {
        for j in i + 1..feats.len() {
            let v = verify(&feats[i], &feats[j], &p);
            worst = worst.max(v.inliers);
            assert!(!v.verified, "{i} vs {j}: {v:?}");
        }
    }
    println!("unrelated pairs: at most {worst} inliers");
    // An unrelated picture with the same scene composited elsewhere still
    // verifies only the scene.
    let base = scene(20, 512, 384);
    let other = scene(21, 512, 384);
    let comp = composite(&other, &scene(22, 512, 384), 0.6, 10, 10);
    let v = verify(&base.features(), &comp.features(), &p);
    assert!(!v.verified, "{v:?}");
}

#[test]
fn rotation_and_serialisation() {
    let base = scene(3, 480, 360);
    let rot = quarter_turn(&base);
    let fb = base.features();
    let fr = rot.features();
    let v = verify(&fb, &fr, &VerifyParams::default());
    println!("quarter turn: {v:?}");
    assert!(v.verified && v.inliers >= 40, "{v:?}");
    let t = v.transform.expect("transform");
    assert!((t.scale - 1.0).abs() < 0.03, "{t:?}");
    assert!(
        (t.rotation - std::f32::consts::FRAC_PI_2).abs() < 0.05,
        "{t:?}"
    );
    // Round trip through bytes and a file: same verification, to
    // quantisation.
    let bytes = fb.to_bytes();
    assert_eq!(
        bytes.len(),
        fb.len() * Features::BYTES_PER_KEYPOINT + 8 + 4 * 5 + 4 * 6
    );
    let back = Features::from_bytes(&bytes).expect("decode");
    assert_eq!(back.len(), fb.len());
    assert_eq!(back.descriptors, fb.descriptors);
    for (a, b) in back.keypoints.iter().zip(&fb.keypoints) {
        assert!((a.x - b.x).abs() < 0.02 && (a.y - b.y).abs() < 0.02);
        assert_eq!(a.level, b.level);
        assert!((a.size - b.size).abs() < 1e-4);
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let path = dir.join("f.vlf");
    back.write_file(&path).expect("write");
    let again = Features::read_file(&path).expect("read");
    assert_eq!(again, back);
    let w = verify(&again, &fr, &VerifyParams::default());
    assert!(w.inliers + 4 >= v.inliers, "{w:?} vs {v:?}");
    // Damaged blobs are typed errors.
    assert!(matches!(
        Features::from_bytes(&bytes[..bytes.len() - 1]),
        Err(LocalError::Corrupt { .. })
    ));
    assert!(matches!(
        Features::from_bytes(b"not a blob at all"),
        Err(LocalError::Magic)
    ));
    let mut v2 = bytes.clone();
    v2[8] = 2;
    assert!(matches!(
        Features::from_bytes(&v2),
        Err(LocalError::Version(2))
    ));
    std::fs::write(&path, &bytes[..20]).expect("write");
    assert!(matches!(
        Features::read_file(&path),
        Err(LocalError::File { .. })
    ));
    assert!(matches!(
        Features::read_file(&dir.join("missing")),
        Err(LocalError::Io { .. })
    ));
}

#[test]
fn hostile_sizes_are_errors_or_empty() {
    let p = ExtractParams::default();
    assert!(matches!(
        extract(&[], 1 << 20, 1 << 20, 3, &p),
        Err(LocalError::TooLarge { .. })
    ));
    assert!(matches!(
        extract(&[0; 10], 4, 4, 3, &p),
        Err(LocalError::BadBuffer { .. })
    ));
    assert!(matches!(
        extract(&[0; 32], 4, 4, 2, &p),
        Err(LocalError::Param { name: "channels" })
    ));
    let bad = ExtractParams {
        scale_factor: f32::NAN,
        ..p
    };
    assert!(matches!(
        extract(&[0; 48], 4, 4, 3, &bad),
        Err(LocalError::Param { .. })
    ));
    assert!(extract(&[], 0, 0, 3, &p).expect("empty").is_empty());
    assert!(extract(&[9; 1], 1, 1, 1, &p).expect("1x1").is_empty());
    // A long thin strip and a large flat image: no keypoints, no panic.
    assert!(
        extract(&vec![50; 5000 * 3], 5000, 3, 1, &p)
            .expect("strip")
            .is_empty()
    );
    let big = vec![128u8; 6000 * 4000];
    assert!(extract(&big, 6000, 4000, 1, &p).expect("flat").is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any small image: extraction never panics, keypoints lie inside the
    /// frame, matching is symmetric, and an image verifies against itself
    /// whenever it has enough keypoints.
    #[test]
    fn never_panics_and_matching_is_symmetric(
        w in 1u32..120,
        h in 1u32..120,
        seed in any::<u64>(),
        flat in any::<bool>(),
    ) {
        let mut r = Lcg(seed);
        let px: Vec<u8> = (0..w * h)
            .map(|_| if flat { 77 } else { r.range(0, 256) as u8 })
            .collect();
        let p = ExtractParams::default();
        let f = extract(&px, w, h, 1, &p).expect("extract");
        for k in &f.keypoints {
            prop_assert!(k.x >= -0.5 && k.x <= w as f32 && k.y >= -0.5 && k.y <= h as f32);
        }
        let g = scene(seed, 96 + w % 40, 96 + h % 40).features();
        let a = verify(&f, &g, &VerifyParams::default());
        let b = verify(&g, &f, &VerifyParams::default());
        prop_assert_eq!(a.tentative, b.tentative);
        prop_assert!(a.inliers <= a.tentative && b.inliers <= b.tentative);
        let own = verify(&g, &g, &VerifyParams::default());
        prop_assert!(own.tentative < 3 || own.inliers == own.tentative, "{:?}", own);
        let back = Features::from_bytes(&f.to_bytes()).expect("round trip");
        prop_assert_eq!(back.len(), f.len());
    }

    /// Random bytes never panic the reader.
    #[test]
    fn random_blobs_are_rejected_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Features::from_bytes(&bytes);
        let mut b = b"VIDILF\0\0\x01\0\0\0".to_vec();
        b.extend(&bytes);
        let _ = Features::from_bytes(&b);
    }
}
