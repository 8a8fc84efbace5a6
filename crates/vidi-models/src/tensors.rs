//! A small reader for safetensors files (F32, F16 and BF16 tensors),
//! converting everything to `f32` at load. Model crates (embeddings,
//! speech) load their weights through it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// What is wrong with one tensor of a model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TensorProblem {
    /// The tensor is not in the file.
    Missing,
    /// The tensor has another shape than the architecture needs.
    Shape,
    /// The element type is not F32, F16 or BF16.
    DType,
    /// The data offsets point outside the file or disagree with the shape.
    Offsets,
}

impl std::fmt::Display for TensorProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TensorProblem::Missing => "missing",
            TensorProblem::Shape => "wrong shape",
            TensorProblem::DType => "element type not F32, F16 or BF16",
            TensorProblem::Offsets => "data offsets out of range",
        })
    }
}

/// Errors of reading a safetensors file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TensorError {
    /// The file could not be read.
    #[error("cannot read model file {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The header is not valid JSON of the expected shape.
    #[error("invalid safetensors header in {}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The file is structurally wrong.
    #[error("invalid safetensors file {}: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// One tensor is missing or malformed.
    #[error("tensor {name} in {} is unusable: {problem}", path.display())]
    Tensor {
        /// The file.
        path: PathBuf,
        /// The tensor name.
        name: String,
        /// What is wrong with it.
        problem: TensorProblem,
    },
}

/// Largest header accepted (the header is JSON; real ones are < 1 MB).
const MAX_HEADER: u64 = 64 << 20;

#[derive(Debug, Deserialize)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

/// An opened safetensors file held in memory.
#[derive(Debug)]
pub struct Tensors {
    path: PathBuf,
    bytes: Vec<u8>,
    data_start: usize,
    entries: HashMap<String, Entry>,
    /// The `__metadata__` string map.
    pub metadata: HashMap<String, String>,
}

impl Tensors {
    /// Read and parse a safetensors file.
    pub fn open(path: &Path) -> Result<Self, TensorError> {
        let bytes = std::fs::read(path).map_err(|source| TensorError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, bytes)
    }

    /// Parse a safetensors file already read into memory.
    pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<Self, TensorError> {
        let bad = |reason| TensorError::Format {
            path: path.to_path_buf(),
            reason,
        };
        let len_bytes: [u8; 8] = bytes
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .ok_or(bad("file shorter than a safetensors header"))?;
        let header_len = u64::from_le_bytes(len_bytes);
        if header_len > MAX_HEADER || header_len + 8 > bytes.len() as u64 {
            return Err(bad("safetensors header length out of range"));
        }
        let data_start = 8 + header_len as usize;
        let header: HashMap<String, serde_json::Value> =
            serde_json::from_slice(&bytes[8..data_start]).map_err(|source| TensorError::Json {
                path: path.to_path_buf(),
                source,
            })?;
        let mut entries = HashMap::new();
        let mut metadata = HashMap::new();
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = serde_json::from_value(value).map_err(|source| TensorError::Json {
                    path: path.to_path_buf(),
                    source,
                })?;
                continue;
            }
            let entry: Entry =
                serde_json::from_value(value).map_err(|source| TensorError::Json {
                    path: path.to_path_buf(),
                    source,
                })?;
            entries.insert(name, entry);
        }
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
            data_start,
            entries,
            metadata,
        })
    }

    fn problem(&self, name: &str, problem: TensorProblem) -> TensorError {
        TensorError::Tensor {
            path: self.path.clone(),
            name: name.to_owned(),
            problem,
        }
    }

    /// The raw bytes and element size of a tensor whose shape must equal `shape`.
    fn raw(&self, name: &str, shape: &[usize]) -> Result<(&[u8], &str), TensorError> {
        let e = self
            .entries
            .get(name)
            .ok_or_else(|| self.problem(name, TensorProblem::Missing))?;
        if e.shape != shape {
            return Err(self.problem(name, TensorProblem::Shape));
        }
        let size = match e.dtype.as_str() {
            "F32" => 4,
            "F16" | "BF16" => 2,
            _ => return Err(self.problem(name, TensorProblem::DType)),
        };
        let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        let [start, end] = e.data_offsets;
        let span = self
            .data_start
            .checked_add(start)
            .zip(self.data_start.checked_add(end));
        match (count, span) {
            (Some(n), Some((s, t))) if s <= t && t <= self.bytes.len() && (t - s) == n * size => {
                Ok((&self.bytes[s..t], e.dtype.as_str()))
            }
            _ => Err(self.problem(name, TensorProblem::Offsets)),
        }
    }

    /// A whole tensor as `f32`, checking its shape.
    pub fn f32(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, TensorError> {
        let (raw, dtype) = self.raw(name, shape)?;
        Ok(convert(raw, dtype))
    }

    /// Selected rows of a 2-D tensor as one dense `f32` matrix.
    pub fn rows(
        &self,
        name: &str,
        shape: [usize; 2],
        rows: &[usize],
    ) -> Result<Vec<f32>, TensorError> {
        let (raw, dtype) = self.raw(name, &shape)?;
        let elem = if dtype == "F32" { 4 } else { 2 };
        let row_bytes = shape[1] * elem;
        let mut out = Vec::with_capacity(rows.len() * shape[1]);
        for &r in rows {
            let chunk = raw
                .get(r * row_bytes..(r + 1) * row_bytes)
                .ok_or_else(|| self.problem(name, TensorProblem::Shape))?;
            out.extend(convert(chunk, dtype));
        }
        Ok(out)
    }
}

fn convert(raw: &[u8], dtype: &str) -> Vec<f32> {
    match dtype {
        "F32" => raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        "BF16" => raw
            .chunks_exact(2)
            .map(|b| f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16))
            .collect(),
        _ => raw
            .chunks_exact(2)
            .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
            .collect(),
    }
}

/// IEEE 754 half to single precision (exact, including subnormals).
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: value = m * 2^-24.
            let v = m as f32 * (1.0 / 16_777_216.0);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_conversion() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert!(f16_to_f32(0x7c00).is_infinite());
    }

    fn file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut v = (header.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(header.as_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn reads_and_rejects() {
        let data: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let h =
            r#"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#;
        let t = Tensors::parse(Path::new("x"), file(h, &data)).unwrap();
        assert_eq!(t.metadata["k"], "v");
        assert_eq!(t.f32("a", &[2, 2]).unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(t.rows("a", [2, 2], &[1]).unwrap(), vec![3.0, 4.0]);
        assert!(t.f32("a", &[4]).is_err());
        assert!(t.f32("b", &[2, 2]).is_err());
        let h = r#"{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,99]}}"#;
        let t = Tensors::parse(Path::new("x"), file(h, &data)).unwrap();
        assert!(t.f32("a", &[2, 2]).is_err());
        assert!(Tensors::parse(Path::new("x"), vec![255; 12]).is_err());
        assert!(Tensors::parse(Path::new("x"), vec![1, 0]).is_err());
    }
}
