//! Integration tests for vidi-store.

mod common;
mod concurrency;
mod crash;
mod migrate;
mod put;
mod queries;
mod roundtrip;
mod workspace;
