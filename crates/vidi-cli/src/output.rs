//! Writing to stdout (data) and stderr (messages). The CLI is the only
//! place in vidi that prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

/// Write one line of data to stdout; errors (a closed pipe) propagate.
pub(crate) fn data(out: &mut impl Write, line: &str) -> std::io::Result<()> {
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")
}

/// A message for the user on stderr.
pub(crate) fn note(msg: &str) {
    eprintln!("{msg}");
}

/// An error message on stderr.
pub(crate) fn error(msg: &str) {
    eprintln!("error: {msg}");
}
