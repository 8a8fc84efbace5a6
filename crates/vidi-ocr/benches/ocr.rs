//! OCR speed: a 1024x768 sign photo and a full 150-dpi document page.
//!
//! `CARGO_TARGET_DIR=... cargo bench -p vidi-ocr --bench ocr`

use criterion::{Criterion, criterion_group, criterion_main};
use vidi_ocr::{Ocr, OcrConfig, RgbImageRef};

#[allow(dead_code)]
#[path = "../tests/it/render.rs"]
mod render;

const PARAGRAPH: &str = "The committee met on Tuesday to review the annual budget of the \
    municipal library. Members agreed that opening hours should be extended during the \
    summer months and that the reading room would be renovated before the end of the year. \
    A report on visitor numbers, book loans and digital services will be presented at the \
    next meeting, together with a proposal for new children's activities.";

fn bench(c: &mut Criterion) {
    let Ok(mut ocr) = Ocr::new(OcrConfig::default()) else {
        return;
    };
    let mut g = c.benchmark_group("ocr");
    g.sample_size(10);
    if let Some(sign) = render::sign_photo(
        "en",
        &["Welcome to the city library", "Please keep the door closed"],
        1,
    ) {
        g.bench_function("sign_1024x768_en", |b| {
            b.iter(|| {
                ocr.recognize(
                    RgbImageRef::new(sign.width, sign.height, &sign.rgb).unwrap(),
                    None,
                )
                .unwrap()
            })
        });
    }
    if let Some(sign) = render::sign_photo(
        "ru",
        &["Добро пожаловать на вокзал", "Курение в здании запрещено"],
        2,
    ) {
        g.bench_function("sign_1024x768_ru_script_pass", |b| {
            b.iter(|| {
                ocr.recognize(
                    RgbImageRef::new(sign.width, sign.height, &sign.rgb).unwrap(),
                    None,
                )
                .unwrap()
            })
        });
    }
    let photo = vidi_testkit::render::Canvas::photo_plain(1024, 768, 5);
    g.bench_function("no_text_photo_1024x768", |b| {
        b.iter(|| {
            ocr.recognize(
                RgbImageRef::new(photo.width, photo.height, &photo.rgb).unwrap(),
                None,
            )
            .unwrap()
        })
    });
    if let Some((page, _)) = render::document_page(PARAGRAPH) {
        g.bench_function("document_page_1240x1754", |b| {
            b.iter(|| {
                ocr.recognize(
                    RgbImageRef::new(page.width, page.height, &page.rgb).unwrap(),
                    None,
                )
                .unwrap()
            })
        });
    }
    g.finish();
    g = c.benchmark_group("init");
    g.sample_size(10);
    g.bench_function("engine_new_default", |b| {
        b.iter(|| Ocr::new(OcrConfig::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
