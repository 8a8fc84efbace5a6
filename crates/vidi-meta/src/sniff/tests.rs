use super::*;

fn ftyp(major: &[u8; 4], compat: &[&[u8; 4]]) -> Vec<u8> {
    let size = 16 + 4 * compat.len();
    let mut v = (size as u32).to_be_bytes().to_vec();
    v.extend_from_slice(b"ftyp");
    v.extend_from_slice(major);
    v.extend_from_slice(&[0, 0, 0, 0]);
    for c in compat {
        v.extend_from_slice(*c);
    }
    v
}

fn ebml(doc: &[u8]) -> Vec<u8> {
    let mut v = vec![
        0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82,
    ];
    v.push(0x80 | doc.len() as u8);
    v.extend_from_slice(doc);
    v
}

fn tiff_with_make(make: &[u8]) -> Vec<u8> {
    let mut v = b"II*\0\x08\0\0\0".to_vec();
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&0x010Fu16.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&(make.len() as u32).to_le_bytes());
    v.extend_from_slice(&26u32.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(make);
    v
}

fn ogg(packet: &[u8]) -> Vec<u8> {
    let mut v = b"OggS\0\x02".to_vec();
    v.extend_from_slice(&[0; 20]);
    v.push(1);
    v.push(packet.len() as u8);
    v.extend_from_slice(packet);
    v
}

#[test]
fn table() {
    use Format::*;
    let mut ts = vec![0u8; 188 * 3];
    for i in 0..3 {
        ts[i * 188] = 0x47;
    }
    let mut m2ts = vec![0u8; 192 * 3];
    for i in 0..3 {
        m2ts[4 + i * 192] = 0x47;
    }
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0; 12]);
    bmp.extend_from_slice(&40u32.to_le_bytes());
    let mut mz = b"MZ".to_vec();
    mz.resize(64, 0);
    let cases: Vec<(Vec<u8>, Format, MediaKind)> = vec![
        (
            b"\xFF\xD8\xFF\xE0\0\x10JFIF".to_vec(),
            Jpeg,
            MediaKind::Image,
        ),
        (
            b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec(),
            Png,
            MediaKind::Image,
        ),
        (b"GIF89a\x01\0\x01\0".to_vec(), Gif, MediaKind::Image),
        (b"RIFF\0\0\0\0WEBPVP8 ".to_vec(), Webp, MediaKind::Image),
        (b"MM\0*\0\0\0\x08\0\0".to_vec(), Tiff, MediaKind::Image),
        (b"II*\0\x10\0\0\0CR\x02\0".to_vec(), Cr2, MediaKind::Image),
        (
            tiff_with_make(b"NIKON CORPORATION\0"),
            Nef,
            MediaKind::Image,
        ),
        (tiff_with_make(b"SONY\0"), Arw, MediaKind::Image),
        (tiff_with_make(b"Canon\0"), Tiff, MediaKind::Image),
        (bmp, Bmp, MediaKind::Image),
        (ftyp(b"heic", &[b"mif1", b"heic"]), Heif, MediaKind::Image),
        (ftyp(b"mif1", &[b"avif", b"miaf"]), Avif, MediaKind::Image),
        (ftyp(b"avif", &[b"mif1"]), Avif, MediaKind::Image),
        (ftyp(b"crx ", &[b"isom"]), Cr3, MediaKind::Image),
        (
            b"\0\0\x01\0\x01\0\x10\x10\0\0".to_vec(),
            Ico,
            MediaKind::Image,
        ),
        (b"8BPS\0\x01".to_vec(), Psd, MediaKind::Image),
        (b"\xFF\x0A\xFA".to_vec(), Jxl, MediaKind::Image),
        (b"\0\0\0\x0cJXL \r\n\x87\n".to_vec(), Jxl, MediaKind::Image),
        (b"\0\0\0\x0cjP  \r\n\x87\n".to_vec(), Jp2, MediaKind::Image),
        (b"IIRO\x08\0".to_vec(), Orf, MediaKind::Image),
        (b"IIU\0\x08\0".to_vec(), Rw2, MediaKind::Image),
        (b"FUJIFILMCCD-RAW 0201".to_vec(), Raf, MediaKind::Image),
        (b"P6\n1 1\n255\n".to_vec(), Pnm, MediaKind::Image),
        (ftyp(b"isom", &[b"isom", b"mp41"]), Mp4, MediaKind::Video),
        (ftyp(b"qt  ", &[b"qt  "]), Mov, MediaKind::Video),
        (
            b"\0\0\0\x08wide\0\0\0\x10mdat".to_vec(),
            Mov,
            MediaKind::Video,
        ),
        (ftyp(b"3gp4", &[b"3gp4"]), ThreeGp, MediaKind::Video),
        (ftyp(b"M4V ", &[b"M4V "]), M4v, MediaKind::Video),
        (ftyp(b"M4A ", &[b"M4A ", b"mp42"]), M4a, MediaKind::Audio),
        (ebml(b"matroska"), Mkv, MediaKind::Video),
        (ebml(b"webm"), Webm, MediaKind::Video),
        (b"RIFF\0\0\0\0AVI LIST".to_vec(), Avi, MediaKind::Video),
        (ts, MpegTs, MediaKind::Video),
        (m2ts, M2ts, MediaKind::Video),
        (b"\0\0\x01\xBA\x44".to_vec(), MpegPs, MediaKind::Video),
        (b"\0\0\x01\xB3\x14".to_vec(), MpegVideo, MediaKind::Video),
        (b"FLV\x01\x05".to_vec(), Flv, MediaKind::Video),
        (
            b"\x30\x26\xB2\x75\x8E\x66\xCF\x11\xA6\xD9\x00\xAA\x00\x62\xCE\x6C".to_vec(),
            Asf,
            MediaKind::Video,
        ),
        (b".RMF\0\0\0\x12".to_vec(), Rm, MediaKind::Video),
        (
            b"\x06\x0E\x2B\x34\x02\x05\x01\x01\x0D\x01\x02\x01".to_vec(),
            Mxf,
            MediaKind::Video,
        ),
        (b"\x1f\x07\x00\x3f\xf8".to_vec(), Dv, MediaKind::Video),
        (ogg(b"\x80theora"), Ogg, MediaKind::Video),
        (ogg(b"OpusHead"), Ogg, MediaKind::Audio),
        (b"RIFF\0\0\0\0WAVEfmt ".to_vec(), Wav, MediaKind::Audio),
        (b"FORM\0\0\0\0AIFF".to_vec(), Aiff, MediaKind::Audio),
        (
            b"ID3\x04\0\0\0\0\0\0\xFF\xFB\x90\x00".to_vec(),
            Mp3,
            MediaKind::Audio,
        ),
        (b"\xFF\xFB\x90\x00\0\0".to_vec(), Mp3, MediaKind::Audio),
        (b"fLaC\0\0\0\x22".to_vec(), Flac, MediaKind::Audio),
        (
            b"\xFF\xF1\x50\x80\x02\x1F\xFC".to_vec(),
            Aac,
            MediaKind::Audio,
        ),
        (b"MThd\0\0\0\x06".to_vec(), Midi, MediaKind::Audio),
        (b"%PDF-1.7\n".to_vec(), Pdf, MediaKind::Other),
        (b"PK\x03\x04\x14\0".to_vec(), Zip, MediaKind::Other),
        (b"\x1f\x8b\x08\0".to_vec(), Gzip, MediaKind::Other),
        (
            b"7z\xBC\xAF\x27\x1C\0\x04".to_vec(),
            SevenZip,
            MediaKind::Other,
        ),
        (b"Rar!\x1a\x07\x01\0".to_vec(), Rar, MediaKind::Other),
        (b"SQLite format 3\0".to_vec(), Sqlite, MediaKind::Other),
        (mz, Exe, MediaKind::Other),
        (b"hello, world\n".to_vec(), Text, MediaKind::Other),
        ("caf\u{e9}\n".as_bytes().to_vec(), Text, MediaKind::Other),
        (
            b"<?xml version=\"1.0\"?><a/>".to_vec(),
            Xml,
            MediaKind::Other,
        ),
        (b"\0\x01\x02\x03garbage".to_vec(), Unknown, MediaKind::Other),
        (Vec::new(), Unknown, MediaKind::Other),
    ];
    for (bytes, format, kind) in cases {
        let got = sniff(&bytes);
        assert_eq!(
            got.format,
            format,
            "bytes {:02x?}",
            &bytes[..bytes.len().min(16)]
        );
        assert_eq!(got.kind, kind, "{format:?}");
        assert!(!got.mime.is_empty());
    }
}

#[test]
fn heic_mime_and_short_inputs() {
    assert_eq!(sniff(&ftyp(b"heic", &[])).mime, "image/heic");
    for n in 0..32 {
        let _ = sniff(&[0xFF; 32][..n]);
        let _ = sniff(&b"\0\0\0\x18ftypheic"[..n.min(12)]);
    }
}

#[test]
fn matroska_audio_only() {
    let mut v = ebml(b"matroska");
    v.extend_from_slice(&[0x86, 0x85]);
    v.extend_from_slice(b"A_AAC");
    let s = sniff(&v);
    assert_eq!((s.format, s.kind), (Format::Mkv, MediaKind::Audio));
    v.extend_from_slice(&[0x86, 0x8F]);
    v.extend_from_slice(b"V_MPEG4/ISO/AVC");
    assert_eq!(sniff(&v).kind, MediaKind::Video);
}

#[test]
fn more_images_and_text() {
    use Format::*;
    let mut fli = vec![0u8; 8];
    fli[4..6].copy_from_slice(&[0x11, 0xAF]);
    let cases: Vec<(Vec<u8>, Format)> = vec![
        (b"#?RADIANCE\n".to_vec(), Hdr),
        (b"SIMPLE  =                    T".to_vec(), Fits),
        (b"/* XPM */\nstatic".to_vec(), Xpm),
        (b"icns\0\0\x10\0".to_vec(), Icns),
        (b"%!PS-Adobe-3.0 EPSF-3.0".to_vec(), PostScript),
        (fli, Flic),
        (b"\xFF\xFEh\0i\0\n\0".to_vec(), Text),
        (b"\xFE\xFF\0h\0i".to_vec(), Text),
        // A UTF-16 BOM followed by binary is not text.
        (b"\xFF\xFE\x01\0\x02\0\x03\0".to_vec(), Unknown),
        // An MPEG audio sync word whose next frame is missing.
        (
            [&b"\xFF\xFB\x90\x00"[..], &[0x55; 600][..]].concat(),
            Unknown,
        ),
    ];
    for (bytes, format) in cases {
        assert_eq!(sniff(&bytes).format, format, "{:02x?}", &bytes[..8]);
    }
    // Two consecutive MPEG-1 layer III frames (128 kbit/s, 44.1 kHz).
    let mut mp3 = Vec::new();
    for _ in 0..2 {
        mp3.extend_from_slice(b"\xFF\xFB\x90\x00");
        mp3.resize(mp3.len() + 413, 0);
    }
    assert_eq!(sniff(&mp3).format, Mp3);
}
