//! PNG: `eXIf`, and EXIF/XMP carried in `tEXt`/`zTXt`/`iTXt` chunks.

use serde_json::Value;

use crate::bytes::{be_u32, find};
use crate::collect::{Collector, Section};
use crate::{tiff, xmp};

/// Parse the metadata chunks of a PNG held in memory.
pub(crate) fn parse(d: &[u8], c: &mut Collector<'_>) {
    let mut pos = 8;
    while pos < d.len() {
        if !c.tick() {
            return;
        }
        let (Some(len), Some(kind)) = (be_u32(d, pos), d.get(pos + 4..pos + 8)) else {
            c.warn("PNG chunk header truncated".into());
            return;
        };
        let len = len as usize;
        let start = pos + 8;
        let Some(body) = start.checked_add(len).and_then(|e| d.get(start..e)) else {
            c.warn(format!(
                "PNG chunk {} is truncated",
                String::from_utf8_lossy(kind)
            ));
            return;
        };
        match kind {
            b"eXIf" => tiff::parse_exif(body.strip_prefix(b"Exif\0\0").unwrap_or(body), c),
            b"tEXt" => text_chunk(body, false, c),
            b"zTXt" => text_chunk(body, true, c),
            b"iTXt" => itxt(body, c),
            b"IEND" => return,
            _ => {}
        }
        pos = start + len + 4;
    }
}

fn inflate(data: &[u8], c: &mut Collector<'_>) -> Option<Vec<u8>> {
    match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, c.limits.max_inflate_bytes)
    {
        Ok(v) => Some(v),
        Err(_) => {
            c.warn("PNG compressed text chunk does not inflate".into());
            None
        }
    }
}

fn text_chunk(body: &[u8], compressed: bool, c: &mut Collector<'_>) {
    let Some(nul) = body.iter().take(80).position(|&b| b == 0) else {
        c.warn("PNG text chunk without keyword".into());
        return;
    };
    let key = String::from_utf8_lossy(&body[..nul]).into_owned();
    let rest = &body[nul + 1..];
    let value: Vec<u8> = if compressed {
        // One compression-method byte, then zlib data.
        match rest.get(1..).and_then(|z| inflate(z, c)) {
            Some(v) => v,
            None => return,
        }
    } else {
        rest.to_vec()
    };
    keyword_value(&key, &value, c);
}

fn itxt(body: &[u8], c: &mut Collector<'_>) {
    let Some(nul) = body.iter().take(80).position(|&b| b == 0) else {
        return;
    };
    let key = String::from_utf8_lossy(&body[..nul]).into_owned();
    let (Some(&flag), Some(_method)) = (body.get(nul + 1), body.get(nul + 2)) else {
        return;
    };
    let rest = body.get(nul + 3..).unwrap_or(&[]);
    // Language tag and translated keyword, each NUL-terminated.
    let Some(l1) = rest.iter().position(|&b| b == 0) else {
        return;
    };
    let rest = &rest[l1 + 1..];
    let Some(l2) = rest.iter().position(|&b| b == 0) else {
        return;
    };
    let text = &rest[l2 + 1..];
    let value = if flag == 1 {
        match inflate(text, c) {
            Some(v) => v,
            None => return,
        }
    } else {
        text.to_vec()
    };
    keyword_value(&key, &value, c);
}

fn keyword_value(key: &str, value: &[u8], c: &mut Collector<'_>) {
    if key == "XML:com.adobe.xmp" {
        xmp::parse_into(value, c);
        return;
    }
    if let Some(kind) = key.strip_prefix("Raw profile type ") {
        match kind {
            "exif" | "APP1" => match raw_profile(value) {
                Some(bytes) => {
                    if let Some(p) = find(&bytes[..bytes.len().min(64)], b"Exif\0\0") {
                        tiff::parse_exif(&bytes[p + 6..], c);
                    } else if bytes.starts_with(b"http://ns.adobe.com/xap/1.0/\0") {
                        xmp::parse_into(&bytes[29..], c);
                    } else {
                        tiff::parse_exif(&bytes, c);
                    }
                }
                None => c.warn(format!("PNG raw profile {kind} is not valid hex")),
            },
            "xmp" => {
                if let Some(bytes) = raw_profile(value) {
                    xmp::parse_into(&bytes, c);
                }
            }
            _ => {}
        }
        c.raw(
            Section::Png,
            key,
            Value::String(format!("<{} bytes>", value.len())),
        );
        return;
    }
    let text = String::from_utf8_lossy(value).into_owned();
    c.raw(Section::Png, key, Value::String(text));
}

/// ImageMagick raw profile: `\n<name>\n<spaces><decimal length>\n<hex>`.
fn raw_profile(v: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(v).ok()?;
    let mut lines = s.trim_start_matches('\n').splitn(3, '\n');
    let _name = lines.next()?;
    let len: usize = lines.next()?.trim().parse().ok()?;
    let hex = lines.next()?;
    let mut out = Vec::with_capacity(len.min(hex.len() / 2));
    let mut hi: Option<u8> = None;
    for ch in hex.bytes() {
        let nib = match ch {
            b'0'..=b'9' => ch - b'0',
            b'a'..=b'f' => ch - b'a' + 10,
            b'A'..=b'F' => ch - b'A' + 10,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        match hi.take() {
            Some(h) => out.push(h << 4 | nib),
            None => hi = Some(nib),
        }
        if out.len() >= len {
            break;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_profile_hex() {
        assert_eq!(
            raw_profile(b"\nexif\n       4\n45786966\n").as_deref(),
            Some(&b"Exif"[..])
        );
        assert_eq!(raw_profile(b"\nexif\n 2\nzz"), None);
        assert_eq!(raw_profile(b""), None);
    }

    fn chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = (body.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v.extend_from_slice(&[0; 4]);
        v
    }

    #[test]
    fn ztxt_and_itxt() {
        use crate::{Format, MetaLimits, extract_bytes};
        let tiff = b"MM\0*\0\0\0\x08\0\x01\x01\x0f\0\x02\0\0\0\x03ZT\0\0\0\0\0";
        let mut hex = String::new();
        for b in b"Exif\0\0".iter().chain(tiff.iter()) {
            hex.push_str(&format!("{b:02x}"));
        }
        let profile = format!("\nexif\n{:8}\n{hex}\n", tiff.len() + 6);
        let mut z = b"Raw profile type exif\0\0".to_vec();
        z.extend(miniz_oxide::deflate::compress_to_vec_zlib(
            profile.as_bytes(),
            6,
        ));
        let xmp = br#"<x:xmpmeta><rdf:Description aux:SerialNumber="42"/></x:xmpmeta>"#;
        let mut it = b"XML:com.adobe.xmp\0\x01\0\0\0".to_vec();
        it.extend(miniz_oxide::deflate::compress_to_vec_zlib(xmp, 6));
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"zTXt", &z));
        png.extend(chunk(b"iTXt", &it));
        png.extend(chunk(b"IEND", &[]));
        let m = extract_bytes(&png, Format::Png, &MetaLimits::default());
        assert_eq!(m.camera.make.as_deref(), Some("ZT"), "{:?}", m.warnings);
        assert_eq!(m.camera.serial.as_deref(), Some("42"));
        let bomb = MetaLimits {
            max_inflate_bytes: 8,
            ..MetaLimits::default()
        };
        let m = extract_bytes(&png, Format::Png, &bomb);
        assert!(m.camera.make.is_none());
        assert!(!m.warnings.is_empty());
    }
}
