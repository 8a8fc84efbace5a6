//! Sorted key files: the exact-hash lookup of a hash set.
//!
//! For each hash column a set uses (MD5, SHA-1, SHA-256, PDQ) the import
//! writes `(first 8 bytes of the hash, entry id)` records, sorts them with
//! an external merge sort in bounded memory (runs of [`RUN_RECORDS`]
//! records), and saves one file:
//!
//! ```text
//! magic "VIDIKEY1" | version u32 | reserved u32 | count u64
//! directory: 65,537 u64, start record of each top-16-bit bucket, then count
//! records: count x (key u64, id u32), sorted by (key, id)
//! ```
//!
//! A lookup reads the directory once (512 KiB) and then one bucket (about
//! count / 65,536 records) per key. Keys are prefixes: callers verify every
//! candidate against the full hash stored in the database, so a collision
//! of prefixes never gives a false match. The file is derived data: it is
//! rebuilt from the database when missing or damaged.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::KnownError;

const MAGIC: &[u8; 8] = b"VIDIKEY1";
const VERSION: u32 = 1;
const HEADER: u64 = 24;
const BUCKETS: usize = 1 << 16;
const DIR_BYTES: u64 = (BUCKETS as u64 + 1) * 8;
const RECORD: usize = 12;
/// Records sorted in memory before a run is written (24 MiB).
pub(crate) const RUN_RECORDS: usize = 2 << 20;

/// The 8-byte key of a hash (its first 8 bytes, big-endian, so that byte
/// order and key order agree).
pub(crate) fn key_of(hash: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = hash.len().min(8);
    b[..n].copy_from_slice(&hash[..n]);
    u64::from_be_bytes(b)
}

/// Collects records and writes the sorted file.
#[derive(Debug)]
pub(crate) struct KeyFileWriter {
    path: PathBuf,
    buf: Vec<(u64, u32)>,
    runs: Vec<PathBuf>,
    count: u64,
    run_records: usize,
}

impl KeyFileWriter {
    pub(crate) fn new(path: PathBuf) -> KeyFileWriter {
        Self::with_run_size(path, RUN_RECORDS)
    }

    pub(crate) fn with_run_size(path: PathBuf, run_records: usize) -> KeyFileWriter {
        KeyFileWriter {
            path,
            buf: Vec::new(),
            runs: Vec::new(),
            count: 0,
            run_records: run_records.max(1),
        }
    }

    pub(crate) fn push(&mut self, key: u64, id: u32) -> Result<(), KnownError> {
        self.buf.push((key, id));
        self.count += 1;
        if self.buf.len() >= self.run_records {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<(), KnownError> {
        self.buf.sort_unstable();
        let run = self.path.with_extension(format!("run{}", self.runs.len()));
        let f = File::create(&run).map_err(|e| KnownError::io(&run, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        for (k, id) in self.buf.drain(..) {
            w.write_all(&k.to_le_bytes())
                .and_then(|()| w.write_all(&id.to_le_bytes()))
                .map_err(|e| KnownError::io(&run, e))?;
        }
        w.flush().map_err(|e| KnownError::io(&run, e))?;
        self.runs.push(run);
        Ok(())
    }

    /// True when no key was pushed.
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Give up: remove the run files written so far.
    pub(crate) fn abandon(self) {
        for run in &self.runs {
            let _ = std::fs::remove_file(run);
        }
    }

    /// Sort, merge and write the file (via a temporary name, then renamed).
    pub(crate) fn finish(mut self) -> Result<u64, KnownError> {
        let tmp = self.path.with_extension("keys.tmp");
        let result = self.write(&tmp);
        for run in &self.runs {
            let _ = std::fs::remove_file(run);
        }
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, &self.path).map_err(|e| KnownError::io(&self.path, e))?;
        Ok(self.count)
    }

    fn write(&mut self, tmp: &Path) -> Result<(), KnownError> {
        let io = |e| KnownError::io(tmp, e);
        let f = File::create(tmp).map_err(io)?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        w.seek(SeekFrom::Start(HEADER + DIR_BYTES)).map_err(io)?;
        let mut dir = vec![0u64; BUCKETS + 1];
        let mut put = |w: &mut BufWriter<File>, k: u64, id: u32| -> std::io::Result<()> {
            dir[(k >> 48) as usize + 1] += 1;
            w.write_all(&k.to_le_bytes())?;
            w.write_all(&id.to_le_bytes())
        };
        if self.runs.is_empty() {
            self.buf.sort_unstable();
            for &(k, id) in &self.buf {
                put(&mut w, k, id).map_err(io)?;
            }
        } else {
            if !self.buf.is_empty() {
                self.spill()?;
            }
            let mut readers = Vec::with_capacity(self.runs.len());
            for run in &self.runs {
                let f = File::open(run).map_err(|e| KnownError::io(run, e))?;
                readers.push(BufReader::with_capacity(1 << 18, f));
            }
            let mut heap = BinaryHeap::new();
            for (i, r) in readers.iter_mut().enumerate() {
                if let Some((k, id)) = read_record(r).map_err(io)? {
                    heap.push(Reverse((k, id, i)));
                }
            }
            while let Some(Reverse((k, id, i))) = heap.pop() {
                put(&mut w, k, id).map_err(io)?;
                if let Some((k, id)) = read_record(&mut readers[i]).map_err(io)? {
                    heap.push(Reverse((k, id, i)));
                }
            }
        }
        // Prefix sums: dir[b] = first record of bucket b; dir[BUCKETS] = count.
        for b in 1..=BUCKETS {
            dir[b] += dir[b - 1];
        }
        w.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut head = Vec::with_capacity((HEADER + DIR_BYTES) as usize);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&VERSION.to_le_bytes());
        head.extend_from_slice(&0u32.to_le_bytes());
        head.extend_from_slice(&self.count.to_le_bytes());
        for d in &dir {
            head.extend_from_slice(&d.to_le_bytes());
        }
        w.write_all(&head).map_err(io)?;
        let f = w.into_inner().map_err(|e| io(e.into_error()))?;
        f.sync_all().map_err(io)?;
        Ok(())
    }
}

fn read_record(r: &mut impl Read) -> std::io::Result<Option<(u64, u32)>> {
    let mut b = [0u8; RECORD];
    match r.read_exact(&mut b) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut k = [0u8; 8];
    k.copy_from_slice(&b[..8]);
    let mut id = [0u8; 4];
    id.copy_from_slice(&b[8..]);
    Ok(Some((u64::from_le_bytes(k), u32::from_le_bytes(id))))
}

/// Why a key file cannot be used (matching rebuilds it from the database).
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Reading failed.
    #[error("I/O error")]
    Io(#[from] std::io::Error),
    /// Not a key file, or one of another version.
    #[error("not a key file, or another version")]
    BadHeader,
    /// The directory or the length is inconsistent.
    #[error("damaged directory or length")]
    Damaged,
}

/// An opened key file: the directory in memory, buckets read on demand.
#[derive(Debug)]
pub(crate) struct KeyFile {
    file: File,
    path: PathBuf,
    dir: Vec<u64>,
}

impl KeyFile {
    pub(crate) fn open(path: &Path) -> Result<KeyFile, KeyFileError> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        let mut head = [0u8; HEADER as usize];
        file.read_exact_at(&mut head, 0)
            .map_err(|_| KeyFileError::BadHeader)?;
        if &head[..8] != MAGIC || head[8..12] != VERSION.to_le_bytes() {
            return Err(KeyFileError::BadHeader);
        }
        let mut c = [0u8; 8];
        c.copy_from_slice(&head[16..24]);
        let count = u64::from_le_bytes(c);
        let expected = count
            .checked_mul(RECORD as u64)
            .and_then(|b| b.checked_add(HEADER + DIR_BYTES));
        if expected != Some(len) {
            return Err(KeyFileError::Damaged);
        }
        let mut raw = vec![0u8; DIR_BYTES as usize];
        file.read_exact_at(&mut raw, HEADER)?;
        let dir: Vec<u64> = raw
            .chunks_exact(8)
            .map(|b| {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                u64::from_le_bytes(a)
            })
            .collect();
        let monotone = dir.windows(2).all(|w| w[0] <= w[1]);
        if dir[0] != 0 || dir[BUCKETS] != count || !monotone {
            return Err(KeyFileError::Damaged);
        }
        Ok(KeyFile {
            file,
            path: path.to_path_buf(),
            dir,
        })
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Number of records.
    pub(crate) fn len(&self) -> u64 {
        self.dir[BUCKETS]
    }

    /// The ids stored under `key`, in increasing order.
    pub(crate) fn lookup(&self, key: u64, out: &mut Vec<u32>) -> Result<(), KeyFileError> {
        out.clear();
        let b = (key >> 48) as usize;
        let (start, end) = (self.dir[b], self.dir[b + 1]);
        if start == end {
            return Ok(());
        }
        let n = usize::try_from(end - start).map_err(|_| KeyFileError::Damaged)?;
        let mut raw = vec![0u8; n * RECORD];
        self.file
            .read_exact_at(&mut raw, HEADER + DIR_BYTES + start * RECORD as u64)?;
        for r in raw.chunks_exact(RECORD) {
            let mut k = [0u8; 8];
            k.copy_from_slice(&r[..8]);
            if u64::from_le_bytes(k) == key {
                let mut id = [0u8; 4];
                id.copy_from_slice(&r[8..]);
                out.push(u32::from_le_bytes(id));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn build(dir: &Path, records: &[(u64, u32)], run: usize) -> KeyFile {
        let path = dir.join("x.keys");
        let mut w = KeyFileWriter::with_run_size(path.clone(), run);
        for &(k, id) in records {
            w.push(k, id).unwrap();
        }
        assert_eq!(w.finish().unwrap(), records.len() as u64);
        KeyFile::open(&path).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        /// Every key finds exactly its ids, whatever the run size (in-memory
        /// sort or external merge of many runs).
        #[test]
        fn lookup_finds_exactly_the_pushed_ids(
            keys in proptest::collection::vec(any::<u64>(), 0..300),
            dup in proptest::collection::vec(0usize..300, 0..50),
            run in 1usize..64,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut records: Vec<(u64, u32)> =
                keys.iter().enumerate().map(|(i, &k)| (k, i as u32 + 1)).collect();
            for (j, &d) in dup.iter().enumerate() {
                if let Some(&k) = keys.get(d) {
                    records.push((k, 1000 + j as u32));
                }
            }
            let kf = build(dir.path(), &records, run);
            prop_assert_eq!(kf.len(), records.len() as u64);
            let mut out = Vec::new();
            for &(k, _) in &records {
                kf.lookup(k, &mut out).unwrap();
                let mut want: Vec<u32> =
                    records.iter().filter(|r| r.0 == k).map(|r| r.1).collect();
                want.sort_unstable();
                prop_assert_eq!(&out, &want);
            }
            kf.lookup(0x1234_5678_9abc_def0, &mut out).unwrap();
            prop_assert!(out.iter().all(|id| records.iter().any(|r| r.1 == *id && r.0 == 0x1234_5678_9abc_def0)));
            // No run file is left behind.
            let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
            prop_assert_eq!(left.len(), 1);
        }
    }

    #[test]
    fn damaged_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _ = build(dir.path(), &[(1, 1), (2, 2), (u64::MAX, 3)], 2);
        let path = dir.path().join("x.keys");
        let good = std::fs::read(&path).unwrap();
        // Truncated.
        std::fs::write(&path, &good[..good.len() - 1]).unwrap();
        assert!(matches!(KeyFile::open(&path), Err(KeyFileError::Damaged)));
        // Wrong magic.
        let mut bad = good.clone();
        bad[0] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        assert!(matches!(KeyFile::open(&path), Err(KeyFileError::BadHeader)));
        // Directory not monotone.
        let mut bad = good.clone();
        bad[HEADER as usize + 8 * 5] = 0xff;
        std::fs::write(&path, &bad).unwrap();
        assert!(matches!(KeyFile::open(&path), Err(KeyFileError::Damaged)));
        // Empty file.
        std::fs::write(&path, b"").unwrap();
        assert!(KeyFile::open(&path).is_err());
    }

    #[test]
    fn key_is_big_endian_prefix() {
        assert_eq!(key_of(&[1, 2, 3, 4, 5, 6, 7, 8, 9]), 0x0102_0304_0506_0708);
        assert_eq!(key_of(&[0xff]), 0xff00_0000_0000_0000);
    }
}
