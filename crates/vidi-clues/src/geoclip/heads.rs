//! GeoCLIP's image head and location encoder, read from the converted
//! safetensors file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{CLIP_DIM, GeoClipError, SHARED_DIM, io};

const RFF: usize = 256;
const HIDDEN: usize = 1024;
const SIGMAS: usize = 3;
/// Equal Earth constants.
const A1: f64 = 1.340264;
const A2: f64 = -0.081106;
const A3: f64 = 0.000893;
const A4: f64 = 0.003796;
const SF: f64 = 66.50336;
/// Largest safetensors header accepted.
const MAX_HEADER: u64 = 1 << 20;

/// A fully connected layer, weight `out x inp` row-major (PyTorch layout).
#[derive(Debug, Clone)]
pub(super) struct Linear {
    w: Vec<f32>,
    b: Vec<f32>,
    inp: usize,
    out: usize,
}

impl Linear {
    /// `x` is `n x inp` row-major; returns `n x out`.
    pub(super) fn forward(&self, x: &[f32], n: usize, relu: bool) -> Vec<f32> {
        debug_assert_eq!(x.len(), n * self.inp);
        let mut y = vec![0.0f32; n * self.out];
        for row in y.chunks_exact_mut(self.out) {
            row.copy_from_slice(&self.b);
        }
        if n > 0 {
            // SAFETY: x is n x inp (row stride inp), w read transposed is
            // inp x out (row stride 1, column stride inp) inside w's
            // out * inp values, y is n x out (row stride out); all are
            // contiguous, sized as read and written, and distinct.
            unsafe {
                matrixmultiply::sgemm(
                    n,
                    self.inp,
                    self.out,
                    1.0,
                    x.as_ptr(),
                    self.inp as isize,
                    1,
                    self.w.as_ptr(),
                    1,
                    self.inp as isize,
                    1.0,
                    y.as_mut_ptr(),
                    self.out as isize,
                    1,
                );
            }
        }
        if relu {
            for v in &mut y {
                *v = v.max(0.0);
            }
        }
        y
    }
}

/// One scale of the location encoder.
#[derive(Debug, Clone)]
struct Capsule {
    /// `RFF x 2` row-major.
    b: Vec<f64>,
    layers: [Linear; 3],
    head: Linear,
}

/// Tensors of a safetensors file (F32 only).
struct Tensors {
    path: PathBuf,
    bytes: Vec<u8>,
    start: usize,
    index: BTreeMap<String, (Vec<usize>, usize, usize)>,
}

impl Tensors {
    fn open(path: &Path) -> Result<Tensors, GeoClipError> {
        let bad = |reason| GeoClipError::Safetensors {
            path: path.to_path_buf(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(io(path))?;
        let head: [u8; 8] = bytes
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("shorter than its header length"))?;
        let n = u64::from_le_bytes(head);
        if n > MAX_HEADER || n + 8 > bytes.len() as u64 {
            return Err(bad("header length out of range"));
        }
        let start = 8 + n as usize;
        let header: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&bytes[8..start]).map_err(|_| bad("header is not JSON"))?;
        let mut index = BTreeMap::new();
        for (name, v) in header {
            if name == "__metadata__" {
                continue;
            }
            if v.get("dtype").and_then(|d| d.as_str()) != Some("F32") {
                return Err(bad("a tensor is not F32"));
            }
            let shape: Vec<usize> = v
                .get("shape")
                .and_then(|s| s.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_u64()).map(|x| x as usize))
                .ok_or_else(|| bad("a tensor has no shape"))?
                .collect();
            let off: Vec<usize> = v
                .get("data_offsets")
                .and_then(|s| s.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_u64())
                        .map(|x| x as usize)
                        .collect()
                })
                .unwrap_or_default();
            let [a, b] = off[..] else {
                return Err(bad("a tensor has no data offsets"));
            };
            let count = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
            if a > b
                || start.checked_add(b).is_none_or(|end| end > bytes.len())
                || count.and_then(|c| c.checked_mul(4)) != Some(b - a)
            {
                return Err(bad("a tensor's data is out of bounds"));
            }
            index.insert(name, (shape, start + a, start + b));
        }
        Ok(Tensors {
            path: path.to_path_buf(),
            bytes,
            start,
            index,
        })
    }

    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, GeoClipError> {
        match self.index.get(name) {
            Some((s, a, b)) if s == shape && *a >= self.start => Ok(self.bytes[*a..*b]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()),
            _ => Err(GeoClipError::Tensor {
                path: self.path.clone(),
                name: name.to_owned(),
                expected: shape.to_vec(),
            }),
        }
    }

    fn linear(&self, prefix: &str, inp: usize, out: usize) -> Result<Linear, GeoClipError> {
        Ok(Linear {
            w: self.get(&format!("{prefix}.weight"), &[out, inp])?,
            b: self.get(&format!("{prefix}.bias"), &[out])?,
            inp,
            out,
        })
    }
}

/// The Equal Earth projection GeoCLIP applies before the Fourier features
/// (x, y scaled by 66.50336 / 180).
pub fn equal_earth(lat: f64, lon: f64) -> [f64; 2] {
    let (lat, lon) = (lat.to_radians(), lon.to_radians());
    let theta = (3f64.sqrt() / 2.0 * lat.sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let den = 3.0 * (9.0 * A4 * t6 * t2 + 7.0 * A3 * t6 + 3.0 * A2 * t2 + A1);
    let x = 2.0 * 3f64.sqrt() * lon * theta.cos() / den;
    let y = A4 * t6 * t2 * theta + A3 * t6 * theta + A2 * t2 * theta + A1 * theta;
    [x * SF / 180.0, y * SF / 180.0]
}

/// GeoCLIP's image head, location encoder and logit scale.
#[derive(Debug, Clone)]
pub struct GeoClipHeads {
    image: [Linear; 2],
    capsules: Vec<Capsule>,
    logit_scale: f32,
}

impl GeoClipHeads {
    /// Read the heads from the converted safetensors file (tensor names as
    /// `scripts/models/convert_geoclip.py` writes them).
    pub fn open(weights: &Path) -> Result<GeoClipHeads, GeoClipError> {
        let t = Tensors::open(weights)?;
        let image = [
            t.linear("image_mlp.0", CLIP_DIM, CLIP_DIM)?,
            t.linear("image_mlp.2", CLIP_DIM, SHARED_DIM)?,
        ];
        let mut capsules = Vec::with_capacity(SIGMAS);
        for i in 0..SIGMAS {
            let p = format!("location.LocEnc{i}");
            capsules.push(Capsule {
                b: t.get(&format!("{p}.capsule.0.b"), &[RFF, 2])?
                    .into_iter()
                    .map(f64::from)
                    .collect(),
                layers: [
                    t.linear(&format!("{p}.capsule.1"), 2 * RFF, HIDDEN)?,
                    t.linear(&format!("{p}.capsule.3"), HIDDEN, HIDDEN)?,
                    t.linear(&format!("{p}.capsule.5"), HIDDEN, HIDDEN)?,
                ],
                head: t.linear(&format!("{p}.head.0"), HIDDEN, SHARED_DIM)?,
            });
        }
        let logit_scale = t
            .get("logit_scale", &[1])
            .or_else(|_| t.get("logit_scale", &[]))?
            .first()
            .copied()
            .unwrap_or(0.0);
        Ok(GeoClipHeads {
            image,
            capsules,
            logit_scale,
        })
    }

    /// `exp(logit_scale)`: the factor on cosine similarities.
    pub fn logit_scale_exp(&self) -> f32 {
        self.logit_scale.exp()
    }

    /// The image head on one CLIP embedding (768 values): the 512-d image
    /// feature, not normalised.
    pub fn image_features(&self, clip: &[f32]) -> Result<Vec<f32>, GeoClipError> {
        if clip.len() != CLIP_DIM {
            return Err(GeoClipError::Dimension {
                expected: CLIP_DIM,
                got: clip.len(),
            });
        }
        let h = self.image[0].forward(clip, 1, true);
        Ok(self.image[1].forward(&h, 1, false))
    }

    /// The location encoder on `points` (lat, lon in degrees): `n x 512`
    /// row-major, not normalised.
    pub fn location_features(&self, points: &[(f64, f64)]) -> Vec<f32> {
        let n = points.len();
        let proj: Vec<[f64; 2]> = points.iter().map(|&(la, lo)| equal_earth(la, lo)).collect();
        let mut out = vec![0.0f32; n * SHARED_DIM];
        let mut rff = vec![0.0f32; n * 2 * RFF];
        for c in &self.capsules {
            for (row, v) in rff.chunks_exact_mut(2 * RFF).zip(&proj) {
                let (cos, sin) = row.split_at_mut(RFF);
                for (j, bj) in c.b.chunks_exact(2).enumerate() {
                    let phase = std::f64::consts::TAU * (v[0] * bj[0] + v[1] * bj[1]);
                    cos[j] = phase.cos() as f32;
                    sin[j] = phase.sin() as f32;
                }
            }
            let mut h = c.layers[0].forward(&rff, n, true);
            h = c.layers[1].forward(&h, n, true);
            h = c.layers[2].forward(&h, n, true);
            let y = c.head.forward(&h, n, false);
            for (o, v) in out.iter_mut().zip(&y) {
                *o += v;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_earth_origin_and_symmetry() {
        assert_eq!(equal_earth(0.0, 0.0), [0.0, 0.0]);
        let a = equal_earth(45.0, 90.0);
        let b = equal_earth(-45.0, -90.0);
        assert!((a[0] + b[0]).abs() < 1e-12 && (a[1] + b[1]).abs() < 1e-12);
        // Longitude 180 at the equator: x = 2*sqrt(3)*pi / (3*A1) * SF / 180.
        let x = equal_earth(0.0, 180.0)[0];
        let want = 2.0 * 3f64.sqrt() * std::f64::consts::PI / (3.0 * A1) * SF / 180.0;
        assert!((x - want).abs() < 1e-12);
    }

    #[test]
    fn linear_matches_naive() {
        let l = Linear {
            w: vec![1.0, 2.0, 3.0, -1.0, 0.5, 0.0],
            b: vec![0.5, -10.0],
            inp: 3,
            out: 2,
        };
        let y = l.forward(&[1.0, 1.0, 1.0, 2.0, 0.0, -1.0], 2, false);
        assert_eq!(y, vec![6.5, -10.5, -0.5, -12.0]);
        let y = l.forward(&[1.0, 1.0, 1.0], 1, true);
        assert_eq!(y, vec![6.5, 0.0]);
    }

    #[test]
    fn bad_safetensors_are_typed() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("m.safetensors");
        for bytes in [
            &b""[..],
            &b"\xff\xff\xff\xff\xff\xff\xff\x7f"[..],
            &b"\x04\0\0\0\0\0\0\0nope"[..],
        ] {
            std::fs::write(&p, bytes).unwrap();
            assert!(matches!(
                GeoClipHeads::open(&p),
                Err(GeoClipError::Safetensors { .. })
            ));
        }
        // A file of one header and 8 data bytes.
        let with_header = |h: &[u8]| {
            let mut b = (h.len() as u64).to_le_bytes().to_vec();
            b.extend_from_slice(h);
            b.extend_from_slice(&[0; 8]);
            std::fs::write(&p, &b).unwrap();
            GeoClipHeads::open(&p)
        };
        // Offsets past the end.
        assert!(matches!(
            with_header(br#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#),
            Err(GeoClipError::Safetensors { .. })
        ));
        // Valid file without the tensors.
        assert!(matches!(
            with_header(br#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#),
            Err(GeoClipError::Tensor { .. })
        ));
    }
}
