//! PDQ against the Pillow + PyPI `pdqhash` oracle (602 images) and the
//! upstream expected hashes (C++, Java, Python, WASM references).

use vidi_media::{Limits, decode_image, pdq_cpp_tool, pdq_of};
use vidi_types::PdqHash;

use crate::corpus::{corpora, csv_fields, oracle_mode_comparable, pillow_modes};

#[derive(Default)]
struct Dist {
    n: usize,
    exact: usize,
    le2: usize,
    le10: usize,
    le31: usize,
    max: u32,
}

impl Dist {
    fn add(&mut self, d: u32) {
        self.n += 1;
        self.exact += usize::from(d == 0);
        self.le2 += usize::from(d <= 2);
        self.le10 += usize::from(d <= 10);
        self.le31 += usize::from(d <= 31);
        self.max = self.max.max(d);
    }
    fn show(&self, label: &str) {
        println!(
            "{label}: n={} exact={} <=2={} <=10={} <=31={} max={}",
            self.n, self.exact, self.le2, self.le10, self.le31, self.max
        );
    }
}

/// Decode failures where the oracle (Pillow) succeeded. Known cases: Pillow
/// is lenient with some BMP variants (bad plane count, corrupt RLE) and reads
/// YCbCr-subsampled TIFF, which the `image` crate rejects. Bound: 3 % of the
/// oracle's successes (about 10 files; 6 today).
const MAX_EXTRA_FAILURE_SHARE: f64 = 0.03;

/// Files where our decoder and Pillow disagree about the pixels themselves
/// (not PDQ): 16-bit BMP bitfields (5/6-bit channel expansion), TIFF with a
/// horizontal predictor and alpha, and the first frame of an animated WebP
/// (Pillow composites the canvas differently). Printed, not asserted.
const KNOWN_DECODER_DIVERGENCE: [&str; 5] = [
    "image-rs-tests/images/bmp/images/V4_R5_G6_B5.bmp",
    "image-rs-tests/images/bmp/images/V5_A1_R5_G5_B5.bmp",
    "image-rs-tests/images/tiff/testsuite/hpredict.tiff",
    "image-rs-tests/images/tiff/testsuite/hpredict_packbits.tiff",
    "image-rs-tests/images/webp/extended_images/anim.webp",
];

#[test]
fn pdq_matches_pillow_pdqhash_oracle() {
    let Some(corpora) = corpora() else { return };
    let csv = corpora.join("threatexchange-pdq/ORACLE-PDQ-pdqhash-pip.csv");
    let Ok(text) = std::fs::read_to_string(&csv) else {
        println!("SKIP: {} missing", csv.display());
        return;
    };
    let modes = pillow_modes(&corpora);
    let limits = Limits::default();
    let (mut all, mut hq, mut other_modes, mut cpp) = (
        Dist::default(),
        Dist::default(),
        Dist::default(),
        Dist::default(),
    );
    let (mut oracle_ok, mut both_failed, mut absent) = (0usize, 0usize, 0usize);
    let mut extra_failures = Vec::new();
    let mut violations = Vec::new();
    for line in text.lines().skip(1) {
        let f = csv_fields(line);
        if f.len() < 4 {
            continue;
        }
        let (file, hex, quality, err) = (&f[0], &f[1], &f[2], &f[3]);
        let Ok(bytes) = std::fs::read(corpora.join(file)) else {
            absent += 1; // The oracle covers folders not shipped in this corpus copy.
            continue;
        };
        let decoded = decode_image(&bytes, &limits);
        if !err.is_empty() || hex.is_empty() {
            if decoded.is_err() {
                both_failed += 1;
            }
            continue;
        }
        oracle_ok += 1;
        let want = PdqHash::from_hex(hex).expect("oracle hex");
        let want_q: u8 = quality.parse().unwrap_or(0);
        let img = match decoded {
            Ok(i) => i,
            Err(e) => {
                extra_failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        let (got, _) = pdq_of(&img, false);
        let d = got.hash.distance(&want);
        let mode = modes.get(file.as_str()).map(String::as_str).unwrap_or("");
        cpp.add(pdq_cpp_tool(&img).hash.distance(&want));
        if !oracle_mode_comparable(mode) {
            other_modes.add(d);
            continue;
        }
        all.add(d);
        if want_q >= 80 {
            hq.add(d);
        }
        if (want_q >= 80 && d > 10) || d > 31 {
            let line = format!(
                "{file} (mode {mode}, q {want_q}/{}): distance {d}",
                got.quality
            );
            if KNOWN_DECODER_DIVERGENCE.contains(&file.as_str()) {
                println!("  known decoder divergence: {line}");
            } else {
                violations.push(line);
            }
        }
    }
    all.show("oracle, RGB-like modes");
    hq.show("oracle, RGB-like modes, quality >= 80");
    other_modes.show("oracle, other modes (oracle hashed raw planes/indices; not asserted)");
    cpp.show("C++ tool pipeline (512 nearest pre-resize) vs oracle, all");
    println!(
        "oracle ok (files present): {oracle_ok}; absent: {absent}; both failed: {both_failed}; we failed where oracle succeeded: {}",
        extra_failures.len()
    );
    for f in &extra_failures {
        println!("  extra failure: {f}");
    }
    for v in &violations {
        println!("  VIOLATION: {v}");
    }
    assert!(all.n > 300, "too few comparable oracle images: {}", all.n);
    assert!(
        violations.is_empty(),
        "{} oracle violations",
        violations.len()
    );
    assert!(
        (extra_failures.len() as f64) <= MAX_EXTRA_FAILURE_SHARE * oracle_ok as f64,
        "{} decode failures where the oracle succeeded",
        extra_failures.len()
    );
}

#[test]
fn pdq_matches_upstream_expected_hashes() {
    let Some(corpora) = corpora() else { return };
    let base = corpora.join("threatexchange-pdq");
    let Ok(text) = std::fs::read_to_string(base.join("EXPECTED-PDQ.csv")) else {
        println!("SKIP: EXPECTED-PDQ.csv missing");
        return;
    };
    let (mut full, mut tool) = (Dist::default(), Dist::default());
    let mut violations = Vec::new();
    for line in text.lines().skip(1) {
        let f = csv_fields(line);
        if f.len() < 4 || f[1].len() != 64 {
            continue; // MD5 rows of the WASM test data are not PDQ.
        }
        let (file, hex, quality, implementation) = (&f[0], &f[1], &f[2], &f[3]);
        let want = PdqHash::from_hex(hex).expect("expected hex");
        let bytes = std::fs::read(base.join(file)).unwrap_or_default();
        let img = match decode_image(&bytes, &vidi_media::Limits::default()) {
            Ok(i) => i,
            Err(e) => {
                violations.push(format!("{file}: decode failed: {e}"));
                continue;
            }
        };
        let (got, _) = pdq_of(&img, false);
        let d = got.hash.distance(&want);
        full.add(d);
        let dt = pdq_cpp_tool(&img).hash.distance(&want);
        tool.add(dt);
        let q: Option<u8> = quality.parse().ok();
        println!(
            "{d:>3} (tool {dt:>3}) q={quality:>3}/{:>3} {file} [{implementation}]",
            got.quality
        );
        // The pure-Python reference (and its README outputs) differ from the
        // C++ core by up to 16 bits by upstream's own test tolerance; the
        // 10-bit rule is for C++-derived references.
        let pure_python = implementation.contains("pdq/python");
        let strict = if pure_python { 16 } else { 10 };
        if (q.is_some_and(|q| q >= 80) && d > strict) || d > 31 {
            violations.push(format!("{file} [{implementation}]: distance {d}"));
        }
    }
    full.show("expected, full-resolution pipeline");
    tool.show("expected, C++ tool pipeline");
    for v in &violations {
        println!("  VIOLATION: {v}");
    }
    assert!(full.n >= 60, "too few expected rows: {}", full.n);
    assert!(violations.is_empty(), "{} violations", violations.len());
}
