//! The 256-bit PDQ perceptual hash.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::HexError;

/// A 256-bit PDQ hash.
///
/// Stored as 32 bytes in the reference's hex order: `to_hex()` gives the same
/// 64 characters as Meta's C++ and Python implementations print.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PdqHash(pub [u8; 32]);

impl PdqHash {
    /// Lower-case hex, 64 characters, as the reference prints it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parse 64 hex characters.
    pub fn from_hex(s: &str) -> Result<Self, HexError> {
        let s = s.trim();
        let mut out = [0u8; 32];
        if !crate::digest::decode_hex(s.as_bytes(), &mut out) {
            return Err(HexError {
                expected: 64,
                got: s.chars().take(80).collect(),
            });
        }
        Ok(Self(out))
    }

    /// Hamming distance (0..=256).
    pub fn distance(&self, other: &PdqHash) -> u32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    /// The hash as four little-endian-loaded 64-bit words, for popcount
    /// search. Word order and bit order are an internal detail; only
    /// distances computed from them are meaningful.
    pub fn words(&self) -> [u64; 4] {
        let mut w = [0u64; 4];
        for (i, chunk) in self.0.chunks_exact(8).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            w[i] = u64::from_le_bytes(b);
        }
        w
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({})", self.to_hex())
    }
}

impl FromStr for PdqHash {
    type Err = HexError;
    fn from_str(s: &str) -> Result<Self, HexError> {
        Self::from_hex(s)
    }
}

impl Serialize for PdqHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for PdqHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// A PDQ hash with its quality score (0–100; below 50 is not matched).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdqWithQuality {
    /// The hash.
    pub hash: PdqHash,
    /// Quality 0–100.
    pub quality: u8,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn distance_is_a_metric(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), c in any::<[u8; 32]>()) {
            let (a, b, c) = (PdqHash(a), PdqHash(b), PdqHash(c));
            prop_assert_eq!(a.distance(&a), 0);
            prop_assert_eq!(a.distance(&b), b.distance(&a));
            prop_assert!(a.distance(&c) <= a.distance(&b) + b.distance(&c));
            let wa = a.words();
            let wb = b.words();
            let wd: u32 = wa.iter().zip(wb.iter()).map(|(x, y)| (x ^ y).count_ones()).sum();
            prop_assert_eq!(wd, a.distance(&b));
        }

        #[test]
        fn hex_round_trip(a in any::<[u8; 32]>()) {
            let h = PdqHash(a);
            prop_assert_eq!(PdqHash::from_hex(&h.to_hex()).unwrap(), h);
        }
    }
}
