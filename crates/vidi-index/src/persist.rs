//! On-disk form of a [`PdqIndex`]: a versioned header, the body, a checksum.
//!
//! Layout (all integers little-endian):
//! `b"VIDIPDQI"`, `u32` version (1), `u32` substring bits (8 or 16), `u64` count,
//! then `count * 32` hash bytes, `tables * (2^bits + 1)` `u32` offsets,
//! `tables * count` `u32` ids, then a `u64` checksum of everything before it.

use std::io::{self, Read, Write};

use crate::{PdqIndex, SubstringWidth};

const MAGIC: &[u8; 8] = b"VIDIPDQI";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 24;

/// Why an index file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Reading failed.
    #[error("reading the PDQ index")]
    Io(#[from] io::Error),
    /// The file does not start with the index magic.
    #[error("not a vidi PDQ index (bad magic)")]
    BadMagic,
    /// The format version is not one this build reads.
    #[error("unsupported PDQ index version {found}")]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
    },
    /// The substring width is not 8 or 16.
    #[error("unsupported substring width {bits} bits")]
    BadWidth {
        /// The width in the file.
        bits: u32,
    },
    /// The count does not fit the id type.
    #[error("PDQ index claims {count} hashes, more than ids can address")]
    TooLarge {
        /// The count in the file.
        count: u64,
    },
    /// The file ends early.
    #[error("PDQ index truncated: expected {expected} bytes, got {got}")]
    Truncated {
        /// Bytes the header promises (header, body and checksum).
        expected: u64,
        /// Bytes present.
        got: u64,
    },
    /// The checksum does not match the contents.
    #[error("PDQ index checksum mismatch (stored {stored:016x}, computed {computed:016x})")]
    ChecksumMismatch {
        /// Stored checksum.
        stored: u64,
        /// Checksum of the bytes read.
        computed: u64,
    },
    /// The tables are not consistent with the hashes.
    #[error("PDQ index is inconsistent: {what}")]
    Inconsistent {
        /// What failed to check.
        what: &'static str,
    },
}

/// A 64-bit checksum (word-wise multiply-rotate mix; detects corruption, not tampering).
#[derive(Clone, Copy)]
struct Checksum {
    h: u64,
    len: u64,
}

impl Checksum {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    fn new() -> Self {
        Checksum {
            h: 0x243F_6A88_85A3_08D3,
            len: 0,
        }
    }

    /// Feed bytes; callers feed whole multiples of 8 except possibly the last call.
    fn update(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.mix(u64::from_le_bytes(b));
        }
        for &b in chunks.remainder() {
            self.mix(u64::from(b) | 0x100);
        }
        self.len += bytes.len() as u64;
    }

    fn mix(&mut self, x: u64) {
        self.h = (self.h ^ x).wrapping_mul(Self::K).rotate_left(29);
    }

    fn finish(self) -> u64 {
        let mut h = self.h ^ self.len;
        h ^= h >> 33;
        h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 33;
        h
    }
}

/// A writer that checksums what passes through.
struct Summing<W> {
    w: W,
    sum: Checksum,
}

impl<W: Write> Summing<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.sum.update(bytes);
        self.w.write_all(bytes)
    }
}

fn u32s_to_bytes(v: &[u32], buf: &mut Vec<u8>) {
    buf.clear();
    for x in v {
        buf.extend_from_slice(&x.to_le_bytes());
    }
}

impl PdqIndex {
    /// Write the index (header, hashes, tables, checksum).
    pub fn write_to(&self, w: impl Write) -> io::Result<()> {
        let mut s = Summing {
            w: io::BufWriter::new(w),
            sum: Checksum::new(),
        };
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&VERSION.to_le_bytes());
        header.extend_from_slice(&self.width.bits().to_le_bytes());
        header.extend_from_slice(&(self.words.len() as u64).to_le_bytes());
        s.put(&header)?;
        let mut buf = Vec::with_capacity(1 << 16);
        for chunk in self.words.chunks(2048) {
            buf.clear();
            for w in chunk {
                for x in w {
                    buf.extend_from_slice(&x.to_le_bytes());
                }
            }
            s.put(&buf)?;
        }
        for chunk in self.offsets.chunks(1 << 14) {
            u32s_to_bytes(chunk, &mut buf);
            s.put(&buf)?;
        }
        for chunk in self.ids.chunks(1 << 14) {
            u32s_to_bytes(chunk, &mut buf);
            s.put(&buf)?;
        }
        let sum = s.sum.finish();
        s.w.write_all(&sum.to_le_bytes())?;
        s.w.flush()
    }

    /// Load an index written by [`PdqIndex::write_to`]. A wrong magic, version,
    /// width, a truncated or corrupt file gives a typed error; memory grows only
    /// with the bytes actually present, whatever the header claims.
    pub fn read_from(mut r: impl Read) -> Result<PdqIndex, IndexError> {
        let mut header = [0u8; HEADER_LEN];
        let got = read_full(&mut r, &mut header)?;
        if got < HEADER_LEN {
            let m = got.min(MAGIC.len());
            if header[..m] != MAGIC[..m] {
                return Err(IndexError::BadMagic);
            }
            return Err(IndexError::Truncated {
                expected: HEADER_LEN as u64,
                got: got as u64,
            });
        }
        if &header[..8] != MAGIC {
            return Err(IndexError::BadMagic);
        }
        let le32 =
            |o: usize| u32::from_le_bytes([header[o], header[o + 1], header[o + 2], header[o + 3]]);
        let version = le32(8);
        if version != VERSION {
            return Err(IndexError::UnsupportedVersion { found: version });
        }
        let bits = le32(12);
        let width = SubstringWidth::from_bits(bits).ok_or(IndexError::BadWidth { bits })?;
        let mut c = [0u8; 8];
        c.copy_from_slice(&header[16..24]);
        let count = u64::from_le_bytes(c);
        if count > u64::from(u32::MAX) {
            return Err(IndexError::TooLarge { count });
        }
        let n = count as usize;
        let tables = width.tables();
        let n_offsets = tables * (width.buckets() + 1);
        // count <= u32::MAX, so these fit u64 comfortably.
        let body_len = count * 32 + n_offsets as u64 * 4 + tables as u64 * count * 4;
        let total = HEADER_LEN as u64 + body_len + 8;
        let mut body = Vec::new();
        (&mut r).take(body_len + 8).read_to_end(&mut body)?;
        if (body.len() as u64) < body_len + 8 {
            return Err(IndexError::Truncated {
                expected: total,
                got: HEADER_LEN as u64 + body.len() as u64,
            });
        }
        let (content, tail) = body.split_at(body.len() - 8);
        let mut sum = Checksum::new();
        sum.update(&header);
        // Feed in the same chunking as the writer: every chunk but the last is a
        // multiple of 8 bytes there too, so one call gives the same result.
        sum.update(content);
        let computed = sum.finish();
        let mut sb = [0u8; 8];
        sb.copy_from_slice(tail);
        let stored = u64::from_le_bytes(sb);
        if stored != computed {
            return Err(IndexError::ChecksumMismatch { stored, computed });
        }

        let (hash_bytes, rest) = content.split_at(n * 32);
        let (off_bytes, id_bytes) = rest.split_at(n_offsets * 4);
        let words: Vec<[u64; 4]> = hash_bytes
            .chunks_exact(32)
            .map(|h| {
                let mut w = [0u64; 4];
                for (i, c) in h.chunks_exact(8).enumerate() {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(c);
                    w[i] = u64::from_le_bytes(b);
                }
                w
            })
            .collect();
        let to_u32 = |b: &[u8]| -> Vec<u32> {
            b.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        let offsets = to_u32(off_bytes);
        let ids = to_u32(id_bytes);
        drop(body);
        let idx = PdqIndex {
            width,
            words,
            offsets,
            ids,
        };
        idx.validate()?;
        Ok(idx)
    }

    /// Structural checks so that search can never index out of bounds or miss:
    /// offsets rise from 0 to `len` per table, and each table lists exactly the
    /// ids whose substring falls in each bucket.
    fn validate(&self) -> Result<(), IndexError> {
        let n = self.words.len();
        let buckets = self.width.buckets();
        for t in 0..self.width.tables() {
            let off = &self.offsets[t * (buckets + 1)..(t + 1) * (buckets + 1)];
            if off[0] != 0 || off[buckets] as usize != n {
                return Err(IndexError::Inconsistent {
                    what: "table offsets do not span the hashes",
                });
            }
            if off.windows(2).any(|p| p[0] > p[1]) {
                return Err(IndexError::Inconsistent {
                    what: "table offsets decrease",
                });
            }
            let tid = &self.ids[t * n..(t + 1) * n];
            let mut seen = vec![false; n];
            for b in 0..buckets {
                for &id in &tid[off[b] as usize..off[b + 1] as usize] {
                    let Some(w) = self.words.get(id as usize) else {
                        return Err(IndexError::Inconsistent {
                            what: "id out of range",
                        });
                    };
                    if crate::key(self.width, w, t) != b || seen[id as usize] {
                        return Err(IndexError::Inconsistent {
                            what: "id in the wrong bucket or listed twice",
                        });
                    }
                    seen[id as usize] = true;
                }
            }
        }
        Ok(())
    }
}

/// Read until `buf` is full or end of input; returns bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_chunking_independent_for_word_multiples() {
        let data: Vec<u8> = (0..100u8).collect();
        let mut a = Checksum::new();
        a.update(&data);
        let mut b = Checksum::new();
        b.update(&data[..24]);
        b.update(&data[24..]);
        assert_eq!(a.finish(), b.finish());
    }

    fn forged(mutate: impl Fn(&mut PdqIndex)) -> Result<PdqIndex, IndexError> {
        let hashes: Vec<vidi_types::PdqHash> = (0..40u8)
            .map(|i| vidi_types::PdqHash([i.wrapping_mul(37); 32]))
            .collect();
        let mut idx = PdqIndex::build_with(&hashes, SubstringWidth::Bits8);
        mutate(&mut idx);
        let mut buf = Vec::new();
        idx.write_to(&mut buf).unwrap();
        PdqIndex::read_from(&buf[..])
    }

    #[test]
    fn valid_checksum_but_inconsistent_tables_rejected() {
        assert!(forged(|_| {}).is_ok());
        let bad = [
            forged(|i| i.ids.swap(0, 39)),
            forged(|i| i.ids[5] = 1000),
            forged(|i| i.ids[6] = i.ids[7]),
            forged(|i| i.offsets[1] = 41),
            forged(|i| i.offsets[256] = 39),
        ];
        for r in bad {
            assert!(matches!(r, Err(IndexError::Inconsistent { .. })), "{r:?}");
        }
    }
}
