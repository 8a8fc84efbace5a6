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

/// Values of the lines of an ExifTool `.out` dump whose description is
/// one of `names` (`[Group...] Tag - Description: Value`).
fn out_values(out: &str, names: &[&str]) -> Vec<String> {
    out.lines()
        .filter_map(|l| {
            let (_, rest) = l.split_once("] ")?;
            let (_, desc_val) = rest.split_once(" - ")?;
            let (desc, val) = desc_val.split_once(": ")?;
            names.contains(&desc).then(|| val.trim().to_string())
        })
        .collect()
}

#[test]
fn serials_and_dates_match_exiftool_dumps() {
    let Some(dir) = corpora() else { return };
    let t = dir.join("exiftool-t");
    let cases = [
        ("Canon1DmkIII.jpg", "Canon_2.out"),
        ("OlympusE1.jpg", "Olympus_4.out"),
        ("Olympus2.jpg", "Olympus_6.out"),
        ("Sigma.jpg", "Sigma_2.out"),
        ("DNG.dng", "DNG_2.out"),
        ("GoPro.jpg", "GoPro_2.out"),
        ("Apple.jpg", "Apple_2.out"),
        ("Nikon.jpg", "Nikon_2.out"),
    ];
    let mut checked = 0;
    let mut failures = Vec::new();
    for (image, out) in cases {
        let Ok(dump) = std::fs::read_to_string(t.join(out)) else {
            println!("no {out}; skipped");
            continue;
        };
        let (_, m) = run(&t.join("images").join(image)).expect(image);
        let serials = out_values(
            &dump,
            &[
                "Serial Number",
                "Camera Serial Number",
                "Body Serial Number",
            ],
        );
        if !serials.is_empty() {
            checked += 1;
            if !m
                .camera
                .serial
                .as_ref()
                .is_some_and(|s| serials.contains(s))
            {
                failures.push(format!(
                    "{image}: serial {:?} not in {serials:?}",
                    m.camera.serial
                ));
            }
        }
        let dto = out_values(&dump, &["Date/Time Original"]);
        if let Some(want) = dto
            .iter()
            .find(|d| d.len() >= 19 && d.as_bytes()[4] == b':')
        {
            checked += 1;
            let got = m
                .taken_at
                .as_deref()
                .map(|t| t.replacen('-', ":", 2).replacen('T', " ", 1));
            if got.as_deref().map(|g| &g[..19]) != Some(&want[..19]) {
                failures.push(format!("{image}: taken_at {:?} vs {want}", m.taken_at));
            }
        }
        let make = out_values(&dump, &["Make"]);
        if let Some(want) = make.first() {
            checked += 1;
            if m.camera.make.as_deref() != Some(want.as_str()) {
                failures.push(format!("{image}: make {:?} vs {want}", m.camera.make));
            }
        }
    }
    println!(
        "exiftool dumps: {checked} values checked, {} failures",
        failures.len()
    );
    for f in &failures {
        println!("FAIL\t{f}");
    }
    assert!(checked >= 15, "only {checked} values checked");
    assert!(failures.is_empty());
}
