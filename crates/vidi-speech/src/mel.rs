//! Whisper's log-mel front end: 25 ms Hann windows every 10 ms (n_fft 400,
//! hop 160 at 16 kHz), power spectrum, Slaney-normalised mel filter bank,
//! log10 with an 8-decade dynamic range, scaled to about [-1, 1].

use crate::ops::{View, gemm};

pub(crate) const N_FFT: usize = 400;
pub(crate) const HOP: usize = 160;
const N_BINS: usize = N_FFT / 2 + 1;
const SAMPLE_RATE: f64 = 16_000.0;

/// Precomputed window, DFT basis and mel filters.
pub(crate) struct MelFrontEnd {
    n_mels: usize,
    /// `N_FFT` × (2 · `N_BINS`): windowed cos | sin basis.
    basis: Vec<f32>,
    /// `n_mels` × `N_BINS`.
    filters: Vec<f32>,
}

fn hz_to_mel(f: f64) -> f64 {
    // Slaney: linear below 1 kHz, logarithmic above.
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if f >= min_log_hz {
        min_log_mel + (f / min_log_hz).ln() / logstep
    } else {
        f / f_sp
    }
}

fn mel_to_hz(m: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if m >= min_log_mel {
        min_log_hz * (logstep * (m - min_log_mel)).exp()
    } else {
        f_sp * m
    }
}

/// The Slaney-normalised triangular mel filter bank (as librosa's default).
fn mel_filters(n_mels: usize) -> Vec<f32> {
    let fft_freqs: Vec<f64> = (0..N_BINS)
        .map(|i| i as f64 * SAMPLE_RATE / N_FFT as f64)
        .collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2.0));
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut w = vec![0.0f32; n_mels * N_BINS];
    for m in 0..n_mels {
        let (f0, f1, f2) = (mel_f[m], mel_f[m + 1], mel_f[m + 2]);
        let enorm = 2.0 / (f2 - f0);
        for (k, &f) in fft_freqs.iter().enumerate() {
            let lower = (f - f0) / (f1 - f0);
            let upper = (f2 - f) / (f2 - f1);
            w[m * N_BINS + k] = (lower.min(upper).max(0.0) * enorm) as f32;
        }
    }
    w
}

impl MelFrontEnd {
    pub(crate) fn new(n_mels: usize) -> Self {
        let mut basis = vec![0.0f32; N_FFT * 2 * N_BINS];
        for n in 0..N_FFT {
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64).cos();
            for k in 0..N_BINS {
                let phase = 2.0 * std::f64::consts::PI * (k * n % N_FFT) as f64 / N_FFT as f64;
                basis[n * 2 * N_BINS + k] = (w * phase.cos()) as f32;
                basis[n * 2 * N_BINS + N_BINS + k] = (-w * phase.sin()) as f32;
            }
        }
        Self {
            n_mels,
            basis,
            filters: mel_filters(n_mels),
        }
    }

    /// Log-mel features of `samples` laid out `n_mels` × `frames`
    /// (channel-major). The signal is zero-padded (or cut) to
    /// `frames * HOP` samples, then centred with reflection like Whisper.
    pub(crate) fn log_mel(&self, samples: &[f32], frames: usize) -> Vec<f32> {
        let len = frames * HOP;
        let signal = &samples[..samples.len().min(len)];
        let at = |i: usize| -> f32 { signal.get(i).copied().unwrap_or(0.0) };
        // Index into the zero-padded signal of length `len` with reflection
        // at both ends (centre padding of N_FFT / 2).
        let padded = |j: isize| -> f32 {
            let half = (N_FFT / 2) as isize;
            let mut i = j - half;
            let n = len as isize;
            if i < 0 {
                i = -i;
            }
            if i >= n {
                i = 2 * (n - 1) - i;
            }
            if i < 0 || i >= n { 0.0 } else { at(i as usize) }
        };
        let mut windows = vec![0.0f32; frames * N_FFT];
        for (f, row) in windows.chunks_exact_mut(N_FFT).enumerate() {
            // Frames entirely in the zero padding stay zero.
            let start = f * HOP;
            if start > signal.len() + N_FFT {
                continue;
            }
            for (n, v) in row.iter_mut().enumerate() {
                *v = padded((start + n) as isize);
            }
        }
        let mut spec = vec![0.0f32; frames * 2 * N_BINS];
        gemm(
            1.0,
            View::dense(&windows, frames, N_FFT),
            View::dense(&self.basis, N_FFT, 2 * N_BINS),
            0.0,
            &mut spec,
            2 * N_BINS,
        );
        let mut power = vec![0.0f32; frames * N_BINS];
        for (p, s) in power
            .chunks_exact_mut(N_BINS)
            .zip(spec.chunks_exact(2 * N_BINS))
        {
            for k in 0..N_BINS {
                p[k] = s[k] * s[k] + s[N_BINS + k] * s[N_BINS + k];
            }
        }
        // mel[m][t] = Σ_k filters[m][k] · power[t][k]
        let mut mel = vec![0.0f32; self.n_mels * frames];
        gemm(
            1.0,
            View::dense(&self.filters, self.n_mels, N_BINS),
            View::dense(&power, frames, N_BINS).t(),
            0.0,
            &mut mel,
            frames,
        );
        let mut max = f32::NEG_INFINITY;
        for v in mel.iter_mut() {
            *v = v.max(1e-10).log10();
            max = max.max(*v);
        }
        for v in mel.iter_mut() {
            *v = (v.max(max - 8.0) + 4.0) / 4.0;
        }
        mel
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_triangles() {
        let f = mel_filters(80);
        // Every filter has some weight, none is negative.
        for m in 0..80 {
            let row = &f[m * N_BINS..(m + 1) * N_BINS];
            assert!(row.iter().all(|&v| v >= 0.0));
            assert!(row.iter().any(|&v| v > 0.0), "filter {m} empty");
        }
    }

    #[test]
    fn tone_lands_in_the_right_band() {
        let fe = MelFrontEnd::new(80);
        let tone: Vec<f32> = (0..16_000)
            .map(|i| (2.0 * std::f32::consts::PI * 440.0 * i as f32 / 16_000.0).sin())
            .collect();
        let mel = fe.log_mel(&tone, 100);
        // Loudest channel at frame 50: 440 Hz is 6.6 Slaney mel; filters are
        // 0.559 mel apart, so the peak is filter 11 (centre 6.7).
        let best = (0..80)
            .max_by(|&a, &b| mel[a * 100 + 50].total_cmp(&mel[b * 100 + 50]))
            .unwrap();
        assert_eq!(best, 11);
        assert!(mel.iter().all(|v| v.is_finite()));
    }
}
