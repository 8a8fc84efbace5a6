//! A small EXIF writer: a little-endian TIFF structure with IFD0, the Exif
//! sub-IFD and the GPS sub-IFD, wrapped in a JPEG APP1 segment.

/// The tags the generator writes.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExifData {
    pub(crate) make: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) serial: Option<String>,
    /// `YYYY:MM:DD HH:MM:SS`.
    pub(crate) datetime: Option<String>,
    /// `+HH:MM`.
    pub(crate) offset: Option<String>,
    /// Latitude, longitude (decimal degrees), altitude (metres).
    pub(crate) gps: Option<(f64, f64, Option<f64>)>,
    /// Pixel width and height of the image.
    pub(crate) dims: Option<(u32, u32)>,
}

const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;
const BYTE: u16 = 1;
const UNDEFINED: u16 = 7;

struct Entry {
    tag: u16,
    typ: u16,
    count: u32,
    data: Vec<u8>,
}

fn ascii(tag: u16, s: &str) -> Entry {
    let mut data: Vec<u8> = s.bytes().filter(|b| b.is_ascii() && *b != 0).collect();
    data.push(0);
    Entry {
        tag,
        typ: ASCII,
        count: data.len() as u32,
        data,
    }
}

fn short(tag: u16, v: u16) -> Entry {
    Entry {
        tag,
        typ: SHORT,
        count: 1,
        data: v.to_le_bytes().to_vec(),
    }
}

fn long(tag: u16, v: u32) -> Entry {
    Entry {
        tag,
        typ: LONG,
        count: 1,
        data: v.to_le_bytes().to_vec(),
    }
}

fn rationals(tag: u16, vals: &[(u32, u32)]) -> Entry {
    let mut data = Vec::with_capacity(vals.len() * 8);
    for (n, d) in vals {
        data.extend_from_slice(&n.to_le_bytes());
        data.extend_from_slice(&d.to_le_bytes());
    }
    Entry {
        tag,
        typ: RATIONAL,
        count: vals.len() as u32,
        data,
    }
}

fn bytes(tag: u16, typ: u16, v: &[u8]) -> Entry {
    Entry {
        tag,
        typ,
        count: v.len() as u32,
        data: v.to_vec(),
    }
}

/// Bytes an IFD occupies including its out-of-line values (each padded to
/// an even length).
fn ifd_size(entries: &[Entry]) -> u32 {
    let extra: usize = entries
        .iter()
        .filter(|e| e.data.len() > 4)
        .map(|e| e.data.len().next_multiple_of(2))
        .sum();
    (2 + 12 * entries.len() + 4 + extra) as u32
}

/// Append an IFD at `out.len()` (which must equal its planned offset,
/// relative to the TIFF header at `out[0]`).
fn write_ifd(out: &mut Vec<u8>, mut entries: Vec<Entry>) {
    entries.sort_by_key(|e| e.tag);
    let start = out.len();
    let mut data_off = start + 2 + 12 * entries.len() + 4;
    let mut data = Vec::new();
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for e in &entries {
        out.extend_from_slice(&e.tag.to_le_bytes());
        out.extend_from_slice(&e.typ.to_le_bytes());
        out.extend_from_slice(&e.count.to_le_bytes());
        if e.data.len() <= 4 {
            let mut v = [0u8; 4];
            v[..e.data.len()].copy_from_slice(&e.data);
            out.extend_from_slice(&v);
        } else {
            out.extend_from_slice(&(data_off as u32).to_le_bytes());
            data.extend_from_slice(&e.data);
            if e.data.len() % 2 == 1 {
                data.push(0);
            }
            data_off += e.data.len().next_multiple_of(2);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    out.extend_from_slice(&data);
}

/// Degrees → (deg/1, min/1, sec×10000/10000), with the value those
/// rationals represent.
pub(crate) fn dms(v: f64) -> ([(u32, u32); 3], f64) {
    let a = v.abs();
    let total = (a * 3600.0 * 10000.0).round() as u64; // in 1/10000 s
    let deg = total / (3600 * 10000);
    let min = (total / (60 * 10000)) % 60;
    let sec = total % (60 * 10000);
    let back = deg as f64 + min as f64 / 60.0 + sec as f64 / 10000.0 / 3600.0;
    (
        [(deg as u32, 1), (min as u32, 1), (sec as u32, 10000)],
        back,
    )
}

/// The coordinates as a reader will decode them from what [`tiff`] writes.
pub(crate) fn quantised_gps(gps: (f64, f64, Option<f64>)) -> (f64, f64, Option<f64>) {
    let (lat, lon, alt) = gps;
    let q = |v: f64| dms(v).1.copysign(v);
    (
        q(lat),
        q(lon),
        alt.map(|a| (a.abs() * 100.0).round() / 100.0 * a.signum()),
    )
}

/// The TIFF structure (starting with `II*\0`).
pub(crate) fn tiff(d: &ExifData) -> Vec<u8> {
    let mut ifd0 = vec![
        short(0x0112, 1),              // Orientation
        rationals(0x011A, &[(72, 1)]), // XResolution
        rationals(0x011B, &[(72, 1)]), // YResolution
        short(0x0128, 2),              // ResolutionUnit: inch
        ascii(0x0131, "vidi-synth"),   // Software
        short(0x0213, 1),              // YCbCrPositioning: centred
    ];
    if let Some(m) = &d.make {
        ifd0.push(ascii(0x010F, m));
    }
    if let Some(m) = &d.model {
        ifd0.push(ascii(0x0110, m));
    }
    if let Some(t) = &d.datetime {
        ifd0.push(ascii(0x0132, t));
    }
    let mut exif = vec![
        bytes(0x9000, UNDEFINED, b"0232"),       // ExifVersion
        bytes(0x9101, UNDEFINED, &[1, 2, 3, 0]), // ComponentsConfiguration: YCbCr
        bytes(0xA000, UNDEFINED, b"0100"),       // FlashpixVersion
        short(0xA001, 1),                        // ColorSpace: sRGB
    ];
    if let Some((w, h)) = d.dims {
        exif.push(long(0xA002, w)); // PixelXDimension
        exif.push(long(0xA003, h)); // PixelYDimension
    }
    if let Some(t) = &d.datetime {
        exif.push(ascii(0x9003, t)); // DateTimeOriginal
        exif.push(ascii(0x9004, t)); // DateTimeDigitized
    }
    if let Some(o) = &d.offset {
        exif.push(ascii(0x9011, o)); // OffsetTimeOriginal
    }
    if let Some(s) = &d.serial {
        exif.push(ascii(0xA431, s)); // BodySerialNumber
    }
    let mut gps = Vec::new();
    if let Some((lat, lon, alt)) = d.gps {
        gps.push(bytes(0x0000, BYTE, &[2, 3, 0, 0]));
        gps.push(ascii(0x0001, if lat < 0.0 { "S" } else { "N" }));
        gps.push(rationals(0x0002, &dms(lat).0));
        gps.push(ascii(0x0003, if lon < 0.0 { "W" } else { "E" }));
        gps.push(rationals(0x0004, &dms(lon).0));
        if let Some(a) = alt {
            gps.push(bytes(0x0005, BYTE, &[u8::from(a < 0.0)]));
            gps.push(rationals(
                0x0006,
                &[((a.abs() * 100.0).round() as u32, 100)],
            ));
        }
    }
    // Plan the offsets: header, IFD0 (with its two pointers), Exif, GPS.
    let pointers = 1 + usize::from(!gps.is_empty());
    let ifd0_off = 8u32;
    let ifd0_len = ifd_size(&ifd0) + 12 * pointers as u32;
    let exif_off = ifd0_off + ifd0_len;
    let gps_off = exif_off + ifd_size(&exif);
    ifd0.push(long(0x8769, exif_off));
    if !gps.is_empty() {
        ifd0.push(long(0x8825, gps_off));
    }
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(b"II");
    out.extend_from_slice(&42u16.to_le_bytes());
    out.extend_from_slice(&ifd0_off.to_le_bytes());
    write_ifd(&mut out, ifd0);
    debug_assert_eq!(out.len() as u32, exif_off);
    write_ifd(&mut out, exif);
    if !gps.is_empty() {
        debug_assert_eq!(out.len() as u32, gps_off);
        write_ifd(&mut out, gps);
    }
    out
}

/// Insert an Exif APP1 segment right after the SOI marker of a JPEG.
/// Returns the input unchanged when it does not start with SOI.
pub(crate) fn insert_into_jpeg(jpeg: &[u8], d: &ExifData) -> Vec<u8> {
    if jpeg.len() < 2 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 {
        return jpeg.to_vec();
    }
    let t = tiff(d);
    let seg_len = 2 + 6 + t.len();
    let Ok(seg_len) = u16::try_from(seg_len) else {
        return jpeg.to_vec();
    };
    let mut out = Vec::with_capacity(jpeg.len() + t.len() + 10);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&seg_len.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&t);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dms_round_trip() {
        let (r, back) = dms(50.8466);
        assert_eq!(r[0], (50, 1));
        assert_eq!(r[1], (50, 1));
        assert!((back - 50.8466).abs() < 1e-7);
        let q = quantised_gps((-23.5505, -46.6333, Some(-3.456)));
        assert!((q.0 + 23.5505).abs() < 1e-7 && (q.1 + 46.6333).abs() < 1e-7);
        assert_eq!(q.2, Some(-3.46));
    }

    #[test]
    fn layout_is_consistent() {
        let d = ExifData {
            make: Some("Canon".into()),
            model: Some("Canon EOS 80D".into()),
            serial: Some("012345678901".into()),
            datetime: Some("2024:03:02 14:31:07".into()),
            offset: Some("+01:00".into()),
            gps: Some((50.8466, 4.3528, Some(76.0))),
            dims: Some((640, 480)),
        };
        let t = tiff(&d);
        assert_eq!(&t[..4], b"II*\0");
        let j = insert_into_jpeg(&[0xFF, 0xD8, 0xFF, 0xD9], &d);
        assert_eq!(&j[2..4], &[0xFF, 0xE1]);
        let len = usize::from(u16::from_be_bytes([j[4], j[5]]));
        assert_eq!(len, t.len() + 8);
        assert_eq!(&j[j.len() - 2..], &[0xFF, 0xD9]);
    }
}
