//! `vidi bench pdq-index`: the PDQ index against a popcount scan on random
//! hashes with planted neighbours.

use std::process::ExitCode;

use crate::args::BenchPdqIndexArgs;

pub(crate) fn run(a: &BenchPdqIndexArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!(
        "bench pdq-index (size {}, queries {}, radius {}) is not built yet",
        a.size,
        a.queries,
        a.radius
    )
}
