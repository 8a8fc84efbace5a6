//! Synthetic round trips: decode, limits, PDQ, thumbnails.

use image::{ImageFormat as Fmt, RgbImage};
use vidi_media::{Limits, MediaError, decode_image, pdq_of, thumbnail_jpeg};
use vidi_types::FileErrorKind;

fn photo(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let v = ((x * 7 + y * 3) % 256) as u8;
        let t = (((x / 16) ^ (y / 16)) % 2 * 90) as u8;
        image::Rgb([v, v.wrapping_add(t), 255 - v])
    })
}

fn encode(img: &RgbImage, fmt: Fmt) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, fmt).expect("encode");
    out.into_inner()
}

#[test]
fn garbage_is_unsupported() {
    let e = decode_image(b"not an image", &Limits::default()).unwrap_err();
    assert!(matches!(e, MediaError::UnknownFormat));
    assert_eq!(e.to_file_error().kind, FileErrorKind::Unsupported);
}

#[test]
fn png_and_jpeg_round_trip_and_hash() {
    let img = photo(320, 200);
    for (fmt, name) in [(Fmt::Png, "png"), (Fmt::Jpeg, "jpeg"), (Fmt::Bmp, "bmp")] {
        let d = decode_image(&encode(&img, fmt), &Limits::default()).unwrap();
        assert_eq!(
            (d.width, d.height, d.format, d.frame_count),
            (320, 200, name, 1)
        );
        let (p, dih) = pdq_of(&d, true);
        let dih = dih.unwrap();
        assert_eq!(dih.len(), 8);
        assert_eq!(dih[0], p.hash);
        assert!(p.quality > 50);
    }
    let png = decode_image(&encode(&img, Fmt::Png), &Limits::default()).unwrap();
    assert_eq!(png.rgb, img.into_raw());
}

#[test]
fn limits_are_checked_before_decoding() {
    let bytes = encode(&photo(300, 300), Fmt::Png);
    let small = Limits {
        max_pixels: 10_000,
        ..Limits::default()
    };
    let e = decode_image(&bytes, &small).unwrap_err();
    assert_eq!(e.to_file_error().kind, FileErrorKind::TooLarge);
    let jpeg = encode(&photo(300, 300), Fmt::Jpeg);
    let narrow = Limits {
        max_dimension: 299,
        ..Limits::default()
    };
    assert!(matches!(
        decode_image(&jpeg, &narrow),
        Err(MediaError::TooLarge { .. })
    ));
}

#[test]
fn truncated_and_corrupt_inputs_give_typed_errors() {
    let png = encode(&photo(200, 100), Fmt::Png);
    for cut in [8, 30, png.len() / 2] {
        assert!(decode_image(&png[..cut], &Limits::default()).is_err());
    }
    let jpeg = encode(&photo(200, 100), Fmt::Jpeg);
    assert!(decode_image(&jpeg[..4], &Limits::default()).is_err());
    // Half a JPEG decodes like Pillow does (rest filled in).
    let half = decode_image(&jpeg[..jpeg.len() / 2], &Limits::default());
    assert!(half.is_ok() || half.is_err());
}

#[test]
fn thumbnails_are_bounded_and_oriented() {
    let d = decode_image(&encode(&photo(400, 100), Fmt::Png), &Limits::default()).unwrap();
    let (jpg, w, h) = thumbnail_jpeg(&d, 128, None).unwrap();
    assert_eq!((w, h), (128, 32));
    assert!(jpg.starts_with(&[0xFF, 0xD8, 0xFF]));
    let (_, w, h) = thumbnail_jpeg(&d, 128, Some(6)).unwrap();
    assert_eq!((w, h), (32, 128));
    let (_, w, h) = thumbnail_jpeg(&d, 1000, Some(8)).unwrap();
    assert_eq!((w, h), (100, 400));
    let t = decode_image(
        &thumbnail_jpeg(&d, 64, Some(3)).unwrap().0,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!((t.width, t.height), (64, 16));
}

#[test]
fn animated_gif_reports_frames_and_first_frame() {
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame, RgbaImage};
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut out);
        for k in 0..3u8 {
            let f = RgbaImage::from_fn(40, 30, |x, _| image::Rgba([x as u8 * 6, k * 80, 0, 255]));
            enc.encode_frame(Frame::from_parts(
                f,
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            ))
            .unwrap();
        }
    }
    let d = decode_image(&out, &Limits::default()).unwrap();
    assert_eq!(
        (d.format, d.frame_count, d.width, d.height),
        ("gif", 3, 40, 30)
    );
}

#[test]
fn truncated_jpeg_decodes_but_reports_damage() {
    let (w, h) = (320u32, 240u32);
    let rgb: Vec<u8> = (0..w * h)
        .flat_map(|i| {
            let (x, y) = (i % w, i / w);
            [
                (x * 7 % 256) as u8,
                (y * 3 % 256) as u8,
                ((x ^ y) % 256) as u8,
            ]
        })
        .collect();
    let img = vidi_media::DecodedImage {
        width: w,
        height: h,
        rgb,
        frame_count: 1,
        format: "raw",
        damage: None,
    };
    let (jpeg, _, _) = vidi_media::thumbnail_jpeg(&img, 320, None).unwrap();
    let whole = vidi_media::decode_image(&jpeg, &vidi_media::Limits::default()).unwrap();
    assert!(whole.damage.is_none());
    let cut = &jpeg[..jpeg.len() / 2];
    let part = vidi_media::decode_image(cut, &vidi_media::Limits::default()).unwrap();
    assert_eq!((part.width, part.height), (w, h));
    let damage = part.damage.expect("a truncated JPEG is reported");
    assert_eq!(
        damage.kind,
        vidi_types::FileErrorKind::Truncated,
        "{damage}"
    );
}
