//! Character error rate: Levenshtein distance over Unicode scalar values /
//! reference length. Both sides are normalised: whitespace runs collapse to
//! one space; for scripts written without spaces (CJK, Thai) whitespace is
//! removed altogether. Case, punctuation and diacritics count.

pub(crate) fn normalise(s: &str, unspaced: bool) -> Vec<char> {
    let mut out = Vec::new();
    for w in s.split_whitespace() {
        if !out.is_empty() && !unspaced {
            out.push(' ');
        }
        out.extend(w.chars());
    }
    out
}

pub(crate) fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// (edits, reference length).
pub(crate) fn errors(reference: &str, hypothesis: &str, unspaced: bool) -> (usize, usize) {
    let r = normalise(reference, unspaced);
    let h = normalise(hypothesis, unspaced);
    (edit_distance(&r, &h), r.len())
}

#[test]
fn cer_basics() {
    assert_eq!(errors("北京 南站", "北京南站", true), (0, 4));
    assert_eq!(errors("abc  def", "abd def", false), (1, 7));
}
