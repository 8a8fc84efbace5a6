//! TIFF/EXIF IFD parser: bounded, loop-safe, never trusts an offset.

use serde_json::Value;
use vidi_types::{Gps, GpsFlag, GpsSource};

use crate::bytes::{Endian, blob_json, text};
use crate::collect::{Collector, Section, set};
use crate::{datetime, gps, makernote, tags, xmp};

/// Which directory an IFD is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    /// IFD0, IFD1, ... in the main chain.
    Main(u8),
    Exif,
    Gps,
    Interop,
    Sub,
}

impl Dir {
    fn prefix(self) -> String {
        match self {
            Self::Main(n) => format!("IFD{n}"),
            Self::Exif => "Exif".into(),
            Self::Gps => "GPS".into(),
            Self::Interop => "Interop".into(),
            Self::Sub => "SubIFD".into(),
        }
    }

    fn tag_name(self, tag: u16) -> Option<&'static str> {
        match self {
            Self::Gps => tags::gps_name(tag),
            Self::Interop => tags::interop_name(tag),
            _ => tags::main_name(tag),
        }
    }
}

/// Values gathered across the IFDs of one EXIF block; turned into
/// normalised fields by [`ExifState::commit`].
#[derive(Debug, Default)]
pub(crate) struct ExifState {
    make: Option<String>,
    model: Option<String>,
    software: Option<String>,
    serial: Option<String>,
    lens: Option<String>,
    lens_serial: Option<String>,
    datetime: Option<String>,
    original: Option<String>,
    digitized: Option<String>,
    subsec: Option<String>,
    subsec_original: Option<String>,
    subsec_digitized: Option<String>,
    offset: Option<String>,
    offset_original: Option<String>,
    offset_digitized: Option<String>,
    orientation: Option<u16>,
    lat_ref: Option<u8>,
    lat: Option<Vec<f64>>,
    lon_ref: Option<u8>,
    lon: Option<Vec<f64>>,
    alt_ref: Option<u8>,
    alt: Option<f64>,
    gps_time: Option<Vec<f64>>,
    gps_date: Option<String>,
}

fn compose(date: &Option<String>, sub: &Option<String>, off: &Option<String>) -> Option<String> {
    let mut d = datetime::parse(date.as_deref()?)?;
    if let Some(s) = sub {
        d.set_frac(s);
    }
    if let Some(o) = off {
        d.set_offset(o);
    }
    Some(d.iso())
}

impl ExifState {
    /// Move what was found into the collector.
    pub(crate) fn commit(self, c: &mut Collector<'_>) {
        let f = &mut c.exif;
        for (slot, v) in [
            (&mut f.make, &self.make),
            (&mut f.model, &self.model),
            (&mut f.software, &self.software),
            (&mut f.serial, &self.serial),
            (&mut f.lens, &self.lens),
            (&mut f.lens_serial, &self.lens_serial),
        ] {
            if let Some(v) = v {
                set(slot, v);
            }
        }
        let taken =
            compose(&self.original, &self.subsec_original, &self.offset_original).or_else(|| {
                compose(
                    &self.digitized,
                    &self.subsec_digitized,
                    &self.offset_digitized,
                )
            });
        if let Some(t) = taken {
            set(&mut f.taken_at, &t);
        }
        if let Some(m) = compose(&self.datetime, &self.subsec, &self.offset) {
            set(&mut f.modified_at, &m);
        }
        let off = self
            .offset_original
            .as_deref()
            .or(self.offset.as_deref())
            .and_then(datetime::parse_offset);
        if let Some(o) = off {
            set(&mut f.offset_time, &o);
        }
        if f.orientation.is_none() {
            f.orientation = self.orientation.filter(|o| (1..=8).contains(o));
        }
        if self.lat.is_some() || self.lon.is_some() {
            let fix = self.gps_fix();
            if fix.lat.is_none() && fix.lon.is_none() {
                c.warn("EXIF GPS coordinates are present but not numbers".into());
            } else {
                c.add_gps(fix);
            }
        }
    }

    fn gps_fix(&self) -> Gps {
        let mut flags = Vec::new();
        let mut coord = |parts: &Option<Vec<f64>>, r: Option<u8>| -> Option<f64> {
            let parts = parts.as_ref()?;
            let Some(v) = gps::dms_to_degrees(parts) else {
                if !flags.contains(&GpsFlag::Malformed) {
                    flags.push(GpsFlag::Malformed);
                }
                return None;
            };
            match r.filter(|r| b"NSEWnsew".contains(r)) {
                Some(r) => Some(gps::apply_ref(v, r)),
                None => {
                    if !flags.contains(&GpsFlag::MissingRef) {
                        flags.push(GpsFlag::MissingRef);
                    }
                    Some(v)
                }
            }
        };
        let lat = coord(&self.lat, self.lat_ref);
        let lon = coord(&self.lon, self.lon_ref);
        let alt = self
            .alt
            .map(|a| if self.alt_ref == Some(1) { -a } else { a });
        let time = self.gps_time.as_ref().and_then(|t| {
            let date = datetime::parse(&format!("{} 00:00:00", self.gps_date.as_deref()?))?;
            let (h, m, s) = (*t.first()?, *t.get(1)?, *t.get(2)?);
            if !(0.0..24.0).contains(&h) || !(0.0..60.0).contains(&m) || !(0.0..61.0).contains(&s) {
                return None;
            }
            let day = date.iso();
            let day = day.get(..10)?;
            let whole = s.trunc();
            let frac = ((s - whole) * 1000.0).round() as u32;
            let mut out = format!("{day}T{:02}:{:02}:{:02}", h as u32, m as u32, whole as u32);
            if frac > 0 {
                let f = format!("{frac:03}");
                out.push('.');
                out.push_str(f.trim_end_matches('0'));
            }
            out.push('Z');
            Some(out)
        });
        Gps {
            lat,
            lon,
            alt,
            time,
            source: GpsSource::Exif,
            flags,
        }
    }
}

/// Parse a TIFF structure (header at `data[0]`) and commit its fields.
pub(crate) fn parse_exif(data: &[u8], c: &mut Collector<'_>) {
    let mut st = ExifState::default();
    parse_into(data, Dir::Main(0), &mut st, c);
    st.commit(c);
}

/// Parse a TIFF structure whose first IFD is `root` (CR3 `CMT2` holds the
/// Exif IFD, `CMT4` the GPS IFD) into `st`.
pub(crate) fn parse_into(data: &[u8], root: Dir, st: &mut ExifState, c: &mut Collector<'_>) {
    let e = match data.get(0..2) {
        Some(b"II") => Endian::Little,
        Some(b"MM") => Endian::Big,
        _ => {
            c.warn("TIFF header missing (no II/MM byte order)".into());
            return;
        }
    };
    match e.u16(data, 2) {
        Some(42 | 0x55 | 0x4F52 | 0x5352) => {}
        Some(43) => {
            c.warn("BigTIFF metadata is not parsed".into());
            return;
        }
        _ => {
            c.warn("TIFF header has an unknown magic number".into());
            return;
        }
    }
    let Some(first) = e.u32(data, 4) else {
        c.warn("TIFF header truncated".into());
        return;
    };
    let mut w = Walker {
        d: data,
        e,
        c,
        st,
        visited: Vec::new(),
    };
    w.walk(first as usize, root);
}

struct Walker<'a, 'c, 'l> {
    d: &'a [u8],
    e: Endian,
    c: &'c mut Collector<'l>,
    st: &'c mut ExifState,
    visited: Vec<usize>,
}

/// One decoded IFD entry; `data` is the value's bytes.
pub(crate) struct Entry<'a> {
    pub(crate) tag: u16,
    pub(crate) typ: u16,
    pub(crate) count: usize,
    pub(crate) data: &'a [u8],
}

pub(crate) fn type_size(typ: u16) -> Option<usize> {
    Some(match typ {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => return None,
    })
}

/// Most numeric values decoded from one entry.
const MAX_VALUES: usize = 256;

impl Entry<'_> {
    pub(crate) fn text(&self) -> String {
        text(self.data)
    }

    /// Numbers of an integer, rational or float entry (bounded).
    fn numbers(&self, e: Endian) -> Vec<f64> {
        let n = self.count.min(MAX_VALUES);
        let d = self.data;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let v = match self.typ {
                1 | 7 => d.get(i).map(|&b| f64::from(b)),
                6 => d.get(i).map(|&b| f64::from(b as i8)),
                3 => e.u16(d, i * 2).map(f64::from),
                8 => e.u16(d, i * 2).map(|v| f64::from(v as i16)),
                4 | 13 => e.u32(d, i * 4).map(f64::from),
                9 => e.u32(d, i * 4).map(|v| f64::from(v as i32)),
                5 => e
                    .u32(d, i * 8)
                    .zip(e.u32(d, i * 8 + 4))
                    .map(|(n, q)| f64::from(n) / f64::from(q)),
                10 => e
                    .u32(d, i * 8)
                    .zip(e.u32(d, i * 8 + 4))
                    .map(|(n, q)| f64::from(n as i32) / f64::from(q as i32)),
                11 => e.u32(d, i * 4).map(|v| f64::from(f32::from_bits(v))),
                12 => e.u64(d, i * 8).map(f64::from_bits),
                _ => None,
            };
            match v {
                Some(v) => out.push(v),
                None => break,
            }
        }
        out
    }

    pub(crate) fn first_uint(&self, e: Endian) -> Option<u32> {
        match self.typ {
            1 | 7 => self.data.first().map(|&b| u32::from(b)),
            3 => e.u16(self.data, 0).map(u32::from),
            4 | 13 => e.u32(self.data, 0),
            _ => None,
        }
    }

    pub(crate) fn json(&self, e: Endian) -> Value {
        match self.typ {
            2 => Value::String(self.text()),
            7 | 1 if self.count > 16 || self.typ == 7 => undefined_json(self.tag, self.data),
            5 | 10 if self.count == 1 => {
                let (n, q) = (e.u32(self.data, 0), e.u32(self.data, 4));
                match (n, q) {
                    (Some(n), Some(0)) => Value::String(format!("{n}/0")),
                    _ => num_json(self.numbers(e).first().copied().unwrap_or(f64::NAN)),
                }
            }
            _ => {
                let nums = self.numbers(e);
                if nums.len() == 1 {
                    num_json(nums[0])
                } else {
                    let mut v: Vec<Value> = nums.into_iter().map(num_json).collect();
                    if self.count > MAX_VALUES {
                        v.push(Value::String(format!("… {} values", self.count)));
                    }
                    Value::Array(v)
                }
            }
        }
    }
}

fn num_json(v: f64) -> Value {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else if v.is_finite() {
        Value::from(v)
    } else {
        Value::String(format!("{v}"))
    }
}

/// UNDEFINED values: printable text when it is text, else short hex.
fn undefined_json(tag: u16, d: &[u8]) -> Value {
    if tag == 0x9286 {
        // UserComment: 8-byte character code, then the text.
        let body = d.get(8..).unwrap_or(&[]);
        let s = if d.starts_with(b"UNICODE\0") {
            let units: Vec<u16> = body
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .take_while(|&u| u != 0)
                .collect();
            String::from_utf16_lossy(&units)
        } else {
            text(body)
        };
        return Value::String(s.trim().to_string());
    }
    let trimmed = {
        let end = d.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
        &d[..end]
    };
    if !trimmed.is_empty()
        && trimmed.len() <= 256
        && trimmed.iter().all(|&b| (0x20..0x7f).contains(&b))
    {
        return Value::String(String::from_utf8_lossy(trimmed).into_owned());
    }
    blob_json(d)
}

impl Walker<'_, '_, '_> {
    fn walk(&mut self, start: usize, root: Dir) {
        let mut queue: Vec<(usize, Dir)> = vec![(start, root)];
        while let Some((off, dir)) = queue.pop() {
            if off == 0 {
                continue;
            }
            if self.visited.contains(&off) {
                self.c.warn(format!("IFD loop at offset {off} ignored"));
                continue;
            }
            if self.visited.len() >= self.c.limits.max_ifds {
                self.c.warn(format!(
                    "more than {} IFDs; rest skipped",
                    self.c.limits.max_ifds
                ));
                return;
            }
            self.visited.push(off);
            let next = self.ifd(off, dir, &mut queue);
            if let (Dir::Main(n), Some(next)) = (dir, next)
                && next != 0
                && n < u8::MAX
            {
                queue.push((next, Dir::Main(n + 1)));
            }
        }
    }

    /// Read one IFD; returns the next-IFD offset.
    fn ifd(&mut self, off: usize, dir: Dir, queue: &mut Vec<(usize, Dir)>) -> Option<usize> {
        let (d, e) = (self.d, self.e);
        let Some(n) = e.u16(d, off) else {
            self.c
                .warn(format!("{} offset {off} is outside the data", dir.prefix()));
            return None;
        };
        let n = usize::from(n);
        if n > self.c.limits.max_ifd_entries {
            self.c.warn(format!(
                "{} has {n} entries; only the first are read",
                dir.prefix()
            ));
        }
        let prefix = dir.prefix();
        let mut bad = 0usize;
        for i in 0..n.min(self.c.limits.max_ifd_entries) {
            let at = off + 2 + i * 12;
            let (Some(tag), Some(typ), Some(count)) =
                (e.u16(d, at), e.u16(d, at + 2), e.u32(d, at + 4))
            else {
                self.c.warn(format!("{prefix} truncated at entry {i}"));
                return None;
            };
            let count = count as usize;
            let Some(size) = type_size(typ).and_then(|s| s.checked_mul(count)) else {
                bad += 1;
                continue;
            };
            let data = if size <= 4 {
                d.get(at + 8..at + 8 + size)
            } else {
                e.u32(d, at + 8)
                    .and_then(|o| d.get(o as usize..(o as usize).checked_add(size)?))
            };
            let Some(data) = data else {
                bad += 1;
                continue;
            };
            let entry = Entry {
                tag,
                typ,
                count,
                data,
            };
            self.entry(&entry, dir, &prefix, queue);
            if bad > 64 {
                break;
            }
        }
        if bad > 0 {
            self.c.warn(format!(
                "{prefix}: {bad} entries with an unknown type or a value outside the data"
            ));
        }
        e.u32(d, off + 2 + n * 12).map(|v| v as usize)
    }

    fn entry(&mut self, en: &Entry<'_>, dir: Dir, prefix: &str, queue: &mut Vec<(usize, Dir)>) {
        let e = self.e;
        let name = dir.tag_name(en.tag);
        let key = match name {
            Some(n) => format!("{prefix}.{n}"),
            None => format!("{prefix}.0x{:04x}", en.tag),
        };
        let is_pointer = matches!(dir, Dir::Main(_) | Dir::Exif | Dir::Sub)
            && matches!(en.tag, 0x8769 | 0x8825 | 0xA005 | 0x014A);
        if is_pointer {
            let child = match en.tag {
                0x8769 => Dir::Exif,
                0x8825 => Dir::Gps,
                0xA005 => Dir::Interop,
                _ => Dir::Sub,
            };
            if en.tag == 0x014A {
                for o in en.numbers(e).into_iter().take(16) {
                    queue.push((o as usize, child));
                }
            } else if let Some(o) = en.first_uint(e) {
                queue.push((o as usize, child));
            }
            return;
        }
        if en.tag == 0x927C && dir == Dir::Exif {
            self.c.raw(
                Section::Exif,
                &key,
                Value::String(format!("<{} bytes>", en.data.len())),
            );
            self.maker_note(en.data);
            return;
        }
        if en.tag == 0x02BC && dir != Dir::Gps {
            xmp::parse_into(en.data, self.c);
            self.c.raw(
                Section::Exif,
                &key,
                Value::String(format!("<{} bytes>", en.data.len())),
            );
            return;
        }
        if matches!(en.tag, 0x83BB | 0x8649 | 0x8773 | 0xC634)
            || matches!(en.tag, 0x0111 | 0x0117 | 0x0144 | 0x0145) && en.count > 16
        {
            self.c.raw(
                Section::Exif,
                &key,
                Value::String(format!("<{} bytes>", en.data.len())),
            );
            return;
        }
        self.c.raw(Section::Exif, &key, en.json(e));
        self.record(en, dir);
    }

    /// Keep the values that feed normalised fields.
    fn record(&mut self, en: &Entry<'_>, dir: Dir) {
        let e = self.e;
        let st = &mut *self.st;
        let s = || Some(en.text()).filter(|t| !t.is_empty());
        match dir {
            Dir::Main(0) | Dir::Exif | Dir::Sub => match en.tag {
                0x010F => st.make = st.make.take().or_else(s),
                0x0110 => st.model = st.model.take().or_else(s),
                0x0131 => st.software = st.software.take().or_else(s),
                0x0132 => st.datetime = st.datetime.take().or_else(s),
                0x0112 => st.orientation = st.orientation.or(en.first_uint(e).map(|v| v as u16)),
                0x9003 => st.original = st.original.take().or_else(s),
                0x9004 => st.digitized = st.digitized.take().or_else(s),
                0x9010 => st.offset = st.offset.take().or_else(s),
                0x9011 => st.offset_original = st.offset_original.take().or_else(s),
                0x9012 => st.offset_digitized = st.offset_digitized.take().or_else(s),
                0x9290 => st.subsec = st.subsec.take().or_else(s),
                0x9291 => st.subsec_original = st.subsec_original.take().or_else(s),
                0x9292 => st.subsec_digitized = st.subsec_digitized.take().or_else(s),
                0xA431 | 0xC62F => st.serial = st.serial.take().or_else(s),
                0xA434 => st.lens = st.lens.take().or_else(s),
                0xA435 => st.lens_serial = st.lens_serial.take().or_else(s),
                _ => {}
            },
            Dir::Gps => match en.tag {
                0x01 => st.lat_ref = st.lat_ref.or(en.data.first().copied().filter(|&b| b != 0)),
                0x02 => {
                    st.lat = st
                        .lat
                        .take()
                        .or(Some(en.numbers(e)).filter(|v| !v.is_empty()))
                }
                0x03 => st.lon_ref = st.lon_ref.or(en.data.first().copied().filter(|&b| b != 0)),
                0x04 => {
                    st.lon = st
                        .lon
                        .take()
                        .or(Some(en.numbers(e)).filter(|v| !v.is_empty()))
                }
                0x05 => st.alt_ref = en.data.first().copied(),
                0x06 => st.alt = en.numbers(e).first().copied(),
                0x07 => st.gps_time = Some(en.numbers(e)),
                0x1D => st.gps_date = s(),
                _ => {}
            },
            _ => {}
        }
    }

    /// Maker notes: read the serial numbers of the makes we know.
    fn maker_note(&mut self, mn: &[u8]) {
        let Some(at) = self.offset_in(mn) else { return };
        let ctx = makernote::Context {
            tiff: self.d,
            endian: self.e,
            at,
            len: mn.len(),
            make: self.st.make.as_deref().unwrap_or(""),
            model: self.st.model.as_deref().unwrap_or(""),
        };
        let found = makernote::parse(&ctx, self.c);
        if let Some(v) = found.serial {
            set(&mut self.st.serial, &v);
        }
        if let Some(v) = found.lens {
            set(&mut self.st.lens, &v);
        }
        if let Some(v) = found.lens_serial {
            set(&mut self.st.lens_serial, &v);
        }
    }

    /// Offset of a sub-slice within the walker's data.
    fn offset_in(&self, sub: &[u8]) -> Option<usize> {
        let base = self.d.as_ptr() as usize;
        let p = sub.as_ptr() as usize;
        p.checked_sub(base).filter(|&o| o <= self.d.len())
    }
}

#[cfg(test)]
mod tests;
