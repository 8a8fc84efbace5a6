//! Integration tests of vidi-known: a real workspace, real ingest of
//! synthetic images, real hash lists written to disk.

mod export;
mod support;
mod workflow;
