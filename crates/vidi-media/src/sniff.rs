//! Format sniffing from magic bytes, and cheap frame counting for animated
//! formats (GIF, APNG, WebP) without decoding pixels.

/// An image format vidi recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG (JFIF/EXIF).
    Jpeg,
    /// PNG and APNG.
    Png,
    /// GIF 87a/89a.
    Gif,
    /// WebP (lossy, lossless, animated).
    Webp,
    /// TIFF (classic and BigTIFF).
    Tiff,
    /// Windows bitmap.
    Bmp,
    /// HEIF/HEIC (ISO-BMFF with an HEIF brand).
    Heif,
    /// AVIF (ISO-BMFF with an AVIF brand).
    Avif,
}

impl ImageFormat {
    /// Short lower-case name, as stored in [`crate::DecodedImage::format`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Tiff => "tiff",
            Self::Bmp => "bmp",
            Self::Heif => "heif",
            Self::Avif => "avif",
        }
    }
}

/// Identify the format from the first bytes.
pub fn sniff(b: &[u8]) -> Option<ImageFormat> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(ImageFormat::Jpeg);
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(ImageFormat::Png);
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some(ImageFormat::Gif);
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Some(ImageFormat::Webp);
    }
    if b.starts_with(b"II*\0")
        || b.starts_with(b"MM\0*")
        || b.starts_with(b"II+\0")
        || b.starts_with(b"MM\0+")
    {
        return Some(ImageFormat::Tiff);
    }
    if b.starts_with(b"BM") && b.len() >= 18 {
        return Some(ImageFormat::Bmp);
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        let size = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let end = size.clamp(12, 256).min(b.len());
        // Major brand at 8..12, compatible brands from 16 on.
        let mut brands = vec![&b[8..12]];
        let mut i = 16;
        while i + 4 <= end {
            brands.push(&b[i..i + 4]);
            i += 4;
        }
        if brands.iter().any(|x| *x == b"avif" || *x == b"avis") {
            return Some(ImageFormat::Avif);
        }
        let heif: [&[u8]; 8] = [
            b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
        ];
        if brands.iter().any(|x| heif.contains(x)) {
            return Some(ImageFormat::Heif);
        }
    }
    None
}

/// Number of frames (1 for still images; a best-effort count that never
/// fails: malformed structure ends the count).
pub fn frame_count(format: ImageFormat, b: &[u8]) -> u32 {
    let n = match format {
        ImageFormat::Gif => gif_frames(b),
        ImageFormat::Png => apng_frames(b),
        ImageFormat::Webp => webp_frames(b),
        _ => 1,
    };
    n.max(1)
}

fn gif_frames(b: &[u8]) -> u32 {
    let mut p = 13usize;
    let Some(&flags) = b.get(10) else { return 1 };
    if flags & 0x80 != 0 {
        p += 3 << ((flags & 7) + 1);
    }
    let skip_blocks = |mut p: usize| -> Option<usize> {
        loop {
            let len = *b.get(p)? as usize;
            p += 1 + len;
            if len == 0 {
                return Some(p);
            }
        }
    };
    let mut frames = 0u32;
    while let Some(&tag) = b.get(p) {
        match tag {
            0x21 => match skip_blocks(p + 2) {
                Some(q) => p = q,
                None => break,
            },
            0x2C => {
                frames += 1;
                let Some(&lflags) = b.get(p + 9) else { break };
                p += 10;
                if lflags & 0x80 != 0 {
                    p += 3 << ((lflags & 7) + 1);
                }
                match skip_blocks(p + 1) {
                    Some(q) => p = q,
                    None => break,
                }
            }
            _ => break,
        }
    }
    frames
}

fn be32(b: &[u8], p: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(p..p + 4)?.try_into().ok()?))
}

fn apng_frames(b: &[u8]) -> u32 {
    let mut p = 8usize;
    while let (Some(len), Some(kind)) = (be32(b, p), b.get(p + 4..p + 8)) {
        match kind {
            b"acTL" => return be32(b, p + 8).unwrap_or(1),
            b"IDAT" | b"IEND" => return 1,
            _ => {}
        }
        p = p.saturating_add(12).saturating_add(len as usize);
    }
    1
}

fn webp_frames(b: &[u8]) -> u32 {
    let mut p = 12usize;
    let mut frames = 0u32;
    while let Some(kind) = b.get(p..p + 4) {
        let Some(len) = b
            .get(p + 4..p + 8)
            .and_then(|s| s.try_into().ok())
            .map(u32::from_le_bytes)
        else {
            break;
        };
        if kind == b"ANMF" {
            frames += 1;
        }
        let len = len as usize;
        p = p.saturating_add(8).saturating_add(len + (len & 1));
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(b"GIF89a......"), Some(ImageFormat::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::Webp));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
            Some(ImageFormat::Heif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"),
            Some(ImageFormat::Avif)
        );
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0isomiso2"), None);
        assert_eq!(sniff(b"hello"), None);
        assert_eq!(sniff(&[]), None);
    }

    #[test]
    fn frame_counts_never_panic_on_garbage() {
        for len in 0..64 {
            let junk: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            for f in [ImageFormat::Gif, ImageFormat::Png, ImageFormat::Webp] {
                assert!(frame_count(f, &junk) >= 1);
            }
        }
    }
}
