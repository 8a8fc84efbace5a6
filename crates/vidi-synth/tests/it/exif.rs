use std::process::Command;

use vidi_synth::DemoFile;

use crate::shared;

fn jpegs_with_exif() -> Vec<&'static DemoFile> {
    shared()
        .manifest
        .files
        .iter()
        .filter(|f| f.camera.is_some() && f.path.extension().is_some_and(|e| e == "jpg"))
        .collect()
}

fn ascii(e: &exif::Exif, tag: exif::Tag, ifd: exif::In) -> Option<String> {
    match &e.get_field(tag, ifd)?.value {
        exif::Value::Ascii(v) => v.first().map(|s| String::from_utf8_lossy(s).into_owned()),
        _ => None,
    }
}

fn degrees(e: &exif::Exif, tag: exif::Tag, reference: exif::Tag, neg: &str) -> Option<f64> {
    let exif::Value::Rational(r) = &e.get_field(tag, exif::In::PRIMARY)?.value else {
        return None;
    };
    let v = r.first()?.to_f64() + r.get(1)?.to_f64() / 60.0 + r.get(2)?.to_f64() / 3600.0;
    let sign = if ascii(e, reference, exif::In::PRIMARY)? == neg {
        -1.0
    } else {
        1.0
    };
    Some(sign * v)
}

#[test]
fn exif_is_readable_and_matches_the_manifest() {
    let files = jpegs_with_exif();
    assert!(files.len() >= 16, "{}", files.len());
    let mut with_gps = 0;
    for f in files {
        let bytes = std::fs::read(&f.path).expect("read");
        let e = exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(&bytes))
            .unwrap_or_else(|err| panic!("{}: {err}", f.path.display()));
        let (make, model, serial) = f.camera.clone().expect("camera");
        assert_eq!(
            ascii(&e, exif::Tag::Make, exif::In::PRIMARY).as_deref(),
            Some(make.as_str())
        );
        assert_eq!(
            ascii(&e, exif::Tag::Model, exif::In::PRIMARY).as_deref(),
            Some(model.as_str())
        );
        assert_eq!(
            ascii(&e, exif::Tag::BodySerialNumber, exif::In::PRIMARY).as_deref(),
            Some(serial.as_str())
        );
        let taken = f.taken_at.as_deref().expect("taken_at");
        let dto =
            ascii(&e, exif::Tag::DateTimeOriginal, exif::In::PRIMARY).expect("DateTimeOriginal");
        assert_eq!(dto.replace(':', "-")[..10], taken[..10]);
        assert_eq!(dto[11..], taken[11..19]);
        let off = ascii(&e, exif::Tag::OffsetTimeOriginal, exif::In::PRIMARY)
            .expect("OffsetTimeOriginal");
        assert!(taken.ends_with(&off));
        let lat = degrees(&e, exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, "S");
        let lon = degrees(&e, exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef, "W");
        match f.gps {
            Some((mlat, mlon, malt)) => {
                with_gps += 1;
                let (lat, lon) = (lat.expect("lat"), lon.expect("lon"));
                assert!(
                    (lat - mlat).abs() < 1e-9 && (lon - mlon).abs() < 1e-9,
                    "{}",
                    f.path.display()
                );
                let alt = e
                    .get_field(exif::Tag::GPSAltitude, exif::In::PRIMARY)
                    .and_then(|fl| match &fl.value {
                        exif::Value::Rational(r) => r.first().map(|r| r.to_f64()),
                        _ => None,
                    });
                match malt {
                    Some(a) => assert!((alt.expect("alt") - a.abs()).abs() < 1e-9),
                    None => assert!(alt.is_none()),
                }
            }
            None => assert!(lat.is_none() && lon.is_none()),
        }
    }
    assert!(with_gps >= 10, "{with_gps}");
}

#[test]
fn exiftool_agrees_when_installed() {
    if Command::new("exiftool").arg("-ver").output().is_err() {
        println!("SKIP: exiftool not installed");
        return;
    }
    let files: Vec<&DemoFile> = jpegs_with_exif()
        .into_iter()
        .filter(|f| f.gps.is_some())
        .collect();
    let out = Command::new("exiftool")
        .args([
            "-json",
            "-n",
            "-validate",
            "-GPSLatitude",
            "-GPSLongitude",
            "-GPSAltitude",
        ])
        .args(["-SerialNumber", "-OffsetTimeOriginal", "-Warning"])
        .args(files.iter().map(|f| &f.path))
        .output()
        .expect("exiftool runs");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("exiftool json");
    assert_eq!(rows.len(), files.len());
    for (f, row) in files.iter().zip(&rows) {
        assert_eq!(row["SourceFile"].as_str(), f.path.to_str());
        let (lat, lon, alt) = f.gps.expect("gps");
        let num = |k: &str| row[k].as_f64();
        assert!(
            (num("GPSLatitude").expect("lat") - lat).abs() < 1e-6,
            "{row}"
        );
        assert!(
            (num("GPSLongitude").expect("lon") - lon).abs() < 1e-6,
            "{row}"
        );
        assert_eq!(num("GPSAltitude"), alt.map(f64::abs), "{row}");
        let serial = match &row["SerialNumber"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(serial, f.camera.as_ref().expect("camera").2);
        let offset = row["OffsetTimeOriginal"].as_str().expect("offset");
        assert!(f.taken_at.as_deref().is_some_and(|t| t.ends_with(offset)));
        if f.scene == "truncated" {
            assert!(
                row["Warning"].is_string(),
                "a cut-short JPEG is reported: {row}"
            );
        } else {
            // "errors warnings minor-warnings": a clean file has none.
            assert_eq!(row["Validate"].as_str(), Some("0 0 0"), "{row}");
            assert!(row["Warning"].is_null(), "{row}");
        }
    }
    println!("exiftool checked {} files", rows.len());
}
