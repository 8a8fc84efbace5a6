//! JPEG: walk the marker segments up to the first scan and hand APP1
//! EXIF and XMP payloads to their parsers.

use crate::bytes::be_u16;
use crate::collect::{Collector, Section};
use crate::{tiff, xmp};

const XMP_SIG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXT_SIG: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

/// True when the marker walk reaches the first scan (or the end of the
/// image, or a structure it cannot follow) within `d`: all metadata
/// segments are then in `d`.
pub(crate) fn reaches_scan(d: &[u8]) -> bool {
    let mut pos = 2;
    loop {
        while d.get(pos) == Some(&0xFF) && d.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (d.get(pos), d.get(pos + 1)) else {
            // Out of data: more is needed. Anything else: broken, stop.
            return pos < d.len();
        };
        pos += 2;
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => continue,
            0xD9 | 0xDA => return true,
            _ => {}
        }
        let Some(len) = be_u16(d, pos).map(usize::from) else {
            return false;
        };
        if len < 2 {
            return true;
        }
        pos += len;
        if pos > d.len() {
            return false;
        }
    }
}

/// Parse the metadata segments of a JPEG held in memory.
pub(crate) fn parse(d: &[u8], c: &mut Collector<'_>) {
    if !d.starts_with(&[0xFF, 0xD8]) {
        c.warn("JPEG does not start with SOI".into());
        return;
    }
    let mut pos = 2;
    let mut exif_blocks = 0;
    loop {
        if !c.tick() {
            return;
        }
        // Skip fill bytes before a marker.
        while d.get(pos) == Some(&0xFF) && d.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (d.get(pos), d.get(pos + 1)) else {
            if pos < d.len() {
                c.warn(format!("JPEG marker expected at offset {pos}"));
            } else {
                c.warn("JPEG ends before its first scan".into());
            }
            return;
        };
        pos += 2;
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => continue,
            0xD9 | 0xDA => return,
            _ => {}
        }
        let Some(len) = be_u16(d, pos).map(usize::from) else {
            c.warn("JPEG segment length truncated".into());
            return;
        };
        if len < 2 {
            c.warn(format!("JPEG segment at offset {pos} has length {len}"));
            return;
        }
        let end = pos + len;
        let body = match d.get(pos + 2..end) {
            Some(b) => b,
            None => {
                c.warn(format!("JPEG segment 0x{marker:02X} is truncated"));
                d.get(pos + 2..).unwrap_or(&[])
            }
        };
        if marker == 0xE1 {
            if let Some(t) = body
                .strip_prefix(b"Exif\0\0")
                .or_else(|| body.strip_prefix(b"Exif\0\xFF"))
            {
                exif_blocks += 1;
                if exif_blocks <= 4 {
                    tiff::parse_exif(t, c);
                }
            } else if let Some(x) = body.strip_prefix(XMP_SIG) {
                xmp::parse_into(x, c);
            } else if body.starts_with(XMP_EXT_SIG) {
                c.raw(
                    Section::Container,
                    "jpeg.ExtendedXMP",
                    serde_json::Value::String(format!("<{} bytes>", body.len())),
                );
            }
        } else if (0xE0..=0xEF).contains(&marker) {
            let id_end = body.iter().take(32).position(|&b| b == 0).unwrap_or(0);
            if id_end > 0 {
                let id = String::from_utf8_lossy(&body[..id_end]).into_owned();
                c.raw(
                    Section::Container,
                    &format!("jpeg.APP{}", marker - 0xE0),
                    serde_json::Value::String(id),
                );
            }
        }
        if end > d.len() {
            return;
        }
        pos = end;
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, MetaLimits, extract_bytes};

    fn seg(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn exif_and_xmp_segments() {
        let mut tiff = b"II*\0\x08\0\0\0\x01\0\x0f\x01\x02\0\x04\0\0\0ACM\0\0\0\0\0".to_vec();
        tiff.truncate(26);
        let mut j = vec![0xFF, 0xD8];
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(&tiff);
        j.extend(seg(0xE1, &exif));
        let mut x = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        x.extend_from_slice(br#"<x:xmpmeta><rdf:Description aux:SerialNumber="777"/></x:xmpmeta>"#);
        j.extend(seg(0xE1, &x));
        j.extend([0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
        let m = extract_bytes(&j, Format::Jpeg, &MetaLimits::default());
        assert_eq!(m.camera.make.as_deref(), Some("ACM"));
        assert_eq!(m.camera.serial.as_deref(), Some("777"));
        for n in 0..j.len() {
            let _ = extract_bytes(&j[..n], Format::Jpeg, &MetaLimits::default());
        }
    }

    #[test]
    fn zero_length_segment_stops() {
        let j = [0xFF, 0xD8, 0xFF, 0xE1, 0, 0, 0xFF, 0xE1, 0, 0];
        let m = extract_bytes(&j, Format::Jpeg, &MetaLimits::default());
        assert!(!m.warnings.is_empty());
    }

    #[test]
    fn scan_detection_and_large_prefix() {
        use super::reaches_scan;
        assert!(!reaches_scan(&[0xFF, 0xD8, 0xFF, 0xE1, 0x10]));
        assert!(reaches_scan(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]));
        assert!(reaches_scan(&[0xFF, 0xD8, 0x00, 0x00]));
        // 40 APP2 segments of 64 KiB (2.5 MiB) before an EXIF APP1: the
        // growing-prefix read must reach it.
        let mut j = vec![0xFF, 0xD8];
        for _ in 0..40 {
            j.extend(seg(0xE2, &vec![0u8; 65_000]));
        }
        let tiff = b"II*\0\x08\0\0\0\x01\0\x0f\x01\x02\0\x04\0\0\0BIG\0\0\0\0\0";
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(tiff);
        j.extend(seg(0xE1, &exif));
        j.extend([0xFF, 0xDA, 0, 2]);
        j.resize(j.len() + 3_000_000, 0x55);
        let m = crate::extract(
            std::io::Cursor::new(&j),
            Format::Jpeg,
            &MetaLimits::default(),
        )
        .unwrap();
        assert_eq!(m.camera.make.as_deref(), Some("BIG"));
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }
}
