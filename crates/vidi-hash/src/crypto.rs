//! MD5, SHA-1 and SHA-256 in one streaming read.
//!
//! [`MultiHasher`] feeds every block to the three digests on the calling
//! thread. [`digest_reader`] reads a whole stream; for inputs larger than
//! [`PARALLEL_THRESHOLD`] it computes MD5 (the slowest of the three: it has no
//! SIMD or SHA-NI path) on a second thread while the calling thread computes
//! SHA-1 and SHA-256 over the same shared chunks.

use std::io::{ErrorKind, Read};
use std::sync::Arc;
use std::sync::mpsc;

use md5::Md5 as Md5Core;
use sha1::Sha1 as Sha1Core;
use sha2::{Digest, Sha256 as Sha256Core};
use vidi_types::{Cancel, Digests, Md5, Sha1, Sha256};

/// Chunk size for streaming reads.
const CHUNK: usize = 1 << 20;

/// Inputs at least this long use the two-thread path in [`digest_reader`].
pub const PARALLEL_THRESHOLD: usize = 4 << 20;

/// Errors from streaming digests.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// Reading the input failed.
    #[error("reading the input failed after {bytes_read} bytes")]
    Io {
        /// Bytes successfully read before the failure.
        bytes_read: u64,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The caller cancelled the operation.
    #[error("hashing cancelled after {bytes_read} bytes")]
    Cancelled {
        /// Bytes read before cancellation was noticed.
        bytes_read: u64,
    },
}

/// MD5, SHA-1 and SHA-256 computed over the same bytes, single-threaded.
#[derive(Clone, Default)]
pub struct MultiHasher {
    md5: Md5Core,
    sha1: Sha1Core,
    sha256: Sha256Core,
}

impl std::fmt::Debug for MultiHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiHasher").finish_non_exhaustive()
    }
}

impl MultiHasher {
    /// A hasher over the empty input.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed more bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        self.sha1.update(data);
        self.sha256.update(data);
    }

    /// The three digests of everything fed so far.
    pub fn finish(self) -> Digests {
        Digests {
            md5: Md5(self.md5.finalize().into()),
            sha1: Sha1(self.sha1.finalize().into()),
            sha256: Sha256(self.sha256.finalize().into()),
        }
    }
}

/// Fill `buf` as far as possible; returns the number of bytes read (short only
/// at end of input).
fn fill<R: Read>(r: &mut R, buf: &mut [u8], already: u64) -> Result<usize, HashError> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(HashError::Io {
                    bytes_read: already + n as u64,
                    source,
                });
            }
        }
    }
    Ok(n)
}

/// Read `r` to the end and return its MD5, SHA-1 and SHA-256 and the number
/// of bytes read. `cancel` is polled between 1 MiB chunks.
pub fn digest_reader<R: Read>(mut r: R, cancel: &Cancel) -> Result<(Digests, u64), HashError> {
    // Read the head; small inputs are hashed on this thread.
    let mut head = vec![0u8; PARALLEL_THRESHOLD];
    let mut got = 0usize;
    while got < head.len() {
        if cancel.is_cancelled() {
            return Err(HashError::Cancelled {
                bytes_read: got as u64,
            });
        }
        let end = (got + CHUNK).min(head.len());
        let n = fill(&mut r, &mut head[got..end], got as u64)?;
        got += n;
        if got < end {
            let mut h = MultiHasher::new();
            h.update(&head[..got]);
            return Ok((h.finish(), got as u64));
        }
    }
    head.truncate(got);
    digest_parallel(r, head, cancel)
}

/// Two-thread path: MD5 on a helper thread, SHA-1 + SHA-256 here.
fn digest_parallel<R: Read>(
    mut r: R,
    head: Vec<u8>,
    cancel: &Cancel,
) -> Result<(Digests, u64), HashError> {
    let (to_md5, md5_rx) = mpsc::sync_channel::<Arc<Vec<u8>>>(4);
    let (back_tx, back_rx) = mpsc::channel::<Arc<Vec<u8>>>();
    let mut sha1 = Sha1Core::new();
    let mut sha256 = Sha256Core::new();
    let mut total = 0u64;

    std::thread::scope(|s| {
        let worker = s.spawn(move || {
            let mut md5 = Md5Core::new();
            for chunk in md5_rx {
                md5.update(chunk.as_slice());
                // The reader may be gone already; recycling is best effort.
                let _ = back_tx.send(chunk);
            }
            md5.finalize()
        });

        let mut next = Some(head);
        let result = loop {
            let Some(buf) = next.take() else {
                break Ok(());
            };
            if buf.is_empty() {
                break Ok(());
            }
            total += buf.len() as u64;
            let shared = Arc::new(buf);
            if to_md5.send(Arc::clone(&shared)).is_err() {
                // The worker only stops early if it panicked; join reports it.
                break Ok(());
            }
            sha1.update(shared.as_slice());
            sha256.update(shared.as_slice());
            drop(shared);

            if cancel.is_cancelled() {
                break Err(HashError::Cancelled { bytes_read: total });
            }
            let mut buf = back_rx
                .try_recv()
                .ok()
                .and_then(|a| Arc::try_unwrap(a).ok())
                .unwrap_or_default();
            buf.resize(CHUNK, 0);
            match fill(&mut r, &mut buf, total) {
                Ok(n) => {
                    buf.truncate(n);
                    next = Some(buf);
                }
                Err(e) => break Err(e),
            }
        };
        drop(to_md5);
        let md5 = match worker.join() {
            Ok(d) => d,
            Err(p) => std::panic::resume_unwind(p),
        };
        result.map(|()| {
            (
                Digests {
                    md5: Md5(md5.into()),
                    sha1: Sha1(sha1.finalize().into()),
                    sha256: Sha256(sha256.finalize().into()),
                },
                total,
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(data: &[u8]) -> Digests {
        let mut h = MultiHasher::new();
        h.update(data);
        h.finish()
    }

    #[test]
    fn empty_input_known_digests() {
        let (d, n) = digest_reader(&b""[..], &Cancel::new()).unwrap();
        assert_eq!(n, 0);
        assert_eq!(d.md5.to_hex(), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(d.sha1.to_hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            d.sha256.to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn abc_known_digests() {
        let d = reference(b"abc");
        assert_eq!(d.md5.to_hex(), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(d.sha1.to_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            d.sha256.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// A reader that returns data in odd-sized pieces.
    struct Dribble<'a>(&'a [u8], usize);
    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 = (self.1 * 7 + 13) % 70_001 + 1;
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn sizes_around_thresholds_agree() {
        let data: Vec<u8> = (0..(PARALLEL_THRESHOLD + 3 * CHUNK + 17))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        for len in [
            1,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            PARALLEL_THRESHOLD - 1,
            PARALLEL_THRESHOLD,
            PARALLEL_THRESHOLD + 1,
            data.len(),
        ] {
            let (d, n) = digest_reader(Dribble(&data[..len], 0), &Cancel::new()).unwrap();
            assert_eq!(n, len as u64);
            assert_eq!(d, reference(&data[..len]), "len {len}");
        }
    }

    #[test]
    fn cancellation_is_typed() {
        let c = Cancel::new();
        c.cancel();
        let data = [0u8; 10];
        assert!(matches!(
            digest_reader(&data[..], &c),
            Err(HashError::Cancelled { .. })
        ));
        let big = vec![0u8; PARALLEL_THRESHOLD * 2];
        assert!(matches!(
            digest_reader(&big[..], &c),
            Err(HashError::Cancelled { .. })
        ));
    }

    struct Failing(usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("boom"));
            }
            let n = self.0.min(buf.len());
            buf[..n].fill(1);
            self.0 -= n;
            Ok(n)
        }
    }

    #[test]
    fn io_errors_are_reported_with_offset() {
        for len in [100, PARALLEL_THRESHOLD + 5] {
            match digest_reader(Failing(len), &Cancel::new()) {
                Err(HashError::Io { bytes_read, .. }) => assert_eq!(bytes_read, len as u64),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
