//! Redacted thumbnails: a picture reduced to a few grey blocks, as a tiny
//! PNG (written here: stored deflate blocks, CRC-32 and Adler-32).
//!
//! The result is at most [`CELLS`] blocks on its long side, each block the
//! mean grey of its area: enough to tell a receiver "an indoor scene, dark
//! left half", never enough to see a person.

use crate::PackageError;

/// Most blocks on the long side of a redacted thumbnail.
pub const CELLS: u32 = 8;

/// An RGB picture (8 bits per channel, rows top to bottom).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgb {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes.
    pub pixels: Vec<u8>,
}

/// Reduce a picture to at most [`CELLS`] x [`CELLS`] grey blocks and encode
/// it as PNG.
pub fn redacted_png(img: &Rgb) -> Result<Vec<u8>, PackageError> {
    let (w, h) = (img.width as usize, img.height as usize);
    let ok = w > 0
        && h > 0
        && w.checked_mul(h)
            .and_then(|n| n.checked_mul(3))
            .is_some_and(|n| n == img.pixels.len());
    if !ok {
        return Err(PackageError::BadImage {
            width: img.width,
            height: img.height,
        });
    }
    let long = w.max(h);
    let cells = CELLS as usize;
    let (cw, ch) = if w >= h {
        (cells.min(w), ((h * cells).div_ceil(long)).clamp(1, h))
    } else {
        (((w * cells).div_ceil(long)).clamp(1, w), cells.min(h))
    };
    let mut grey = Vec::with_capacity(cw * ch);
    for cy in 0..ch {
        let (y0, y1) = (cy * h / ch, ((cy + 1) * h / ch).max(cy * h / ch + 1));
        for cx in 0..cw {
            let (x0, x1) = (cx * w / cw, ((cx + 1) * w / cw).max(cx * w / cw + 1));
            let mut sum = 0u64;
            let mut n = 0u64;
            for y in y0..y1.min(h) {
                for x in x0..x1.min(w) {
                    let i = (y * w + x) * 3;
                    let p = &img.pixels[i..i + 3];
                    sum += (299 * u64::from(p[0]) + 587 * u64::from(p[1]) + 114 * u64::from(p[2]))
                        / 1000;
                    n += 1;
                }
            }
            grey.push((sum / n.max(1)) as u8);
        }
    }
    Ok(png_grey(cw as u32, ch as u32, &grey))
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// An 8-bit greyscale PNG (small images only: one stored deflate block per
/// 65,535 bytes).
fn png_grey(w: u32, h: u32, grey: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(grey.len() + h as usize);
    for row in grey.chunks(w as usize) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn reduces_to_a_few_grey_blocks() {
        let (w, h) = (64u32, 32u32);
        let mut pixels = Vec::new();
        for _y in 0..h {
            for x in 0..w {
                let v = if x < 32 { 0 } else { 255 };
                pixels.extend_from_slice(&[v, v, v]);
            }
        }
        let png = redacted_png(&Rgb {
            width: w,
            height: h,
            pixels,
        })
        .unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        assert_eq!(&png[16..24], &[0, 0, 0, 8, 0, 0, 0, 4]);
        assert!(png.len() < 200);
    }

    #[test]
    fn bad_sizes_are_errors() {
        for (w, h, n) in [(0, 1, 0), (2, 2, 11), (u32::MAX, u32::MAX, 3)] {
            let img = Rgb {
                width: w,
                height: h,
                pixels: vec![0; n],
            };
            assert!(redacted_png(&img).is_err());
        }
        let one = Rgb {
            width: 1,
            height: 1,
            pixels: vec![1, 2, 3],
        };
        assert!(redacted_png(&one).is_ok());
    }
}
