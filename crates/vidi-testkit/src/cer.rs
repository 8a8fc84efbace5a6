//! Character error rate: Levenshtein distance over Unicode scalar values
//! divided by the reference length. Callers normalise first; [`errors`]
//! uses [`normalise_space`].

/// Whitespace runs collapse to one space (leading and trailing whitespace
/// dropped); with `unspaced` (scripts written without spaces: CJK, Thai)
/// whitespace is removed altogether. Case, punctuation and diacritics stay.
pub fn normalise_space(s: &str, unspaced: bool) -> Vec<char> {
    let mut out = Vec::new();
    for w in s.split_whitespace() {
        if !out.is_empty() && !unspaced {
            out.push(' ');
        }
        out.extend(w.chars());
    }
    out
}

/// Levenshtein distance (insert, delete, substitute: 1 each).
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
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

/// (edits, reference length) after [`normalise_space`] of both sides.
pub fn errors(reference: &str, hypothesis: &str, unspaced: bool) -> (usize, usize) {
    let r = normalise_space(reference, unspaced);
    let h = normalise_space(hypothesis, unspaced);
    (edit_distance(&r, &h), r.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert_eq!(errors("北京 南站", "北京南站", true), (0, 4));
        assert_eq!(errors("abc  def", "abd def", false), (1, 7));
        let k: Vec<char> = "kitten".chars().collect();
        let s: Vec<char> = "sitting".chars().collect();
        assert_eq!(edit_distance(&k, &s), 3);
        assert_eq!(edit_distance(&[], &s), 7);
        assert_eq!(errors("  a \n b ", "a b", false), (0, 3));
    }
}
