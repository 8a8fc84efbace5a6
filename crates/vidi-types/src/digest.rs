//! Cryptographic digest newtypes. Hex is lower-case on output and
//! case-insensitive on input.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A hex string could not be parsed into a fixed-size digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} hex characters, got {got:?}")]
pub struct HexError {
    /// Number of hex characters the digest needs.
    pub expected: usize,
    /// The offending input (truncated to 80 characters).
    pub got: String,
}

/// Value of each byte as a hex digit, 0xff when not one.
const HEX_VALUE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Decode hex (either case) into exactly `out.len()` bytes. False when the
/// length is wrong or a character is not a hex digit. Table-driven: hash
/// lists hold 10^8 hex strings.
pub(crate) fn decode_hex(s: &[u8], out: &mut [u8]) -> bool {
    if s.len() != out.len() * 2 {
        return false;
    }
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        let hi = HEX_VALUE[pair[0] as usize];
        let lo = HEX_VALUE[pair[1] as usize];
        bad |= (hi | lo) & 0xf0;
        *o = (hi << 4) | (lo & 0x0f);
    }
    bad == 0
}

macro_rules! digest_type {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Length of the digest in bytes.
            pub const LEN: usize = $len;

            /// Lower-case hex.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            /// Parse from hex (either case, surrounding whitespace ignored).
            pub fn from_hex(s: &str) -> Result<Self, HexError> {
                let s = s.trim();
                let mut out = [0u8; $len];
                if decode_hex(s.as_bytes(), &mut out) {
                    Ok(Self(out))
                } else {
                    Err(HexError {
                        expected: $len * 2,
                        got: s.chars().take(80).collect(),
                    })
                }
            }

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl FromStr for $name {
            type Err = HexError;
            fn from_str(s: &str) -> Result<Self, HexError> {
                Self::from_hex(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::from_hex(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

digest_type!(
    /// MD5 digest (16 bytes).
    Md5, 16
);
digest_type!(
    /// SHA-1 digest (20 bytes).
    Sha1, 20
);
digest_type!(
    /// SHA-256 digest (32 bytes): the content id of a media.
    Sha256, 32
);

/// The three cryptographic digests computed in one streaming read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    /// MD5.
    pub md5: Md5,
    /// SHA-1.
    pub sha1: Sha1,
    /// SHA-256, the content id.
    pub sha256: Sha256,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_hex_agrees_with_the_hex_crate_on_every_byte_pair() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let s = [a, b];
                let mut ours = [0u8; 1];
                let mut theirs = [0u8; 1];
                let ok = decode_hex(&s, &mut ours);
                let want = hex::decode_to_slice(s, &mut theirs).is_ok();
                assert_eq!(ok, want, "{s:?}");
                if ok {
                    assert_eq!(ours, theirs);
                }
            }
        }
        let mut out = [0u8; 2];
        assert!(!decode_hex(b"abc", &mut out));
        assert!(!decode_hex(b"", &mut out));
    }

    #[test]
    fn hex_round_trip_and_case() {
        let s = "D41D8CD98F00B204E9800998ECF8427E";
        let d = Md5::from_hex(s).unwrap();
        assert_eq!(d.to_hex(), s.to_lowercase());
        assert!(Md5::from_hex("abc").is_err());
        assert!(Sha256::from_hex(s).is_err());
    }

    #[test]
    fn serde_as_hex() {
        let d = Sha1([0xab; 20]);
        let j = serde_json::to_string(&d).unwrap();
        assert_eq!(j, format!("\"{}\"", "ab".repeat(20)));
        let back: Sha1 = serde_json::from_str(&j).unwrap();
        assert_eq!(back, d);
    }
}
