//! Photoshop: EXIF (resource 0x0422) and XMP (0x0424) in the image
//! resources section.

use crate::bytes::be_u32;
use crate::collect::Collector;
use crate::{tiff, xmp};

/// Parse the image resources of a PSD held in memory.
pub(crate) fn parse(d: &[u8], c: &mut Collector<'_>) {
    // 26-byte header, then the colour-mode data section.
    let Some(cm) = be_u32(d, 26).map(|v| v as usize) else {
        c.warn("PSD header truncated".into());
        return;
    };
    let res_at = 30usize.saturating_add(cm);
    let Some(res_len) = be_u32(d, res_at).map(|v| v as usize) else {
        c.warn("PSD resource section is outside the file".into());
        return;
    };
    let start = res_at + 4;
    let end = start.saturating_add(res_len).min(d.len());
    let mut pos = start;
    while pos + 12 <= end {
        if !c.tick() {
            return;
        }
        if d.get(pos..pos + 4) != Some(b"8BIM") {
            c.warn(format!("PSD resource signature missing at offset {pos}"));
            return;
        }
        let id = u16::from_be_bytes([d[pos + 4], d[pos + 5]]);
        // Pascal name, padded to an even length (including its length byte).
        let name_len = usize::from(d[pos + 6]);
        let name_total = (name_len + 2) & !1;
        let size_at = pos + 6 + name_total;
        let Some(size) = be_u32(d, size_at).map(|v| v as usize) else {
            return;
        };
        let body_at = size_at + 4;
        let Some(body) = d.get(body_at..body_at.saturating_add(size).min(end)) else {
            return;
        };
        match id {
            0x0422 => tiff::parse_exif(body.strip_prefix(b"Exif\0\0").unwrap_or(body), c),
            0x0424 => xmp::parse_into(body, c),
            _ => {}
        }
        pos = body_at.saturating_add(size).saturating_add(size & 1);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, MetaLimits, extract_bytes};

    fn resource(id: u16, name: &[u8], body: &[u8]) -> Vec<u8> {
        let mut v = b"8BIM".to_vec();
        v.extend_from_slice(&id.to_be_bytes());
        v.push(name.len() as u8);
        v.extend_from_slice(name);
        if (name.len() + 1) % 2 == 1 {
            v.push(0);
        }
        v.extend_from_slice(&(body.len() as u32).to_be_bytes());
        v.extend_from_slice(body);
        if body.len() % 2 == 1 {
            v.push(0);
        }
        v
    }

    #[test]
    fn exif_and_xmp_resources() {
        let tiff = b"MM\0*\0\0\0\x08\0\x01\x01\x0f\0\x02\0\0\0\x03PS\0\0\0\0\0";
        let xmp = br#"<x:xmpmeta><rdf:Description aux:SerialNumber="9"/></x:xmpmeta>"#;
        let mut res = resource(0x03ED, b"", &[0; 16]);
        res.extend(resource(0x0422, b"ab", tiff));
        res.extend(resource(0x0424, b"", xmp));
        let mut psd = b"8BPS\0\x01".to_vec();
        psd.resize(26, 0);
        psd.extend_from_slice(&0u32.to_be_bytes());
        psd.extend_from_slice(&(res.len() as u32).to_be_bytes());
        psd.extend(res);
        let m = extract_bytes(&psd, Format::Psd, &MetaLimits::default());
        assert_eq!(m.camera.make.as_deref(), Some("PS"), "{:?}", m.warnings);
        assert_eq!(m.camera.serial.as_deref(), Some("9"));
        for n in 0..psd.len() {
            let _ = extract_bytes(&psd[..n], Format::Psd, &MetaLimits::default());
        }
    }
}
