//! A minimal, strict ustar writer and reader.
//!
//! The writer is deterministic: every header is a function of the member's
//! name and size only (mode 0644, owner 0, time 0). The reader accepts only
//! what the writer produces: each header must be byte-for-byte the one the
//! writer would write, padding must be zeros, and the archive must end with
//! exactly two zero blocks. So any changed byte is noticed, even in places
//! other tar readers ignore.

use crate::Problem;

/// Tar block size.
pub(crate) const BLOCK: usize = 512;
/// Longest member name.
pub(crate) const MAX_NAME: usize = 100;
/// Most members an archive may hold.
pub(crate) const MAX_MEMBERS: usize = 10_000;

/// The header the writer produces for a member.
pub(crate) fn header(name: &str, size: u64) -> Option<[u8; BLOCK]> {
    if name.is_empty() || name.len() > MAX_NAME || size >= 1 << 33 {
        return None;
    }
    let mut h = [0u8; BLOCK];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    Some(h)
}

fn pad_len(size: usize) -> usize {
    (BLOCK - size % BLOCK) % BLOCK
}

/// Appends members to an archive in memory.
#[derive(Debug, Default)]
pub(crate) struct TarWriter {
    buf: Vec<u8>,
}

impl TarWriter {
    /// Append one member.
    pub(crate) fn add(&mut self, name: &str, data: &[u8]) -> Option<()> {
        let h = header(name, data.len() as u64)?;
        self.buf.extend_from_slice(&h);
        self.buf.extend_from_slice(data);
        self.buf.resize(self.buf.len() + pad_len(data.len()), 0);
        Some(())
    }

    /// The bytes written so far (no end marker).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Close the archive (two zero blocks).
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.buf.resize(self.buf.len() + 2 * BLOCK, 0);
        self.buf
    }
}

/// One member read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member<'a> {
    /// Its name.
    pub(crate) name: &'a str,
    /// Offset of its header in the archive.
    pub(crate) offset: usize,
    /// Its content.
    pub(crate) data: &'a [u8],
}

fn parse_size(field: &[u8]) -> Option<u64> {
    let digits = field.strip_suffix(b"\0")?;
    if digits.is_empty() || !digits.iter().all(|b| (b'0'..=b'7').contains(b)) {
        return None;
    }
    let s = std::str::from_utf8(digits).ok()?;
    u64::from_str_radix(s, 8).ok()
}

/// Read an archive strictly (see the module documentation).
pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Member<'_>>, Problem> {
    let malformed = |offset: usize, what: &'static str| Problem::Malformed {
        offset: offset as u64,
        what,
    };
    let mut out = Vec::new();
    let mut pos = 0usize;
    loop {
        let Some(block) = bytes.get(pos..pos + BLOCK) else {
            return Err(malformed(pos, "archive ends without its end marker"));
        };
        if block.iter().all(|&b| b == 0) {
            let end = pos + 2 * BLOCK;
            let second = bytes.get(pos + BLOCK..end);
            if !second.is_some_and(|b| b.iter().all(|&x| x == 0)) {
                return Err(malformed(pos + BLOCK, "bad end marker"));
            }
            if bytes.len() != end {
                return Err(malformed(end, "bytes after the end of the archive"));
            }
            return Ok(out);
        }
        if out.len() >= MAX_MEMBERS {
            return Err(malformed(pos, "too many members"));
        }
        let name_end = block[..MAX_NAME]
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(MAX_NAME);
        let name = std::str::from_utf8(&block[..name_end])
            .map_err(|_| malformed(pos, "member name is not UTF-8"))?;
        let size = parse_size(&block[124..136]).ok_or_else(|| malformed(pos, "bad member size"))?;
        let expected = header(name, size).ok_or_else(|| malformed(pos, "bad member header"))?;
        if block != expected {
            return Err(malformed(
                pos,
                "member header differs from the canonical one",
            ));
        }
        let size = usize::try_from(size).map_err(|_| malformed(pos, "member too large"))?;
        let start = pos + BLOCK;
        let end = start
            .checked_add(size)
            .ok_or_else(|| malformed(pos, "member too large"))?;
        let data = bytes
            .get(start..end)
            .ok_or_else(|| malformed(pos, "member runs past the end of the file"))?;
        let padded = end + pad_len(size);
        let pad = bytes
            .get(end..padded)
            .ok_or_else(|| malformed(end, "member padding missing"))?;
        if pad.iter().any(|&b| b != 0) {
            return Err(malformed(end, "member padding is not zero"));
        }
        out.push(Member {
            name,
            offset: pos,
            data,
        });
        pos = padded;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_system_tar_compatible_header() {
        let mut w = TarWriter::default();
        w.add("a.txt", b"hello").unwrap();
        w.add("dir/b.bin", &[7u8; 600]).unwrap();
        w.add("empty", b"").unwrap();
        let bytes = w.finish();
        assert_eq!(bytes.len() % BLOCK, 0);
        let m = read(&bytes).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].name, "a.txt");
        assert_eq!(m[0].data, b"hello");
        assert_eq!(m[1].data.len(), 600);
        assert_eq!(m[2].data, b"");
        // The checksum field is what POSIX tar expects.
        let h = header("a.txt", 5).unwrap();
        let mut copy = h;
        copy[148..156].copy_from_slice(b"        ");
        let sum: u32 = copy.iter().map(|&b| u32::from(b)).sum();
        let field = std::str::from_utf8(&h[148..154]).unwrap();
        assert_eq!(u32::from_str_radix(field, 8).unwrap(), sum);
    }

    #[test]
    fn every_changed_byte_is_refused() {
        let mut w = TarWriter::default();
        w.add("a", b"xyz").unwrap();
        let bytes = w.finish();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            let r = read(&b);
            // Content bytes change the data, not the structure.
            if (BLOCK..BLOCK + 3).contains(&i) {
                assert_ne!(r.unwrap()[0].data, b"xyz");
            } else {
                assert!(r.is_err(), "byte {i}");
            }
        }
        assert!(read(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read(&longer).is_err());
        assert!(read(&[]).is_err());
    }

    #[test]
    fn long_names_are_refused() {
        assert!(header(&"x".repeat(101), 1).is_none());
        assert!(header("", 1).is_none());
    }
}
