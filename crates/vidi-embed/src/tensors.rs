//! A minimal reader for safetensors files holding F32 tensors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{EmbedError, TensorProblem};

/// Largest header accepted (the header is JSON; real ones are < 1 MB).
const MAX_HEADER: u64 = 64 << 20;

#[derive(Deserialize)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

/// An opened safetensors file held in memory.
pub(crate) struct Tensors {
    path: PathBuf,
    bytes: Vec<u8>,
    data_start: usize,
    entries: HashMap<String, Entry>,
}

impl Tensors {
    pub(crate) fn open(path: &Path) -> Result<Self, EmbedError> {
        let bytes = std::fs::read(path).map_err(|source| EmbedError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, bytes)
    }

    pub(crate) fn parse(path: &Path, bytes: Vec<u8>) -> Result<Self, EmbedError> {
        let bad = |reason| EmbedError::ModelFormat {
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
            serde_json::from_slice(&bytes[8..data_start]).map_err(|source| {
                EmbedError::ModelJson {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        let mut entries = HashMap::new();
        for (name, value) in header {
            if name == "__metadata__" {
                continue;
            }
            let entry: Entry =
                serde_json::from_value(value).map_err(|source| EmbedError::ModelJson {
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
        })
    }

    fn problem(&self, name: &str, problem: TensorProblem) -> EmbedError {
        EmbedError::Tensor {
            path: self.path.clone(),
            name: name.to_owned(),
            problem,
        }
    }

    /// A whole F32 tensor, checking its shape.
    pub(crate) fn f32(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EmbedError> {
        let e = self
            .entries
            .get(name)
            .ok_or_else(|| self.problem(name, TensorProblem::Missing))?;
        if e.shape != shape {
            return Err(self.problem(name, TensorProblem::Shape));
        }
        if e.dtype != "F32" {
            return Err(self.problem(name, TensorProblem::DType));
        }
        let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        let [start, end] = e.data_offsets;
        let span = self
            .data_start
            .checked_add(start)
            .zip(self.data_start.checked_add(end));
        match (count, span) {
            (Some(n), Some((s, t))) if s <= t && t <= self.bytes.len() && (t - s) == n * 4 => {
                Ok(self.bytes[s..t]
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect())
            }
            _ => Err(self.problem(name, TensorProblem::Offsets)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: &[u8]) -> Vec<u8> {
        let mut v = (header.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(header.as_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn reads_and_rejects() {
        let p = Path::new("x.safetensors");
        let h = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#;
        let mut data = 1.5f32.to_le_bytes().to_vec();
        data.extend_from_slice(&(-2.0f32).to_le_bytes());
        let t = Tensors::parse(p, file(h, &data)).unwrap();
        assert_eq!(t.f32("a", &[2]).unwrap(), vec![1.5, -2.0]);
        assert!(matches!(
            t.f32("a", &[3]),
            Err(EmbedError::Tensor {
                problem: TensorProblem::Shape,
                ..
            })
        ));
        assert!(matches!(
            t.f32("b", &[3]),
            Err(EmbedError::Tensor {
                problem: TensorProblem::Offsets,
                ..
            })
        ));
        assert!(matches!(
            t.f32("c", &[1]),
            Err(EmbedError::Tensor {
                problem: TensorProblem::Missing,
                ..
            })
        ));
        assert!(Tensors::parse(p, vec![1, 2, 3]).is_err());
        assert!(Tensors::parse(p, file("{not json", &[])).is_err());
        let mut huge = u64::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(b"{}");
        assert!(Tensors::parse(p, huge).is_err());
    }
}
