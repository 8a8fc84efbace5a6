//! Brute-force Hamming matching with Lowe's ratio test and a mutual check.

use crate::brief::{Descriptor, hamming};

/// A tentative correspondence between keypoint `a` of one set and `b` of
/// the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Match {
    pub(crate) a: usize,
    pub(crate) b: usize,
    pub(crate) distance: u32,
}

/// Best and second-best distance (and the best's index).
#[derive(Clone, Copy)]
struct Best {
    d1: u32,
    d2: u32,
    i: usize,
}

impl Best {
    const NONE: Best = Best {
        d1: u32::MAX,
        d2: u32::MAX,
        i: usize::MAX,
    };
    #[inline]
    fn offer(&mut self, d: u32, i: usize) {
        if d < self.d1 {
            self.d2 = self.d1;
            self.d1 = d;
            self.i = i;
        } else if d < self.d2 {
            self.d2 = d;
        }
    }
    /// Passes the ratio test (a lone candidate passes).
    fn distinct(&self, ratio: f32) -> bool {
        self.d2 == u32::MAX || (self.d1 as f32) < ratio * self.d2 as f32
    }
}

/// Pairs that are each other's nearest neighbour, pass the ratio test in
/// both directions and lie within `max_distance` bits. Symmetric: swapping
/// `a` and `b` gives the same pairs, swapped. Sorted by `a`.
pub(crate) fn match_mutual(
    a: &[Descriptor],
    b: &[Descriptor],
    ratio: f32,
    max_distance: u32,
) -> Vec<Match> {
    let mut best_a = vec![Best::NONE; a.len()];
    let mut best_b = vec![Best::NONE; b.len()];
    for (i, da) in a.iter().enumerate() {
        let ba = &mut best_a[i];
        for (j, db) in b.iter().enumerate() {
            let d = hamming(da, db);
            ba.offer(d, j);
            best_b[j].offer(d, i);
        }
    }
    let mut out = Vec::new();
    for (i, ba) in best_a.iter().enumerate() {
        if ba.i == usize::MAX || ba.d1 > max_distance || !ba.distinct(ratio) {
            continue;
        }
        let bb = &best_b[ba.i];
        if bb.i == i && bb.distinct(ratio) {
            out.push(Match {
                a: i,
                b: ba.i,
                distance: ba.d1,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutual_and_symmetric() {
        let a = vec![[0u64, 0, 0, 0], [u64::MAX, 0, 0, 0], [0xff, 0xff, 0, 0]];
        let b = vec![[u64::MAX, 1, 0, 0], [1, 0, 0, 0]];
        let m = match_mutual(&a, &b, 0.8, 64);
        assert_eq!(
            m,
            vec![
                Match {
                    a: 0,
                    b: 1,
                    distance: 1
                },
                Match {
                    a: 1,
                    b: 0,
                    distance: 1
                }
            ]
        );
        let r = match_mutual(&b, &a, 0.8, 64);
        let mut back: Vec<(usize, usize)> = r.iter().map(|m| (m.b, m.a)).collect();
        back.sort_unstable();
        assert_eq!(back, vec![(0, 1), (1, 0)]);
        assert!(match_mutual(&[], &b, 0.8, 64).is_empty());
    }
}
