//! Sniff + extract over every file of the corpora: no panic, and counts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{corpora, run};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&e.path(), out);
        } else if ft.is_file() {
            out.push(e.path());
        }
    }
}

#[test]
fn every_corpus_file() {
    let Some(dir) = corpora() else { return };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    let (mut exif, mut xmp, mut qt, mut gps, mut warned, mut errors) = (0, 0, 0, 0, 0, 0);
    let mut formats: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        match run(path) {
            Ok((s, m)) => {
                *formats.entry(format!("{:?}", s.format)).or_default() += 1;
                let has = |k: &str| m.raw.get(k).is_some();
                exif += usize::from(has("exif"));
                xmp += usize::from(has("xmp"));
                qt += usize::from(has("quicktime"));
                gps += usize::from(m.gps.is_some());
                warned += usize::from(!m.warnings.is_empty());
            }
            Err(_) => errors += 1,
        }
    }
    println!(
        "corpus: {} files; with EXIF {exif}, XMP {xmp}, QuickTime {qt}, GPS {gps}; \
         with warnings {warned}; unreadable {errors}",
        files.len()
    );
    println!("formats: {formats:?}");
    assert!(files.len() > 100, "corpus unexpectedly small");
    assert!(gps >= 40, "only {gps} files with GPS");
}
