//! MobileNetV2 (torchvision layout), batch norm folded into the
//! convolutions at load, inference on one image at a time.

use crate::error::EmbedError;
use crate::ops;
use vidi_models::Tensors;

const EPS: f32 = 1e-5;
/// (expansion, output channels, repeats, first stride) per stage.
const SETTINGS: [(usize, usize, usize, usize); 7] = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
];
const STEM: usize = 32;
/// Width of the last feature map (the embedding dimension).
pub(crate) const FEATURES: usize = 1280;
/// Number of ImageNet classes of the classifier.
pub(crate) const CLASSES: usize = 1000;

struct Conv {
    /// `[cout, cin * k * k]` (depthwise: `[c, 9]`).
    w: Vec<f32>,
    b: Vec<f32>,
    cin: usize,
    cout: usize,
}

struct Block {
    expand: Option<Conv>,
    dw: Conv,
    stride: usize,
    project: Conv,
    residual: bool,
}

/// The network with folded weights.
pub(crate) struct MobileNetV2 {
    stem: Conv,
    blocks: Vec<Block>,
    head: Conv,
    fc_w: Vec<f32>,
    fc_b: Vec<f32>,
}

/// Load a convolution and fold the batch norm that follows it.
fn conv_bn(
    t: &Tensors,
    conv: &str,
    bn: &str,
    cout: usize,
    cin_per_group: usize,
    k: usize,
) -> Result<Conv, EmbedError> {
    let mut w = t.f32(&format!("{conv}.weight"), &[cout, cin_per_group, k, k])?;
    let gamma = t.f32(&format!("{bn}.weight"), &[cout])?;
    let beta = t.f32(&format!("{bn}.bias"), &[cout])?;
    let mean = t.f32(&format!("{bn}.running_mean"), &[cout])?;
    let var = t.f32(&format!("{bn}.running_var"), &[cout])?;
    let per = cin_per_group * k * k;
    let mut b = vec![0f32; cout];
    for o in 0..cout {
        let s = gamma[o] / (var[o] + EPS).sqrt();
        for v in &mut w[o * per..(o + 1) * per] {
            *v *= s;
        }
        b[o] = beta[o] - mean[o] * s;
    }
    Ok(Conv {
        w,
        b,
        cin: cin_per_group,
        cout,
    })
}

impl MobileNetV2 {
    pub(crate) fn load(t: &Tensors) -> Result<Self, EmbedError> {
        let stem = conv_bn(t, "features.0.0", "features.0.1", STEM, 3, 3)?;
        let mut blocks = Vec::new();
        let mut cin = STEM;
        let mut idx = 1;
        for (exp, c, n, s) in SETTINGS {
            for i in 0..n {
                let stride = if i == 0 { s } else { 1 };
                let p = format!("features.{idx}.conv");
                let hidden = cin * exp;
                let (expand, dw, proj, pbn) = if exp == 1 {
                    (None, format!("{p}.0"), format!("{p}.1"), format!("{p}.2"))
                } else {
                    let e = conv_bn(t, &format!("{p}.0.0"), &format!("{p}.0.1"), hidden, cin, 1)?;
                    (
                        Some(e),
                        format!("{p}.1"),
                        format!("{p}.2"),
                        format!("{p}.3"),
                    )
                };
                let dw = conv_bn(t, &format!("{dw}.0"), &format!("{dw}.1"), hidden, 1, 3)?;
                let project = conv_bn(t, &proj, &pbn, c, hidden, 1)?;
                blocks.push(Block {
                    expand,
                    dw,
                    stride,
                    project,
                    residual: stride == 1 && cin == c,
                });
                cin = c;
                idx += 1;
            }
        }
        let head = conv_bn(
            t,
            &format!("features.{idx}.0"),
            &format!("features.{idx}.1"),
            FEATURES,
            cin,
            1,
        )?;
        let fc_w = t.f32("classifier.1.weight", &[CLASSES, FEATURES])?;
        let fc_b = t.f32("classifier.1.bias", &[CLASSES])?;
        Ok(Self {
            stem,
            blocks,
            head,
            fc_w,
            fc_b,
        })
    }

    /// Forward pass on a normalised planar `[3, h, w]` input; returns the
    /// last feature map `[1280, h/32, w/32]` (after ReLU6) and its size.
    pub(crate) fn features(&self, x: &[f32], h: usize, w: usize) -> (Vec<f32>, usize, usize) {
        let (mut x, mut h, mut w) =
            ops::conv3x3(&self.stem.w, &self.stem.b, x, 3, self.stem.cout, h, w, 2);
        for b in &self.blocks {
            let n = h * w;
            let e = match &b.expand {
                Some(e) => ops::pointwise(&e.w, &e.b, &x, e.cin, e.cout, n, true),
                None => x.clone(),
            };
            let d = ops::depthwise3x3(&b.dw.w, &b.dw.b, &e, b.dw.cout, h, w, b.stride);
            let (oh, ow) = (ops::out_size(h, b.stride), ops::out_size(w, b.stride));
            let mut y = ops::pointwise(
                &b.project.w,
                &b.project.b,
                &d,
                b.project.cin,
                b.project.cout,
                oh * ow,
                false,
            );
            if b.residual {
                for (a, r) in y.iter_mut().zip(&x) {
                    *a += r;
                }
            }
            x = y;
            h = oh;
            w = ow;
        }
        let out = ops::pointwise(
            &self.head.w,
            &self.head.b,
            &x,
            self.head.cin,
            self.head.cout,
            h * w,
            true,
        );
        (out, h, w)
    }

    /// ImageNet logits from the pooled (not normalised) features.
    pub(crate) fn logits(&self, pooled: &[f32]) -> Vec<f32> {
        self.fc_w
            .chunks_exact(FEATURES)
            .zip(&self.fc_b)
            .map(|(row, b)| b + row.iter().zip(pooled).map(|(a, c)| a * c).sum::<f32>())
            .collect()
    }
}
