//! Silero VAD (v5/v6 16 kHz network) in plain Rust, and the speech
//! segmentation built on its per-chunk probabilities.
//!
//! The network per 512-sample chunk (with 64 samples of left context):
//! reflection pad, a learned 256-point STFT as a strided convolution,
//! magnitude, four 1-D convolutions with ReLU, one LSTM cell (state carried
//! across chunks), ReLU, a 1×1 convolution and a sigmoid.

use std::path::Path;

use vidi_types::Cancel;

use crate::error::SpeechError;
use crate::ops::sigmoid;
use vidi_models::Tensors;

/// Samples per VAD decision (32 ms at 16 kHz).
pub const VAD_CHUNK: usize = 512;
const CONTEXT: usize = 64;
const N_FFT: usize = 256;
const STRIDE: usize = 128;
const BINS: usize = N_FFT / 2 + 1;
const HIDDEN: usize = 128;

struct Conv {
    w: Vec<f32>,
    b: Vec<f32>,
    inp: usize,
    out: usize,
    stride: usize,
}

impl Conv {
    /// Kernel 3, padding 1, on channel-major input `inp` × `len`.
    fn forward(&self, x: &[f32], len: usize) -> (Vec<f32>, usize) {
        let out_len = (len + 2 - 3) / self.stride + 1;
        let mut y = vec![0.0f32; self.out * out_len];
        for o in 0..self.out {
            for t in 0..out_len {
                let mut acc = self.b[o];
                for i in 0..self.inp {
                    let w = &self.w[(o * self.inp + i) * 3..(o * self.inp + i) * 3 + 3];
                    let xs = &x[i * len..(i + 1) * len];
                    for (k, wk) in w.iter().enumerate() {
                        let src = (t * self.stride + k) as isize - 1;
                        if (0..len as isize).contains(&src) {
                            acc += wk * xs[src as usize];
                        }
                    }
                }
                y[o * out_len + t] = acc.max(0.0);
            }
        }
        (y, out_len)
    }
}

/// The loaded Silero VAD network.
pub(crate) struct SileroVad {
    stft: Vec<f32>,
    convs: [Conv; 4],
    w_ih: Vec<f32>,
    w_hh: Vec<f32>,
    bias: Vec<f32>,
    final_w: Vec<f32>,
    final_b: f32,
}

impl SileroVad {
    pub(crate) fn load(path: &Path) -> Result<Self, SpeechError> {
        let t = Tensors::open(path)?;
        let conv =
            |name: &str, inp: usize, out: usize, stride: usize| -> Result<Conv, SpeechError> {
                Ok(Conv {
                    w: t.f32(&format!("{name}.weight"), &[out, inp, 3])?,
                    b: t.f32(&format!("{name}.bias"), &[out])?,
                    inp,
                    out,
                    stride,
                })
            };
        let b_ih = t.f32("lstm_cell.bias_ih", &[4 * HIDDEN])?;
        let b_hh = t.f32("lstm_cell.bias_hh", &[4 * HIDDEN])?;
        Ok(Self {
            stft: t.f32("stft_conv.weight", &[2 * BINS, 1, N_FFT])?,
            convs: [
                conv("conv1", BINS, 128, 1)?,
                conv("conv2", 128, 64, 2)?,
                conv("conv3", 64, 64, 2)?,
                conv("conv4", 64, HIDDEN, 1)?,
            ],
            w_ih: t.f32("lstm_cell.weight_ih", &[4 * HIDDEN, HIDDEN])?,
            w_hh: t.f32("lstm_cell.weight_hh", &[4 * HIDDEN, HIDDEN])?,
            bias: b_ih.iter().zip(&b_hh).map(|(a, b)| a + b).collect(),
            final_w: t.f32("final_conv.weight", &[1, HIDDEN, 1])?,
            final_b: t
                .f32("final_conv.bias", &[1])?
                .first()
                .copied()
                .unwrap_or(0.0),
        })
    }

    /// Speech probability of every 512-sample chunk of `samples` (the last
    /// chunk zero-padded), with fresh state.
    pub(crate) fn probabilities(
        &self,
        samples: &[f32],
        cancel: &Cancel,
    ) -> Result<Vec<f32>, SpeechError> {
        let mut h = [0.0f32; HIDDEN];
        let mut c = [0.0f32; HIDDEN];
        let mut input = [0.0f32; CONTEXT + VAD_CHUNK + CONTEXT];
        let mut probs = Vec::with_capacity(samples.len().div_ceil(VAD_CHUNK));
        for (n, chunk) in samples.chunks(VAD_CHUNK).enumerate() {
            if n % 256 == 0 && cancel.is_cancelled() {
                return Err(SpeechError::Cancelled);
            }
            // Shift the last 64 samples of the previous chunk into the context.
            input.copy_within(VAD_CHUNK..VAD_CHUNK + CONTEXT, 0);
            input[CONTEXT..CONTEXT + VAD_CHUNK].fill(0.0);
            input[CONTEXT..CONTEXT + chunk.len()].copy_from_slice(chunk);
            probs.push(self.step(&mut input, &mut h, &mut c));
        }
        Ok(probs)
    }

    fn step(&self, input: &mut [f32; 640], h: &mut [f32; HIDDEN], c: &mut [f32; HIDDEN]) -> f32 {
        let n = CONTEXT + VAD_CHUNK;
        // Right reflection padding of 64 samples.
        for i in 0..CONTEXT {
            input[n + i] = input[n - 2 - i];
        }
        let frames = (n + CONTEXT - N_FFT) / STRIDE + 1;
        let mut mag = vec![0.0f32; BINS * frames];
        for f in 0..frames {
            let x = &input[f * STRIDE..f * STRIDE + N_FFT];
            for b in 0..BINS {
                let re: f32 = dot(&self.stft[b * N_FFT..(b + 1) * N_FFT], x);
                let im: f32 = dot(&self.stft[(b + BINS) * N_FFT..(b + BINS + 1) * N_FFT], x);
                mag[b * frames + f] = (re * re + im * im).sqrt();
            }
        }
        let (mut x, mut len) = (mag, frames);
        for conv in &self.convs {
            (x, len) = conv.forward(&x, len);
        }
        // conv4's output has length 1 here: the LSTM input is its channels.
        let mut gates = self.bias.clone();
        for (g, row) in gates.iter_mut().enumerate() {
            *row += dot(
                &self.w_ih[g * HIDDEN..(g + 1) * HIDDEN],
                &x[..HIDDEN.min(x.len())],
            ) + dot(&self.w_hh[g * HIDDEN..(g + 1) * HIDDEN], h);
        }
        debug_assert_eq!(len, 1, "conv4 output must be one frame");
        for j in 0..HIDDEN {
            let i = sigmoid(gates[j]);
            let f = sigmoid(gates[HIDDEN + j]);
            let g = gates[2 * HIDDEN + j].tanh();
            let o = sigmoid(gates[3 * HIDDEN + j]);
            c[j] = f * c[j] + i * g;
            h[j] = o * c[j].tanh();
        }
        let logit = self.final_b
            + self
                .final_w
                .iter()
                .zip(h.iter())
                .map(|(w, v)| w * v.max(0.0))
                .sum::<f32>();
        sigmoid(logit)
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Parameters of the speech segmentation.
#[derive(Debug, Clone, PartialEq)]
pub struct VadOptions {
    /// Probability at or above which a chunk starts speech (Silero default 0.5).
    pub threshold: f32,
    /// Probability below which speech may end (Silero default threshold − 0.15).
    pub neg_threshold: f32,
    /// Speech shorter than this is dropped.
    pub min_speech_s: f64,
    /// Pauses shorter than this do not split a segment.
    pub min_silence_s: f64,
    /// Padding added to each side of a segment (segments that then touch merge).
    pub pad_s: f64,
}

impl Default for VadOptions {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            neg_threshold: 0.35,
            min_speech_s: 0.25,
            min_silence_s: 0.5,
            pad_s: 0.2,
        }
    }
}

/// Speech spans `[start, end)` in samples from per-chunk probabilities.
pub(crate) fn segments(probs: &[f32], total: usize, opt: &VadOptions) -> Vec<(usize, usize)> {
    let rate = 16_000.0;
    let min_speech = (opt.min_speech_s * rate) as usize;
    let min_silence = (opt.min_silence_s * rate) as usize;
    let pad = (opt.pad_s * rate) as usize;
    let mut raw = Vec::new();
    let mut start: Option<usize> = None;
    let mut silence_from: Option<usize> = None;
    for (i, &p) in probs.iter().enumerate() {
        let pos = i * VAD_CHUNK;
        match start {
            None if p >= opt.threshold => {
                start = Some(pos);
                silence_from = None;
            }
            None => {}
            Some(s) => {
                if p >= opt.threshold {
                    silence_from = None;
                } else if p < opt.neg_threshold {
                    let from = *silence_from.get_or_insert(pos);
                    if pos + VAD_CHUNK - from >= min_silence {
                        raw.push((s, from));
                        start = None;
                        silence_from = None;
                    }
                }
            }
        }
    }
    if let Some(s) = start {
        raw.push((s, silence_from.unwrap_or(total).min(total)));
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in raw {
        if e.saturating_sub(s) < min_speech {
            continue;
        }
        let (s, e) = (s.saturating_sub(pad), (e + pad).min(total));
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probs(pattern: &str) -> Vec<f32> {
        pattern
            .chars()
            .map(|c| if c == '#' { 0.9 } else { 0.1 })
            .collect()
    }

    #[test]
    fn segmentation_merges_short_pauses_and_drops_blips() {
        let opt = VadOptions {
            pad_s: 0.0,
            ..VadOptions::default()
        };
        // 32 ms per char: 20 speech chunks, a 5-chunk pause (160 ms, merged),
        // 20 speech, 40 silence, one blip (dropped), silence.
        let p = probs(&format!(
            "{}{}{}{}#{}",
            "#".repeat(20),
            ".".repeat(5),
            "#".repeat(20),
            ".".repeat(40),
            ".".repeat(30)
        ));
        let total = p.len() * VAD_CHUNK;
        let segs = segments(&p, total, &opt);
        assert_eq!(segs, vec![(0, 45 * VAD_CHUNK)]);
    }

    #[test]
    fn speech_to_the_end_and_padding() {
        let p = probs("..........##########");
        let total = p.len() * VAD_CHUNK - 100;
        let segs = segments(&p, total, &VadOptions::default());
        assert_eq!(segs, vec![(10 * VAD_CHUNK - 3200, total)]);
        assert!(segments(&probs("...."), 2048, &VadOptions::default()).is_empty());
    }
}
