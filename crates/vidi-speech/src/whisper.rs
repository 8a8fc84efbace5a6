//! Whisper (encoder plus one decoder step) for spoken-language
//! identification, on weights with CTranslate2 `WhisperSpec` tensor names.
//!
//! Only what language ID needs is kept: the full encoder, the decoder run
//! for the single `<|startoftranscript|>` token, and the output projection
//! restricted to the language tokens.

use std::path::Path;

use crate::error::SpeechError;
use crate::mel::MelFrontEnd;
use crate::ops::{LayerNorm, Linear, View, add_assign, gelu, gemm, softmax};
use vidi_models::Tensors;

/// Architecture sizes (from the manifest's `dims`).
#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub(crate) struct Dims {
    pub(crate) n_mels: usize,
    pub(crate) d_model: usize,
    pub(crate) encoder_layers: usize,
    pub(crate) decoder_layers: usize,
    pub(crate) heads: usize,
    pub(crate) audio_ctx: usize,
    pub(crate) text_ctx: usize,
    pub(crate) vocab: usize,
}

struct EncoderLayer {
    ln_attn: LayerNorm,
    qkv: Linear,
    out: Linear,
    ln_ffn: LayerNorm,
    fc1: Linear,
    fc2: Linear,
}

struct DecoderLayer {
    ln_self: LayerNorm,
    self_qkv: Linear,
    self_out: Linear,
    ln_cross: LayerNorm,
    cross_q: Linear,
    cross_kv: Linear,
    cross_out: Linear,
    ln_ffn: LayerNorm,
    fc1: Linear,
    fc2: Linear,
}

/// A loaded Whisper model for language identification.
pub(crate) struct Whisper {
    dims: Dims,
    mel: MelFrontEnd,
    /// conv1 as a `d_model` × (`n_mels` · 3) matrix.
    conv1: Linear,
    /// conv2 as a `d_model` × (`d_model` · 3) matrix (stride 2).
    conv2: Linear,
    enc_pos: Vec<f32>,
    enc_layers: Vec<EncoderLayer>,
    enc_ln: LayerNorm,
    /// Token embedding of `<|startoftranscript|>` plus position 0.
    start: Vec<f32>,
    dec_layers: Vec<DecoderLayer>,
    dec_ln: LayerNorm,
    /// Embedding rows of the language tokens (the tied output projection).
    lang_rows: Vec<f32>,
    n_langs: usize,
}

fn linear(t: &Tensors, prefix: &str, out: usize, inp: usize) -> Result<Linear, SpeechError> {
    Ok(Linear {
        w: t.f32(&format!("{prefix}/weight"), &[out, inp])?,
        b: t.f32(&format!("{prefix}/bias"), &[out])?,
        out,
        inp,
    })
}

fn norm(t: &Tensors, prefix: &str, d: usize) -> Result<LayerNorm, SpeechError> {
    Ok(LayerNorm {
        gamma: t.f32(&format!("{prefix}/gamma"), &[d])?,
        beta: t.f32(&format!("{prefix}/beta"), &[d])?,
    })
}

impl Whisper {
    /// Loads the weights. `sot` is the start-of-transcript token id and
    /// `lang_tokens` the language token ids, in label order.
    pub(crate) fn load(
        path: &Path,
        dims: Dims,
        sot: usize,
        lang_tokens: &[usize],
    ) -> Result<Self, SpeechError> {
        let t = Tensors::open(path)?;
        let d = dims.d_model;
        let bad = |reason| SpeechError::ModelFormat {
            path: path.to_path_buf(),
            reason,
        };
        if dims.heads == 0
            || !d.is_multiple_of(dims.heads)
            || dims.audio_ctx == 0
            || dims.text_ctx == 0
        {
            return Err(bad("inconsistent model dimensions"));
        }
        if sot >= dims.vocab || lang_tokens.iter().any(|&i| i >= dims.vocab) {
            return Err(bad("token id outside the vocabulary"));
        }
        if lang_tokens.is_empty() {
            return Err(bad("no language tokens"));
        }
        if t.metadata
            .get("decoder/scale_embeddings")
            .map(String::as_str)
            == Some("1")
        {
            return Err(bad("scaled embeddings are not supported"));
        }
        let ff = 4 * d;
        let conv = |name: &str, inp: usize| -> Result<Linear, SpeechError> {
            Ok(Linear {
                w: t.f32(&format!("encoder/{name}/weight"), &[d, inp, 3])?,
                b: t.f32(&format!("encoder/{name}/bias"), &[d])?,
                out: d,
                inp: inp * 3,
            })
        };
        let conv1 = conv("conv1", dims.n_mels)?;
        let conv2 = conv("conv2", d)?;
        let enc_pos = t.f32("encoder/position_encodings/encodings", &[dims.audio_ctx, d])?;
        let mut enc_layers = Vec::with_capacity(dims.encoder_layers);
        for i in 0..dims.encoder_layers {
            let p = format!("encoder/layer_{i}");
            enc_layers.push(EncoderLayer {
                ln_attn: norm(&t, &format!("{p}/self_attention/layer_norm"), d)?,
                qkv: linear(&t, &format!("{p}/self_attention/linear_0"), 3 * d, d)?,
                out: linear(&t, &format!("{p}/self_attention/linear_1"), d, d)?,
                ln_ffn: norm(&t, &format!("{p}/ffn/layer_norm"), d)?,
                fc1: linear(&t, &format!("{p}/ffn/linear_0"), ff, d)?,
                fc2: linear(&t, &format!("{p}/ffn/linear_1"), d, ff)?,
            });
        }
        let enc_ln = norm(&t, "encoder/layer_norm", d)?;
        let mut dec_layers = Vec::with_capacity(dims.decoder_layers);
        for i in 0..dims.decoder_layers {
            let p = format!("decoder/layer_{i}");
            dec_layers.push(DecoderLayer {
                ln_self: norm(&t, &format!("{p}/self_attention/layer_norm"), d)?,
                self_qkv: linear(&t, &format!("{p}/self_attention/linear_0"), 3 * d, d)?,
                self_out: linear(&t, &format!("{p}/self_attention/linear_1"), d, d)?,
                ln_cross: norm(&t, &format!("{p}/attention/layer_norm"), d)?,
                cross_q: linear(&t, &format!("{p}/attention/linear_0"), d, d)?,
                cross_kv: linear(&t, &format!("{p}/attention/linear_1"), 2 * d, d)?,
                cross_out: linear(&t, &format!("{p}/attention/linear_2"), d, d)?,
                ln_ffn: norm(&t, &format!("{p}/ffn/layer_norm"), d)?,
                fc1: linear(&t, &format!("{p}/ffn/linear_0"), ff, d)?,
                fc2: linear(&t, &format!("{p}/ffn/linear_1"), d, ff)?,
            });
        }
        let dec_ln = norm(&t, "decoder/layer_norm", d)?;
        let emb = "decoder/embeddings/weight";
        let mut start = t.rows(emb, [dims.vocab, d], &[sot])?;
        let pos0 = t.rows(
            "decoder/position_encodings/encodings",
            [dims.text_ctx, d],
            &[0],
        )?;
        add_assign(&mut start, &pos0);
        let lang_rows = t.rows(emb, [dims.vocab, d], lang_tokens)?;
        Ok(Self {
            dims,
            mel: MelFrontEnd::new(dims.n_mels),
            conv1,
            conv2,
            enc_pos,
            enc_layers,
            enc_ln,
            start,
            dec_layers,
            dec_ln,
            lang_rows,
            n_langs: lang_tokens.len(),
        })
    }

    /// Samples in one full encoder window (30 s for every Whisper).
    pub(crate) fn window_samples(&self) -> usize {
        self.dims.audio_ctx * 2 * crate::mel::HOP
    }

    /// Language probabilities (label order) for up to one window of 16 kHz
    /// mono audio. The audio is zero-padded to at least `min_window_s`
    /// seconds (30 = Whisper's full window, as trained); only the encoder
    /// positions covering the padded audio are computed, so shorter
    /// windows are faster and a little less accurate.
    pub(crate) fn language_probs(&self, samples: &[f32], min_window_s: f32) -> Vec<f32> {
        // One encoder position covers 320 samples (20 ms).
        let per_pos = 2 * crate::mel::HOP;
        let min_ctx =
            (f64::from(min_window_s.clamp(1.0, 30.0)) * 16_000.0 / per_pos as f64) as usize;
        let ctx = samples
            .len()
            .div_ceil(per_pos)
            .max(min_ctx)
            .clamp(1, self.dims.audio_ctx);
        let mel = self.mel.log_mel(samples, 2 * ctx);
        let enc = self.encode(&mel, ctx);
        let mut logits = self.decode_first(&enc, ctx);
        softmax(&mut logits);
        logits
    }

    /// The encoder: mel (`n_mels` × 2·ctx, channel-major) → ctx × d_model.
    fn encode(&self, mel: &[f32], ctx: usize) -> Vec<f32> {
        let d = self.dims.d_model;
        let n_mels = self.dims.n_mels;
        let frames = 2 * ctx;
        // conv1 (kernel 3, padding 1): im2col rows are time steps, columns
        // (channel, tap) in the weight's order.
        let mut cols = vec![0.0f32; frames * n_mels * 3];
        for t in 0..frames {
            let row = &mut cols[t * n_mels * 3..(t + 1) * n_mels * 3];
            for c in 0..n_mels {
                for k in 0..3 {
                    let src = t as isize + k as isize - 1;
                    if (0..frames as isize).contains(&src) {
                        row[c * 3 + k] = mel[c * frames + src as usize];
                    }
                }
            }
        }
        let mut x = self.conv1.forward(&cols, frames);
        gelu(&mut x);
        // conv2 (kernel 3, stride 2, padding 1) on time-major input.
        let mut cols = vec![0.0f32; ctx * d * 3];
        for t in 0..ctx {
            let row = &mut cols[t * d * 3..(t + 1) * d * 3];
            for k in 0..3 {
                let src = (2 * t + k) as isize - 1;
                if (0..frames as isize).contains(&src) {
                    let s = &x[src as usize * d..(src as usize + 1) * d];
                    for (c, v) in s.iter().enumerate() {
                        row[c * 3 + k] = *v;
                    }
                }
            }
        }
        let mut x = self.conv2.forward(&cols, ctx);
        gelu(&mut x);
        add_assign(&mut x, &self.enc_pos[..ctx * d]);
        for layer in &self.enc_layers {
            let h = layer.ln_attn.forward(&x);
            let qkv = layer.qkv.forward(&h, ctx);
            let att = self.self_attention(&qkv, ctx);
            add_assign(&mut x, &layer.out.forward(&att, ctx));
            let h = layer.ln_ffn.forward(&x);
            let mut f = layer.fc1.forward(&h, ctx);
            gelu(&mut f);
            add_assign(&mut x, &layer.fc2.forward(&f, ctx));
        }
        self.enc_ln.forward(&x)
    }

    /// Multi-head self-attention over a fused `n` × 3·d Q|K|V matrix.
    fn self_attention(&self, qkv: &[f32], n: usize) -> Vec<f32> {
        let d = self.dims.d_model;
        let hd = d / self.dims.heads;
        let scale = 1.0 / (hd as f32).sqrt();
        let all = View::dense(qkv, n, 3 * d);
        let mut out = vec![0.0f32; n * d];
        let mut scores = vec![0.0f32; n * n];
        for h in 0..self.dims.heads {
            let q = all.cols(h * hd, hd);
            let k = all.cols(d + h * hd, hd);
            let v = all.cols(2 * d + h * hd, hd);
            gemm(scale, q, k.t(), 0.0, &mut scores, n);
            for row in scores.chunks_exact_mut(n) {
                softmax(row);
            }
            gemm(
                1.0,
                View::dense(&scores, n, n),
                v,
                0.0,
                &mut out[h * hd..],
                d,
            );
        }
        out
    }

    /// One decoder step for `<|startoftranscript|>`: logits of the
    /// language tokens.
    fn decode_first(&self, enc: &[f32], ctx: usize) -> Vec<f32> {
        let d = self.dims.d_model;
        let hd = d / self.dims.heads;
        let scale = 1.0 / (hd as f32).sqrt();
        let mut x = self.start.clone();
        for layer in &self.dec_layers {
            // Self-attention over a single position: the output is its value.
            let h = layer.ln_self.forward(&x);
            let qkv = layer.self_qkv.forward(&h, 1);
            add_assign(&mut x, &layer.self_out.forward(&qkv[2 * d..], 1));
            // Cross-attention to the encoder output.
            let h = layer.ln_cross.forward(&x);
            let q = layer.cross_q.forward(&h, 1);
            let kv = layer.cross_kv.forward(enc, ctx);
            let kv = View::dense(&kv, ctx, 2 * d);
            let mut att = vec![0.0f32; d];
            let mut w = vec![0.0f32; ctx];
            for head in 0..self.dims.heads {
                let qh = View::dense(&q[head * hd..(head + 1) * hd], 1, hd);
                gemm(scale, qh, kv.cols(head * hd, hd).t(), 0.0, &mut w, ctx);
                softmax(&mut w);
                gemm(
                    1.0,
                    View::dense(&w, 1, ctx),
                    kv.cols(d + head * hd, hd),
                    0.0,
                    &mut att[head * hd..],
                    hd,
                );
            }
            add_assign(&mut x, &layer.cross_out.forward(&att, 1));
            let h = layer.ln_ffn.forward(&x);
            let mut f = layer.fc1.forward(&h, 1);
            gelu(&mut f);
            add_assign(&mut x, &layer.fc2.forward(&f, 1));
        }
        let x = self.dec_ln.forward(&x);
        let mut logits = vec![0.0f32; self.n_langs];
        gemm(
            1.0,
            View::dense(&self.lang_rows, self.n_langs, d),
            View::dense(&x, d, 1),
            0.0,
            &mut logits,
            1,
        );
        logits
    }
}
