//! RIFF containers (WebP, AVI, WAV): `EXIF` and `XMP ` chunks, and the
//! `LIST`/`INFO` text of AVI and WAV.

use serde_json::Value;

use crate::bytes::{find, le_u32, text};
use crate::collect::{Collector, Section};
use crate::{tiff, xmp};

/// Parse the metadata chunks of a RIFF file held in memory.
pub(crate) fn parse(d: &[u8], c: &mut Collector<'_>) {
    if d.len() < 12 {
        c.warn("RIFF header truncated".into());
        return;
    }
    chunks(d, 12, d.len(), 0, c);
}

fn chunks(d: &[u8], mut pos: usize, end: usize, depth: usize, c: &mut Collector<'_>) {
    if depth > c.limits.max_depth {
        c.warn("RIFF lists nested too deep".into());
        return;
    }
    while pos + 8 <= end {
        if !c.tick() {
            return;
        }
        let (Some(id), Some(len)) = (d.get(pos..pos + 4), le_u32(d, pos + 4)) else {
            return;
        };
        let len = len as usize;
        let start = pos + 8;
        let stop = start.saturating_add(len).min(end);
        if start.saturating_add(len) > end {
            c.warn(format!(
                "RIFF chunk {} is truncated",
                String::from_utf8_lossy(id)
            ));
        }
        let body = &d[start..stop];
        match id {
            b"EXIF" => {
                // Some writers keep the JPEG `Exif\0\0` prefix.
                let t = match find(&body[..body.len().min(16)], b"Exif\0\0") {
                    Some(p) => &body[p + 6..],
                    None => body,
                };
                tiff::parse_exif(t, c);
            }
            b"XMP " | b"_PMX" => xmp::parse_into(body, c),
            b"LIST" => {
                let list_type = body.get(..4).unwrap_or(&[]);
                // Only small, metadata-bearing lists are walked; `movi`
                // holds the media data.
                if list_type != b"movi" {
                    chunks(d, start + 4, stop, depth + 1, c);
                }
            }
            _ if depth > 0 && id.first() == Some(&b'I') && body.len() <= 4096 => {
                let key = format!("riff.{}", String::from_utf8_lossy(id));
                c.raw(Section::Container, &key, Value::String(text(body)));
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        pos = start.saturating_add(len).saturating_add(len & 1);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, MetaLimits, extract_bytes};

    #[test]
    fn webp_exif_chunk_and_odd_sizes() {
        let tiff = b"MM\0*\0\0\0\x08\0\x01\x01\x0f\0\x02\0\0\0\x03AB\0\0\0\0\0";
        let mut w = b"RIFF\0\0\0\0WEBP".to_vec();
        w.extend_from_slice(b"ICCP\x03\0\0\0abc\0");
        w.extend_from_slice(b"EXIF");
        w.extend_from_slice(&(tiff.len() as u32).to_le_bytes());
        w.extend_from_slice(tiff);
        let m = extract_bytes(&w, Format::Webp, &MetaLimits::default());
        assert_eq!(m.camera.make.as_deref(), Some("AB"));
        for n in 0..w.len() {
            let _ = extract_bytes(&w[..n], Format::Webp, &MetaLimits::default());
        }
    }
}
