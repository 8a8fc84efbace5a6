use super::*;
use crate::{Format, MetaLimits, extract_bytes};
use vidi_types::GpsSource;

fn bx(typ: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(typ);
    v.extend_from_slice(body);
    v
}

fn data(kind: u32, value: &[u8]) -> Vec<u8> {
    let mut b = kind.to_be_bytes().to_vec();
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(value);
    bx(b"data", &b)
}

fn movie() -> Vec<u8> {
    let mut mvhd = vec![0u8; 100];
    mvhd[4..8].copy_from_slice(&3_789_788_738u32.to_be_bytes());
    let mut xyz = 18u16.to_be_bytes().to_vec();
    xyz.extend_from_slice(&[0x15, 0xC7]);
    xyz.extend_from_slice(b"+50.8503+004.3517/");
    let udta = bx(b"udta", &bx(b"\xA9xyz", &xyz));
    let mut keys = vec![0u8; 4];
    keys.extend_from_slice(&2u32.to_be_bytes());
    for k in [
        "com.apple.quicktime.make",
        "com.apple.quicktime.location.ISO6709",
    ] {
        keys.extend_from_slice(&((k.len() + 8) as u32).to_be_bytes());
        keys.extend_from_slice(b"mdta");
        keys.extend_from_slice(k.as_bytes());
    }
    let mut ilst = bx(&1u32.to_be_bytes(), &data(1, b"Apple"));
    ilst.extend(bx(
        &2u32.to_be_bytes(),
        &data(1, b"+27.1281+100.2508+000.000/"),
    ));
    let mut meta = bx(b"hdlr", &[0; 25]);
    meta.extend(bx(b"keys", &keys));
    meta.extend(bx(b"ilst", &ilst));
    let mut moov = bx(b"mvhd", &mvhd);
    moov.extend(udta);
    moov.extend(bx(b"meta", &meta));
    let mut f = bx(b"ftyp", b"qt  \0\0\0\0qt  ");
    f.extend(bx(b"mdat", &[0; 32]));
    f.extend(bx(b"moov", &moov));
    f
}

#[test]
fn quicktime_keys_udta_and_mvhd() {
    let m = extract_bytes(&movie(), Format::Mov, &MetaLimits::default());
    assert_eq!(m.camera.make.as_deref(), Some("Apple"));
    assert_eq!(m.taken_at.as_deref(), Some("2024-02-03T07:05:38+00:00"));
    assert_eq!(m.gps_all.len(), 2);
    let g = m.gps.unwrap();
    assert_eq!(g.source, GpsSource::QuickTimeKeys);
    assert_eq!(
        (g.lat, g.lon, g.alt),
        (Some(27.1281), Some(100.2508), Some(0.0))
    );
    assert!(g.flags.contains(&vidi_types::GpsFlag::SourcesDisagree));
    assert_eq!(m.raw["quicktime"]["udta.©xyz"], "+50.8503+004.3517/");
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn header_forms() {
    assert_eq!(
        header(b"\0\0\0\0mdat"),
        Ok(Header {
            typ: *b"mdat",
            header_len: 8,
            size: None
        })
    );
    let mut big = 1u32.to_be_bytes().to_vec();
    big.extend_from_slice(b"mdat");
    big.extend_from_slice(&(1u64 << 40).to_be_bytes());
    assert_eq!(header(&big).unwrap().size, Some(1 << 40));
    assert_eq!(header(&big).unwrap().header_len, 16);
    assert_eq!(header(b"\0\0\0\x04free"), Err(BoxError::BadSize(4)));
    assert_eq!(
        header(b"\0\0\0\x01mdat\0\0\0\0\0\0\0\x08"),
        Err(BoxError::BadSize(8))
    );
    assert_eq!(header(b"\0\0\0"), Err(BoxError::Truncated));
}

#[test]
fn iterator_edge_cases() {
    // size 0 runs to the end of the buffer.
    let mut d = bx(b"free", b"ab");
    d.extend_from_slice(b"\0\0\0\0skipxyz");
    let v: Vec<_> = Boxes::new(&d).collect();
    assert_eq!(v.len(), 2);
    assert_eq!(v[1].1, b"xyz");
    // A size beyond the buffer is clamped and reported.
    let mut it = Boxes::new(b"\0\0\0\x40freeabc");
    assert_eq!(it.next().map(|x| x.1), Some(&b"abc"[..]));
    assert!(it.truncated);
    // A zero-size 64-bit box stops the walk with an error.
    let mut it = Boxes::new(b"\0\0\0\x01free\0\0\0\0\0\0\0\0");
    assert!(it.next().is_none());
    assert!(it.error.is_some());
}

#[test]
fn file_walk_with_large_and_open_ended_boxes() {
    // A 64-bit mdat claiming far more than the file, then nothing else.
    let mut f = bx(b"ftyp", b"isom\0\0\0\0isom");
    f.extend_from_slice(&1u32.to_be_bytes());
    f.extend_from_slice(b"mdat");
    f.extend_from_slice(&(u64::MAX).to_be_bytes());
    let m = extract_bytes(&f, Format::Mp4, &MetaLimits::default());
    assert!(m.warnings.iter().any(|w| w.contains("past the end")));
    // An open-ended (size 0) moov is read to the end of the file.
    let mut g = bx(b"ftyp", b"isom\0\0\0\0isom");
    let mut mvhd = vec![0u8; 100];
    mvhd[4..8].copy_from_slice(&3_789_788_738u32.to_be_bytes());
    g.extend_from_slice(b"\0\0\0\0moov");
    g.extend(bx(b"mvhd", &mvhd));
    let m = extract_bytes(&g, Format::Mp4, &MetaLimits::default());
    assert!(m.taken_at.is_some());
}

#[test]
fn deep_nesting_is_bounded() {
    let mut b = bx(b"udta", &[]);
    for _ in 0..200 {
        b = bx(b"trak", &b);
    }
    let f = bx(b"moov", &b);
    let m = extract_bytes(&f, Format::Mp4, &MetaLimits::default());
    assert!(m.warnings.iter().any(|w| w.contains("too deep")));
}

#[test]
fn truncations_never_panic() {
    let f = movie();
    let limits = MetaLimits::default();
    for n in 0..f.len() {
        let _ = extract_bytes(&f[..n], Format::Mov, &limits);
    }
    for i in 0..f.len() {
        let mut g = f.clone();
        g[i] = g[i].wrapping_add(0x41);
        let _ = extract_bytes(&g, Format::Mov, &limits);
    }
}

fn heif(exif_payload: &[u8]) -> Vec<u8> {
    // ftyp, meta{hdlr, iinf{infe Exif id 1}, iloc{v0, 4/4, id 1 -> extent}}, mdat
    let mut infe = vec![2, 0, 0, 0];
    infe.extend_from_slice(&1u16.to_be_bytes());
    infe.extend_from_slice(&0u16.to_be_bytes());
    infe.extend_from_slice(b"Exif\0");
    let mut iinf = vec![0, 0, 0, 0];
    iinf.extend_from_slice(&1u16.to_be_bytes());
    iinf.extend(bx(b"infe", &infe));
    let ftyp = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
    // iloc body length: 4 + 2 + 2 + (2 + 2 + 2 + 4 + 4) = 22
    let meta_len = 8 + 4 + (8 + 25) + (8 + iinf.len()) + (8 + 22);
    let mdat_body = ftyp.len() + meta_len + 8;
    let mut iloc = vec![0, 0, 0, 0, 0x44, 0x00];
    iloc.extend_from_slice(&1u16.to_be_bytes());
    iloc.extend_from_slice(&1u16.to_be_bytes());
    iloc.extend_from_slice(&0u16.to_be_bytes());
    iloc.extend_from_slice(&1u16.to_be_bytes());
    iloc.extend_from_slice(&(mdat_body as u32).to_be_bytes());
    iloc.extend_from_slice(&(exif_payload.len() as u32).to_be_bytes());
    let mut meta = vec![0, 0, 0, 0];
    meta.extend(bx(b"hdlr", &[0; 25]));
    meta.extend(bx(b"iinf", &iinf));
    meta.extend(bx(b"iloc", &iloc));
    let mut f = ftyp;
    f.extend(bx(b"meta", &meta));
    assert_eq!(f.len() + 8, mdat_body);
    f.extend(bx(b"mdat", exif_payload));
    f
}

#[test]
fn heif_exif_item() {
    let mut payload = 6u32.to_be_bytes().to_vec();
    payload.extend_from_slice(b"Exif\0\0");
    payload.extend_from_slice(b"MM\0*\0\0\0\x08\0\x01\x01\x0f\0\x02\0\0\0\x04HMD\0\0\0\0\0");
    let f = heif(&payload);
    let m = extract_bytes(&f, Format::Heif, &MetaLimits::default());
    assert_eq!(m.camera.make.as_deref(), Some("HMD"), "{:?}", m.warnings);
    for n in 0..f.len() {
        let _ = extract_bytes(&f[..n], Format::Heif, &MetaLimits::default());
    }
}

#[test]
fn jxl_and_jp2_boxes() {
    let tiff = b"MM\0*\0\0\0\x08\0\x01\x01\x0f\0\x02\0\0\0\x03JX\0\0\0\0\0";
    let mut exif = 0u32.to_be_bytes().to_vec();
    exif.extend_from_slice(tiff);
    let mut f = bx(b"JXL ", b"\r\n\x87\n");
    f.extend(bx(b"ftyp", b"jxl \0\0\0\0jxl "));
    f.extend(bx(b"Exif", &exif));
    f.extend(bx(b"jxlc", &[0xFF, 0x0A]));
    let m = extract_bytes(&f, Format::Jxl, &MetaLimits::default());
    assert_eq!(m.camera.make.as_deref(), Some("JX"), "{:?}", m.warnings);
    let mut uuid = b"JpgTiffExif->JP2".to_vec();
    uuid.extend_from_slice(b"Exif\0\0");
    uuid.extend_from_slice(tiff);
    let mut j = bx(b"jP  ", b"\r\n\x87\n");
    j.extend(bx(b"ftyp", b"jp2 \0\0\0\0jp2 "));
    j.extend(bx(b"uuid", &uuid));
    let m = extract_bytes(&j, Format::Jp2, &MetaLimits::default());
    assert_eq!(m.camera.make.as_deref(), Some("JX"), "{:?}", m.warnings);
    for n in 0..j.len() {
        let _ = extract_bytes(&j[..n], Format::Jp2, &MetaLimits::default());
    }
}
