//! Locating the shared corpora and reading their index files.

use std::collections::HashMap;

pub(crate) use vidi_testkit::corpora;

/// Split one CSV line with optional double-quoted fields.
pub(crate) fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Pillow's mode per file (relative to corpora/) from `DECODE-INDEX.tsv`.
pub(crate) fn pillow_modes(corpora: &std::path::Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(corpora.join("DECODE-INDEX.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() > 4).then(|| (f[0].to_owned(), f[4].to_owned()))
        })
        .collect()
}

/// Modes whose `numpy.asarray` is the RGB picture (possibly plus alpha), so
/// the oracle hashed the same colours we do. For other modes the oracle
/// hashed something else: palette indices (P), raw C/M/Y planes (CMYK),
/// Y/Cb/Cr planes, and so on.
pub(crate) fn oracle_mode_comparable(mode: &str) -> bool {
    matches!(mode, "RGB" | "RGBA" | "RGBX" | "L" | "LA" | "")
}
