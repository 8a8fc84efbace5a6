//! Character error rate over tesseract's own test pages
//! (`shared/corpora/ocr-tesseract-testing`), with the default engine.

use std::path::Path;

use vidi_ocr::{Ocr, OcrConfig, RgbImageRef};

use vidi_testkit::shared_dir;

use crate::{cer, engine_or_skip};

/// (image, ground truth file or literal, counted in the overall CER,
/// explicit tesseract languages or None for the default automatic passes).
const PAGES: &[(&str, Truth, bool, Option<&str>)] = &[
    ("phototest.tif", Truth::File("phototest.txt"), true, None),
    ("eurotext.tif", Truth::File("eurotext.txt"), true, None),
    (
        "8071_093.3B.tif",
        Truth::File("8071_093.3B.txt"),
        true,
        None,
    ),
    (
        "8087_054.3B.tif",
        Truth::File("8087_054.3B.txt"),
        true,
        None,
    ),
    ("HelloGoogle.tif", Truth::Text("Hello Google"), true, None),
    ("arabic.tif", Truth::Text("العربي"), true, None),
    ("arabic.tif", Truth::Text("العربي"), false, Some("ara")),
    (
        "phototest-rotated-180.png",
        Truth::File("phototest.txt"),
        true,
        None,
    ),
    (
        "phototest-rotated-L.png",
        Truth::File("phototest.txt"),
        true,
        None,
    ),
    (
        "phototest-rotated-R.png",
        Truth::File("phototest.txt"),
        true,
        None,
    ),
];

/// Overall CER over the counted pages must stay under this (measured:
/// see docs/accuracy-ocr.md).
const MAX_OVERALL_CER: f64 = 0.075;

enum Truth {
    File(&'static str),
    Text(&'static str),
}

fn load_rgb(path: &Path) -> Option<(u32, u32, Vec<u8>)> {
    let img = image::open(path).ok()?.to_rgb8();
    Some((img.width(), img.height(), img.into_raw()))
}

pub(crate) struct Row {
    pub(crate) file: String,
    pub(crate) errors: usize,
    pub(crate) len: usize,
    pub(crate) counted: bool,
    pub(crate) model: String,
    pub(crate) ms: u128,
}

pub(crate) fn run_corpus(ocr: &mut Ocr, dir: &Path) -> Vec<Row> {
    let mut rows = Vec::new();
    for (file, truth, counted, langs) in PAGES {
        let reference = match truth {
            Truth::File(f) => std::fs::read_to_string(dir.join(f)).unwrap(),
            Truth::Text(t) => (*t).to_owned(),
        };
        let (w, h, rgb) = load_rgb(&dir.join(file)).unwrap_or_else(|| panic!("decode {file}"));
        let started = std::time::Instant::now();
        let pixels = RgbImageRef::new(w, h, &rgb).unwrap();
        let r = match langs {
            Some(l) => ocr.recognize_with(pixels, l, None).unwrap(),
            None => ocr.recognize(pixels, None).unwrap(),
        };
        let ms = started.elapsed().as_millis();
        let (errors, len) = cer::errors(&reference, &r.text);
        rows.push(Row {
            file: match langs {
                Some(l) => format!("{file} (-l {l})"),
                None => (*file).to_owned(),
            },
            errors,
            len,
            counted: *counted,
            model: r.model,
            ms,
        });
    }
    rows
}

#[test]
fn tesseract_test_pages_cer() {
    let Some(shared) = shared_dir() else {
        println!("SKIP: shared dir absent (set VIDI_SHARED_DIR); OCR corpus CER not measured");
        return;
    };
    let dir = shared.join("corpora/ocr-tesseract-testing");
    if !dir.is_dir() {
        println!("SKIP: {} absent", dir.display());
        return;
    }
    let Some(mut ocr) = engine_or_skip(OcrConfig::default()) else {
        return;
    };
    let rows = run_corpus(&mut ocr, &dir);
    println!("| file | ref chars | edits | CER | pass | ms |");
    println!("|---|---|---|---|---|---|");
    let (mut e, mut n) = (0usize, 0usize);
    for r in &rows {
        println!(
            "| {}{} | {} | {} | {:.4} | {} | {} |",
            r.file,
            if r.counted { "" } else { " (not counted)" },
            r.len,
            r.errors,
            r.errors as f64 / r.len.max(1) as f64,
            r.model,
            r.ms
        );
        if r.counted {
            e += r.errors;
            n += r.len;
        }
    }
    let overall = e as f64 / n.max(1) as f64;
    println!("| overall (counted) | {n} | {e} | {overall:.4} | | |");
    assert!(
        overall <= MAX_OVERALL_CER,
        "overall CER {overall:.4} > {MAX_OVERALL_CER}"
    );
}
