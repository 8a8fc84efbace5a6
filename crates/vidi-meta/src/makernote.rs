//! Maker notes: just enough of the Canon, Nikon, Olympus and Sigma layouts
//! to read serial numbers and lens names. Every other tag is kept raw.

use crate::bytes::{Endian, text};
use crate::collect::{Collector, Section, set};
use crate::tiff::{Entry, type_size};

/// Where the maker note sits.
pub(crate) struct Context<'a> {
    /// The enclosing TIFF structure (offsets of most notes are relative
    /// to its header).
    pub(crate) tiff: &'a [u8],
    pub(crate) endian: Endian,
    /// Offset of the maker note in `tiff`.
    pub(crate) at: usize,
    pub(crate) len: usize,
    pub(crate) make: &'a str,
    pub(crate) model: &'a str,
}

/// What the maker note told us.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) serial: Option<String>,
    pub(crate) lens: Option<String>,
    pub(crate) lens_serial: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vendor {
    Canon,
    Nikon,
    Olympus,
    OlympusEquipment,
    Sigma,
}

/// Parse a maker note.
pub(crate) fn parse(ctx: &Context<'_>, c: &mut Collector<'_>) -> Found {
    let mut found = Found::default();
    let Some(mn) = ctx.tiff.get(ctx.at..ctx.at.saturating_add(ctx.len)) else {
        return found;
    };
    let make = ctx.make.to_ascii_uppercase();
    if make.starts_with("NIKON") && mn.starts_with(b"Nikon\0\x02") {
        // An embedded TIFF header 10 bytes in; offsets relative to it.
        let Some(inner) = mn.get(10..) else {
            return found;
        };
        if let Some((e, first)) = tiff_header(inner) {
            ifd(inner, e, first, Vendor::Nikon, 0, &mut found, c);
        }
    } else if make.starts_with("CANON") {
        ifd(
            ctx.tiff,
            ctx.endian,
            ctx.at,
            Vendor::Canon,
            0,
            &mut found,
            c,
        );
        // ExifTool's convention: 6 digits for EOS-1D bodies, else 10.
        if let Some(sn) = found.serial.take() {
            let v: u64 = sn.parse().unwrap_or(0);
            found.serial = Some(if ctx.model.contains("EOS-1D") {
                format!("{v:06}")
            } else {
                format!("{v:010}")
            });
        }
    } else if mn.starts_with(b"OLYMPUS\0") || mn.starts_with(b"OM SYSTEM\0") {
        // Offsets relative to the note; byte order given in it.
        let hdr = if mn.starts_with(b"OLYMPUS\0") { 8 } else { 12 };
        let e = match mn.get(hdr..hdr + 2) {
            Some(b"II") => Endian::Little,
            Some(b"MM") => Endian::Big,
            _ => return found,
        };
        ifd(mn, e, hdr + 4, Vendor::Olympus, 0, &mut found, c);
    } else if mn.starts_with(b"OLYMP\0") || mn.starts_with(b"EPSON\0") {
        ifd(
            ctx.tiff,
            ctx.endian,
            ctx.at + 8,
            Vendor::Olympus,
            0,
            &mut found,
            c,
        );
    } else if mn.starts_with(b"SIGMA\0\0\0") || mn.starts_with(b"FOVEON\0\0") {
        ifd(
            ctx.tiff,
            ctx.endian,
            ctx.at + 10,
            Vendor::Sigma,
            0,
            &mut found,
            c,
        );
    }
    found
}

fn tiff_header(d: &[u8]) -> Option<(Endian, usize)> {
    let e = match d.get(0..2)? {
        b"II" => Endian::Little,
        b"MM" => Endian::Big,
        _ => return None,
    };
    Some((e, e.u32(d, 4)? as usize))
}

/// Read one maker-note IFD into raw tags and `found`; follows the
/// Olympus Equipment sub-IFD once.
fn ifd(
    d: &[u8],
    e: Endian,
    off: usize,
    vendor: Vendor,
    depth: u8,
    found: &mut Found,
    c: &mut Collector<'_>,
) {
    let Some(n) = e.u16(d, off) else { return };
    let n = usize::from(n).min(c.limits.max_ifd_entries);
    let prefix = if vendor == Vendor::OlympusEquipment {
        "MakerNotes.Equipment"
    } else {
        "MakerNotes"
    };
    for i in 0..n {
        let at = off + 2 + i * 12;
        let (Some(tag), Some(typ), Some(count)) =
            (e.u16(d, at), e.u16(d, at + 2), e.u32(d, at + 4))
        else {
            return;
        };
        let count = count as usize;
        let Some(size) = type_size(typ).and_then(|s| s.checked_mul(count)) else {
            continue;
        };
        let value_at = if size <= 4 {
            Some(at + 8)
        } else {
            e.u32(d, at + 8).map(|o| o as usize)
        };
        let Some(value_at) = value_at else { continue };
        let Some(data) = d.get(value_at..value_at.saturating_add(size)) else {
            continue;
        };
        let en = Entry {
            tag,
            typ,
            count,
            data,
        };
        if size <= 256 {
            c.raw(Section::Exif, &format!("{prefix}.0x{tag:04x}"), en.json(e));
        }
        let s = || text(data);
        match (vendor, tag) {
            (Vendor::Canon, 0x000C) if typ == 4 => {
                if let Some(v) = en.first_uint(e) {
                    set(&mut found.serial, &v.to_string());
                }
            }
            (Vendor::Canon, 0x0095) if typ == 2 => set(&mut found.lens, &s()),
            (Vendor::Nikon, 0x001D) if typ == 2 => set(&mut found.serial, &s()),
            (Vendor::Sigma, 0x0002) if typ == 2 => set(&mut found.serial, &s()),
            (Vendor::Olympus, 0x2010) if depth == 0 => {
                // Equipment: an IFD pointer, or the IFD bytes inline.
                let sub = if matches!(typ, 4 | 13) {
                    en.first_uint(e).map(|v| v as usize)
                } else {
                    Some(value_at)
                };
                if let Some(sub) = sub {
                    ifd(d, e, sub, Vendor::OlympusEquipment, 1, found, c);
                }
            }
            (Vendor::OlympusEquipment, 0x0101) if typ == 2 => set(&mut found.serial, &s()),
            (Vendor::OlympusEquipment, 0x0202) if typ == 2 => {
                set(&mut found.lens_serial, &s());
            }
            (Vendor::OlympusEquipment, 0x0203) if typ == 2 => set(&mut found.lens, &s()),
            _ => {}
        }
    }
}
