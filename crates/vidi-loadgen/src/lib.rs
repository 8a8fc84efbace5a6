//! Server load benchmark (`vidi bench serve`, `vidi bench seed`).
//!
//! - [`seed`]: builds a realistic synthetic workspace of N media fast
//!   (three agencies, cases of different sizes, media with hashes,
//!   metadata, GPS and small real JPEG thumbnails shared by a few media,
//!   clues, hash-set hits, links and clusters, case grants, users of every
//!   role), writing only through `vidi_store`'s APIs (bulk paths: one
//!   transaction per batch).
//! - [`load`]: a load generator on loopback: many virtual investigators,
//!   each logged in with its own session, loop over a browsing session
//!   (case list, grid pages with filters and cursor pagination, the
//!   thumbnails of a grid screen, a media page and its thumbnail, back to
//!   the grid), either in a tight loop (saturation) or as browsers with
//!   think time, parallel thumbnails and an HTTP cache; latency per
//!   request kind.
//!
//! The generator runs on ONE thread (a current-thread tokio runtime, one
//! HTTP/1.1 keep-alive connection per user), so that it can never take
//! more than one core from the server; its CPU time is measured
//! separately (`/proc/thread-self/stat`) and reported.
#![warn(missing_docs)]

pub mod load;
pub mod seed;

pub use load::{KindStats, LoadError, LoadReport, LoadSpec, run_load};
pub use seed::{SeedError, SeedReport, SeedSpec, SeededCase, SeededUser, seed};

/// A small deterministic generator (SplitMix64): the same seed gives the
/// same workspace and the same browsing sessions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let n = u64::try_from(items.len()).ok()?;
        items.get(usize::try_from(self.below(n)).ok()?)
    }
}
