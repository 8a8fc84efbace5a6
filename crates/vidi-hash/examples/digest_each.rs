//! Time MD5, SHA-1 and SHA-256 separately over 256 MiB (diagnostics).
#![allow(clippy::print_stdout)]
use sha2::Digest;
use std::time::Instant;

fn time<D: Digest>(name: &str, data: &[u8]) {
    let t = Instant::now();
    let mut d = D::new();
    d.update(data);
    let out = d.finalize();
    let s = t.elapsed().as_secs_f64();
    println!(
        "{name}: {:.0} MB/s ({:02x})",
        data.len() as f64 / s / 1e6,
        out[0]
    );
}

fn main() {
    let data: Vec<u8> = (0..256usize << 20).map(|i| (i * 131 % 251) as u8).collect();
    time::<md5::Md5>("md5", &data);
    time::<sha1::Sha1>("sha1", &data);
    time::<sha2::Sha256>("sha256", &data);
}
