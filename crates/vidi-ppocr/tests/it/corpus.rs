//! PP-OCR on tesseract's own test pages (`shared/corpora/ocr-tesseract-testing`),
//! reported next to tesseract's figures in docs/accuracy-ocr.md.

use std::time::Instant;

use vidi_ppocr::RgbView;

use vidi_testkit::{cer, shared_dir};

use crate::engine;

const PAGES: &[(&str, Option<&str>, &str)] = &[
    ("phototest.tif", Some("phototest.txt"), ""),
    ("eurotext.tif", Some("eurotext.txt"), ""),
    ("8071_093.3B.tif", Some("8071_093.3B.txt"), ""),
    ("8087_054.3B.tif", Some("8087_054.3B.txt"), ""),
    ("HelloGoogle.tif", None, "Hello Google"),
    ("arabic.tif", None, "العربي"),
    ("phototest-rotated-180.png", Some("phototest.txt"), ""),
    ("phototest-rotated-L.png", Some("phototest.txt"), ""),
    ("phototest-rotated-R.png", Some("phototest.txt"), ""),
];

/// phototest.tif (a clean English page) must stay under this.
const MAX_PHOTOTEST_CER: f64 = 0.05;

#[test]
fn tesseract_test_pages_cer() {
    let Some(ocr) = engine() else { return };
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("corpora/ocr-tesseract-testing");
    let (mut te, mut tn) = (0, 0);
    println!("| file | ref chars | edits | CER | ms |");
    for (file, truth_file, truth) in PAGES {
        let reference = match truth_file {
            Some(f) => std::fs::read_to_string(dir.join(f)).unwrap(),
            None => (*truth).to_owned(),
        };
        let img = image::open(dir.join(file)).unwrap().to_rgb8();
        let (w, h) = img.dimensions();
        let t = Instant::now();
        let lines = ocr
            .recognize(RgbView::new(w, h, img.as_raw()).unwrap(), None)
            .unwrap();
        let ms = t.elapsed().as_millis();
        let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let (e, n) = cer::errors(&reference, &text.join("\n"), false);
        te += e;
        tn += n;
        println!("| {file} | {n} | {e} | {:.4} | {ms} |", e as f64 / n as f64);
        if *file == "phototest.tif" {
            assert!(
                e as f64 / n as f64 <= MAX_PHOTOTEST_CER,
                "phototest CER {}",
                e as f64 / n as f64
            );
        }
    }
    println!("| overall | {tn} | {te} | {:.4} | |", te as f64 / tn as f64);
}
