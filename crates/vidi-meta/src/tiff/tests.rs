use crate::MetaLimits;
use vidi_types::GpsFlag;

/// A tiny big-endian TIFF builder: IFDs are laid out in order, values
/// longer than 4 bytes go to a data area after all IFDs.
struct Ifd {
    entries: Vec<(u16, u16, u32, Vec<u8>)>,
}

fn ascii(tag: u16, s: &str) -> (u16, u16, u32, Vec<u8>) {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    (tag, 2, v.len() as u32, v)
}

fn rationals(tag: u16, vals: &[(u32, u32)]) -> (u16, u16, u32, Vec<u8>) {
    let mut v = Vec::new();
    for (n, d) in vals {
        v.extend_from_slice(&n.to_be_bytes());
        v.extend_from_slice(&d.to_be_bytes());
    }
    (tag, 5, vals.len() as u32, v)
}

fn long(tag: u16, x: u32) -> (u16, u16, u32, Vec<u8>) {
    (tag, 4, 1, x.to_be_bytes().to_vec())
}

/// Build a TIFF; `pointers[i] = (ifd index, tag, target ifd index)`
/// patch LONG values to the target IFD's offset. `next[i]` links IFDs.
fn build(ifds: &[Ifd], pointers: &[(usize, u16, usize)], next: &[(usize, usize)]) -> Vec<u8> {
    let mut offsets = Vec::new();
    let mut pos = 8usize;
    for ifd in ifds {
        offsets.push(pos);
        pos += 2 + ifd.entries.len() * 12 + 4;
    }
    let mut out = b"MM\0*".to_vec();
    out.extend_from_slice(&(offsets[0] as u32).to_be_bytes());
    let mut data = Vec::new();
    let data_start = pos;
    for (i, ifd) in ifds.iter().enumerate() {
        out.extend_from_slice(&(ifd.entries.len() as u16).to_be_bytes());
        for (tag, typ, count, val) in &ifd.entries {
            out.extend_from_slice(&tag.to_be_bytes());
            out.extend_from_slice(&typ.to_be_bytes());
            out.extend_from_slice(&count.to_be_bytes());
            let target = pointers
                .iter()
                .find(|(a, t, _)| *a == i && t == tag)
                .map(|(_, _, b)| offsets[*b] as u32);
            if let Some(t) = target {
                out.extend_from_slice(&t.to_be_bytes());
            } else if val.len() <= 4 {
                let mut v = val.clone();
                v.resize(4, 0);
                out.extend_from_slice(&v);
            } else {
                out.extend_from_slice(&((data_start + data.len()) as u32).to_be_bytes());
                data.extend_from_slice(val);
            }
        }
        let n = next
            .iter()
            .find(|(a, _)| *a == i)
            .map_or(0, |(_, b)| offsets[*b] as u32);
        out.extend_from_slice(&n.to_be_bytes());
    }
    out.extend_from_slice(&data);
    out
}

fn sample() -> Vec<u8> {
    let ifd0 = Ifd {
        entries: vec![
            ascii(0x010F, "Canon"),
            ascii(0x0110, "Canon EOS R6"),
            (0x0112, 3, 1, vec![0, 6]),
            ascii(0x0132, "2020:01:02 03:04:05"),
            long(0x8769, 0),
            long(0x8825, 0),
        ],
    };
    let exif = Ifd {
        entries: vec![
            ascii(0x9003, "2020:01:01 10:11:12"),
            ascii(0x9011, "+02:00"),
            ascii(0x9291, "25"),
            ascii(0xA431, "012345678901"),
            ascii(0xA434, "RF24-105mm F4 L IS USM"),
        ],
    };
    let gps = Ifd {
        entries: vec![
            ascii(0x01, "S"),
            rationals(0x02, &[(50, 1), (51, 1), (108, 100)]),
            ascii(0x03, "W"),
            rationals(0x04, &[(4, 1), (2106, 100), (0, 1)]),
            (0x05, 1, 1, vec![1]),
            rationals(0x06, &[(5, 10)]),
            rationals(0x07, &[(14, 1), (27, 1), (724, 100)]),
            ascii(0x1D, "2008:10:23"),
        ],
    };
    build(&[ifd0, exif, gps], &[(0, 0x8769, 1), (0, 0x8825, 2)], &[])
}

#[test]
fn fields_and_gps() {
    let limits = MetaLimits::default();
    let m = crate::extract_exif(&sample(), &limits);
    assert_eq!(m.camera.make.as_deref(), Some("Canon"));
    assert_eq!(m.camera.model.as_deref(), Some("Canon EOS R6"));
    assert_eq!(m.camera.serial.as_deref(), Some("012345678901"));
    assert_eq!(m.camera.lens.as_deref(), Some("RF24-105mm F4 L IS USM"));
    assert_eq!(m.taken_at.as_deref(), Some("2020-01-01T10:11:12.25+02:00"));
    assert_eq!(m.offset_time.as_deref(), Some("+02:00"));
    assert_eq!(m.modified_at.as_deref(), Some("2020-01-02T03:04:05"));
    assert_eq!(m.orientation, Some(6));
    let g = m.gps.unwrap();
    assert!((g.lat.unwrap() + 50.8503).abs() < 1e-9);
    assert!((g.lon.unwrap() + (4.0 + 21.06 / 60.0)).abs() < 1e-9);
    assert_eq!(g.alt, Some(-0.5));
    assert_eq!(g.time.as_deref(), Some("2008-10-23T14:27:07.24Z"));
    assert!(g.flags.is_empty(), "{:?}", g.flags);
    assert_eq!(m.raw["exif"]["IFD0.Make"], "Canon");
    assert_eq!(m.raw["exif"]["GPS.GPSAltitude"], 0.5);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn lat_without_lon_and_missing_ref() {
    let gps = Ifd {
        entries: vec![rationals(0x02, &[(10, 1)])],
    };
    let ifd0 = Ifd {
        entries: vec![long(0x8825, 0)],
    };
    let t = build(&[ifd0, gps], &[(0, 0x8825, 1)], &[]);
    let m = crate::extract_exif(&t, &MetaLimits::default());
    let g = m.gps.unwrap();
    assert_eq!(g.lat, Some(10.0));
    assert_eq!(g.lon, None);
    assert!(g.flags.contains(&GpsFlag::LatWithoutLon));
    assert!(g.flags.contains(&GpsFlag::MissingRef));
}

#[test]
fn zero_denominator_is_malformed() {
    let gps = Ifd {
        entries: vec![
            rationals(0x02, &[(10, 0), (0, 1), (0, 1)]),
            rationals(0x04, &[(10, 1), (0, 1), (0, 1)]),
        ],
    };
    let ifd0 = Ifd {
        entries: vec![long(0x8825, 0)],
    };
    let t = build(&[ifd0, gps], &[(0, 0x8825, 1)], &[]);
    let m = crate::extract_exif(&t, &MetaLimits::default());
    let g = m.gps.unwrap();
    assert_eq!(g.lat, None);
    assert!(g.flags.contains(&GpsFlag::Malformed));
    assert!(g.flags.contains(&GpsFlag::LonWithoutLat));
}

#[test]
fn unusable_coordinates_give_a_warning_not_a_fix() {
    let gps = Ifd {
        entries: vec![rationals(0x02, &[(0, 0), (0, 0), (0, 0)])],
    };
    let ifd0 = Ifd {
        entries: vec![long(0x8825, 0)],
    };
    let t = build(&[ifd0, gps], &[(0, 0x8825, 1)], &[]);
    let m = crate::extract_exif(&t, &MetaLimits::default());
    assert!(m.gps.is_none());
    assert!(m.warnings.iter().any(|w| w.contains("GPS")));
}

#[test]
fn loops_and_self_pointers_terminate() {
    let ifd0 = Ifd {
        entries: vec![ascii(0x010F, "X"), long(0x8769, 0)],
    };
    let ifd1 = Ifd {
        entries: vec![long(0x8769, 0)],
    };
    // IFD0 -> next IFD1 -> next IFD0; both point their Exif IFD at IFD0.
    let t = build(
        &[ifd0, ifd1],
        &[(0, 0x8769, 0), (1, 0x8769, 0)],
        &[(0, 1), (1, 0)],
    );
    let m = crate::extract_exif(&t, &MetaLimits::default());
    assert_eq!(m.camera.make.as_deref(), Some("X"));
    assert!(m.warnings.iter().any(|w| w.contains("loop")));
}

#[test]
fn truncation_at_every_length_never_panics() {
    let t = sample();
    let limits = MetaLimits::default();
    for n in 0..t.len() {
        let _ = crate::extract_exif(&t[..n], &limits);
    }
    // Corrupt every byte in turn.
    for i in 0..t.len() {
        let mut u = t.clone();
        u[i] ^= 0xFF;
        let _ = crate::extract_exif(&u, &limits);
    }
}

#[test]
fn huge_counts_are_bounded() {
    let ifd0 = Ifd {
        entries: vec![(0x0111, 4, u32::MAX, vec![0, 0, 0, 8])],
    };
    let t = build(&[ifd0], &[], &[]);
    let m = crate::extract_exif(&t, &MetaLimits::default());
    assert!(!m.warnings.is_empty());
}
