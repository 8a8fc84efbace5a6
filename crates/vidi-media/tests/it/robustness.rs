//! Every image-like file of the corpora decodes or fails with a typed error.

use std::collections::BTreeMap;
use std::time::Instant;

use vidi_media::{Limits, decode_image, sniff};

use crate::corpus::corpora;

#[test]
fn every_corpus_image_decodes_or_fails_cleanly() {
    let Some(corpora) = corpora() else { return };
    let Ok(index) = std::fs::read_to_string(corpora.join("DECODE-INDEX.tsv")) else {
        println!("SKIP: DECODE-INDEX.tsv missing");
        return;
    };
    // Tight limits: corpus files are small; bombs must be refused early.
    let limits = Limits {
        max_pixels: 50_000_000,
        max_dimension: 20_000,
        max_bytes: 512 << 20,
    };
    let start = Instant::now();
    let (mut files, mut not_image, mut ok) = (0usize, 0usize, 0usize);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_format: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut slowest: Vec<(f64, String)> = Vec::new();
    for line in index.lines().skip(1) {
        let Some(rel) = line.split('\t').next() else {
            continue;
        };
        let Ok(bytes) = std::fs::read(corpora.join(rel)) else {
            continue;
        };
        files += 1;
        let Some(fmt) = sniff(&bytes) else {
            not_image += 1;
            continue;
        };
        let slot = per_format.entry(fmt.name()).or_default();
        let t = Instant::now();
        let result = decode_image(&bytes, &limits);
        slowest.push((t.elapsed().as_secs_f64(), rel.to_owned()));
        match result {
            Ok(img) => {
                assert_eq!(
                    img.rgb.len(),
                    img.width as usize * img.height as usize * 3,
                    "{rel}"
                );
                assert!(img.frame_count >= 1);
                ok += 1;
                slot.0 += 1;
            }
            Err(e) => {
                *errors
                    .entry(e.to_file_error().kind.to_string())
                    .or_default() += 1;
                slot.1 += 1;
            }
        }
    }
    println!(
        "robustness: {files} files, {not_image} not sniffed as images, {ok} decoded, errors {errors:?}, {:.1}s",
        start.elapsed().as_secs_f64()
    );
    for (f, (o, e)) in &per_format {
        println!("  {f}: ok {o}, error {e}");
    }
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (s, f) in slowest.iter().take(5) {
        println!("  slow: {s:.2}s {f}");
    }
    assert!(ok > 1000, "only {ok} decoded");
}
