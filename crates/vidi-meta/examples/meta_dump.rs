//! Print sniff results and metadata of the files given as arguments, as
//! JSON lines: `cargo run -p vidi-meta --example meta_dump -- FILE...`.
#![allow(clippy::print_stdout)]

use std::io::Read;

use vidi_meta::{MetaLimits, SNIFF_LEN, extract, sniff};

fn main() -> std::io::Result<()> {
    for path in std::env::args().skip(1) {
        let mut f = std::fs::File::open(&path)?;
        let mut head = Vec::new();
        (&mut f).take(SNIFF_LEN as u64).read_to_end(&mut head)?;
        let s = sniff(&head);
        let line = match extract(f, s.format, &MetaLimits::default()) {
            Ok(m) => serde_json::json!({
                "path": path, "format": format!("{:?}", s.format), "mime": s.mime,
                "kind": s.kind.as_str(), "meta": m,
            }),
            Err(e) => serde_json::json!({ "path": path, "error": e.to_string() }),
        };
        println!("{line}");
    }
    Ok(())
}
