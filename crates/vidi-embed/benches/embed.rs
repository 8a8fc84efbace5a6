//! Single-threaded speed of the installed MobileNetV2 on a 1024x768 and a
//! 224x224 image: the whole-image pass alone (grid regions and logits,
//! `analyse`) and with the default crop passes (`CropSet::DEFAULT`).
//! Skips (prints a message) when the model is not installed.
#![allow(clippy::print_stdout)]

use criterion::{Criterion, criterion_group, criterion_main};
use vidi_embed::{Backbone, CropSet};

fn bench(c: &mut Criterion) {
    let dir = vidi_models::default_models_dir();
    let model = match vidi_models::Registry::open(&dir)
        .and_then(|r| r.get("mobilenet-v2-imagenet").cloned())
    {
        Ok(m) => m,
        Err(e) => {
            println!("SKIP: {e}; run scripts/models/install-vision.sh");
            return;
        }
    };
    let bb = Backbone::load(&model).expect("load");
    for (w, h) in [(1024u32, 768u32), (224, 224)] {
        let img: Vec<u8> = (0..w * h * 3).map(|i| (i * 31 % 251) as u8).collect();
        c.bench_function(&format!("mobilenet_v2_whole_pass_{w}x{h}"), |b| {
            b.iter(|| bb.analyse(&img, w, h).expect("analyse"))
        });
        c.bench_function(&format!("mobilenet_v2_with_crops_{w}x{h}"), |b| {
            b.iter(|| {
                bb.analyse_with(&img, w, h, &CropSet::DEFAULT)
                    .expect("analyse")
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
