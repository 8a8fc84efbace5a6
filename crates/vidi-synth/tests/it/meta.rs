//! Contract with the project's own reader: vidi-meta sniffs every demo
//! file as the manifest's kind and reads back the GPS, camera and capture
//! time that were written.

use vidi_meta::{MetaLimits, extract, sniff};
use vidi_types::MediaKind;

use crate::shared;

#[test]
fn vidi_meta_reads_what_was_written() {
    let m = &shared().manifest;
    let limits = MetaLimits::default();
    let mut checked = 0;
    for f in &m.files {
        let bytes = std::fs::read(&f.path).expect("read");
        let s = sniff(&bytes);
        if f.scene != "corrupt" {
            assert_eq!(
                s.kind,
                f.kind,
                "{}: sniffed {:?}",
                f.path.display(),
                s.format
            );
        }
        if f.kind == MediaKind::Other || f.scene == "corrupt" {
            continue;
        }
        let meta = extract(std::io::Cursor::new(&bytes), s.format, &limits).expect("extract");
        // vidi-meta reads QuickTime `©xyz` but not (yet) Matroska tags.
        let mkv = f.path.extension().is_some_and(|e| e == "mkv");
        if mkv && meta.gps.is_none() {
            println!(
                "NOTE: vidi-meta reads no location from {}",
                f.path.display()
            );
        }
        if let Some((lat, lon, alt)) = f.gps.filter(|_| !mkv) {
            let g = meta
                .gps
                .as_ref()
                .unwrap_or_else(|| panic!("{}: no GPS read", f.path.display()));
            let (glat, glon) = (g.lat.expect("lat"), g.lon.expect("lon"));
            assert!(
                (glat - lat).abs() < 1e-6 && (glon - lon).abs() < 1e-6,
                "{}: {g:?}",
                f.path.display()
            );
            if let (Some(a), Some(b)) = (alt, g.alt) {
                assert!((a - b).abs() < 1e-6, "{}: {g:?}", f.path.display());
            }
            checked += 1;
        }
        if let Some((make, model, serial)) = &f.camera {
            assert_eq!(
                meta.camera.make.as_deref(),
                Some(make.as_str()),
                "{}",
                f.path.display()
            );
            assert_eq!(
                meta.camera.model.as_deref(),
                Some(model.as_str()),
                "{}",
                f.path.display()
            );
            assert_eq!(
                meta.camera.serial.as_deref(),
                Some(serial.as_str()),
                "{}",
                f.path.display()
            );
        }
        if f.camera.is_some() {
            let taken = f.taken_at.as_deref().expect("taken_at");
            assert_eq!(
                meta.taken_at.as_deref(),
                Some(taken),
                "{}",
                f.path.display()
            );
        }
    }
    println!("vidi-meta agreed on {checked} GPS fixes");
    assert!(checked >= 15, "{checked}");
}
