//! Matroska/WebM: segment `Info` (date, writing app, title) and `Tags`
//! simple tags found in the head of the file.

use serde_json::Value;

use crate::collect::{Collector, Section, set};
use crate::datetime;

const EBML: u32 = 0x1A45_DFA3;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_A966;
const TAGS: u32 = 0x1254_C367;
const TAG: u32 = 0x7373;
const SIMPLE_TAG: u32 = 0x67C8;
const TAG_NAME: u32 = 0x45A3;
const TAG_STRING: u32 = 0x4487;
const DATE_UTC: u32 = 0x4461;
const MUXING_APP: u32 = 0x4D80;
const WRITING_APP: u32 = 0x5741;
const TITLE: u32 = 0x7BA9;
const CLUSTER: u32 = 0x1F43_B675;

/// A variable-length integer: (value, length). `keep_marker` for IDs.
fn vint(d: &[u8], pos: usize, keep_marker: bool) -> Option<(u64, usize)> {
    let first = *d.get(pos)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let mut v = if keep_marker {
        u64::from(first)
    } else {
        u64::from(first) & (0xFF >> len)
    };
    for i in 1..len {
        v = (v << 8) | u64::from(*d.get(pos + i)?);
    }
    Some((v, len))
}

/// One element: id, body range. Unknown sizes run to the parent's end.
fn element(d: &[u8], pos: usize, end: usize) -> Option<(u32, usize, usize)> {
    let (id, il) = vint(d, pos, true)?;
    if il > 4 {
        return None;
    }
    let (size, sl) = vint(d, pos + il, false)?;
    let body = pos + il + sl;
    let unknown = size == (1u64 << (7 * sl)) - 1;
    let stop = if unknown {
        end
    } else {
        body.checked_add(usize::try_from(size).ok()?)?.min(end)
    };
    (body <= stop).then_some((id as u32, body, stop))
}

/// Parse the head of a Matroska file.
pub(crate) fn parse(d: &[u8], c: &mut Collector<'_>) {
    walk(d, 0, d.len(), 0, &mut None, c);
}

fn walk(
    d: &[u8],
    mut pos: usize,
    end: usize,
    depth: usize,
    tag_name: &mut Option<String>,
    c: &mut Collector<'_>,
) {
    if depth > c.limits.max_depth {
        c.warn("Matroska elements nested too deep".into());
        return;
    }
    while pos < end {
        if !c.tick() {
            return;
        }
        let Some((id, body, stop)) = element(d, pos, end) else {
            return;
        };
        let v = &d[body..stop];
        match id {
            EBML => {}
            SEGMENT | INFO | TAGS | TAG => walk(d, body, stop, depth + 1, &mut None, c),
            SIMPLE_TAG => {
                let mut name = None;
                walk(d, body, stop, depth + 1, &mut name, c);
            }
            TAG_NAME => *tag_name = Some(crate::bytes::text(v)),
            TAG_STRING => {
                if let Some(n) = tag_name.as_deref() {
                    let s = crate::bytes::text(v);
                    c.raw(
                        Section::Matroska,
                        &format!("Tag.{n}"),
                        Value::String(s.clone()),
                    );
                    match n.to_ascii_uppercase().as_str() {
                        "DATE_RECORDED" | "CREATION_TIME" | "DATE_DIGITIZED" => {
                            if let Some(t) = datetime::parse(&s) {
                                set(&mut c.qt.taken_at, &t.iso());
                            }
                        }
                        "ENCODER" => set(&mut c.qt.software, &s),
                        _ => {}
                    }
                }
            }
            DATE_UTC if v.len() == 8 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(v);
                let ns = i64::from_be_bytes(b);
                let unix = 978_307_200 + ns.div_euclid(1_000_000_000);
                if let Some(t) = datetime::from_unix(unix) {
                    c.raw(Section::Matroska, "Info.DateUTC", Value::String(t.clone()));
                    set(&mut c.qt.taken_at, &t);
                }
            }
            MUXING_APP | WRITING_APP | TITLE => {
                let key = match id {
                    MUXING_APP => "Info.MuxingApp",
                    WRITING_APP => "Info.WritingApp",
                    _ => "Info.Title",
                };
                c.raw(Section::Matroska, key, Value::String(crate::bytes::text(v)));
            }
            CLUSTER => return,
            _ => {}
        }
        if stop <= pos {
            return;
        }
        pos = stop;
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, MetaLimits, extract_bytes};

    fn el(id: &[u8], body: &[u8]) -> Vec<u8> {
        let mut v = id.to_vec();
        v.push(0x80 | body.len() as u8);
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn info_date_and_tags() {
        let ns: i64 = 8 * 365 * 86_400 * 1_000_000_000;
        let info = el(
            &[0x15, 0x49, 0xA9, 0x66],
            &el(&[0x44, 0x61], &ns.to_be_bytes()),
        );
        let mut st = el(&[0x45, 0xA3], b"ENCODER");
        st.extend(el(&[0x44, 0x87], b"Lavf"));
        let tags = el(
            &[0x12, 0x54, 0xC3, 0x67],
            &el(&[0x73, 0x73], &el(&[0x67, 0xC8], &st)),
        );
        let mut seg_body = info;
        seg_body.extend(tags);
        // Segment with an unknown size (all ones).
        let mut f = el(&[0x1A, 0x45, 0xDF, 0xA3], &el(&[0x42, 0x82], b"webm"));
        f.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0xFF]);
        f.extend(seg_body);
        let m = extract_bytes(&f, Format::Webm, &MetaLimits::default());
        assert_eq!(m.taken_at.as_deref(), Some("2008-12-30T00:00:00+00:00"));
        assert_eq!(m.camera.software.as_deref(), Some("Lavf"));
        for n in 0..f.len() {
            let _ = extract_bytes(&f[..n], Format::Mkv, &MetaLimits::default());
        }
    }
}
