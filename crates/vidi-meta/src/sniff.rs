//! Magic-byte sniffing: what a file is, from its first bytes only.
//!
//! File names and extensions are never consulted. The caller passes the
//! first [`SNIFF_LEN`] bytes (fewer for short files).

use vidi_types::MediaKind;

pub use crate::format::Format;

/// How many leading bytes [`sniff`] looks at.
pub const SNIFF_LEN: usize = 4096;

/// The result of [`sniff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    /// The recognised format.
    pub format: Format,
    /// MIME type.
    pub mime: &'static str,
    /// Image, video, audio or other.
    pub kind: MediaKind,
}

impl Sniffed {
    fn of(format: Format) -> Self {
        Self {
            format,
            mime: format.default_mime(),
            kind: format.default_kind(),
        }
    }

    fn with(format: Format, mime: &'static str, kind: MediaKind) -> Self {
        Self { format, mime, kind }
    }
}

/// Identify a file from its first bytes (see [`SNIFF_LEN`]).
pub fn sniff(head: &[u8]) -> Sniffed {
    let head = &head[..head.len().min(SNIFF_LEN)];
    sniff_inner(head, 0)
}

fn at(head: &[u8], off: usize, magic: &[u8]) -> bool {
    head.get(off..off.saturating_add(magic.len())) == Some(magic)
}

fn sniff_inner(h: &[u8], depth: u8) -> Sniffed {
    use Format::*;
    let s = |f| Sniffed::of(f);
    if h.len() >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF {
        return s(Jpeg);
    }
    if at(h, 0, b"\x89PNG\r\n\x1a\n") {
        return s(Png);
    }
    if at(h, 0, b"GIF87a") || at(h, 0, b"GIF89a") {
        return s(Gif);
    }
    if at(h, 0, b"RIFF") || at(h, 0, b"RIFX") {
        if at(h, 8, b"WEBP") {
            return s(Webp);
        }
        if at(h, 8, b"AVI ") {
            return s(Avi);
        }
        if at(h, 8, b"WAVE") {
            return s(Wav);
        }
    }
    if at(h, 0, b"RF64") && at(h, 8, b"WAVE") {
        return s(Wav);
    }
    if at(h, 4, b"ftyp") {
        return sniff_ftyp(h);
    }
    if at(h, 0, b"\0\0\0\x0cjP  \r\n\x87\n") || at(h, 0, b"\xFF\x4F\xFF\x51") {
        return s(Jp2);
    }
    if at(h, 0, b"\0\0\0\x0cJXL \r\n\x87\n") || at(h, 0, b"\xFF\x0A") {
        return s(Jxl);
    }
    if at(h, 0, b"II*\0") || at(h, 0, b"MM\0*") {
        return sniff_tiff(h);
    }
    if at(h, 0, b"II+\0") || at(h, 0, b"MM\0+") {
        return s(Tiff);
    }
    if at(h, 0, b"IIRO") || at(h, 0, b"IIRS") || at(h, 0, b"MMOR") {
        return s(Orf);
    }
    if at(h, 0, b"IIU\0") {
        return s(Rw2);
    }
    if at(h, 0, b"FUJIFILMCCD-RAW") {
        return s(Raf);
    }
    if at(h, 0, b"II\x1a\0\0\0HEAPCCDR") {
        return s(Crw);
    }
    if at(h, 0, b"\0MRM") {
        return s(Mrw);
    }
    if at(h, 0, b"FOVb") {
        return s(X3f);
    }
    if at(h, 0, b"BM") && h.len() >= 18 {
        // BITMAPFILEHEADER: the DIB header size at 14 is one of a few values.
        let dib = u32::from_le_bytes([h[14], h[15], h[16], h[17]]);
        if matches!(dib, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124) {
            return s(Bmp);
        }
    }
    if (at(h, 0, b"\0\0\x01\0") || at(h, 0, b"\0\0\x02\0")) && h.len() >= 6 && h[4] | h[5] != 0 {
        // ICO/CUR: reserved 0, type 1 or 2, non-zero image count; the
        // first entry's reserved byte must be 0.
        if h.get(9) == Some(&0) {
            return s(Ico);
        }
    }
    if at(h, 0, b"8BPS") {
        return s(Psd);
    }
    if at(h, 0, b"qoif") {
        return s(Qoi);
    }
    if at(h, 0, b"\x76\x2f\x31\x01") {
        return s(Exr);
    }
    if h.len() >= 3
        && h[0] == b'P'
        && (b'1'..=b'7').contains(&h[1])
        && matches!(h[2], b' ' | b'\t' | b'\n' | b'\r')
    {
        return s(Pnm);
    }
    if at(h, 0, b"#?RADIANCE") || at(h, 0, b"#?RGBE") {
        return s(Hdr);
    }
    if at(h, 0, b"SIMPLE  =") {
        return s(Fits);
    }
    if at(h, 0, b"/* XPM */") {
        return s(Xpm);
    }
    if at(h, 0, b"icns") {
        return s(Icns);
    }
    if at(h, 0, b"\xD7\xCD\xC6\x9A") {
        return s(Wmf);
    }
    if at(h, 4, b"\x11\xAF") || at(h, 4, b"\x12\xAF") {
        return s(Flic);
    }
    if at(h, 0, b"%!PS") || at(h, 0, b"\xC5\xD0\xD3\xC6") {
        return s(PostScript);
    }
    if h.len() >= 128
        && h[0] == 0x0A
        && matches!(h[1], 0 | 2 | 3 | 4 | 5)
        && h[2] == 1
        && matches!(h[3], 1 | 2 | 4 | 8)
        && h[64] == 0
    {
        return s(Pcx);
    }
    if at(h, 0, b"\x1a\x45\xdf\xa3") {
        return ebml_kind(h, sniff_ebml(h));
    }
    if at(h, 0, b"OggS") {
        return sniff_ogg(h);
    }
    if at(h, 0, b"fLaC") {
        return s(Flac);
    }
    if at(h, 0, b"FORM") && (at(h, 8, b"AIFF") || at(h, 8, b"AIFC")) {
        return s(Aiff);
    }
    if at(h, 0, b"MThd") {
        return s(Midi);
    }
    if at(h, 0, b"#!AMR") {
        return s(Amr);
    }
    if at(h, 0, b"FLV\x01") {
        return s(Flv);
    }
    if at(
        h,
        0,
        b"\x30\x26\xB2\x75\x8E\x66\xCF\x11\xA6\xD9\x00\xAA\x00\x62\xCE\x6C",
    ) {
        return s(Asf);
    }
    if at(h, 0, b".RMF") {
        return s(Rm);
    }
    if at(h, 0, b"\x06\x0E\x2B\x34\x02\x05\x01\x01\x0D\x01\x02") {
        return s(Mxf);
    }
    if is_ts(h, 0, 188) {
        return s(MpegTs);
    }
    if is_ts(h, 4, 192) {
        return s(M2ts);
    }
    if at(h, 0, b"\0\0\x01\xBA") {
        return s(MpegPs);
    }
    if at(h, 0, b"\0\0\x01\xB3") {
        return s(MpegVideo);
    }
    if h.len() >= 4 && h[0] == 0x1F && h[1] == 0x07 && h[2] == 0x00 && (h[3] & 0xF0) == 0x30 {
        // DV DIF header block: section type 0, sequence 0.
        return s(Dv);
    }
    if at(h, 0, b"%PDF-") {
        return s(Pdf);
    }
    if at(h, 0, b"PK\x03\x04") || at(h, 0, b"PK\x05\x06") {
        return s(Zip);
    }
    if at(h, 0, b"\x1f\x8b") {
        return s(Gzip);
    }
    if at(h, 0, b"7z\xBC\xAF\x27\x1C") {
        return s(SevenZip);
    }
    if at(h, 0, b"Rar!\x1a\x07") {
        return s(Rar);
    }
    if at(h, 0, b"\xFD7zXZ\0") {
        return s(Xz);
    }
    if at(h, 0, b"BZh") && h.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        return s(Bzip2);
    }
    if at(h, 0, b"\x28\xB5\x2F\xFD") {
        return s(Zstd);
    }
    if at(h, 0, b"SQLite format 3\0") {
        return s(Sqlite);
    }
    if at(h, 0, b"\x7fELF") {
        return s(Elf);
    }
    if at(h, 0, b"MZ") && h.len() >= 64 {
        return s(Exe);
    }
    if at(h, 0, b"ID3") && h.len() >= 10 {
        // Skip the ID3v2 tag and look at what follows, once.
        let size = syncsafe(&h[6..10]);
        let footer = if h[5] & 0x10 != 0 { 10 } else { 0 };
        let next = 10usize.saturating_add(size).saturating_add(footer);
        if depth == 0 && next < h.len() {
            let inner = sniff_inner(&h[next..], depth + 1);
            if matches!(inner.format, Flac | Aac | Mp3) {
                return inner;
            }
        }
        return s(Mp3);
    }
    if at(h, 0, b"\xFF\xFE") || at(h, 0, b"\xFE\xFF") {
        // A UTF-16 byte-order mark looks like an MPEG audio sync word.
        let t = utf16_text(&h[2..], h[0] == 0xFE);
        if t.format == Text {
            return t;
        }
    }
    if is_adts(h) {
        return s(Aac);
    }
    if is_mpeg_audio(h) {
        return s(Mp3);
    }
    // QuickTime files without `ftyp` start with another top-level atom.
    if h.len() >= 8 {
        let t = &h[4..8];
        let size = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        if matches!(t, b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot")
            && (size == 0 || size == 1 || size >= 8)
            && depth == 0
        {
            return s(Mov);
        }
    }
    sniff_text(h)
}

fn syncsafe(b: &[u8]) -> usize {
    b.iter()
        .take(4)
        .fold(0usize, |acc, &x| (acc << 7) | usize::from(x & 0x7F))
}

fn is_ts(h: &[u8], start: usize, stride: usize) -> bool {
    let mut n = 0;
    let mut off = start;
    while off < h.len() && n < 4 {
        if h[off] != 0x47 {
            return false;
        }
        n += 1;
        off += stride;
    }
    // Require at least two sync bytes unless the file is a single packet.
    n >= 2 || (n == 1 && h.len() == start + stride)
}

fn is_adts(h: &[u8]) -> bool {
    h.len() >= 7 && h[0] == 0xFF && (h[1] & 0xF6) == 0xF0 && ((h[2] >> 2) & 0x0F) < 13
}

fn is_mpeg_audio(h: &[u8]) -> bool {
    if h.len() < 4 || h[0] != 0xFF || (h[1] & 0xE0) != 0xE0 {
        return false;
    }
    let version = (h[1] >> 3) & 3;
    let layer = (h[1] >> 1) & 3;
    let bitrate = h[2] >> 4;
    let rate = (h[2] >> 2) & 3;
    if version == 1 || layer == 0 || bitrate == 0 || bitrate == 15 || rate == 3 {
        return false;
    }
    match mpeg_frame_len(h) {
        // Confirm with the next frame header when the head holds it.
        Some(n) if n + 4 <= h.len() => {
            h[n] == 0xFF && (h[n + 1] & 0xFE) == (h[1] & 0xFE) && mpeg_frame_len(&h[n..]).is_some()
        }
        Some(_) => true,
        None => false,
    }
}

/// Length in bytes of the MPEG audio frame whose header starts `h`.
fn mpeg_frame_len(h: &[u8]) -> Option<usize> {
    if h.len() < 4 || h[0] != 0xFF || (h[1] & 0xE0) != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    let layer = (h[1] >> 1) & 3; // 3 = I, 2 = II, 1 = III
    let bi = usize::from(h[2] >> 4);
    let ri = usize::from((h[2] >> 2) & 3);
    let pad = usize::from((h[2] >> 1) & 1);
    if version == 1 || layer == 0 || bi == 0 || bi == 15 || ri == 3 {
        return None;
    }
    const V1_L1: [u16; 15] = [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ];
    const V1_L2: [u16; 15] = [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ];
    const V1_L3: [u16; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const V2_L1: [u16; 15] = [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ];
    const V2_L23: [u16; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    const RATES: [u32; 3] = [44_100, 48_000, 32_000];
    let table = match (version == 3, layer) {
        (true, 3) => &V1_L1,
        (true, 2) => &V1_L2,
        (true, _) => &V1_L3,
        (false, 3) => &V2_L1,
        (false, _) => &V2_L23,
    };
    let kbps = u32::from(table[bi]) * 1000;
    let rate = RATES[ri]
        >> match version {
            3 => 0,
            2 => 1,
            _ => 2,
        };
    let len = match (layer, version == 3) {
        (3, _) => (12 * kbps / rate + pad as u32) * 4,
        (1, false) => 72 * kbps / rate + pad as u32,
        _ => 144 * kbps / rate + pad as u32,
    };
    usize::try_from(len).ok().filter(|&n| n >= 4)
}

fn sniff_ftyp(h: &[u8]) -> Sniffed {
    use Format::*;
    let size = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as usize;
    let end = size.clamp(8, h.len());
    let major = h.get(8..12).unwrap_or(b"    ");
    let mut brands: Vec<&[u8]> = vec![major];
    let mut off = 16;
    while off + 4 <= end {
        brands.push(&h[off..off + 4]);
        off += 4;
    }
    let has = |b: &[u8]| brands.contains(&b);
    let major_is = |list: &[&[u8]]| list.contains(&major);
    if major_is(&[b"crx "]) {
        return Sniffed::of(Cr3);
    }
    if major_is(&[b"avif", b"avis"]) {
        return Sniffed::of(Avif);
    }
    if major_is(&[b"qt  "]) {
        return Sniffed::of(Mov);
    }
    if major_is(&[b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "]) {
        return Sniffed::of(M4a);
    }
    if major_is(&[b"M4V ", b"M4VH", b"M4VP"]) {
        return Sniffed::of(M4v);
    }
    if major.starts_with(b"3gp") || major.starts_with(b"3g2") || major.starts_with(b"3ge") {
        return Sniffed::of(ThreeGp);
    }
    if major_is(&[b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"]) {
        return Sniffed::with(Heif, "image/heic", MediaKind::Image);
    }
    if major_is(&[b"mif1", b"msf1", b"mif2", b"MiHE", b"MiHB"]) {
        if has(b"avif") || has(b"avis") {
            return Sniffed::of(Avif);
        }
        if has(b"heic") || has(b"heix") {
            return Sniffed::with(Heif, "image/heic", MediaKind::Image);
        }
        return Sniffed::of(Heif);
    }
    if major_is(&[b"jp2 ", b"jpx ", b"jpm "]) {
        return Sniffed::of(Jp2);
    }
    if major_is(&[b"jxl "]) {
        return Sniffed::of(Jxl);
    }
    // Unusual major brand: decide from the compatible ones.
    if has(b"crx ") {
        return Sniffed::of(Cr3);
    }
    if has(b"avif") {
        return Sniffed::of(Avif);
    }
    if has(b"heic") || has(b"mif1") {
        return Sniffed::of(Heif);
    }
    if has(b"qt  ") {
        return Sniffed::of(Mov);
    }
    if has(b"M4A ") && !has(b"M4V ") {
        return Sniffed::of(M4a);
    }
    Sniffed::of(Mp4)
}

/// Distinguish plain TIFF from TIFF-based camera RAW by peeking at IFD0.
fn sniff_tiff(h: &[u8]) -> Sniffed {
    use Format::*;
    if at(h, 8, b"CR\x02\0") {
        return Sniffed::of(Cr2);
    }
    let le = h[0] == b'I';
    let u16_at = |o: usize| -> Option<u16> {
        let b = h.get(o..o + 2)?;
        Some(if le {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        })
    };
    let u32_at = |o: usize| -> Option<u32> {
        let b = h.get(o..o + 4)?;
        Some(if le {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        } else {
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        })
    };
    let Some(ifd) = u32_at(4).map(|v| v as usize) else {
        return Sniffed::of(Tiff);
    };
    let n = usize::from(u16_at(ifd).unwrap_or(0)).min(512);
    let mut make: Option<&[u8]> = None;
    for i in 0..n {
        let e = ifd + 2 + i * 12;
        let (Some(tag), Some(count), Some(val)) = (u16_at(e), u32_at(e + 4), u32_at(e + 8)) else {
            break;
        };
        match tag {
            0xC612 => return Sniffed::of(Dng),
            0x010F => {
                let count = count as usize;
                let start = if count <= 4 { e + 8 } else { val as usize };
                make = h.get(start..start.saturating_add(count.min(64)));
            }
            _ => {}
        }
    }
    match make {
        Some(m) if m.starts_with(b"NIKON") => Sniffed::of(Nef),
        Some(m) if m.starts_with(b"SONY") => Sniffed::of(Arw),
        Some(m) if m.starts_with(b"PENTAX") || m.starts_with(b"RICOH IMAGING") => Sniffed::of(Pef),
        _ => Sniffed::of(Tiff),
    }
}

/// Read the EBML header's DocType.
fn sniff_ebml(h: &[u8]) -> Sniffed {
    // The DocType element id is 0x4282; its value is a short ASCII string.
    let pos = h.windows(2).take(64).position(|w| w == [0x42, 0x82]);
    if let Some(p) = pos
        && let Some(&len_byte) = h.get(p + 2)
        && len_byte & 0x80 != 0
        && let Some(doc) = h.get(p + 3..p + 3 + usize::from(len_byte & 0x7F))
        && doc.starts_with(b"webm")
    {
        return Sniffed::of(Format::Webm);
    }
    Sniffed::of(Format::Mkv)
}

/// Matroska/WebM with only audio tracks in the head (`A_...` codec ids and
/// no `V_...`) is audio (`.mka`, `.weba`).
fn ebml_kind(h: &[u8], s: Sniffed) -> Sniffed {
    // CodecID is element 0x86 with a one-byte size, then the id string.
    let codec = |prefix: u8| {
        h.windows(4)
            .any(|w| w[0] == 0x86 && w[1] & 0x80 != 0 && w[2] == prefix && w[3] == b'_')
    };
    if codec(b'A') && !codec(b'V') {
        let mime = if s.format == Format::Webm {
            "audio/webm"
        } else {
            "audio/x-matroska"
        };
        return Sniffed::with(s.format, mime, MediaKind::Audio);
    }
    s
}

fn sniff_ogg(h: &[u8]) -> Sniffed {
    // The first page carries the first packet of the first logical stream.
    let segs = h.get(26).copied().map_or(0, usize::from);
    let body = 27 + segs;
    let pkt = h.get(body..).unwrap_or(&[]);
    let audio = |mime| Sniffed::with(Format::Ogg, mime, MediaKind::Audio);
    if pkt.starts_with(b"\x80theora") || pkt.starts_with(b"\x80daala") {
        return Sniffed::of(Format::Ogg);
    }
    if pkt.starts_with(b"OpusHead") {
        return audio("audio/ogg");
    }
    if pkt.starts_with(b"\x01vorbis") || pkt.starts_with(b"\x7fFLAC") || pkt.starts_with(b"Speex") {
        return audio("audio/ogg");
    }
    // Theora may be a later stream of a multiplexed file: look further.
    if h.windows(7).any(|w| w == b"\x80theora") {
        return Sniffed::of(Format::Ogg);
    }
    audio("audio/ogg")
}

/// UTF-16 text after a BOM: no control characters, valid surrogates
/// (one cut by the end of the head is fine).
fn utf16_text(b: &[u8], be: bool) -> Sniffed {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .take(1024)
        .map(|p| {
            if be {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from_le_bytes([p[0], p[1]])
            }
        })
        .collect();
    let total = units.len();
    let mut seen = 0;
    for ch in char::decode_utf16(units.iter().copied()) {
        match ch {
            Ok(c) if !c.is_control() || matches!(c, '\n' | '\r' | '\t') => seen += c.len_utf16(),
            Err(_) if seen + 1 >= total => break,
            _ => return Sniffed::of(Format::Unknown),
        }
    }
    Sniffed::of(Format::Text)
}

fn sniff_text(h: &[u8]) -> Sniffed {
    if h.is_empty() {
        return Sniffed::of(Format::Unknown);
    }
    let bom = if at(h, 0, b"\xFE\xFF") {
        Some(true)
    } else if at(h, 0, b"\xFF\xFE") {
        Some(false)
    } else {
        None
    };
    if let Some(be) = bom {
        return utf16_text(&h[2..], be);
    }
    let body = h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h);
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        // A multi-byte character cut by the end of `head` is fine.
        Err(e) if e.error_len().is_none() && body.len() - e.valid_up_to() < 4 => {
            std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return Sniffed::of(Format::Unknown),
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
    {
        return Sniffed::of(Format::Unknown);
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with("<?xml")
        || trimmed.starts_with("<x:xmpmeta")
        || trimmed.starts_with("<?xpacket")
    {
        if trimmed.contains("<svg") {
            return Sniffed::with(Format::Xml, "image/svg+xml", MediaKind::Other);
        }
        return Sniffed::of(Format::Xml);
    }
    Sniffed::of(Format::Text)
}

#[cfg(test)]
mod tests;
