//! The formats [`crate::sniff`] recognises, with their MIME type and kind.

use vidi_types::MediaKind;

/// A container or file format recognised by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// JPEG (JFIF, EXIF, raw JPEG streams).
    Jpeg,
    /// PNG (and APNG).
    Png,
    /// GIF 87a/89a.
    Gif,
    /// WebP (RIFF `WEBP`).
    Webp,
    /// TIFF (classic or BigTIFF) that is not a recognised camera RAW.
    Tiff,
    /// Windows bitmap.
    Bmp,
    /// HEIF/HEIC still image (ISO BMFF `ftyp` brand `heic`, `mif1`, ...).
    Heif,
    /// AVIF (ISO BMFF brand `avif`/`avis`).
    Avif,
    /// Windows icon or cursor.
    Ico,
    /// Adobe Photoshop.
    Psd,
    /// JPEG XL (codestream or container).
    Jxl,
    /// JPEG 2000 (JP2 container or J2K codestream).
    Jp2,
    /// Quite OK Image.
    Qoi,
    /// OpenEXR.
    Exr,
    /// Netpbm (PBM/PGM/PPM/PAM).
    Pnm,
    /// Radiance RGBE (`.hdr`).
    Hdr,
    /// FITS astronomical image.
    Fits,
    /// X PixMap.
    Xpm,
    /// Apple icon image.
    Icns,
    /// ZSoft PCX.
    Pcx,
    /// Windows metafile (placeable).
    Wmf,
    /// Canon CR2 (TIFF based).
    Cr2,
    /// Canon CR3 (ISO BMFF brand `crx`).
    Cr3,
    /// Canon CRW (CIFF).
    Crw,
    /// Nikon NEF (TIFF with Make NIKON).
    Nef,
    /// Fujifilm RAF.
    Raf,
    /// Olympus ORF.
    Orf,
    /// Panasonic RW2.
    Rw2,
    /// Adobe DNG (TIFF with DNGVersion).
    Dng,
    /// Sony ARW (TIFF with Make SONY).
    Arw,
    /// Pentax PEF (TIFF with Make PENTAX).
    Pef,
    /// Minolta MRW.
    Mrw,
    /// Sigma X3F.
    X3f,
    /// MPEG-4 video (ISO BMFF).
    Mp4,
    /// QuickTime movie (`ftyp qt  ` or a bare `moov`/`mdat` atom).
    Mov,
    /// 3GPP / 3GPP2.
    ThreeGp,
    /// Apple M4V.
    M4v,
    /// Matroska (EBML DocType `matroska`).
    Mkv,
    /// WebM (EBML DocType `webm`).
    Webm,
    /// AVI (RIFF `AVI `).
    Avi,
    /// MPEG transport stream (188-byte packets).
    MpegTs,
    /// BDAV M2TS (192-byte packets).
    M2ts,
    /// MPEG program stream.
    MpegPs,
    /// MPEG-1/2 video elementary stream.
    MpegVideo,
    /// Flash video.
    Flv,
    /// Autodesk FLI/FLC animation.
    Flic,
    /// ASF / WMV / WMA.
    Asf,
    /// RealMedia.
    Rm,
    /// MXF.
    Mxf,
    /// DV (DIF).
    Dv,
    /// Ogg (Theora video, or Vorbis/Opus/FLAC audio: see [`crate::Sniffed::kind`]).
    Ogg,
    /// RIFF WAVE.
    Wav,
    /// AIFF / AIFF-C.
    Aiff,
    /// MPEG audio layer III (or I/II).
    Mp3,
    /// FLAC.
    Flac,
    /// AAC in ADTS framing.
    Aac,
    /// MPEG-4 audio (ISO BMFF brand `M4A `, `M4B `, ...).
    M4a,
    /// Standard MIDI file.
    Midi,
    /// AMR speech audio.
    Amr,
    /// PDF.
    Pdf,
    /// PostScript / EPS.
    PostScript,
    /// ZIP (and ZIP-based documents).
    Zip,
    /// gzip.
    Gzip,
    /// 7-Zip.
    SevenZip,
    /// RAR 1.5+ or 5.
    Rar,
    /// xz.
    Xz,
    /// bzip2.
    Bzip2,
    /// Zstandard.
    Zstd,
    /// SQLite 3 database.
    Sqlite,
    /// ELF executable.
    Elf,
    /// Windows PE executable (MZ).
    Exe,
    /// Standalone XMP packet or other XML.
    Xml,
    /// Plain text (valid UTF-8 or UTF-16 with BOM, no control bytes).
    Text,
    /// Nothing recognised.
    Unknown,
}

impl Format {
    /// True for formats whose metadata lives in ISO BMFF / QuickTime boxes.
    pub fn is_isobmff(self) -> bool {
        matches!(
            self,
            Self::Mp4
                | Self::Mov
                | Self::ThreeGp
                | Self::M4v
                | Self::M4a
                | Self::Heif
                | Self::Avif
                | Self::Cr3
        )
    }

    /// True for formats laid out as TIFF (IFD chains).
    pub fn is_tiff_based(self) -> bool {
        matches!(
            self,
            Self::Tiff
                | Self::Cr2
                | Self::Nef
                | Self::Orf
                | Self::Rw2
                | Self::Dng
                | Self::Arw
                | Self::Pef
        )
    }

    pub(crate) fn default_kind(self) -> MediaKind {
        use Format::*;
        match self {
            Jpeg | Png | Gif | Webp | Tiff | Bmp | Heif | Avif | Ico | Psd | Jxl | Jp2 | Qoi
            | Exr | Pnm | Hdr | Fits | Xpm | Icns | Pcx | Wmf | Cr2 | Cr3 | Crw | Nef | Raf
            | Orf | Rw2 | Dng | Arw | Pef | Mrw | X3f => MediaKind::Image,
            Mp4 | Mov | ThreeGp | M4v | Mkv | Webm | Avi | MpegTs | M2ts | MpegPs | MpegVideo
            | Flv | Flic | Asf | Rm | Mxf | Dv | Ogg => MediaKind::Video,
            Wav | Aiff | Mp3 | Flac | Aac | M4a | Midi | Amr => MediaKind::Audio,
            Pdf | PostScript | Zip | Gzip | SevenZip | Rar | Xz | Bzip2 | Zstd | Sqlite | Elf
            | Exe | Xml | Text | Unknown => MediaKind::Other,
        }
    }

    pub(crate) fn default_mime(self) -> &'static str {
        use Format::*;
        match self {
            Jpeg => "image/jpeg",
            Png => "image/png",
            Gif => "image/gif",
            Webp => "image/webp",
            Tiff => "image/tiff",
            Bmp => "image/bmp",
            Heif => "image/heif",
            Avif => "image/avif",
            Ico => "image/vnd.microsoft.icon",
            Psd => "image/vnd.adobe.photoshop",
            Jxl => "image/jxl",
            Jp2 => "image/jp2",
            Qoi => "image/qoi",
            Exr => "image/x-exr",
            Pnm => "image/x-portable-anymap",
            Hdr => "image/vnd.radiance",
            Fits => "image/fits",
            Xpm => "image/x-xpixmap",
            Icns => "image/x-icns",
            Pcx => "image/x-pcx",
            Wmf => "image/wmf",
            Cr2 => "image/x-canon-cr2",
            Cr3 => "image/x-canon-cr3",
            Crw => "image/x-canon-crw",
            Nef => "image/x-nikon-nef",
            Raf => "image/x-fuji-raf",
            Orf => "image/x-olympus-orf",
            Rw2 => "image/x-panasonic-rw2",
            Dng => "image/x-adobe-dng",
            Arw => "image/x-sony-arw",
            Pef => "image/x-pentax-pef",
            Mrw => "image/x-minolta-mrw",
            X3f => "image/x-sigma-x3f",
            Mp4 => "video/mp4",
            Mov => "video/quicktime",
            ThreeGp => "video/3gpp",
            M4v => "video/x-m4v",
            Mkv => "video/x-matroska",
            Webm => "video/webm",
            Avi => "video/x-msvideo",
            MpegTs | M2ts => "video/mp2t",
            MpegPs | MpegVideo => "video/mpeg",
            Flv => "video/x-flv",
            Flic => "video/x-fli",
            Asf => "video/x-ms-asf",
            Rm => "application/vnd.rn-realmedia",
            Mxf => "application/mxf",
            Dv => "video/x-dv",
            Ogg => "video/ogg",
            Wav => "audio/wav",
            Aiff => "audio/aiff",
            Mp3 => "audio/mpeg",
            Flac => "audio/flac",
            Aac => "audio/aac",
            M4a => "audio/mp4",
            Midi => "audio/midi",
            Amr => "audio/amr",
            Pdf => "application/pdf",
            PostScript => "application/postscript",
            Zip => "application/zip",
            Gzip => "application/gzip",
            SevenZip => "application/x-7z-compressed",
            Rar => "application/vnd.rar",
            Xz => "application/x-xz",
            Bzip2 => "application/x-bzip2",
            Zstd => "application/zstd",
            Sqlite => "application/vnd.sqlite3",
            Elf => "application/x-elf",
            Exe => "application/vnd.microsoft.portable-executable",
            Xml => "application/xml",
            Text => "text/plain",
            Unknown => "application/octet-stream",
        }
    }
}
