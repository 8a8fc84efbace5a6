//! A small tolerant XMP scanner: collects `prefix:Name` properties from
//! attributes and simple elements, without a full XML parser.

use vidi_types::{Gps, GpsSource};

use crate::bytes::find;
use crate::collect::{Collector, Section, set};
use crate::{datetime, gps};

/// Most XMP packets parsed per file.
const MAX_PACKETS: usize = 8;
/// Deepest element nesting tracked.
const MAX_STACK: usize = 64;

/// Properties of an XMP packet in document order, `(qualified name, value)`.
pub(crate) fn properties(text: &str, max: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut stack: Vec<&str> = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && out.len() < max {
        let Some(lt) = b[i..].iter().position(|&c| c == b'<') else {
            break;
        };
        let start = i + lt;
        let rest = &text[start..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(b.len(), |p| start + p + 3);
            continue;
        }
        if rest.starts_with("<?") || rest.starts_with("<!") {
            i = rest.find('>').map_or(b.len(), |p| start + p + 1);
            continue;
        }
        let Some(gt) = rest.find('>') else { break };
        let tag = &rest[1..gt];
        i = start + gt + 1;
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            if let Some(p) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(p);
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let name = &tag[..name_end];
        attributes(&tag[name_end..], &mut out, max);
        if self_closing {
            continue;
        }
        if stack.len() < MAX_STACK {
            stack.push(name);
        }
        // Simple text content: `<ns:Name>text</ns:Name>` or an rdf:li.
        let after = &text[i..];
        let Some(next_lt) = after.find('<') else {
            break;
        };
        let content = after[..next_lt].trim();
        if !content.is_empty() && after[next_lt..].starts_with("</") {
            let owner = if name.starts_with("rdf:") {
                stack.iter().rev().find(|n| !n.starts_with("rdf:")).copied()
            } else {
                Some(name)
            };
            if let Some(owner) = owner.filter(|o| o.contains(':')) {
                out.push((owner.to_string(), unescape(content)));
            }
        }
    }
    out
}

fn attributes(mut s: &str, out: &mut Vec<(String, String)>, max: usize) {
    while out.len() < max {
        s = s.trim_start();
        let Some(eq) = s.find('=') else { return };
        let name = s[..eq].trim();
        let after = s[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return;
        };
        let Some(end) = after[1..].find(q) else {
            return;
        };
        let value = &after[1..1 + end];
        if name.contains(':')
            && !name.starts_with("xmlns")
            && !name.starts_with("rdf:")
            && !name.starts_with("xml:")
            && !name.starts_with("x:")
        {
            out.push((name.to_string(), unescape(value)));
        }
        s = &after[end + 2..];
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let tail = &rest[p..];
        let Some(semi) = tail.find(';').filter(|&x| x <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let ent = &tail[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=semi]),
        }
        rest = &tail[semi + 1..];
    }
    out.push_str(rest);
    out
}

/// Parse one XMP packet into the collector.
pub(crate) fn parse_into(data: &[u8], c: &mut Collector<'_>) {
    if c.xmp_packets >= MAX_PACKETS {
        return;
    }
    c.xmp_packets += 1;
    let text = decode(data);
    let props = properties(&text, c.limits.max_raw_tags);
    if props.is_empty() {
        c.warn("XMP packet without properties".into());
        return;
    }
    let get = |names: &[&str]| -> Option<&str> {
        names.iter().find_map(|n| {
            props
                .iter()
                .find(|(k, v)| k == n && !v.trim().is_empty())
                .map(|(_, v)| v.as_str())
        })
    };
    let f = &mut c.xmp;
    let fields: [(&mut Option<String>, &[&str]); 6] = [
        (&mut f.make, &["tiff:Make"]),
        (&mut f.model, &["tiff:Model"]),
        (
            &mut f.serial,
            &[
                "exifEX:BodySerialNumber",
                "aux:SerialNumber",
                "exif:BodySerialNumber",
                "exifEX:SerialNumber",
            ],
        ),
        (
            &mut f.lens,
            &["exifEX:LensModel", "aux:Lens", "aux:LensInfo"],
        ),
        (
            &mut f.lens_serial,
            &["exifEX:LensSerialNumber", "aux:LensSerialNumber"],
        ),
        (&mut f.software, &["tiff:Software", "xmp:CreatorTool"]),
    ];
    for (slot, names) in fields {
        if let Some(v) = get(names) {
            set(slot, v);
        }
    }
    let taken = get(&[
        "exif:DateTimeOriginal",
        "photoshop:DateCreated",
        "xmp:CreateDate",
        "exif:DateTimeDigitized",
    ])
    .and_then(datetime::parse);
    if let Some(t) = taken {
        set(&mut f.taken_at, &t.iso());
    }
    if let Some(m) = get(&["xmp:ModifyDate", "tiff:DateTime"]).and_then(datetime::parse) {
        set(&mut f.modified_at, &m.iso());
    }
    if f.orientation.is_none() {
        f.orientation = get(&["tiff:Orientation"])
            .and_then(|o| o.trim().parse().ok())
            .filter(|o| (1..=8).contains(o));
    }
    let lat = get(&["exif:GPSLatitude"]).map(gps::parse_xmp_coord);
    let lon = get(&["exif:GPSLongitude"]).map(gps::parse_xmp_coord);
    if lat.is_some() || lon.is_some() {
        let mut flags = Vec::new();
        let mut coord = |v: Option<Option<(f64, bool)>>| match v {
            Some(Some((x, _))) => Some(x),
            Some(None) => {
                flags.push(vidi_types::GpsFlag::Malformed);
                None
            }
            None => None,
        };
        let (lat, lon) = (coord(lat), coord(lon));
        flags.dedup();
        let alt = get(&["exif:GPSAltitude"])
            .and_then(parse_rational)
            .map(|a| {
                if get(&["exif:GPSAltitudeRef"]).map(str::trim) == Some("1") {
                    -a
                } else {
                    a
                }
            });
        let time = get(&["exif:GPSTimeStamp"])
            .and_then(datetime::parse)
            .map(|d| d.iso());
        if lat.is_none() && lon.is_none() {
            c.warn("XMP GPS coordinates are present but not readable".into());
            keep_raw(props, c);
            return;
        }
        c.add_gps(Gps {
            lat,
            lon,
            alt,
            time,
            source: GpsSource::Xmp,
            flags,
        });
    }
    keep_raw(props, c);
}

fn keep_raw(props: Vec<(String, String)>, c: &mut Collector<'_>) {
    for (k, v) in props {
        c.raw(Section::Xmp, &k, serde_json::Value::String(v));
    }
}

/// XMP may be UTF-8 or UTF-16/32 (with or without a BOM).
fn decode(d: &[u8]) -> String {
    let utf16 = |be: bool, body: &[u8]| {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|p| {
                if be {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match d {
        [0xFE, 0xFF, rest @ ..] => utf16(true, rest),
        [0xFF, 0xFE, rest @ ..] => utf16(false, rest),
        [0, a, ..] if *a != 0 => utf16(true, d),
        [a, 0, b, ..] if *a != 0 && *b != 0 => utf16(false, d),
        _ => String::from_utf8_lossy(d.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(d)).into_owned(),
    }
}

/// `n/d` or a decimal.
fn parse_rational(s: &str) -> Option<f64> {
    let s = s.trim();
    let v = match s.split_once('/') {
        Some((n, d)) => n.trim().parse::<f64>().ok()? / d.trim().parse::<f64>().ok()?,
        None => s.parse().ok()?,
    };
    v.is_finite().then_some(v)
}

/// Find an XMP packet anywhere in `data` (GIF, PSD, PDF, ...) and parse it.
pub(crate) fn scan_embedded(data: &[u8], c: &mut Collector<'_>) {
    let start = find(data, b"<x:xmpmeta").or_else(|| find(data, b"<rdf:RDF"));
    let Some(start) = start else { return };
    let tail = &data[start..];
    let end = find(tail, b"</x:xmpmeta>")
        .map(|p| p + 12)
        .or_else(|| find(tail, b"</rdf:RDF>").map(|p| p + 10))
        .unwrap_or(tail.len().min(1 << 20));
    parse_into(&tail[..end], c);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MetaLimits;

    const PACKET: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"
  exif:GPSLatitude="50,51.018N" exif:GPSLongitude="4,21.102E"
  exif:GPSAltitude="1234/10" exif:GPSAltitudeRef="1"
  aux:SerialNumber="SN &amp; 42" tiff:Make='Nikon'>
 <exif:DateTimeOriginal>2010-05-06T07:08:09.5+02:00</exif:DateTimeOriginal>
 <dc:subject><rdf:Bag><rdf:li>one</rdf:li><rdf:li>two</rdf:li></rdf:Bag></dc:subject>
 <!-- a comment with <tags> -->
 <tiff:Model/>
</rdf:Description></rdf:RDF></x:xmpmeta>"#;

    #[test]
    fn packet() {
        let m = crate::extract_xmp(PACKET.as_bytes(), &MetaLimits::default());
        assert_eq!(m.camera.make.as_deref(), Some("Nikon"));
        assert_eq!(m.camera.serial.as_deref(), Some("SN & 42"));
        assert_eq!(m.taken_at.as_deref(), Some("2010-05-06T07:08:09.5+02:00"));
        let g = m.gps.unwrap();
        assert!((g.lat.unwrap() - 50.8503).abs() < 1e-9);
        assert!((g.lon.unwrap() - 4.3517).abs() < 1e-9);
        assert_eq!(g.alt, Some(-123.4));
        assert_eq!(g.source, GpsSource::Xmp);
        assert_eq!(m.raw["xmp"]["dc:subject"], "one");
    }

    #[test]
    fn hostile_text_terminates() {
        let limits = MetaLimits::default();
        for s in [
            "<",
            "<a",
            "<a b='",
            "<a b=c>",
            "</>",
            "<!--",
            "<?",
            "&#xFFFFFFFF;",
            "<a>&bogus;</a>",
            "<x:a>t</x:a><x:b>&#1114112;</x:b>",
        ] {
            let _ = crate::extract_xmp(s.as_bytes(), &limits);
        }
        let deep = "<a:b>".repeat(10_000);
        let _ = crate::extract_xmp(deep.as_bytes(), &limits);
        for n in 0..PACKET.len() {
            let _ = crate::extract_xmp(&PACKET.as_bytes()[..n], &limits);
        }
    }
}
