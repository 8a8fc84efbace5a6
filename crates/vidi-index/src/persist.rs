//! On-disk form of a [`PdqIndex`]: a versioned header, the body, a checksum.
//!
//! Layout (all integers little-endian):
//! `b"VIDIPDQI"`, `u32` version (2), `u8` id width in bytes (3 when the count is
//! at most 2^24, else 4), `u8` tables `T` (16: [`Layout::Fast`], 8:
//! [`Layout::Compact`]), `u16` zero, `u64` count, then `count * 32` hash bytes,
//! `T * (2^16 + 1)` `u32` directory offsets, `T * count` `u16` residuals,
//! `T * count` ids of the id width, then a `u64` checksum of everything before it.
//!
//! Loading streams the file once (memory grows only with the bytes present,
//! whatever the header claims), checks the checksum, then checks the tables
//! against the hashes in sequential passes: offsets rise from 0 to the count,
//! residuals are sorted within each bucket, ids are in range, and each table
//! holds exactly the multiset of `(id, substring)` pairs of the hashes
//! (compared through a sum of 64-bit mixes, so a forged file cannot make
//! search read out of bounds, and an inconsistent one is rejected).

use std::io::{self, Read, Write};

use crate::{BUCKETS, Layout, PdqIndex, advise_huge, id_bytes_for};

const MAGIC: &[u8; 8] = b"VIDIPDQI";
const VERSION: u32 = 2;
const HEADER_LEN: usize = 24;
/// Bytes read per step while loading.
const CHUNK: usize = 1 << 20;

/// Why an index file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Reading or writing failed.
    #[error("reading or writing the PDQ index")]
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
    /// The id width is not the one this count needs.
    #[error("PDQ index id width {bytes} bytes does not fit its count")]
    BadIdWidth {
        /// The width in the file.
        bytes: u8,
    },
    /// The table count is not one of a known layout.
    #[error("PDQ index has an unknown layout ({tables} tables)")]
    BadLayout {
        /// The table count in the file.
        tables: u8,
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

/// A 64-bit checksum over four interleaved word lanes (multiply-rotate mix;
/// detects corruption, not tampering). Independent of how the bytes are chunked.
#[derive(Clone)]
struct Checksum {
    lanes: [u64; 4],
    pending: [u8; 32],
    npending: usize,
    len: u64,
}

impl Checksum {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    fn new() -> Self {
        Checksum {
            lanes: [
                0x243F_6A88_85A3_08D3,
                0x1319_8A2E_0370_7344,
                0xA409_3822_299F_31D0,
                0x082E_FA98_EC4E_6C89,
            ],
            pending: [0; 32],
            npending: 0,
            len: 0,
        }
    }

    #[inline]
    fn block(&mut self, b: &[u8]) {
        for (lane, c) in self.lanes.iter_mut().zip(b.chunks_exact(8)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            *lane = (*lane ^ u64::from_le_bytes(w))
                .wrapping_mul(Self::K)
                .rotate_left(29);
        }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.npending > 0 {
            let take = (32 - self.npending).min(bytes.len());
            self.pending[self.npending..self.npending + take].copy_from_slice(&bytes[..take]);
            self.npending += take;
            bytes = &bytes[take..];
            if self.npending < 32 {
                return;
            }
            let p = self.pending;
            self.block(&p);
            self.npending = 0;
        }
        let mut blocks = bytes.chunks_exact(32);
        for b in &mut blocks {
            self.block(b);
        }
        let rest = blocks.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.npending = rest.len();
    }

    fn finish(mut self) -> u64 {
        if self.npending > 0 {
            let mut p = [0u8; 32];
            p[..self.npending].copy_from_slice(&self.pending[..self.npending]);
            self.block(&p);
        }
        let mut h = self.len;
        for l in self.lanes {
            h = (h ^ l).wrapping_mul(Self::K).rotate_left(31);
        }
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

/// A reader that checksums what passes through and counts the bytes read.
struct Reading<R> {
    r: R,
    sum: Checksum,
    got: u64,
    expected: u64,
    buf: Vec<u8>,
}

impl<R: Read> Reading<R> {
    /// Read exactly `len` bytes in chunks, handing each (a multiple of `unit`
    /// bytes) to `f`.
    fn section(
        &mut self,
        len: u64,
        unit: usize,
        mut f: impl FnMut(&[u8]),
    ) -> Result<(), IndexError> {
        let mut left = len;
        let step = (CHUNK / unit * unit) as u64;
        while left > 0 {
            let want = left.min(step) as usize;
            self.buf.resize(want, 0);
            let got = read_full(&mut self.r, &mut self.buf)?;
            self.got += got as u64;
            if got < want {
                return Err(IndexError::Truncated {
                    expected: self.expected,
                    got: self.got,
                });
            }
            self.sum.update(&self.buf);
            f(&self.buf);
            left -= want as u64;
        }
        Ok(())
    }
}

/// A 64-bit mix of an `(id, substring)` pair, summed per table on both sides
/// of the consistency check.
#[inline]
fn pair_mix(t: usize, id: u32, k: u32) -> u64 {
    // One multiply and a fold: non-linear, so sums of mixes tell multisets apart
    // (against accidents and buggy writers; the checksum is not a signature either).
    let h = ((u64::from(id) << 32 | u64::from(k)) ^ (t as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 29)
}

impl PdqIndex {
    /// Write the index (header, hashes, tables, checksum).
    pub fn write_to(&self, w: impl Write) -> io::Result<()> {
        let mut s = Summing {
            w: io::BufWriter::with_capacity(CHUNK, w),
            sum: Checksum::new(),
        };
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&VERSION.to_le_bytes());
        header.push(self.id_bytes as u8);
        header.push(self.layout.tables() as u8);
        header.extend_from_slice(&[0, 0]);
        header.extend_from_slice(&(self.words.len() as u64).to_le_bytes());
        s.put(&header)?;
        let mut buf = Vec::with_capacity(CHUNK);
        for chunk in self.words.chunks(CHUNK / 32) {
            buf.clear();
            for w in chunk {
                for x in w {
                    buf.extend_from_slice(&x.to_le_bytes());
                }
            }
            s.put(&buf)?;
        }
        for chunk in self.offsets.chunks(CHUNK / 4) {
            buf.clear();
            chunk
                .iter()
                .for_each(|x| buf.extend_from_slice(&x.to_le_bytes()));
            s.put(&buf)?;
        }
        for chunk in self.resid.chunks(CHUNK / 2) {
            buf.clear();
            chunk
                .iter()
                .for_each(|x| buf.extend_from_slice(&x.to_le_bytes()));
            s.put(&buf)?;
        }
        // Without the trailing padding.
        let ids_len = self.ids.len().saturating_sub(4);
        for chunk in self.ids[..ids_len].chunks(CHUNK) {
            s.put(chunk)?;
        }
        let sum = s.sum.finish();
        s.w.write_all(&sum.to_le_bytes())?;
        s.w.flush()
    }

    /// Load an index written by [`PdqIndex::write_to`]. A wrong magic, version,
    /// id width, a truncated, corrupt or inconsistent file gives a typed error;
    /// memory grows only with the bytes actually present, whatever the header claims.
    pub fn read_from(mut r: impl Read) -> Result<PdqIndex, IndexError> {
        let mut header = [0u8; HEADER_LEN];
        let got = read_full(&mut r, &mut header)?;
        let m = got.min(MAGIC.len());
        if header[..m] != MAGIC[..m] {
            return Err(IndexError::BadMagic);
        }
        if got < HEADER_LEN {
            return Err(IndexError::Truncated {
                expected: HEADER_LEN as u64,
                got: got as u64,
            });
        }
        let le32 =
            |o: usize| u32::from_le_bytes([header[o], header[o + 1], header[o + 2], header[o + 3]]);
        let version = le32(8);
        if version != VERSION {
            return Err(IndexError::UnsupportedVersion { found: version });
        }
        let id_width = header[12];
        let layout =
            Layout::from_tables(header[13]).ok_or(IndexError::BadLayout { tables: header[13] })?;
        if header[14..16] != [0, 0] {
            return Err(IndexError::BadLayout { tables: header[13] });
        }
        let mut c = [0u8; 8];
        c.copy_from_slice(&header[16..24]);
        let count = u64::from_le_bytes(c);
        if count > u64::from(u32::MAX) {
            return Err(IndexError::TooLarge { count });
        }
        let n = count as usize;
        let id_bytes = id_bytes_for(n);
        if id_width as usize != id_bytes {
            return Err(IndexError::BadIdWidth { bytes: id_width });
        }
        let tables = layout.tables() as u64;
        let n_offsets = layout.tables() * (BUCKETS + 1);
        // count <= u32::MAX, so none of these overflow u64.
        let body_len = count * 32
            + n_offsets as u64 * 4
            + tables * count * 2
            + tables * count * id_bytes as u64;
        let mut rd = Reading {
            r,
            sum: Checksum::new(),
            got: HEADER_LEN as u64,
            expected: HEADER_LEN as u64 + body_len + 8,
            buf: Vec::new(),
        };
        rd.sum.update(&header);
        // Reserve no more than a chunk's worth up front: vectors grow with the data.
        let mut words: Vec<[u64; 4]> = Vec::with_capacity((CHUNK / 32).min(n));
        rd.section(count * 32, 32, |b| {
            let more = b.len() / 32;
            if words.capacity() - words.len() < more {
                // Grow by doubling, and advise the fresh, untouched part for huge pages.
                words.reserve(more.max(words.len()));
                advise_huge(&mut words);
            }
            words.extend(b.chunks_exact(32).map(|h| {
                let mut w = [0u64; 4];
                for (i, c) in h.chunks_exact(8).enumerate() {
                    let mut x = [0u8; 8];
                    x.copy_from_slice(c);
                    w[i] = u64::from_le_bytes(x);
                }
                w
            }));
        })?;
        let mut offsets: Vec<u32> = Vec::with_capacity(n_offsets);
        rd.section(n_offsets as u64 * 4, 4, |b| {
            offsets.extend(
                b.chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
        })?;
        // The hashes are all there now, so the count is backed by data: the
        // tables (at most 3 times the hash bytes) can be reserved whole.
        let mut resid: Vec<u16> = Vec::with_capacity(n * layout.tables());
        advise_huge(&mut resid);
        rd.section(tables * count * 2, 2, |b| {
            resid.extend(b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])));
        })?;
        let mut ids: Vec<u8> = Vec::with_capacity(n * layout.tables() * id_bytes + 4);
        advise_huge(&mut ids);
        rd.section(tables * count * id_bytes as u64, id_bytes, |b| {
            ids.extend_from_slice(b);
        })?;
        ids.extend_from_slice(&[0; 4]);
        let computed = rd.sum.clone().finish();
        let mut sb = [0u8; 8];
        let got = read_full(&mut rd.r, &mut sb)?;
        if got < 8 {
            return Err(IndexError::Truncated {
                expected: rd.expected,
                got: rd.got + got as u64,
            });
        }
        let stored = u64::from_le_bytes(sb);
        if stored != computed {
            return Err(IndexError::ChecksumMismatch { stored, computed });
        }
        let idx = PdqIndex {
            layout,
            words,
            offsets,
            resid,
            ids,
            id_bytes,
        };
        idx.validate()?;
        Ok(idx)
    }

    /// Structural checks so that search can never index out of bounds or miss
    /// (see the module documentation).
    pub(crate) fn validate(&self) -> Result<(), IndexError> {
        let n = self.words.len();
        let inconsistent = |what| Err(IndexError::Inconsistent { what });
        let tables = self.layout.tables();
        if self.offsets.len() != tables * (BUCKETS + 1)
            || self.resid.len() != tables * n
            || self.ids.len() != tables * n * self.id_bytes + 4
        {
            return inconsistent("section sizes");
        }
        // What each table must hold, from one pass over the hashes.
        let mut expected = vec![0u64; tables];
        for (id, w) in self.words.iter().enumerate() {
            for (t, e) in expected.iter_mut().enumerate() {
                let (k, r) = self.layout.halves(w, t);
                *e = e.wrapping_add(pair_mix(t, id as u32, u32::from(k) << 16 | u32::from(r)));
            }
        }
        for (t, &hashes) in expected.iter().enumerate() {
            let off = &self.offsets[t * (BUCKETS + 1)..(t + 1) * (BUCKETS + 1)];
            if off[0] != 0 || off[BUCKETS] as usize != n {
                return inconsistent("table offsets do not span the hashes");
            }
            if off.windows(2).any(|p| p[0] > p[1]) {
                return inconsistent("table offsets decrease");
            }
            let res = &self.resid[t * n..(t + 1) * n];
            let mut entries = 0u64;
            for h in 0..BUCKETS {
                let (lo, hi) = (off[h] as usize, off[h + 1] as usize);
                let bucket = &res[lo..hi];
                if bucket.windows(2).any(|p| p[0] > p[1]) {
                    return inconsistent("residuals unsorted in a bucket");
                }
                for (i, &r) in (lo..hi).zip(bucket) {
                    let id = self.id_at(t, i);
                    if id as usize >= n {
                        return inconsistent("id out of range");
                    }
                    entries =
                        entries.wrapping_add(pair_mix(t, id, (h as u32) << 16 | u32::from(r)));
                }
            }
            if entries != hashes {
                return inconsistent("a table does not list each hash once under its substring");
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
    use vidi_types::PdqHash;

    #[test]
    fn checksum_is_chunking_independent() {
        let data: Vec<u8> = (0..200u8).collect();
        let mut a = Checksum::new();
        a.update(&data);
        for cuts in [[1usize, 7], [24, 100], [31, 33], [0, 199]] {
            let mut b = Checksum::new();
            b.update(&data[..cuts[0]]);
            b.update(&data[cuts[0]..cuts[1]]);
            b.update(&data[cuts[1]..]);
            assert_eq!(a.clone().finish(), b.finish());
        }
        let mut c = Checksum::new();
        c.update(&data[..199]);
        assert_ne!(a.finish(), c.finish());
    }

    fn forged(mutate: impl Fn(&mut PdqIndex)) -> Result<PdqIndex, IndexError> {
        let hashes: Vec<PdqHash> = (0..40u8)
            .map(|i| PdqHash([i.wrapping_mul(37); 32]))
            .collect();
        let mut idx = PdqIndex::build_with(&hashes, Layout::Compact);
        mutate(&mut idx);
        let mut buf = Vec::new();
        idx.write_to(&mut buf).unwrap();
        PdqIndex::read_from(&buf[..])
    }

    #[test]
    fn valid_checksum_but_inconsistent_tables_rejected() {
        assert!(forged(|_| {}).is_ok());
        let bad = [
            // Swap two ids of table 0.
            forged(|i| {
                let (a, b) = (i.ids[0], i.ids[3]);
                i.ids[0] = b;
                i.ids[3] = a;
            }),
            forged(|i| i.ids[5 * 3] = 200),
            forged(|i| i.ids[6 * 3] = i.ids[7 * 3]),
            forged(|i| i.resid[0] ^= 1),
            forged(|i| i.resid.swap(0, 39)),
            forged(|i| i.offsets[1] = 41),
            forged(|i| i.offsets[BUCKETS] = 39),
            forged(|i| i.offsets[BUCKETS + 2] = 3),
        ];
        for r in bad {
            assert!(matches!(r, Err(IndexError::Inconsistent { .. })), "{r:?}");
        }
        // The layout must match the tables.
        let r = forged(|i| i.layout = Layout::Fast);
        assert!(matches!(r, Err(IndexError::Truncated { .. })), "{r:?}");
    }
}
