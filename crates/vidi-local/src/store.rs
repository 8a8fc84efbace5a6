//! Serialisation of a feature set: a small header, a table of keypoint
//! sizes per pyramid level, then 38 bytes per keypoint (position as
//! 16-bit fractions of the frame, level, orientation in 256 steps, the 32
//! descriptor bytes). Little-endian; every length is checked on reading.

use std::path::Path;

use crate::{Features, Keypoint, LocalError};

const MAGIC: &[u8; 8] = b"VIDILF\0\0";
const VERSION: u32 = 1;
/// Bytes per keypoint.
pub(crate) const KEYPOINT_BYTES: usize = 38;
/// Largest number of keypoints a blob may hold.
const MAX_STORED: usize = 100_000;
/// Largest feature file read.
const MAX_FILE_BYTES: u64 = (MAX_STORED * KEYPOINT_BYTES) as u64 + 4096;

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], LocalError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(LocalError::Corrupt { what: "length" })?;
        let s = self
            .b
            .get(self.at..end)
            .ok_or(LocalError::Corrupt { what: "truncated" })?;
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, LocalError> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&mut self) -> Result<f32, LocalError> {
        Ok(f32::from_bits(self.u32()?))
    }
}

impl Features {
    /// Bytes of [`Features::to_bytes`] per keypoint.
    pub const BYTES_PER_KEYPOINT: usize = KEYPOINT_BYTES;

    /// The level sizes table: size of level `l`'s patches.
    fn level_sizes(&self) -> Vec<f32> {
        let levels = self
            .keypoints
            .iter()
            .map(|k| usize::from(k.level) + 1)
            .max()
            .unwrap_or(0);
        let mut sizes = vec![0f32; levels];
        for k in &self.keypoints {
            sizes[usize::from(k.level)] = k.size;
        }
        sizes
    }

    /// Compact serialisation (positions to 1/65536 of the frame,
    /// orientations to 1/256 of a turn).
    pub fn to_bytes(&self) -> Vec<u8> {
        let sizes = self.level_sizes();
        let mut b = Vec::with_capacity(32 + 4 * sizes.len() + KEYPOINT_BYTES * self.len());
        b.extend_from_slice(MAGIC);
        b.extend(VERSION.to_le_bytes());
        b.extend(self.width.to_le_bytes());
        b.extend(self.height.to_le_bytes());
        b.extend((sizes.len() as u32).to_le_bytes());
        for s in &sizes {
            b.extend(s.to_le_bytes());
        }
        b.extend((self.len() as u32).to_le_bytes());
        let q = |v: f32, n: u32| {
            let t = (v + 0.5) / n.max(1) as f32;
            (t.clamp(0.0, 1.0) * 65535.0).round() as u16
        };
        for (k, d) in self.keypoints.iter().zip(&self.descriptors) {
            b.extend(q(k.x, self.width).to_le_bytes());
            b.extend(q(k.y, self.height).to_le_bytes());
            b.push(k.level);
            let turn = k.angle.rem_euclid(std::f32::consts::TAU) / std::f32::consts::TAU;
            b.push(((turn * 256.0).round() as u32 % 256) as u8);
            for w in d {
                b.extend(w.to_le_bytes());
            }
        }
        b
    }

    /// Reads [`Features::to_bytes`]'s output; anything malformed is an
    /// error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Features, LocalError> {
        let mut r = Reader { b: bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err(LocalError::Magic);
        }
        let v = r.u32()?;
        if v != VERSION {
            return Err(LocalError::Version(v));
        }
        let width = r.u32()?;
        let height = r.u32()?;
        let levels = r.u32()? as usize;
        if levels > 64 {
            return Err(LocalError::Corrupt { what: "levels" });
        }
        let mut sizes = Vec::with_capacity(levels);
        for _ in 0..levels {
            let s = r.f32()?;
            if !(s.is_finite() && s >= 0.0) {
                return Err(LocalError::Corrupt { what: "level size" });
            }
            sizes.push(s);
        }
        let n = r.u32()? as usize;
        if n > MAX_STORED || bytes.len() - r.at != n * KEYPOINT_BYTES {
            return Err(LocalError::Corrupt {
                what: "keypoint count",
            });
        }
        let mut keypoints = Vec::with_capacity(n);
        let mut descriptors = Vec::with_capacity(n);
        let dq = |q: u16, n: u32| f32::from(q) / 65535.0 * n as f32 - 0.5;
        for _ in 0..n {
            let s = r.take(KEYPOINT_BYTES)?;
            let x = u16::from_le_bytes([s[0], s[1]]);
            let y = u16::from_le_bytes([s[2], s[3]]);
            let level = s[4];
            let size = *sizes
                .get(usize::from(level))
                .ok_or(LocalError::Corrupt { what: "level" })?;
            let angle = f32::from(s[5]) / 256.0 * std::f32::consts::TAU;
            let mut d = [0u64; 4];
            for (i, w) in d.iter_mut().enumerate() {
                let o = 6 + 8 * i;
                let mut a = [0u8; 8];
                a.copy_from_slice(&s[o..o + 8]);
                *w = u64::from_le_bytes(a);
            }
            keypoints.push(Keypoint {
                x: dq(x, width),
                y: dq(y, height),
                size,
                angle,
                level,
            });
            descriptors.push(d);
        }
        Ok(Features {
            width,
            height,
            keypoints,
            descriptors,
        })
    }

    /// Writes [`Features::to_bytes`] to `path` (through a temporary file
    /// beside it, renamed into place).
    pub fn write_file(&self, path: &Path) -> Result<(), LocalError> {
        let io = |source| LocalError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        std::fs::write(&tmp, self.to_bytes()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads a file written by [`Features::write_file`] (refused when
    /// larger than any valid feature file).
    pub fn read_file(path: &Path) -> Result<Features, LocalError> {
        let io = |source| LocalError::Io {
            path: path.to_path_buf(),
            source,
        };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > MAX_FILE_BYTES {
            return Err(LocalError::File {
                path: path.to_path_buf(),
                source: Box::new(LocalError::Corrupt { what: "file size" }),
            });
        }
        let b = std::fs::read(path).map_err(io)?;
        Features::from_bytes(&b).map_err(|e| LocalError::File {
            path: path.to_path_buf(),
            source: Box::new(e),
        })
    }
}
