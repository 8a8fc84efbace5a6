//! Streaming cryptographic digests, PDQ perceptual hashing (with dihedral
//! variants) and the vPDQ video match rule.
//!
//! Pure computation: no file system access beyond a caller-supplied reader.
#![warn(missing_docs)]

pub mod crypto;
mod jarosz;
pub mod pdq;
pub mod vpdq;
