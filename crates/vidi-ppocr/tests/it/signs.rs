//! Rendered sign photos: CER per language of PP-OCR alone.

use std::collections::BTreeMap;
use std::time::Instant;

use vidi_ppocr::RgbView;

use vidi_testkit::{cer, signs};

use crate::engine;

/// Chinese CER over the rendered signs must stay under this (measured: see
/// docs/accuracy-ocr.md).
const MAX_ZH_CER: f64 = 0.05;
/// Latin-script signs (en, de, fr).
const MAX_LATIN_CER: f64 = 0.15;

#[test]
fn rendered_signs_cer_per_language() {
    let Some(ocr) = engine() else { return };
    let mut per_lang: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    println!("| sign | lang | CER | ms | text read |");
    for (id, lang, lines, style) in signs::sign_set() {
        let Some(img) = signs::sign(lang, &lines, style) else {
            println!("SKIP {id}: font for {lang} not installed");
            continue;
        };
        let t = Instant::now();
        let read = ocr
            .recognize(RgbView::new(img.width, img.height, &img.rgb).unwrap(), None)
            .unwrap();
        let ms = t.elapsed().as_millis();
        let text: Vec<&str> = read.iter().map(|l| l.text.as_str()).collect();
        let text = text.join("\n");
        let unspaced = matches!(lang, "zh" | "ja" | "ko" | "th");
        let (e, n) = cer::errors(&lines.join("\n"), &text, unspaced);
        let acc = per_lang.entry(lang).or_default();
        acc.0 += e;
        acc.1 += n;
        println!(
            "| {id} | {lang} | {:.3} | {ms} | {} |",
            e as f64 / n as f64,
            text.replace('\n', " / ")
        );
        for l in &read {
            assert!(l.confidence > 0.0 && l.confidence <= 1.0);
            assert!(l.rect[0] + l.rect[2] <= img.width && l.rect[1] + l.rect[3] <= img.height);
        }
    }
    let cer = |langs: &[&str]| {
        let (e, n) = langs
            .iter()
            .filter_map(|l| per_lang.get(l))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        e as f64 / n.max(1) as f64
    };
    for (lang, (e, n)) in &per_lang {
        println!("{lang}: CER {:.3} ({e}/{n})", *e as f64 / *n as f64);
    }
    if per_lang.contains_key("zh") {
        assert!(cer(&["zh"]) <= MAX_ZH_CER, "zh CER {}", cer(&["zh"]));
    }
    if per_lang.contains_key("en") {
        assert!(
            cer(&["en", "de", "fr"]) <= MAX_LATIN_CER,
            "Latin CER {}",
            cer(&["en", "de", "fr"])
        );
    }
}
