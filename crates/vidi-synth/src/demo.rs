//! The demo dataset: originals per case, extra formats, near-duplicate
//! variants across agencies, videos with speech and stills taken from them.

use std::path::{Path, PathBuf};

use image::RgbImage;
use rayon::prelude::*;
use vidi_types::{Cancel, MediaKind};

use crate::canvas::{crop, mirror, rect_with, resample, resize, shade};
use crate::exif::{ExifData, quantised_gps};
use crate::plan::{CASES, CaseDef};
use crate::rng::Rng;
use crate::scenes::{SceneKind, SignSpec, render};
use crate::text::{Fonts, Script, draw_in_box};
use crate::{AgencyDemo, CaseDemo, DemoFile, DemoManifest, DemoSpec, SynthError, encode};

/// An original photo kept in memory for its variants.
struct Original {
    path: PathBuf,
    img: RgbImage,
    exif: ExifData,
    file: DemoFile,
}

/// What every step of the generation shares.
pub(crate) struct Ctx<'a> {
    pub(crate) root: &'a Path,
    pub(crate) spec: &'a DemoSpec,
    pub(crate) cancel: &'a Cancel,
    pub(crate) fonts: Fonts,
    pub(crate) notes: Vec<String>,
    pub(crate) files: Vec<DemoFile>,
}

impl Ctx<'_> {
    pub(crate) fn case_dir(&self, ci: usize) -> PathBuf {
        let def = &CASES[ci];
        self.root.join(def.agency).join(def.case)
    }

    pub(crate) fn check(&self) -> Result<(), SynthError> {
        if self.cancel.is_cancelled() {
            Err(SynthError::Cancelled)
        } else {
            Ok(())
        }
    }

    pub(crate) fn blank(&self, ci: usize, name: &str, kind: MediaKind, scene: &str) -> DemoFile {
        let def = &CASES[ci];
        DemoFile {
            path: self.case_dir(ci).join(name),
            agency: def.agency.to_string(),
            case: def.case.to_string(),
            kind,
            scene: scene.to_string(),
            gps: None,
            camera: None,
            taken_at: None,
            variant_of: None,
            variant: None,
            text: None,
            text_lang: None,
            speech_lang: None,
            speech_text: None,
            size: None,
            video_time_s: None,
        }
    }

    /// A note when there is no font for `lang`'s script.
    fn missing_font(&self, lang: &str) -> Option<String> {
        let script = Script::for_lang(lang);
        match self.fonts.get(script) {
            Some(_) => None,
            None => Some(format!(
                "no font for {script:?} text; '{lang}' signs drawn without text"
            )),
        }
    }
}

/// Build the demo dataset under `out` and write `out/manifest.json`.
///
/// Layout: `out/<agency>/<case>/<file>`. The manifest lists every file with
/// the truth behind it. Videos and speech need ffmpeg and espeak-ng; when
/// either is missing that part is skipped and a note is added.
pub fn generate_demo(
    out: &Path,
    spec: &DemoSpec,
    cancel: &Cancel,
) -> Result<DemoManifest, SynthError> {
    if !(64..=8192).contains(&spec.width) || !(64..=8192).contains(&spec.height) {
        return Err(SynthError::InvalidSpec {
            what: "width and height must be within 64..=8192",
        });
    }
    if spec.images_per_case > 1000 {
        return Err(SynthError::InvalidSpec {
            what: "images_per_case must be at most 1000",
        });
    }
    std::fs::create_dir_all(out).map_err(SynthError::io(out))?;
    remove_previous(out);
    let mut ctx = Ctx {
        root: out,
        spec,
        cancel,
        fonts: Fonts::load(),
        notes: Vec::new(),
        files: Vec::new(),
    };
    tracing::info!(root = %out.display(), seed = spec.seed, "generating demo dataset");

    // Originals: one independent random stream per image, so the cases can
    // be drawn in parallel and still give the same bytes.
    let per_case: Vec<Result<_, SynthError>> = (0..CASES.len())
        .into_par_iter()
        .map(|ci| case_originals(&ctx, ci))
        .collect();
    let mut originals: Vec<Vec<Original>> = Vec::with_capacity(CASES.len());
    for r in per_case {
        let (case, notes) = r?;
        for n in notes {
            if !ctx.notes.contains(&n) {
                ctx.notes.push(n);
            }
        }
        ctx.files.extend(case.iter().map(|o| o.file.clone()));
        originals.push(case);
    }
    extra_formats(&mut ctx)?;
    variants(&mut ctx, &originals)?;
    drop(originals);
    crate::demo_media::media(&mut ctx)?;

    let mut agencies: Vec<AgencyDemo> = Vec::new();
    for (ci, def) in CASES.iter().enumerate() {
        let case = CaseDemo {
            case: def.case.to_string(),
            dir: ctx.case_dir(ci),
        };
        match agencies.iter_mut().find(|a| a.agency == def.agency) {
            Some(a) => a.cases.push(case),
            None => agencies.push(AgencyDemo {
                agency: def.agency.to_string(),
                country: def.country.to_string(),
                cases: vec![case],
            }),
        }
    }
    let manifest = DemoManifest {
        root: out.to_path_buf(),
        agencies,
        files: ctx.files,
        notes: ctx.notes,
    };
    let mpath = out.join("manifest.json");
    let json = serde_json::to_vec_pretty(&manifest).map_err(|source| SynthError::Manifest {
        path: mpath.clone(),
        source,
    })?;
    encode::write(&mpath, &json)?;
    Ok(manifest)
}

/// Delete the files a previous demo in `out` listed in its manifest (and
/// nothing else), so a rerun with a smaller spec leaves no strays behind.
fn remove_previous(out: &Path) {
    let Ok(bytes) = std::fs::read(out.join("manifest.json")) else {
        return;
    };
    let Ok(old) = serde_json::from_slice::<DemoManifest>(&bytes) else {
        tracing::warn!(root = %out.display(), "unreadable previous manifest; old files kept");
        return;
    };
    for f in old.files.iter().filter(|f| f.path.starts_with(out)) {
        let _ = std::fs::remove_file(&f.path);
    }
}

/// `(year, month, day)` of a `YYYY-MM-DD` date (defaults on bad input).
pub(crate) fn ymd(date: &str) -> (u32, u32, u32) {
    let mut it = date.split('-').map(|p| p.parse::<u32>().unwrap_or(1));
    (
        it.next().unwrap_or(2024),
        it.next().unwrap_or(1),
        it.next().unwrap_or(1),
    )
}

fn case_originals(ctx: &Ctx<'_>, ci: usize) -> Result<(Vec<Original>, Vec<String>), SynthError> {
    let def: &CaseDef = &CASES[ci];
    let n = ctx.spec.images_per_case.max(def.signs.len());
    let mut out = Vec::with_capacity(n);
    let mut notes = Vec::new();
    for i in 0..n {
        ctx.check()?;
        let mut rng = Rng::derive(ctx.spec.seed, (ci * 1000 + i) as u64);
        let scene = def.scenes[i % def.scenes.len()];
        let sign = def.signs.get(i).copied();
        let with_font = sign.filter(|(lang, _)| match ctx.missing_font(lang) {
            Some(note) => {
                notes.push(note);
                false
            }
            None => true,
        });
        let img = {
            let spec = with_font.and_then(|(lang, text)| {
                ctx.fonts
                    .get(Script::for_lang(lang))
                    .map(|font| SignSpec { font, text })
            });
            render(
                scene,
                ctx.spec.width,
                ctx.spec.height,
                rng.next_u64(),
                spec.as_ref(),
            )
        };
        // The last photo of a larger case has no GPS (location services off).
        let gps = if n >= 3 && i == n - 1 {
            None
        } else {
            let (lat, lon, alt) = def.place;
            let alt = (alt + f64::from(rng.range(0.0, 15.0))).round();
            Some(quantised_gps((
                lat + f64::from(rng.range(-0.01, 0.01)),
                lon + f64::from(rng.range(-0.01, 0.01)),
                if i % 2 == 0 { Some(alt) } else { None },
            )))
        };
        let (y, m, d) = ymd(def.date);
        let day = (d - 1 + i as u32) % 28 + 1;
        let (hh, mm, ss) = (rng.int(8, 19), rng.int(0, 59), rng.int(0, 59));
        let exif = ExifData {
            make: Some(def.camera.0.into()),
            model: Some(def.camera.1.into()),
            serial: Some(def.camera.2.into()),
            datetime: Some(format!("{y:04}:{m:02}:{day:02} {hh:02}:{mm:02}:{ss:02}")),
            offset: Some(def.tz.into()),
            gps,
            dims: Some((img.width(), img.height())),
        };
        let name = format!("{}{:02}.jpg", def.prefix, 10 + i);
        let mut file = ctx.blank(ci, &name, MediaKind::Image, scene.name());
        let bytes = encode::jpeg(&img, 88 + rng.int(0, 6) as u8, Some(&exif), &file.path)?;
        encode::write(&file.path, &bytes)?;
        file.gps = gps;
        file.camera = Some((
            def.camera.0.into(),
            def.camera.1.into(),
            def.camera.2.into(),
        ));
        file.taken_at = Some(format!(
            "{y:04}-{m:02}-{day:02}T{hh:02}:{mm:02}:{ss:02}{}",
            def.tz
        ));
        if let Some((lang, text)) = with_font {
            file.text = Some(text.into());
            file.text_lang = Some(lang.into());
        }
        file.size = Some((img.width(), img.height()));
        out.push(Original {
            path: file.path.clone(),
            img,
            exif,
            file,
        });
    }
    Ok((out, notes))
}

fn extra_formats(ctx: &mut Ctx<'_>) -> Result<(), SynthError> {
    let seed = ctx.spec.seed;
    let (w, h) = (ctx.spec.width, ctx.spec.height);
    // PNG: a room (a screenshot-like lossless still).
    ctx.check()?;
    let mut f = ctx.blank(
        2,
        "Screenshot_20240122.png",
        MediaKind::Image,
        SceneKind::Room.name(),
    );
    let img = render(
        SceneKind::Room,
        w,
        h,
        Rng::derive(seed, 9001).next_u64(),
        None,
    );
    encode::write(&f.path, &encode::png(&img, &f.path)?)?;
    f.size = Some((w, h));
    ctx.files.push(f);
    // WebP (lossless): a lake.
    ctx.check()?;
    let (ww, wh) = (w / 2, h / 2);
    let mut f = ctx.blank(5, "IMG_3188.webp", MediaKind::Image, SceneKind::Lake.name());
    let img = render(
        SceneKind::Lake,
        ww,
        wh,
        Rng::derive(seed, 9002).next_u64(),
        None,
    );
    encode::write(&f.path, &encode::webp(&img, &f.path)?)?;
    f.size = Some((ww, wh));
    ctx.files.push(f);
    // Animated GIF: a slow pan over fields, 4 frames.
    ctx.check()?;
    let mut f = ctx.blank(
        6,
        "animation.gif",
        MediaKind::Image,
        SceneKind::Fields.name(),
    );
    let wide = render(
        SceneKind::Fields,
        400,
        240,
        Rng::derive(seed, 9003).next_u64(),
        None,
    );
    let frames: Vec<RgbImage> = (0..4).map(|k| crop(&wide, k * 20, 0, 320, 240)).collect();
    encode::write(&f.path, &encode::gif(&frames, &f.path)?)?;
    f.size = Some((320, 240));
    ctx.files.push(f);
    // A JPEG cut short: header and EXIF intact, scan data truncated.
    ctx.check()?;
    let def = &CASES[3];
    let mut f = ctx.blank(3, "DSC01299.jpg", MediaKind::Image, "truncated");
    let img = render(
        SceneKind::Sea,
        w,
        h,
        Rng::derive(seed, 9004).next_u64(),
        None,
    );
    let gps = quantised_gps((def.place.0 + 0.002, def.place.1 - 0.003, None));
    let exif = ExifData {
        make: Some(def.camera.0.into()),
        model: Some(def.camera.1.into()),
        serial: Some(def.camera.2.into()),
        datetime: Some("2023:09:09 10:12:00".into()),
        offset: Some(def.tz.into()),
        gps: Some(gps),
        dims: Some((w, h)),
    };
    let bytes = encode::jpeg(&img, 90, Some(&exif), &f.path)?;
    encode::write(&f.path, &bytes[..bytes.len() * 55 / 100])?;
    f.gps = Some(gps);
    f.camera = Some((
        def.camera.0.into(),
        def.camera.1.into(),
        def.camera.2.into(),
    ));
    f.taken_at = Some(format!("2023-09-09T10:12:00{}", def.tz));
    f.size = Some((w, h));
    ctx.files.push(f);
    // A corrupt "PNG": the signature followed by noise.
    ctx.check()?;
    let f = ctx.blank(7, "IMG_20230899.png", MediaKind::Image, "corrupt");
    let mut rng = Rng::derive(seed, 9005);
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..4096).map(|_| rng.next_u64() as u8));
    encode::write(&f.path, &bytes)?;
    ctx.files.push(f);
    // A plain text file.
    let mut f = ctx.blank(0, "notes.txt", MediaKind::Other, "text");
    let text = "Synthetic demonstration data generated by vidi-synth.\nNo real case material.\n";
    encode::write(&f.path, text.as_bytes())?;
    f.text = Some(text.trim_end().into());
    f.text_lang = Some("en".into());
    ctx.files.push(f);
    Ok(())
}

fn variant_file(ctx: &Ctx<'_>, ci: usize, name: &str, src: &Original, how: &str) -> DemoFile {
    let mut f = ctx.blank(ci, name, MediaKind::Image, &src.file.scene);
    f.variant_of = Some(src.path.clone());
    f.variant = Some(how.into());
    f.text = src.file.text.clone();
    f.text_lang = src.file.text_lang.clone();
    f
}

fn variants(ctx: &mut Ctx<'_>, originals: &[Vec<Original>]) -> Result<(), SynthError> {
    // The second photo of the first case: a lake with a signboard (smooth
    // content, so the near duplicates stay within PDQ's match distance).
    let Some(a) = originals.first().and_then(|c| c.get(1).or(c.first())) else {
        return Ok(());
    };
    let (w, h) = (a.img.width(), a.img.height());
    // Resized to half size.
    ctx.check()?;
    let mut f = variant_file(ctx, 2, "received_01.jpg", a, "resized");
    let img = resize(&a.img, w / 2, h / 2);
    encode::write(&f.path, &encode::jpeg(&img, 85, None, &f.path)?)?;
    f.size = Some((img.width(), img.height()));
    ctx.files.push(f);
    // Recompressed at a low quality, EXIF kept.
    ctx.check()?;
    let mut f = variant_file(ctx, 3, "received_02.jpg", a, "recompressed");
    encode::write(&f.path, &encode::jpeg(&a.img, 55, Some(&a.exif), &f.path)?)?;
    f.gps = a.file.gps;
    f.camera = a.file.camera.clone();
    f.taken_at = a.file.taken_at.clone();
    f.size = Some((w, h));
    ctx.files.push(f);
    // Cropped: 2.5 % off every side, ~10 % of the area.
    ctx.check()?;
    let mut f = variant_file(ctx, 5, "received_03.jpg", a, "cropped");
    let img = crop(&a.img, w / 40, h / 40, w - 2 * (w / 40), h - 2 * (h / 40));
    encode::write(&f.path, &encode::jpeg(&img, 90, None, &f.path)?)?;
    f.size = Some((img.width(), img.height()));
    ctx.files.push(f);
    // Mirrored (the sign's text becomes unreadable, so no text).
    ctx.check()?;
    let mut f = variant_file(ctx, 6, "received_04.jpg", a, "mirrored");
    let img = mirror(&a.img);
    encode::write(&f.path, &encode::jpeg(&img, 90, None, &f.path)?)?;
    f.text = None;
    f.text_lang = None;
    f.size = Some((w, h));
    ctx.files.push(f);
    // Caption burned in along the bottom.
    ctx.check()?;
    let mut f = variant_file(ctx, 7, "received_05.jpg", a, "captioned");
    let mut img = a.img.clone();
    let caption = "Brussel 2024";
    // A translucent box behind the words, as messaging apps draw it.
    let b = (
        w as f32 * 0.3,
        h as f32 * 0.88,
        w as f32 * 0.7,
        h as f32 * 0.96,
    );
    rect_with(&mut img, b.0, b.1, b.2, b.3, |x, y| {
        shade(a.img.get_pixel(x, y).0, 0.45)
    });
    if let Some(font) = ctx.fonts.get(Script::Latin) {
        draw_in_box(&mut img, font, caption, b, [255, 255, 255]);
        f.text = Some(match &f.text {
            Some(t) => format!("{t}\n{caption}"),
            None => caption.into(),
        });
    }
    encode::write(&f.path, &encode::jpeg(&img, 90, None, &f.path)?)?;
    f.size = Some((w, h));
    ctx.files.push(f);
    // A second original (the Polish notice in Berlin) resized into Ghent.
    if let Some(b) = originals.get(5).and_then(|c| c.get(1)) {
        ctx.check()?;
        let mut f = variant_file(ctx, 1, "IMG_7190.jpg", b, "resized");
        let (bw, bh) = (b.img.width() * 3 / 5, b.img.height() * 3 / 5);
        let img = resample(
            &b.img,
            0.0,
            0.0,
            b.img.width() as f32,
            b.img.height() as f32,
            bw,
            bh,
        );
        encode::write(&f.path, &encode::jpeg(&img, 80, None, &f.path)?)?;
        f.size = Some((bw, bh));
        ctx.files.push(f);
    }
    // A byte-identical copy: the Arabic notice from Amsterdam found in Ghent.
    if let Some(c) = originals.get(2).and_then(|c| c.get(1)) {
        ctx.check()?;
        let mut f = c.file.clone();
        f.path = ctx.case_dir(1).join("photo_from_chat.jpg");
        f.agency = CASES[1].agency.into();
        f.case = CASES[1].case.into();
        f.variant_of = Some(c.path.clone());
        f.variant = Some("exact_copy".into());
        let bytes = std::fs::read(&c.path).map_err(SynthError::io(&c.path))?;
        encode::write(&f.path, &bytes)?;
        ctx.files.push(f);
    }
    Ok(())
}
