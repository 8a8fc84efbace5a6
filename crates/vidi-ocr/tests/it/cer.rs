//! Character error rate.
//!
//! Normalisation (both sides): Unicode whitespace runs collapse to one
//! space, leading/trailing whitespace is trimmed; typographic quotes and
//! apostrophes (‘ ’ ‚ “ ” „ « ») become ASCII `'` and `"`, en and em dashes
//! become `-`, and the ﬁ/ﬂ ligatures become two letters (the UNLV ground
//! truth is ASCII, tesseract prints curly quotes). Nothing else: case,
//! punctuation and diacritics all count. CER = Levenshtein distance over
//! Unicode scalar values / reference length
//! ([`vidi_testkit::cer::edit_distance`]).

use vidi_testkit::cer::edit_distance;

pub(crate) fn normalise(s: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            match c {
                '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => out.push('\''),
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '«' | '»' => {
                    out.push('"')
                }
                '\u{2013}' | '\u{2014}' => out.push('-'),
                '\u{FB01}' => out.extend(['f', 'i']),
                '\u{FB02}' => out.extend(['f', 'l']),
                c => out.push(c),
            }
        }
    }
    out
}

/// (edit distance, reference length) after normalisation.
pub(crate) fn errors(reference: &str, hypothesis: &str) -> (usize, usize) {
    let r = normalise(reference);
    let h = normalise(hypothesis);
    (edit_distance(&r, &h), r.len())
}

pub(crate) fn cer(reference: &str, hypothesis: &str) -> f64 {
    let (d, n) = errors(reference, hypothesis);
    d as f64 / n.max(1) as f64
}

#[test]
fn cer_basics() {
    assert_eq!(cer("abc", "abc"), 0.0);
    assert_eq!(cer("a  b\nc", "a b c"), 0.0);
    assert_eq!(
        edit_distance(&normalise("kitten"), &normalise("sitting")),
        3
    );
    assert!((cer("abcd", "") - 1.0).abs() < 1e-9);
    assert_eq!(cer("\"It's\"", "\u{201C}It\u{2019}s\u{201D}"), 0.0);
}
