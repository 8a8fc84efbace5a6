//! Variants of a scene for the quality benchmark: the same background under
//! different foreground objects, crops, lighting, recompression, captions,
//! and the background shrunk to a third of the frame beside unrelated
//! content.

use image::{Rgb, RgbImage, imageops};

pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    pub(crate) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.next() % (hi - lo).max(1)
    }
}

/// The variant kinds, in the order [`make`] produces them.
pub(crate) const KINDS: &[&str] = &[
    "foreground",
    "crop",
    "lighting",
    "jpeg-q25",
    "caption",
    "third-of-frame",
    "fg+light+jpeg",
];

fn fill_rect(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, c: [u8; 3]) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            img.put_pixel(x, y, Rgb(c));
        }
    }
}

fn fill_ellipse(img: &mut RgbImage, cx: f32, cy: f32, rx: f32, ry: f32, c: [u8; 3]) {
    let (w, h) = img.dimensions();
    for y in 0..h {
        for x in 0..w {
            let dx = (x as f32 - cx) / rx;
            let dy = (y as f32 - cy) / ry;
            if dx * dx + dy * dy <= 1.0 {
                img.put_pixel(x, y, Rgb(c));
            }
        }
    }
}

/// Foreground objects: a few boxes and ellipses ("furniture", "toys")
/// covering roughly a quarter of the frame, with a shaded stripe each.
fn foreground(img: &mut RgbImage, r: &mut Lcg) {
    let (w, h) = img.dimensions();
    for _ in 0..r.range(2, 4) {
        let c = [
            r.range(0, 256) as u8,
            r.range(0, 256) as u8,
            r.range(0, 256) as u8,
        ];
        let ow = r.range(w / 8, w / 4);
        let oh = r.range(h / 6, h / 3);
        let x = r.range(0, w - ow);
        let y = r.range(h / 3, h - oh);
        if r.next().is_multiple_of(2) {
            fill_rect(img, x, y, x + ow, y + oh, c);
            let dark = [c[0] / 2, c[1] / 2, c[2] / 2];
            fill_rect(img, x, y + oh / 2, x + ow, y + oh / 2 + oh / 8, dark);
        } else {
            fill_ellipse(
                img,
                (x + ow / 2) as f32,
                (y + oh / 2) as f32,
                ow as f32 / 2.0,
                oh as f32 / 2.0,
                c,
            );
        }
    }
}

fn lighting(img: &mut RgbImage, r: &mut Lcg) {
    let gain = 0.6 + r.range(0, 80) as f32 / 100.0;
    let gamma = 0.7 + r.range(0, 60) as f32 / 100.0;
    let tint = [
        0.9 + r.range(0, 20) as f32 / 100.0,
        0.9 + r.range(0, 20) as f32 / 100.0,
        0.9 + r.range(0, 20) as f32 / 100.0,
    ];
    for p in img.pixels_mut() {
        for (ch, t) in p.0.iter_mut().zip(tint) {
            let v = (f32::from(*ch) / 255.0).powf(gamma) * gain * t;
            *ch = (v * 255.0).clamp(0.0, 255.0) as u8;
        }
    }
}

fn jpeg(img: &RgbImage, quality: u8) -> RgbImage {
    let mut buf = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality);
    img.write_with_encoder(enc).expect("jpeg encode");
    image::load_from_memory(&buf)
        .expect("jpeg decode")
        .to_rgb8()
}

fn caption(img: &mut RgbImage, r: &mut Lcg) {
    let (w, h) = img.dimensions();
    let band = h / 7;
    let top = if r.next().is_multiple_of(2) {
        0
    } else {
        h - band
    };
    fill_rect(img, 0, top, w, top + band, [20, 20, 20]);
    // "Words": white blocks of glyph height.
    let mut x = w / 20;
    while x < w - w / 10 {
        let ww = r.range(w / 40, w / 10);
        fill_rect(
            img,
            x,
            top + band / 3,
            x + ww,
            top + 2 * band / 3,
            [240, 240, 240],
        );
        x += ww + w / 60;
    }
}

/// All variants of `base`, in [`KINDS`] order; `filler` is an unrelated
/// picture for the third-of-frame variant.
pub(crate) fn make(base: &RgbImage, filler: &RgbImage, seed: u64) -> Vec<RgbImage> {
    let mut r = Lcg(seed);
    let (w, h) = base.dimensions();
    let mut out = Vec::new();

    let mut v = base.clone();
    foreground(&mut v, &mut r);
    out.push(v);

    let cw = w * r.range(65, 85) / 100;
    let ch = h * r.range(65, 85) / 100;
    let (x, y) = (r.range(0, w - cw), r.range(0, h - ch));
    out.push(imageops::crop_imm(base, x, y, cw, ch).to_image());

    let mut v = base.clone();
    lighting(&mut v, &mut r);
    out.push(v);

    out.push(jpeg(base, 25));

    let mut v = base.clone();
    caption(&mut v, &mut r);
    out.push(v);

    // The scene fills about a third of the frame (each side 52-64 % of the
    // frame's, anywhere in it); the rest is an unrelated picture (`filler`:
    // a scene of another seed of the generator, different for every
    // image), so that nothing but the scene itself links the variant to
    // its original.
    let mut v = imageops::resize(filler, w, h, imageops::FilterType::Triangle);
    let frac = r.range(52, 65) as f32 / 100.0;
    let sw = (w as f32 * frac) as u32;
    let sh = (h as f32 * frac) as u32;
    let small = imageops::resize(base, sw, sh, imageops::FilterType::Triangle);
    let (ox, oy) = (r.range(0, w - sw + 1), r.range(0, h - sh + 1));
    imageops::replace(&mut v, &small, i64::from(ox), i64::from(oy));
    out.push(v);

    let mut v = base.clone();
    foreground(&mut v, &mut r);
    lighting(&mut v, &mut r);
    out.push(jpeg(&v, 40));
    out
}
