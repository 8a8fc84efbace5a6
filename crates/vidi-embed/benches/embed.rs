//! Single-threaded speed of one forward pass (whole + region embeddings and
//! logits) of the installed MobileNetV2, on a 1024x768 and a 224x224 image.
//! Skips (prints a message) when the model is not installed.
#![allow(clippy::print_stdout)]

use criterion::{Criterion, criterion_group, criterion_main};
use vidi_embed::Backbone;

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
        c.bench_function(&format!("mobilenet_v2_analyse_{w}x{h}"), |b| {
            b.iter(|| bb.analyse(&img, w, h).expect("analyse"))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
