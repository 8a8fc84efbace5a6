//! Every row of `GPS-INDEX.tsv` (ExifTool's GPS values) must be matched.

use crate::support::{corpora, run};

fn parse_opt(s: &str) -> Option<f64> {
    if s == "-" || s.is_empty() {
        None
    } else {
        s.parse().ok()
    }
}

#[test]
fn gps_index_matches_exiftool() {
    let Some(dir) = corpora() else { return };
    let index = std::fs::read_to_string(dir.join("GPS-INDEX.tsv")).expect("read GPS-INDEX.tsv");
    let mut failures: Vec<String> = Vec::new();
    let mut rows = 0;
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 9 {
            continue;
        }
        rows += 1;
        let path = dir.join(cols[0]);
        let (lat, lon, alt) = (parse_opt(cols[1]), parse_opt(cols[2]), parse_opt(cols[3]));
        let (make, model) = (cols[6], cols[7]);
        let m = match run(&path) {
            Ok((_, m)) => m,
            Err(e) => {
                failures.push(format!("{}\tI/O error: {e}", cols[0]));
                continue;
            }
        };
        let Some(g) = m.gps.as_ref() else {
            failures.push(format!("{}\tno GPS (warnings: {:?})", cols[0], m.warnings));
            continue;
        };
        let close = |want: Option<f64>, got: Option<f64>, tol: f64| match (want, got) {
            (None, None) => true,
            (Some(a), Some(b)) => (a - b).abs() <= tol,
            _ => false,
        };
        let mut why = Vec::new();
        if !close(lat, g.lat, 1e-5) {
            why.push(format!("lat want {lat:?} got {:?}", g.lat));
        }
        if !close(lon, g.lon, 1e-5) {
            why.push(format!("lon want {lon:?} got {:?}", g.lon));
        }
        if alt.is_some() && !close(alt, g.alt, 0.01) {
            why.push(format!("alt want {alt:?} got {:?}", g.alt));
        }
        if make != "-" && m.camera.make.as_deref() != Some(make) {
            why.push(format!("make want {make:?} got {:?}", m.camera.make));
        }
        if model != "-" && m.camera.model.as_deref() != Some(model) {
            why.push(format!("model want {model:?} got {:?}", m.camera.model));
        }
        let dto = cols[5];
        if dto != "-" {
            let got = m
                .taken_at
                .as_deref()
                .map(|t| t.replacen('-', ":", 2).replacen('T', " ", 1));
            if got.as_deref().and_then(|g| g.get(..19)) != dto.get(..19) {
                why.push(format!("taken_at {:?} vs {dto}", m.taken_at));
            }
        }
        if !why.is_empty() {
            failures.push(format!("{}\t{}", cols[0], why.join("; ")));
        }
    }
    println!("GPS-INDEX: {rows} rows, {} failures", failures.len());
    for f in &failures {
        println!("FAIL\t{f}");
    }
    assert!(rows > 0, "GPS-INDEX.tsv has no rows");
    assert!(failures.is_empty(), "{} GPS-INDEX failures", failures.len());
}

#[test]
fn odd_fixes_are_flagged() {
    use vidi_types::GpsFlag;
    let Some(dir) = corpora() else { return };
    let (_, m) = run(&dir.join("pillow-test-images/exif_gps.jpg")).expect("exif_gps.jpg");
    let g = m.gps.expect("fix");
    assert_eq!(g.lat, Some(4_294_967_295.0));
    assert!(g.flags.contains(&GpsFlag::LatOutOfRange), "{:?}", g.flags);
    assert!(g.flags.contains(&GpsFlag::LatWithoutLon));
    assert!(g.flags.contains(&GpsFlag::MissingRef));
    for f in ["exif-rs-tests/yaminabe.tif", "exif-rs-tests/yaminale.tif"] {
        let (_, m) = run(&dir.join(f)).expect(f);
        let g = m.gps.expect("fix");
        assert_eq!((g.lat, g.lon), (Some(10.0), None), "{f}");
        assert!(g.flags.contains(&GpsFlag::LatWithoutLon), "{f}");
    }
}
