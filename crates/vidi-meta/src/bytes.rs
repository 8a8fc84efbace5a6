//! Bounds-checked integer reads: every read returns `None` past the end.

pub(crate) fn be_u16(d: &[u8], off: usize) -> Option<u16> {
    let b = d.get(off..off.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

pub(crate) fn be_u32(d: &[u8], off: usize) -> Option<u32> {
    let b = d.get(off..off.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

pub(crate) fn be_u64(d: &[u8], off: usize) -> Option<u64> {
    let b = d.get(off..off.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_be_bytes(a))
}

pub(crate) fn le_u32(d: &[u8], off: usize) -> Option<u32> {
    let b = d.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Read an unsigned big-endian integer of 0, 1, 2, 4 or 8 bytes.
pub(crate) fn be_uint(d: &[u8], off: usize, size: usize) -> Option<u64> {
    match size {
        0 => Some(0),
        1 => d.get(off).map(|&b| u64::from(b)),
        2 => be_u16(d, off).map(u64::from),
        4 => be_u32(d, off).map(u64::from),
        8 => be_u64(d, off),
        _ => None,
    }
}

/// Byte order of a TIFF structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endian {
    Little,
    Big,
}

impl Endian {
    pub(crate) fn u16(self, d: &[u8], off: usize) -> Option<u16> {
        let b = d.get(off..off.checked_add(2)?)?;
        Some(match self {
            Self::Little => u16::from_le_bytes([b[0], b[1]]),
            Self::Big => u16::from_be_bytes([b[0], b[1]]),
        })
    }

    pub(crate) fn u32(self, d: &[u8], off: usize) -> Option<u32> {
        let b = d.get(off..off.checked_add(4)?)?;
        Some(match self {
            Self::Little => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            Self::Big => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        })
    }

    pub(crate) fn u64(self, d: &[u8], off: usize) -> Option<u64> {
        let b = d.get(off..off.checked_add(8)?)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Some(match self {
            Self::Little => u64::from_le_bytes(a),
            Self::Big => u64::from_be_bytes(a),
        })
    }
}

/// Find `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Short hex of a binary blob, or its length when long.
pub(crate) fn blob_json(b: &[u8]) -> serde_json::Value {
    const MAX: usize = 32;
    if b.len() <= MAX {
        let mut s = String::with_capacity(b.len() * 2);
        for x in b {
            s.push_str(&format!("{x:02x}"));
        }
        serde_json::Value::String(s)
    } else {
        serde_json::Value::String(format!("<{} bytes>", b.len()))
    }
}

/// Text from bytes: up to the first NUL, lossy UTF-8, trimmed.
pub(crate) fn text(b: &[u8]) -> String {
    let end = b.iter().position(|&x| x == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded() {
        let d = [1u8, 2, 3];
        assert_eq!(be_u16(&d, 1), Some(0x0203));
        assert_eq!(be_u16(&d, 2), None);
        assert_eq!(be_u32(&d, usize::MAX), None);
        assert_eq!(Endian::Little.u16(&d, 0), Some(0x0201));
        assert_eq!(be_uint(&d, 0, 3), None);
        assert_eq!(find(b"abcdef", b"cd"), Some(2));
        assert_eq!(text(b" Canon\0\0junk"), "Canon");
        assert_eq!(blob_json(&[0xab, 1]), serde_json::json!("ab01"));
    }
}
