//! The index file: `VIDIANN\0`, format version, header, centroids, lists,
//! then the SHA-256 of everything before it. Little-endian throughout.
//!
//! Header: version u32, dim u32, lists u32 (0 = flat), stored dimension
//! `sdim` u32 (`dim`, or the projection's output), compressed u32 (0 or
//! 1), len u64, trained_at u64, min_train u64, retrain_growth u64,
//! train_per_list u64, iterations u64, seed u64. When compressed: the
//! projection's kept energy f32, its `dim` f32 mean and its `sdim * dim`
//! f32 rows. Then
//! `lists * sdim` f32 centroids; then for each list (one when flat): count
//! u64, `count` u64 ids, then `count * sdim` f32 (plain) or `count * sdim`
//! i8 codes and `count` f32 scales (compressed).
//!
//! Version 1 (no projection) is not read: callers rebuild the index from
//! their vectors (a typed [`AnnError::Version`]), never misread it.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::{AnnError, Index, IndexParams, List, Projection};

const MAGIC: &[u8; 8] = b"VIDIANN\0";
/// The file format version this code writes and reads.
pub const FORMAT_VERSION: u32 = 2;

impl Index {
    /// The index as file bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.memory_bytes() + 128);
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&(self.dim as u32).to_le_bytes());
        b.extend_from_slice(&(self.lists() as u32).to_le_bytes());
        b.extend_from_slice(&(self.sdim as u32).to_le_bytes());
        b.extend_from_slice(&u32::from(self.projection.is_some()).to_le_bytes());
        let p = &self.params;
        for v in [
            self.len,
            self.trained_at,
            p.min_train,
            p.retrain_growth,
            p.train_per_list,
            p.iterations,
        ] {
            b.extend_from_slice(&(v as u64).to_le_bytes());
        }
        b.extend_from_slice(&p.seed.to_le_bytes());
        if let Some(pr) = &self.projection {
            b.extend_from_slice(&pr.energy.to_le_bytes());
            for v in pr.mean.iter().chain(&pr.rows) {
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        for v in &self.centroids {
            b.extend_from_slice(&v.to_le_bytes());
        }
        for l in &self.lists {
            b.extend_from_slice(&(l.ids.len() as u64).to_le_bytes());
            for id in &l.ids {
                b.extend_from_slice(&id.to_le_bytes());
            }
            for v in &l.vecs {
                b.extend_from_slice(&v.to_le_bytes());
            }
            b.extend(l.codes.iter().map(|c| c.to_le_bytes()[0]));
            for v in &l.scales {
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        let sum = Sha256::digest(&b);
        b.extend_from_slice(&sum);
        b
    }

    /// Write the index to `path` (through a temporary file and a rename).
    pub fn save(&self, path: &Path) -> Result<(), AnnError> {
        let io = |source| AnnError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&self.to_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Read and validate an index file.
    pub fn load(path: &Path) -> Result<Index, AnnError> {
        let bytes = std::fs::read(path).map_err(|source| AnnError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Index::from_bytes(path, &bytes)
    }

    /// Parse and validate file bytes; `path` names them in errors.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Index, AnnError> {
        let corrupt = |reason| AnnError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(AnnError::NotAnIndex {
                path: path.to_path_buf(),
            });
        }
        let mut r = Reader { b: bytes, at: 8 };
        let version = r.u32().ok_or(corrupt("truncated header"))?;
        if version != FORMAT_VERSION {
            return Err(AnnError::Version {
                path: path.to_path_buf(),
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        if bytes.len() < 8 + 4 + 32 {
            return Err(corrupt("truncated file"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != sum {
            return Err(AnnError::Checksum {
                path: path.to_path_buf(),
            });
        }
        let mut r = Reader { b: body, at: 12 };
        let t = "truncated header";
        let dim = r.u32().ok_or(corrupt(t))? as usize;
        let nlists = r.u32().ok_or(corrupt(t))? as usize;
        let sdim = r.u32().ok_or(corrupt(t))? as usize;
        let compressed = match r.u32().ok_or(corrupt(t))? {
            0 => false,
            1 => true,
            _ => return Err(corrupt("invalid compression flag")),
        };
        if sdim == 0 || sdim > dim || (!compressed && sdim != dim) {
            return Err(corrupt("stored dimension out of range"));
        }
        let mut h = [0u64; 7];
        for v in &mut h {
            *v = r.u64().ok_or(corrupt(t))?;
        }
        let small = |v: u64| usize::try_from(v).map_err(|_| corrupt("value out of range"));
        let params = IndexParams {
            min_train: small(h[2])?,
            retrain_growth: small(h[3])?,
            train_per_list: small(h[4])?,
            iterations: small(h[5])?,
            seed: h[6],
        };
        let mut idx = Index::new(dim, params).map_err(|_| corrupt("invalid parameters"))?;
        if compressed {
            let energy = r.f32s(1).ok_or(corrupt(t))?[0];
            let mean = r.f32s(dim).ok_or(corrupt("truncated projection"))?;
            let n = sdim
                .checked_mul(dim)
                .ok_or(corrupt("projection out of range"))?;
            let rows = r.f32s(n).ok_or(corrupt("truncated projection"))?;
            if !energy.is_finite() || rows.iter().chain(&mean).any(|v| !v.is_finite()) {
                return Err(corrupt("non-finite values"));
            }
            idx.projection = Some(Projection {
                dim,
                out: sdim,
                mean,
                rows,
                energy,
            });
            idx.sdim = sdim;
        }
        let len = small(h[0])?;
        idx.trained_at = small(h[1])?;
        let n_c = nlists
            .checked_mul(sdim)
            .ok_or(corrupt("centroids out of range"))?;
        idx.centroids = r.f32s(n_c).ok_or(corrupt("truncated centroids"))?;
        let stored_lists = nlists.max(1);
        idx.lists = Vec::with_capacity(stored_lists.min(1 << 16));
        let mut total = 0usize;
        for _ in 0..stored_lists {
            let count = small(r.u64().ok_or(corrupt("truncated list"))?)?;
            let ids = r.u64s(count).ok_or(corrupt("truncated list ids"))?;
            let n = count
                .checked_mul(sdim)
                .ok_or(corrupt("list out of range"))?;
            let mut l = List {
                ids,
                ..List::default()
            };
            if compressed {
                l.codes = r
                    .take(n)
                    .ok_or(corrupt("truncated list codes"))?
                    .iter()
                    .map(|b| i8::from_le_bytes([*b]))
                    .collect();
                l.scales = r.f32s(count).ok_or(corrupt("truncated list scales"))?;
            } else {
                l.vecs = r.f32s(n).ok_or(corrupt("truncated list vectors"))?;
            }
            total = total.saturating_add(count);
            idx.lists.push(l);
        }
        if r.at != body.len() {
            return Err(corrupt("trailing bytes"));
        }
        if total != len {
            return Err(corrupt("vector count does not match the lists"));
        }
        if idx.centroids.iter().any(|v| !v.is_finite())
            || idx
                .lists
                .iter()
                .any(|l| l.vecs.iter().chain(&l.scales).any(|v| !v.is_finite()))
        {
            return Err(corrupt("non-finite values"));
        }
        idx.len = len;
        if nlists > 0 {
            let mut buf = Vec::with_capacity(sdim);
            let mut min_cos = Vec::with_capacity(nlists);
            for (l, c) in idx.lists.iter().zip(idx.centroids.chunks_exact(sdim)) {
                let mut m = 1.0f32;
                for i in 0..l.ids.len() {
                    buf.clear();
                    idx.row(l, i, &mut buf);
                    let n = crate::dot(&buf, &buf).sqrt();
                    if n > 0.0 {
                        m = m.min(crate::dot(&buf, c) / n);
                    }
                }
                min_cos.push(m);
            }
            idx.min_cos = min_cos;
        }
        Ok(idx)
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn u64(&mut self) -> Option<u64> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Some(u64::from_le_bytes(a))
    }
    fn u64s(&mut self, n: usize) -> Option<Vec<u64>> {
        let s = self.take(n.checked_mul(8)?)?;
        Some(
            s.chunks_exact(8)
                .map(|c| {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(c);
                    u64::from_le_bytes(a)
                })
                .collect(),
        )
    }
    fn f32s(&mut self, n: usize) -> Option<Vec<f32>> {
        let s = self.take(n.checked_mul(4)?)?;
        Some(
            s.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }
}
