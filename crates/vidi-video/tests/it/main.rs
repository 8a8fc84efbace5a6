//! Integration tests for vidi-video: the reference vPDQ sample hashes, the
//! corpus video index, and small videos generated with ffmpeg.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod agreement;
mod common;
mod generated;
mod index;
