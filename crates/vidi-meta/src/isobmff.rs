//! ISO BMFF / QuickTime: MP4, MOV, 3GP, HEIF, AVIF and CR3.
//!
//! Top-level boxes are walked with seeks (never read whole media data);
//! `moov` and `meta` are read into memory within the limits and walked
//! there. Sizes are never trusted beyond the file or the parent box.

use std::io::{Read, Seek, SeekFrom};

use serde_json::Value;
use vidi_types::{Gps, GpsSource};

use crate::bytes::{be_u16, be_u32, be_u64, be_uint, find, text};
use crate::collect::{Collector, Section, set};
use crate::{Format, datetime, gps, tiff, xmp};

/// XMP `uuid` box id (BE7ACFCB-97A9-42E8-9C71-999491E3AFAC).
const XMP_UUID: [u8; 16] = [
    0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
];
/// Canon CR3 metadata `uuid` box id (85C0B687-820F-11E0-8111-F4CE462B6A48).
const CANON_UUID: [u8; 16] = [
    0x85, 0xC0, 0xB6, 0x87, 0x82, 0x0F, 0x11, 0xE0, 0x81, 0x11, 0xF4, 0xCE, 0x46, 0x2B, 0x6A, 0x48,
];

/// One box header: type, header length and total size (None = to end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) typ: [u8; 4],
    pub(crate) header_len: u64,
    pub(crate) size: Option<u64>,
}

/// Why a box header could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BoxError {
    Truncated,
    BadSize(u64),
}

/// Parse a box header from the first bytes of a box.
pub(crate) fn header(b: &[u8]) -> Result<Header, BoxError> {
    let (Some(size32), Some(t)) = (be_u32(b, 0), b.get(4..8)) else {
        return Err(BoxError::Truncated);
    };
    let typ = [t[0], t[1], t[2], t[3]];
    match size32 {
        0 => Ok(Header {
            typ,
            header_len: 8,
            size: None,
        }),
        1 => {
            let big = be_u64(b, 8).ok_or(BoxError::Truncated)?;
            if big < 16 {
                return Err(BoxError::BadSize(big));
            }
            Ok(Header {
                typ,
                header_len: 16,
                size: Some(big),
            })
        }
        s if s < 8 => Err(BoxError::BadSize(u64::from(s))),
        s => Ok(Header {
            typ,
            header_len: 8,
            size: Some(u64::from(s)),
        }),
    }
}

/// Iterator over the boxes inside an in-memory buffer. A size beyond the
/// buffer is clamped and reported through `truncated`.
pub(crate) struct Boxes<'a> {
    d: &'a [u8],
    pos: usize,
    pub(crate) error: Option<BoxError>,
    pub(crate) truncated: bool,
}

impl<'a> Boxes<'a> {
    pub(crate) fn new(d: &'a [u8]) -> Self {
        Self {
            d,
            pos: 0,
            error: None,
            truncated: false,
        }
    }
}

impl<'a> Iterator for Boxes<'a> {
    type Item = ([u8; 4], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.d.len() || self.error.is_some() {
            return None;
        }
        let rest = &self.d[self.pos..];
        let h = match header(rest) {
            Ok(h) => h,
            Err(e) => {
                // Trailing padding shorter than a header is common.
                if !(e == BoxError::Truncated && rest.iter().all(|&b| b == 0)) {
                    self.error = Some(e);
                }
                return None;
            }
        };
        let hl = h.header_len as usize;
        let size = match h.size {
            None => rest.len(),
            Some(s) if s > rest.len() as u64 => {
                self.truncated = true;
                rest.len()
            }
            Some(s) => s as usize,
        };
        if size < hl {
            self.error = Some(BoxError::Truncated);
            return None;
        }
        self.pos += size;
        Some((h.typ, &rest[hl..size]))
    }
}

fn fourcc(t: &[u8; 4]) -> String {
    t.iter()
        .map(|&b| {
            if b == 0xA9 {
                '©'
            } else if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '?'
            }
        })
        .collect()
}

/// Read `n` bytes at `pos` (fewer at end of file).
fn read_at<R: Read + Seek>(r: &mut R, pos: u64, n: u64) -> std::io::Result<Vec<u8>> {
    r.seek(SeekFrom::Start(pos))?;
    let mut v = Vec::new();
    r.take(n).read_to_end(&mut v)?;
    Ok(v)
}

/// Walk the top-level boxes of a file.
pub(crate) fn parse_file<R: Read + Seek>(
    r: &mut R,
    len: u64,
    format: Format,
    c: &mut Collector<'_>,
) {
    let mut st = QtState::default();
    let mut pos = 0u64;
    let max = c.limits.max_read_bytes;
    while pos.saturating_add(8) <= len {
        if !c.tick() {
            break;
        }
        let head = match read_at(r, pos, 16) {
            Ok(h) => h,
            Err(e) => {
                c.warn(format!("read failed at offset {pos}: {e}"));
                break;
            }
        };
        let h = match header(&head) {
            Ok(h) => h,
            Err(e) => {
                c.warn(format!("bad box header at offset {pos}: {e:?}"));
                break;
            }
        };
        let avail = len - pos;
        let size = match h.size {
            None => avail,
            Some(s) if s > avail => {
                c.warn(format!(
                    "box {} at offset {pos} runs past the end of the file",
                    fourcc(&h.typ)
                ));
                avail
            }
            Some(s) => s,
        };
        let body_pos = pos + h.header_len;
        let body_len = size.saturating_sub(h.header_len);
        let wanted = matches!(&h.typ, b"moov" | b"meta" | b"uuid" | b"ftyp");
        if wanted {
            if body_len > max {
                c.warn(format!(
                    "box {} of {body_len} bytes exceeds the read limit",
                    fourcc(&h.typ)
                ));
            } else {
                match read_at(r, body_pos, body_len) {
                    Ok(body) => match &h.typ {
                        b"ftyp" => ftyp(&body, c),
                        b"moov" => walk(&body, 0, *b"moov", &mut st, c),
                        b"meta" => heif_meta(&body, r, len, c),
                        _ => uuid(&body, 0, &mut st, c),
                    },
                    Err(e) => c.warn(format!("read failed at offset {body_pos}: {e}")),
                }
            }
        }
        pos = pos.saturating_add(size);
    }
    st.commit(c, format);
}

fn ftyp(b: &[u8], c: &mut Collector<'_>) {
    if let Some(major) = b.get(0..4) {
        c.raw(
            Section::Container,
            "ftyp.MajorBrand",
            Value::String(text(major)),
        );
    }
    let compat: Vec<Value> = b
        .get(8..)
        .unwrap_or(&[])
        .chunks_exact(4)
        .take(32)
        .map(|x| Value::String(String::from_utf8_lossy(x).into_owned()))
        .collect();
    c.raw(
        Section::Container,
        "ftyp.CompatibleBrands",
        Value::Array(compat),
    );
}

/// What a QuickTime walk found, applied at the end by priority.
#[derive(Default)]
struct QtState {
    keys: Vec<String>,
    creationdate: Option<String>,
    day: Option<String>,
    mvhd_created: Option<String>,
    exif: Option<tiff::ExifState>,
}

impl QtState {
    fn commit(mut self, c: &mut Collector<'_>, _format: Format) {
        if let Some(ex) = self.exif.take() {
            ex.commit(c);
        }
        let dates = [self.creationdate, self.day];
        for d in dates.into_iter().flatten() {
            if let Some(p) = datetime::parse(&d) {
                set(&mut c.qt.taken_at, &p.iso());
            }
        }
        if let Some(m) = self.mvhd_created {
            set(&mut c.qt.taken_at, &m);
        }
    }
}

fn uuid(body: &[u8], depth: usize, st: &mut QtState, c: &mut Collector<'_>) {
    let Some(id) = body.get(..16) else { return };
    if id == XMP_UUID {
        xmp::parse_into(&body[16..], c);
    } else if id == CANON_UUID {
        walk(&body[16..], depth + 1, *b"uuid", st, c);
    }
}

/// Walk the children of an in-memory container box.
fn walk(d: &[u8], depth: usize, parent: [u8; 4], st: &mut QtState, c: &mut Collector<'_>) {
    if depth > c.limits.max_depth {
        c.warn("boxes nested too deep".into());
        return;
    }
    let mut it = Boxes::new(d);
    for (typ, body) in it.by_ref() {
        if !c.tick() {
            return;
        }
        match &typ {
            b"moov" | b"trak" | b"mdia" | b"minf" | b"udta" | b"edts" | b"tref" => {
                walk(body, depth + 1, typ, st, c);
            }
            b"meta" => {
                // ISO `meta` is a full box; QuickTime's is not.
                let inner = if body.get(4..8) == Some(b"hdlr") {
                    body
                } else {
                    body.get(4..).unwrap_or(&[])
                };
                walk(inner, depth + 1, typ, st, c);
            }
            b"mvhd" => mvhd(body, st, c),
            b"keys" => keys(body, st, c),
            b"ilst" => ilst(body, st, c),
            b"uuid" => uuid(body, depth, st, c),
            b"XMP_" => xmp::parse_into(body, c),
            b"CMT1" | b"CMT2" | b"CMT4" => {
                let root = match &typ {
                    b"CMT1" => tiff::Dir::Main(0),
                    b"CMT2" => tiff::Dir::Exif,
                    _ => tiff::Dir::Gps,
                };
                let ex = st.exif.get_or_insert_with(Default::default);
                tiff::parse_into(body, root, ex, c);
            }
            t if t[0] == 0xA9 && parent == *b"udta" => udta_string(typ, body, st, c),
            _ => {}
        }
    }
    if let Some(e) = it.error {
        c.warn(format!("bad box inside {}: {e:?}", fourcc(&parent)));
    }
    if it.truncated {
        c.warn(format!("a box inside {} is truncated", fourcc(&parent)));
    }
}

fn mvhd(b: &[u8], st: &mut QtState, c: &mut Collector<'_>) {
    let created = match b.first() {
        Some(1) => be_u64(b, 4),
        Some(_) => be_u32(b, 4).map(u64::from),
        None => None,
    };
    if let Some(t) = created.filter(|&t| t > 0) {
        c.raw(Section::QuickTime, "mvhd.CreateDate", Value::from(t));
        if st.mvhd_created.is_none() {
            st.mvhd_created = datetime::from_mac_epoch(t);
        }
    }
}

fn keys(b: &[u8], st: &mut QtState, c: &mut Collector<'_>) {
    let Some(n) = be_u32(b, 4) else { return };
    let mut pos = 8;
    for _ in 0..n.min(4096) {
        let Some(size) = be_u32(b, pos).map(|s| s as usize) else {
            break;
        };
        let Some(name) = (size >= 8).then(|| b.get(pos + 8..pos + size)).flatten() else {
            c.warn("QuickTime keys entry is malformed".into());
            break;
        };
        st.keys.push(String::from_utf8_lossy(name).into_owned());
        pos += size;
    }
}

/// A `data` atom's value.
enum Data {
    Text(String),
    Num(f64),
    Bytes(usize),
}

fn data_atom(item: &[u8]) -> Option<Data> {
    let (_, body) = Boxes::new(item).find(|(t, _)| t == b"data")?;
    let kind = be_u32(body, 0)? & 0x00FF_FFFF;
    let v = body.get(8..)?;
    Some(match kind {
        1 => Data::Text(text(v)),
        2 => {
            let units: Vec<u16> = v
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            Data::Text(
                String::from_utf16_lossy(&units)
                    .trim_matches('\0')
                    .to_string(),
            )
        }
        21 => Data::Num(match v.len() {
            1 => f64::from(v[0] as i8),
            2 => f64::from(be_u16(v, 0)? as i16),
            4 => f64::from(be_u32(v, 0)? as i32),
            8 => be_u64(v, 0)? as i64 as f64,
            _ => return Some(Data::Bytes(v.len())),
        }),
        22 => Data::Num(be_uint(v, 0, v.len())? as f64),
        23 => Data::Num(f64::from(f32::from_bits(be_u32(v, 0)?))),
        24 => Data::Num(f64::from_bits(be_u64(v, 0)?)),
        _ => Data::Bytes(v.len()),
    })
}

fn ilst(b: &[u8], st: &mut QtState, c: &mut Collector<'_>) {
    for (typ, item) in Boxes::new(b) {
        if !c.tick() {
            return;
        }
        let idx = u32::from_be_bytes(typ) as usize;
        let key = match idx.checked_sub(1).and_then(|i| st.keys.get(i)) {
            Some(k) => k.clone(),
            None => format!("ilst.{}", fourcc(&typ)),
        };
        let Some(value) = data_atom(item) else {
            continue;
        };
        match value {
            Data::Text(s) => {
                qt_text(&key, &s, st, c);
                c.raw(Section::QuickTime, &key, Value::String(s));
            }
            Data::Num(n) => c.raw(Section::QuickTime, &key, serde_json::json!(n)),
            Data::Bytes(n) => c.raw(
                Section::QuickTime,
                &key,
                Value::String(format!("<{n} bytes>")),
            ),
        }
    }
}

/// Apply a known QuickTime text key to the normalised fields.
fn qt_text(key: &str, s: &str, st: &mut QtState, c: &mut Collector<'_>) {
    let short = key.rsplit('.').next().unwrap_or(key);
    match key {
        "com.apple.quicktime.location.ISO6709" => add_iso6709(s, GpsSource::QuickTimeKeys, c),
        "com.apple.quicktime.make" => set(&mut c.qt.make, s),
        "com.apple.quicktime.model" => set(&mut c.qt.model, s),
        "com.apple.quicktime.software" => set(&mut c.qt.software, s),
        "com.apple.quicktime.creationdate" => set(&mut st.creationdate, s),
        _ => match short {
            "©xyz" => add_iso6709(s, GpsSource::QuickTimeXyz, c),
            "©mak" => set(&mut c.qt.make, s),
            "©mod" => set(&mut c.qt.model, s),
            "©swr" | "©too" => set(&mut c.qt.software, s),
            "©day" => set(&mut st.day, s),
            _ => {}
        },
    }
}

fn add_iso6709(s: &str, source: GpsSource, c: &mut Collector<'_>) {
    match gps::parse_iso6709(s) {
        Some((lat, lon, alt)) => c.add_gps(Gps {
            lat: Some(lat),
            lon: Some(lon),
            alt,
            time: None,
            source,
            flags: Vec::new(),
        }),
        None => c.warn("QuickTime location is not ISO 6709".into()),
    }
}

/// `udta` `©xxx` atoms: a list of (u16 length, u16 language, text).
fn udta_string(typ: [u8; 4], b: &[u8], st: &mut QtState, c: &mut Collector<'_>) {
    let key = format!("udta.{}", fourcc(&typ));
    let s = match (be_u16(b, 0).map(usize::from), b.get(4..)) {
        (Some(n), Some(rest)) if n <= rest.len() => text(&rest[..n]),
        _ => match data_atom(b) {
            Some(Data::Text(s)) => s,
            _ => text(b),
        },
    };
    qt_text(&key, &s, st, c);
    c.raw(Section::QuickTime, &key, Value::String(s));
}

/// JPEG XL and JPEG 2000 containers (in memory): `Exif` and `xml `
/// boxes, and EXIF/XMP `uuid` boxes.
pub(crate) fn parse_flat(d: &[u8], c: &mut Collector<'_>) {
    /// `JpgTiffExif->JP2`, the JP2 EXIF uuid.
    const JP2_EXIF_UUID: &[u8; 16] = b"JpgTiffExif->JP2";
    let mut it = Boxes::new(d);
    for (typ, body) in it.by_ref() {
        if !c.tick() {
            return;
        }
        match &typ {
            b"Exif" => heif_exif(body, c),
            b"xml " => xmp::parse_into(body, c),
            b"uuid" => match body.get(..16) {
                Some(id) if id == XMP_UUID => xmp::parse_into(&body[16..], c),
                Some(id) if id == JP2_EXIF_UUID => {
                    let t = &body[16..];
                    tiff::parse_exif(t.strip_prefix(b"Exif\0\0").unwrap_or(t), c);
                }
                _ => {}
            },
            b"brob" => c.warn("JPEG XL metadata is Brotli-compressed; not read".into()),
            _ => {}
        }
    }
    if let Some(e) = it.error {
        c.warn(format!("bad box in container: {e:?}"));
    }
}

/// An item of a HEIF `meta` box.
#[derive(Debug, Default, Clone)]
struct Item {
    id: u32,
    typ: [u8; 4],
    content_type: String,
    method: u8,
    extents: Vec<(u64, u64)>,
}

/// HEIF/AVIF top-level `meta`: find Exif and XMP items and read them.
fn heif_meta<R: Read + Seek>(b: &[u8], r: &mut R, len: u64, c: &mut Collector<'_>) {
    let Some(body) = b.get(4..) else { return };
    let mut items: Vec<Item> = Vec::new();
    let mut idat: &[u8] = &[];
    for (typ, bx) in Boxes::new(body) {
        match &typ {
            b"iinf" => iinf(bx, &mut items, c),
            b"iloc" => iloc(bx, &mut items, c),
            b"idat" => idat = bx,
            _ => {}
        }
    }
    let max = c.limits.max_read_bytes;
    let wanted: Vec<Item> = items
        .into_iter()
        .filter(|i| &i.typ == b"Exif" || (&i.typ == b"mime" && i.content_type.contains("xml")))
        .take(4)
        .collect();
    for item in wanted {
        let mut data = Vec::new();
        for &(off, n) in &item.extents {
            if (data.len() as u64).saturating_add(n) > max {
                c.warn(format!("HEIF item {} exceeds the read limit", item.id));
                break;
            }
            match item.method {
                0 => {
                    if off.saturating_add(n) > len {
                        c.warn(format!("HEIF item {} lies outside the file", item.id));
                        break;
                    }
                    match read_at(r, off, n) {
                        Ok(v) => data.extend_from_slice(&v),
                        Err(e) => {
                            c.warn(format!("read failed for HEIF item {}: {e}", item.id));
                            break;
                        }
                    }
                }
                1 => match usize::try_from(off)
                    .ok()
                    .and_then(|o| idat.get(o..o.checked_add(n as usize)?))
                {
                    Some(v) => data.extend_from_slice(v),
                    None => {
                        c.warn(format!("HEIF item {} lies outside idat", item.id));
                        break;
                    }
                },
                m => {
                    c.warn(format!(
                        "HEIF item {} uses construction method {m}",
                        item.id
                    ));
                    break;
                }
            }
        }
        if &item.typ == b"Exif" {
            heif_exif(&data, c);
        } else {
            xmp::parse_into(&data, c);
        }
    }
}

/// Exif item payload: u32 offset to the TIFF header, then the TIFF.
fn heif_exif(d: &[u8], c: &mut Collector<'_>) {
    let skip = be_u32(d, 0).map(|v| v as usize).unwrap_or(0);
    let t = d.get(4usize.saturating_add(skip)..).unwrap_or(&[]);
    if t.starts_with(b"II*\0") || t.starts_with(b"MM\0*") {
        tiff::parse_exif(t, c);
        return;
    }
    let head = &d[..d.len().min(64)];
    match find(head, b"II*\0").or_else(|| find(head, b"MM\0*")) {
        Some(p) => tiff::parse_exif(&d[p..], c),
        None => c.warn("HEIF Exif item has no TIFF header".into()),
    }
}

fn iinf(b: &[u8], items: &mut Vec<Item>, c: &mut Collector<'_>) {
    let start = if b.first() == Some(&0) { 6 } else { 8 };
    for (typ, e) in Boxes::new(b.get(start..).unwrap_or(&[])) {
        if !c.tick() {
            return;
        }
        if &typ != b"infe" {
            continue;
        }
        let version = e.first().copied().unwrap_or(0);
        if version < 2 {
            continue;
        }
        let (id, p) = if version == 2 {
            (be_u16(e, 4).map(u32::from), 6)
        } else {
            (be_u32(e, 4), 8)
        };
        let (Some(id), Some(t)) = (id, e.get(p + 2..p + 6)) else {
            continue;
        };
        let mut item = Item {
            id,
            typ: [t[0], t[1], t[2], t[3]],
            ..Item::default()
        };
        let rest = e.get(p + 6..).unwrap_or(&[]);
        let name_end = rest.iter().position(|&x| x == 0).unwrap_or(rest.len());
        if &item.typ == b"mime" {
            let ct = rest.get(name_end + 1..).unwrap_or(&[]);
            item.content_type = text(ct);
        }
        let full = items.len() >= 4096;
        match items.iter_mut().find(|i| i.id == id) {
            Some(existing) => {
                existing.typ = item.typ;
                existing.content_type = item.content_type;
            }
            None if !full => items.push(item),
            None => {}
        }
    }
}

fn iloc(b: &[u8], items: &mut Vec<Item>, c: &mut Collector<'_>) {
    let Some(&version) = b.first() else { return };
    let (Some(&s1), Some(&s2)) = (b.get(4), b.get(5)) else {
        return;
    };
    let (off_size, len_size) = (usize::from(s1 >> 4), usize::from(s1 & 15));
    let (base_size, idx_size) = (
        usize::from(s2 >> 4),
        if version > 0 { usize::from(s2 & 15) } else { 0 },
    );
    let (count, mut p) = if version < 2 {
        (be_u16(b, 6).map(u32::from), 8)
    } else {
        (be_u32(b, 6), 10)
    };
    let Some(count) = count else { return };
    for _ in 0..count.min(4096) {
        if !c.tick() {
            return;
        }
        let id = if version < 2 {
            let v = be_u16(b, p).map(u32::from);
            p += 2;
            v
        } else {
            let v = be_u32(b, p);
            p += 4;
            v
        };
        let Some(id) = id else { return };
        let mut method = 0u8;
        if version > 0 {
            let Some(m) = be_u16(b, p) else { return };
            method = (m & 15) as u8;
            p += 2;
        }
        p += 2; // data_reference_index
        let Some(base) = be_uint(b, p, base_size) else {
            return;
        };
        p += base_size;
        let Some(n) = be_u16(b, p) else { return };
        p += 2;
        if n > 1024 {
            c.warn(format!(
                "HEIF item {id} has {n} extents; iloc not read further"
            ));
            return;
        }
        let mut extents = Vec::new();
        for _ in 0..n {
            p += idx_size;
            let (Some(off), Some(len)) =
                (be_uint(b, p, off_size), be_uint(b, p + off_size, len_size))
            else {
                c.warn("HEIF iloc is truncated".into());
                return;
            };
            p += off_size + len_size;
            if extents.len() < 64 {
                extents.push((base.saturating_add(off), len));
            }
        }
        let full = items.len() >= 4096;
        match items.iter_mut().find(|i| i.id == id) {
            Some(i) => {
                i.method = method;
                i.extents = extents;
            }
            None if !full => items.push(Item {
                id,
                method,
                extents,
                ..Item::default()
            }),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests;
