//! Integration tests over the shared public corpora.
#![allow(clippy::print_stdout)]

mod corpus;
mod exiftool;
mod gps_index;
mod support;
