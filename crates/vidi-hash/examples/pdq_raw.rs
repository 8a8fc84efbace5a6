//! Hash raw interleaved RGB8 files: `pdq_raw WIDTH HEIGHT FILE...`.
//! Prints `hex,quality` per file with both luma roundings, and the dihedral
//! hashes; used to cross-check the core against other implementations.
#![allow(clippy::print_stdout)]
use vidi_hash::pdq::{LumaRounding, hash_rgb_dihedral_with, hash_rgb_with};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        println!("usage: pdq_raw WIDTH HEIGHT FILE...");
        return;
    }
    let (Ok(w), Ok(h)) = (args[1].parse::<usize>(), args[2].parse::<usize>()) else {
        println!("bad size");
        return;
    };
    for f in &args[3..] {
        let Ok(rgb) = std::fs::read(f) else {
            println!("{f}: unreadable");
            continue;
        };
        let r = hash_rgb_with(&rgb, w, h, LumaRounding::Reference);
        let n = hash_rgb_with(&rgb, w, h, LumaRounding::Numpy);
        let (d, _) = hash_rgb_dihedral_with(&rgb, w, h, LumaRounding::Numpy);
        let d: Vec<String> = d.iter().map(|x| x.to_hex()).collect();
        println!(
            "{f},{},{},{},{},{}",
            r.hash,
            r.quality,
            n.hash,
            n.quality,
            d.join(":")
        );
    }
}
