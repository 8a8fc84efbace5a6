//! GPS helpers: degrees/minutes/seconds, ISO 6709 strings, XMP coordinate
//! strings, and suspicion flags.

use vidi_types::{Gps, GpsFlag};

/// Degrees from 1 to 3 components (degrees, minutes, seconds). Components
/// past the third are ignored. `None` when empty or not finite.
pub fn dms_to_degrees(parts: &[f64]) -> Option<f64> {
    let mut v = 0.0;
    for (p, div) in parts.iter().zip([1.0, 60.0, 3600.0]) {
        v += p / div;
    }
    (!parts.is_empty() && v.is_finite()).then_some(v)
}

/// Apply a hemisphere reference: `S`/`W` negate (a value already negative
/// stays negative), `N`/`E` keep the sign.
pub fn apply_ref(value: f64, reference: u8) -> f64 {
    match reference.to_ascii_uppercase() {
        b'S' | b'W' => -value.abs(),
        _ => value,
    }
}

/// Parse an ISO 6709 point as used by QuickTime (`+50.8503+004.3517/`,
/// `+27.1281+100.2508+000.000/`, `+4051.2-07359.4/`, ...). Returns
/// latitude, longitude and altitude in metres when present.
pub fn parse_iso6709(s: &str) -> Option<(f64, f64, Option<f64>)> {
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    let mut tokens: Vec<&str> = Vec::with_capacity(3);
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && tokens.len() < 3 {
        if !matches!(b[i], b'+' | b'-') {
            break;
        }
        let start = i;
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        tokens.push(&s[start..i]);
    }
    if tokens.len() < 2 {
        return None;
    }
    let lat = iso_component(tokens[0], 2)?;
    let lon = iso_component(tokens[1], 3)?;
    let alt = tokens.get(2).and_then(|t| t.parse::<f64>().ok());
    Some((lat, lon, alt.filter(|a| a.is_finite())))
}

/// One ISO 6709 component with `deg_digits` integer digits for degrees:
/// `±DD.D`, `±DDMM.M` or `±DDMMSS.S`.
fn iso_component(tok: &str, deg_digits: usize) -> Option<f64> {
    let (neg, body) = match tok.as_bytes().first()? {
        b'-' => (true, &tok[1..]),
        b'+' => (false, &tok[1..]),
        _ => (false, tok),
    };
    let int_len = body.find('.').unwrap_or(body.len());
    let frac = &body[int_len..];
    let int = &body[..int_len];
    if int.is_empty() || !int.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let parse = |s: &str| s.parse::<f64>().ok();
    let v = if int_len <= deg_digits {
        parse(body)?
    } else if int_len == deg_digits + 2 {
        let d = parse(&int[..deg_digits])?;
        let m = parse(&format!("{}{frac}", &int[deg_digits..]))?;
        d + m / 60.0
    } else if int_len == deg_digits + 4 {
        let d = parse(&int[..deg_digits])?;
        let m = parse(&int[deg_digits..deg_digits + 2])?;
        let sec = parse(&format!("{}{frac}", &int[deg_digits + 2..]))?;
        d + m / 60.0 + sec / 3600.0
    } else {
        return None;
    };
    v.is_finite().then_some(if neg { -v } else { v })
}

/// Parse an XMP `exif:GPSLatitude`/`GPSLongitude` value: `50,51.018N`,
/// `50,51,1.08N`, or a plain signed decimal. Returns the signed value and
/// whether a hemisphere letter was present.
pub fn parse_xmp_coord(s: &str) -> Option<(f64, bool)> {
    let s = s.trim();
    let last = s.chars().last()?;
    let (body, reference) = if last.is_ascii_alphabetic() {
        (&s[..s.len() - last.len_utf8()], Some(last as u8))
    } else {
        (s, None)
    };
    let parts: Option<Vec<f64>> = body
        .split(',')
        .take(3)
        .map(|p| p.trim().parse::<f64>().ok())
        .collect();
    let parts = parts?;
    let neg = parts.first().is_some_and(|p| p.is_sign_negative());
    let abs: Vec<f64> = parts.iter().map(|p| p.abs()).collect();
    let mut v = dms_to_degrees(&abs)?;
    if neg {
        v = -v;
    }
    if let Some(r) = reference {
        if !matches!(r.to_ascii_uppercase(), b'N' | b'S' | b'E' | b'W') {
            return None;
        }
        v = apply_ref(v, r);
    }
    Some((v, reference.is_some()))
}

/// Add the range and completeness flags to a fix (flags already present
/// are kept).
pub fn apply_flags(g: &mut Gps) {
    let add = |f: GpsFlag, flags: &mut Vec<GpsFlag>| {
        if !flags.contains(&f) {
            flags.push(f);
        }
    };
    let mut flags = std::mem::take(&mut g.flags);
    if let Some(lat) = g.lat {
        if !lat.is_finite() {
            g.lat = None;
            add(GpsFlag::Malformed, &mut flags);
        } else if lat.abs() > 90.0 {
            add(GpsFlag::LatOutOfRange, &mut flags);
        }
    }
    if let Some(lon) = g.lon {
        if !lon.is_finite() {
            g.lon = None;
            add(GpsFlag::Malformed, &mut flags);
        } else if lon.abs() > 180.0 {
            add(GpsFlag::LonOutOfRange, &mut flags);
        }
    }
    if g.alt.is_some_and(|a| !a.is_finite()) {
        g.alt = None;
        add(GpsFlag::Malformed, &mut flags);
    }
    match (g.lat, g.lon) {
        (Some(a), Some(b)) if a == 0.0 && b == 0.0 => add(GpsFlag::ZeroZero, &mut flags),
        (Some(_), None) => add(GpsFlag::LatWithoutLon, &mut flags),
        (None, Some(_)) => add(GpsFlag::LonWithoutLat, &mut flags),
        _ => {}
    }
    g.flags = flags;
}

#[cfg(test)]
mod tests {
    use super::*;
    use vidi_types::GpsSource;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn dms() {
        assert!(close(dms_to_degrees(&[50.0, 51.0, 1.08]).unwrap(), 50.8503));
        assert!(close(dms_to_degrees(&[10.0]).unwrap(), 10.0));
        assert!(close(dms_to_degrees(&[10.0, 30.0]).unwrap(), 10.5));
        assert_eq!(dms_to_degrees(&[]), None);
        assert_eq!(dms_to_degrees(&[1.0, f64::INFINITY]), None);
        assert!(close(apply_ref(4.5, b'W'), -4.5));
        assert!(close(apply_ref(-4.5, b'S'), -4.5));
        assert!(close(apply_ref(4.5, b'N'), 4.5));
    }

    #[test]
    fn iso6709() {
        assert_eq!(
            parse_iso6709("+50.8503+004.3517/"),
            Some((50.8503, 4.3517, None))
        );
        assert_eq!(
            parse_iso6709("+27.1281+100.2508+000.000/"),
            Some((27.1281, 100.2508, Some(0.0)))
        );
        assert_eq!(
            parse_iso6709("-33.8688+151.2093+012.5CRSWGS_84/"),
            Some((-33.8688, 151.2093, Some(12.5)))
        );
        let (lat, lon, _) = parse_iso6709("+4051.5-07359.4/").unwrap();
        assert!(close(lat, 40.0 + 51.5 / 60.0));
        assert!(close(lon, -(73.0 + 59.4 / 60.0)));
        let (lat, lon, _) = parse_iso6709("+405130-0735924/").unwrap();
        assert!(close(lat, 40.0 + 51.0 / 60.0 + 30.0 / 3600.0));
        assert!(close(lon, -(73.0 + 59.0 / 60.0 + 24.0 / 3600.0)));
        assert_eq!(parse_iso6709("+50.85/"), None);
        assert_eq!(parse_iso6709(""), None);
        assert_eq!(parse_iso6709("garbage"), None);
        assert_eq!(parse_iso6709("+1234567890+1/"), None);
    }

    #[test]
    fn xmp_coords() {
        let (v, r) = parse_xmp_coord("50,51.018N").unwrap();
        assert!(close(v, 50.8503) && r);
        let (v, _) = parse_xmp_coord("4,21.102W").unwrap();
        assert!(close(v, -4.3517));
        let (v, _) = parse_xmp_coord("50,51,1.08S").unwrap();
        assert!(close(v, -50.8503));
        assert_eq!(parse_xmp_coord("-12.5"), Some((-12.5, false)));
        assert_eq!(parse_xmp_coord("12,x"), None);
        assert_eq!(parse_xmp_coord("12Q"), None);
        assert_eq!(parse_xmp_coord(""), None);
    }

    #[test]
    fn flags() {
        let mut g = Gps {
            lat: Some(4_294_967_295.0),
            lon: None,
            alt: Some(f64::NAN),
            time: None,
            source: GpsSource::Exif,
            flags: vec![GpsFlag::MissingRef],
        };
        apply_flags(&mut g);
        assert_eq!(
            g.flags,
            vec![
                GpsFlag::MissingRef,
                GpsFlag::LatOutOfRange,
                GpsFlag::Malformed,
                GpsFlag::LatWithoutLon
            ]
        );
        assert_eq!(g.alt, None);
        let mut z = Gps {
            lat: Some(0.0),
            lon: Some(0.0),
            alt: None,
            time: None,
            source: GpsSource::Xmp,
            flags: vec![],
        };
        apply_flags(&mut z);
        assert_eq!(z.flags, vec![GpsFlag::ZeroZero]);
        let mut w = Gps {
            lat: None,
            lon: Some(-200.0),
            ..z.clone()
        };
        w.flags.clear();
        apply_flags(&mut w);
        assert_eq!(
            w.flags,
            vec![GpsFlag::LonOutOfRange, GpsFlag::LonWithoutLat]
        );
    }
}
