//! Recognition and direction-classifier inputs, and CTC greedy decoding.

use crate::image_ops::{self, Rgb};

/// Height of recognition and direction-classifier inputs.
pub const LINE_HEIGHT: u32 = 48;
/// Nominal recognition width (PP-OCRv4: 3x48x320); batches are at least
/// this wide.
pub const REC_WIDTH: u32 = 320;
/// Direction classifier input width (3x48x192).
pub const CLS_WIDTH: u32 = 192;

/// Width a crop gets at [`LINE_HEIGHT`] keeping its aspect ratio, capped at
/// `max_w`.
pub(crate) fn scaled_width(crop: &Rgb, max_w: u32) -> u32 {
    let ratio = crop.width as f32 / crop.height.max(1) as f32;
    ((LINE_HEIGHT as f32 * ratio).ceil() as u32).clamp(1, max_w.max(1))
}

/// A batch tensor `N x 3 x 48 x width`: every crop resized to height 48
/// (aspect kept, capped at `width`), normalised, right-padded with 0.
pub(crate) fn batch_input(crops: &[&Rgb], width: u32) -> Vec<f32> {
    let (h, w) = (LINE_HEIGHT as usize, width as usize);
    let per = 3 * h * w;
    let mut out = vec![0.0f32; crops.len() * per];
    for (i, crop) in crops.iter().enumerate() {
        let rw = scaled_width(crop, width);
        let resized = image_ops::resize_rgb(crop.view(), rw, LINE_HEIGHT);
        if let Some(slot) = out.get_mut(i * per..(i + 1) * per) {
            image_ops::write_planes_bgr(&resized, rw as usize, h, w, slot);
        }
    }
    out
}

/// One decoded line: text and mean probability of its characters.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// Mean of the kept characters' probabilities (0 when empty).
    pub confidence: f32,
}

/// CTC greedy decoding of one sequence of `steps x classes` probabilities:
/// the best class per step, repeats collapsed, blanks (class 0) removed.
/// Class `k` (1-based) is `dict[k - 1]`; the class after the dictionary is
/// a space (PP-OCR's `use_space_char`); anything beyond is ignored.
pub fn ctc_greedy(probs: &[f32], steps: usize, classes: usize, dict: &[String]) -> Decoded {
    let mut text = String::new();
    let (mut sum, mut n) = (0.0f32, 0usize);
    let mut prev = usize::MAX;
    for t in 0..steps {
        let Some(row) = probs.get(t * classes..(t + 1) * classes) else {
            break;
        };
        let (best, p) = row
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0usize, f32::MIN),
                |a, (i, v)| if v > a.1 { (i, v) } else { a },
            );
        if best != 0 && best != prev {
            match best.checked_sub(1).and_then(|k| dict.get(k)) {
                Some(s) => text.push_str(s),
                None if best == dict.len() + 1 => text.push(' '),
                None => {}
            }
            sum += p;
            n += 1;
        }
        prev = best;
    }
    Decoded {
        text: text.trim().to_owned(),
        confidence: if n == 0 { 0.0 } else { sum / n as f32 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> Vec<String> {
        ["a", "b", "中"].iter().map(|s| (*s).to_owned()).collect()
    }

    fn one_hot(seq: &[usize], classes: usize, p: f32) -> Vec<f32> {
        let mut v = vec![(1.0 - p) / (classes - 1) as f32; seq.len() * classes];
        for (t, &c) in seq.iter().enumerate() {
            v[t * classes + c] = p;
        }
        v
    }

    #[test]
    fn collapses_repeats_and_drops_blanks() {
        // classes: 0 blank, 1 a, 2 b, 3 中, 4 space
        let seq = [0, 1, 1, 0, 1, 2, 2, 4, 3, 3, 0];
        let d = ctc_greedy(&one_hot(&seq, 5, 0.9), seq.len(), 5, &dict());
        assert_eq!(d.text, "aab 中");
        assert!((d.confidence - 0.9).abs() < 1e-5);
    }

    #[test]
    fn empty_and_short_inputs() {
        let d = ctc_greedy(&one_hot(&[0, 0, 0], 5, 0.9), 3, 5, &dict());
        assert_eq!(
            d,
            Decoded {
                text: String::new(),
                confidence: 0.0
            }
        );
        // Fewer probabilities than steps x classes: decoded as far as they go.
        let d = ctc_greedy(&one_hot(&[1], 5, 0.9), 4, 5, &dict());
        assert_eq!(d.text, "a");
        // A class past the dictionary and the space is ignored.
        let d = ctc_greedy(&one_hot(&[6, 1], 7, 0.9), 2, 7, &dict());
        assert_eq!(d.text, "a");
    }

    #[test]
    fn batch_is_padded() {
        let crop = Rgb {
            width: 10,
            height: 10,
            rgb: vec![255; 300],
        };
        let b = batch_input(&[&crop, &crop], 96);
        assert_eq!(b.len(), 2 * 3 * 48 * 96);
        assert_eq!(b[0], 1.0);
        assert_eq!(b[47], 1.0);
        assert_eq!(b[48], 0.0, "right padding");
    }
}
