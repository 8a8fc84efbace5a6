//! Integration tests for vidi-media: the PDQ oracles and decoder robustness
//! over the shared corpora, plus synthetic round trips.
#![allow(clippy::print_stdout)]

mod basics;
mod corpus;
mod oracle;
mod robustness;
