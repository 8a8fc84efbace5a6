//! `digest_file FILE`: MD5, SHA-1 and SHA-256 of a file in one streaming
//! read (two threads for large inputs), for comparing with coreutils.
#![allow(clippy::print_stdout, clippy::print_stderr)]
use vidi_hash::crypto::digest_reader;
use vidi_types::Cancel;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: digest_file FILE");
        std::process::exit(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    match digest_reader(file, &Cancel::new()) {
        Ok((d, n)) => println!("{} {} {} {n} {path}", d.md5, d.sha1, d.sha256),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
