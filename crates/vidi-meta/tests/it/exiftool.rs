//! Spot checks against ExifTool's expected dumps.

use crate::support::{corpora, run};

#[test]
fn nom_exif_jpeg_matches_dump() {
    let Some(dir) = corpora() else { return };
    let (s, m) = run(&dir.join("nom-exif-testdata/exif.jpg")).expect("exif.jpg");
    assert_eq!(s.format, vidi_meta::Format::Jpeg);
    assert_eq!(m.camera.make.as_deref(), Some("vivo"));
    assert_eq!(m.camera.model.as_deref(), Some("vivo X90 Pro+"));
    assert_eq!(m.taken_at.as_deref(), Some("2023-07-09T20:36:33.616+08:00"));
    assert_eq!(m.offset_time.as_deref(), Some("+08:00"));
}

#[test]
fn quicktime_samples() {
    let Some(dir) = corpora() else { return };
    let (s, m) = run(&dir.join("nom-exif-testdata/meta.mov")).expect("meta.mov");
    assert_eq!(s.format, vidi_meta::Format::Mov);
    assert_eq!(m.camera.model.as_deref(), Some("iPhone X"));
    assert_eq!(m.camera.software.as_deref(), Some("12.1.2"));
    assert_eq!(m.taken_at.as_deref(), Some("2019-02-12T15:27:12+08:00"));
}
