//! PDQ (Meta ThreatExchange) perceptual hash.
//!
//! Contract used by other crates (keep these signatures):
//! - `pub fn hash_rgb(rgb: &[u8], width: usize, height: usize) -> vidi_types::PdqWithQuality`
//!   (interleaved 8-bit RGB, row-major, no padding)
//! - `pub fn hash_rgb_dihedral(rgb: &[u8], width: usize, height: usize) -> (Vec<vidi_types::PdqHash>, u8)`
//!   (8 variants in reference order, and the quality)
use vidi_types::{PdqHash, PdqWithQuality};

/// Placeholder until the real implementation lands: returns a zero hash of
/// quality 0 (never matched).
pub fn hash_rgb(_rgb: &[u8], _width: usize, _height: usize) -> PdqWithQuality {
    PdqWithQuality {
        hash: PdqHash::default(),
        quality: 0,
    }
}
