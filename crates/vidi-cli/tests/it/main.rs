//! End-to-end tests of the `vidi` binary: a real process, a real SQLite
//! workspace, real files.
#![allow(clippy::print_stderr, clippy::print_stdout)]

mod clues;
mod corpus;
mod ingest;
mod kill;
mod known;
mod links;
mod models;
mod series;
mod similar;
mod util;
