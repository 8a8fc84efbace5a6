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
                match hex::decode_to_slice(s, &mut out) {
                    Ok(()) => Ok(Self(out)),
                    Err(_) => Err(HexError {
                        expected: $len * 2,
                        got: s.chars().take(80).collect(),
                    }),
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
