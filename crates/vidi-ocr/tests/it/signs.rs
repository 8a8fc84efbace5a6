//! Synthetic sign photos in several languages: the text must be read and
//! its language identified.

use vidi_ocr::{Ocr, OcrConfig, RgbImageRef};

use crate::render::sign_photo;
use crate::{cer, engine_or_skip};

/// (ISO 639-1, lines of the sign).
pub(crate) const SIGNS: &[(&str, &[&str])] = &[
    (
        "en",
        &["Welcome to the city library", "Please keep the door closed"],
    ),
    (
        "fr",
        &[
            "Bienvenue à la gare centrale",
            "Il est interdit de fumer ici",
        ],
    ),
    (
        "nl",
        &[
            "Welkom in het gemeentehuis",
            "Het is verboden hier te parkeren",
        ],
    ),
    (
        "de",
        &["Willkommen im Rathaus", "Bitte schließen Sie die Tür"],
    ),
    (
        "es",
        &[
            "Bienvenidos a la estación",
            "Prohibido fumar en el edificio",
        ],
    ),
    (
        "pt",
        &[
            "Bem-vindo à estação de comboios",
            "É proibido fumar neste edifício",
        ],
    ),
    (
        "it",
        &[
            "Benvenuti alla stazione centrale",
            "Vietato fumare in tutto l'edificio",
        ],
    ),
    (
        "pl",
        &[
            "Witamy na dworcu głównym",
            "Palenie tytoniu jest zabronione",
        ],
    ),
    (
        "ru",
        &["Добро пожаловать на вокзал", "Курение в здании запрещено"],
    ),
    (
        "ar",
        &["مرحبا بكم في المحطة", "ممنوع التدخين في هذا المبنى"],
    ),
    ("th", &["ยินดีต้อนรับสู่สถานีรถไฟ", "ห้ามสูบบุหรี่ในอาคารนี้"]),
];

/// Per sign: (lang, detected lang, CER, model used, ms).
pub(crate) fn run_signs(ocr: &mut Ocr) -> Vec<(String, Option<String>, f64, String, u128, String)> {
    let mut out = Vec::new();
    for (i, (lang, lines)) in SIGNS.iter().enumerate() {
        let Some(img) = sign_photo(lang, lines, i as u32 + 1) else {
            continue;
        };
        let started = std::time::Instant::now();
        let r = ocr
            .recognize(
                RgbImageRef::new(img.width, img.height, &img.rgb).unwrap(),
                None,
            )
            .unwrap();
        let ms = started.elapsed().as_millis();
        let reference = lines.join("\n");
        let c = cer::cer(&reference, &r.text);
        out.push((
            (*lang).to_owned(),
            r.languages.first().map(|g| g.lang.clone()),
            c,
            r.model.clone(),
            ms,
            r.text.replace('\n', " / "),
        ));
    }
    out
}

#[test]
fn signs_are_read_and_their_language_identified() {
    let Some(mut ocr) = engine_or_skip(OcrConfig::default()) else {
        return;
    };
    let rows = run_signs(&mut ocr);
    println!("| lang | detected | CER | pass | ms | text |");
    println!("|---|---|---|---|---|---|");
    for (lang, got, c, model, ms, text) in &rows {
        println!(
            "| {lang} | {} | {c:.3} | {model} | {ms} | {text} |",
            got.as_deref().unwrap_or("-")
        );
    }
    assert_eq!(
        rows.len(),
        SIGNS.len(),
        "fonts missing: install fonts-dejavu-core fonts-noto-core"
    );
    let wrong: Vec<_> = rows
        .iter()
        .filter(|r| r.1.as_deref() != Some(r.0.as_str()))
        .map(|r| r.0.clone())
        .collect();
    assert!(wrong.is_empty(), "wrong language for {wrong:?}");
    for (lang, _, c, ..) in &rows {
        assert!(*c < 0.15, "{lang}: CER {c:.3}");
    }
}

#[test]
fn words_have_boxes_inside_the_image() {
    let Some(mut ocr) = engine_or_skip(OcrConfig::default()) else {
        return;
    };
    let img = sign_photo("en", &["Welcome to the city library"], 7).unwrap();
    let r = ocr
        .recognize(
            RgbImageRef::new(img.width, img.height, &img.rgb).unwrap(),
            None,
        )
        .unwrap();
    assert!(r.words.len() >= 4, "{:?}", r.text);
    for w in &r.words {
        assert!(w.bbox.x + w.bbox.w <= img.width && w.bbox.y + w.bbox.h <= img.height);
        assert!((0.0..=1.0).contains(&w.confidence));
        // The panel is centred: every word lies in the middle band.
        assert!(w.bbox.y > 250 && w.bbox.y + w.bbox.h < 520, "{w:?}");
    }
    let library = r.words.iter().find(|w| w.text == "library").unwrap();
    assert!(library.bbox.w > 100 && library.bbox.h > 30, "{library:?}");
    assert_eq!(r.lines.len(), 1);
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"bbox\""));
}

#[test]
fn synthetic_document_page_is_read() {
    let Some(mut ocr) = engine_or_skip(OcrConfig::default()) else {
        return;
    };
    let text = "The committee met on Tuesday to review the annual budget of the municipal \
        library. Members agreed that opening hours should be extended during the summer.";
    let (page, drawn) = crate::render::document_page(text).unwrap();
    let r = ocr
        .recognize(
            RgbImageRef::new(page.width, page.height, &page.rgb).unwrap(),
            None,
        )
        .unwrap();
    let c = cer::cer(&drawn, &r.text);
    println!(
        "synthetic page: {} lines, CER {c:.4}, rotation {}",
        r.lines.len(),
        r.rotation
    );
    assert!(c < 0.02, "CER {c:.4}");
    assert_eq!(r.languages.first().map(|g| g.lang.as_str()), Some("en"));
    assert_eq!(r.rotation, 0);
}
